import { apiField } from '../untrusted.js';

/**
 * Where a failure happened: the contract's `Error.Stage`. `consent`: the person's confirmation is
 * missing or was refused; `cancelled`: the client cancelled the call; `internal`: a bug of this
 * server, not a problem of the request or of Alibaba Cloud.
 */
export const STAGES = ['input', 'preflight', 'consent', 'api', 'network', 'config', 'cancelled', 'internal'] as const;
export type Stage = (typeof STAGES)[number];

/** Every failure of a SWAS call, whatever threw it, normalised into one shape. */
export class SwasError extends Error {
  override name = 'SwasError';
  readonly code: string;
  readonly stage: Stage;
  readonly httpStatus?: number;
  readonly requestId?: string;
  readonly recommend?: string;
  readonly retryAfterMs?: number;
  /** RAM action the caller lacked, when the API said so. */
  readonly authAction?: string;

  constructor(init: {
    code: string; message: string; stage: Stage; httpStatus?: number; requestId?: string;
    recommend?: string; retryAfterMs?: number; authAction?: string;
  }) {
    super(init.message);
    this.code = init.code;
    this.stage = init.stage;
    this.httpStatus = init.httpStatus;
    this.requestId = init.requestId;
    this.recommend = init.recommend;
    this.retryAfterMs = init.retryAfterMs;
    this.authAction = init.authAction;
  }
}

/** The call was cancelled by the MCP client (or stopped by the server's shutdown): stop at once, answer nothing more. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  /** Stopped because this server is shutting down, not by the client. */
  readonly byShutdown: boolean;

  constructor(message: string, byShutdown = false) {
    super(message);
    this.byShutdown = byShutdown;
  }
}

/** The abort reason of a call stopped because the server shuts down (see CallLifecycle). */
export class ServerShutdown extends Error {
  override name = 'ServerShutdown';
  constructor() { super('the server is shutting down'); }
}

/** The error for a call whose signal fired: the client's cancel, or the server's shutdown. */
export function cancelledBy(signal: AbortSignal | undefined): CancelledError {
  return signal?.reason instanceof ServerShutdown
    ? new CancelledError('stopped: the server is shutting down', true)
    : new CancelledError('cancelled by the client');
}

/** Codes that are worth another attempt: throttling, service unavailable, server errors, network. */
export function isRetryable(err: SwasError): boolean {
  if (err.stage === 'network') return true;
  if (err.stage !== 'api') return false;
  if (err.code.includes('Throttling') || err.code === 'ServiceUnavailable') return true;
  return err.httpStatus !== undefined && err.httpStatus >= 500;
}

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH',
  'EHOSTUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET',
]);

interface SdkErrorShape {
  name?: unknown; code?: unknown; statusCode?: unknown; requestId?: unknown; retryAfter?: unknown;
  data?: unknown; message?: unknown; accessDeniedDetail?: unknown;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Turns what the official SDK throws into an SwasError. SDK messages embed the request URL, so
 * they are never passed on: every message here is built from the response body's own fields.
 */
export function normaliseSdkError(raw: unknown, host: string): SwasError {
  if (raw instanceof SwasError) return raw;
  const e = (typeof raw === 'object' && raw !== null ? raw : {}) as SdkErrorShape;
  const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<string, unknown>;
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const code = str(data.Code) ?? str(data.code) ?? (status !== undefined ? str(e.code) : undefined);

  if (status !== undefined && code !== undefined) {
    // A code is an identifier; anything else the API puts there is shown cleaned, never raw.
    const safeCode = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(code) ? code : apiField(code, 128) || 'UnknownError';
    const detail = (typeof e.accessDeniedDetail === 'object' && e.accessDeniedDetail !== null
      ? e.accessDeniedDetail : data.AccessDeniedDetail) as Record<string, unknown> | undefined;
    return new SwasError({
      code: safeCode,
      // The API's own words: cleaned and bounded here already; explain() quotes them as data.
      message: apiField(str(data.Message) ?? str(data.message) ?? `HTTP ${status}`, 1024),
      stage: 'api',
      httpStatus: status,
      requestId: str(data.RequestId) ?? str(data.requestId) ?? str(e.requestId),
      recommend: str(data.Recommend) === undefined ? undefined : apiField(data.Recommend, 1024),
      retryAfterMs: typeof e.retryAfter === 'number' && Number.isFinite(e.retryAfter) ? e.retryAfter : undefined,
      authAction: detail && str(detail.AuthAction) !== undefined ? apiField(detail.AuthAction, 128) : undefined,
    });
  }
  const name = str(e.name);
  const sysCode = str(e.code);
  if (name === 'RequestTimeoutError') {
    return new SwasError({ code: 'RequestTimeout', message: `No answer from ${host} within the request deadline.`, stage: 'network' });
  }
  if (sysCode !== undefined && NETWORK_CODES.has(sysCode)) {
    return new SwasError({ code: sysCode, message: `The connection to ${host} failed (${sysCode}).`, stage: 'network' });
  }
  if (name === 'SyntaxError') {
    return new SwasError({
      code: 'UnexpectedResponse', message: `${host} answered with something that is not an API response (a proxy or gateway error page?).`,
      stage: 'network',
    });
  }
  return new SwasError({ code: 'UnknownError', message: `The call to ${host} failed unexpectedly (${name ?? 'error'}).`, stage: 'network' });
}
