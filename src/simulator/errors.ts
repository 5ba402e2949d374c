/** An API-level failure: becomes Alibaba's JSON error body with this HTTP status. */
export class SimulatedApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'SimulatedApiError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export const invalidParameter = (message: string): SimulatedApiError => new SimulatedApiError(400, 'InvalidParameter', message);

export const missing = (name: string): SimulatedApiError =>
  new SimulatedApiError(400, `Missing${name}`, `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
