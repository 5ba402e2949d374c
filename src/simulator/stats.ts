// What the simulator received: per-action counters and a request log. Never holds secrets,
// signatures or Authorization headers.

export type Outcome = 'response' | 'drop' | 'hang';

export interface LoggedRequest {
  /** Epoch milliseconds when the request arrived. */
  time: number;
  requestId: string;
  /** Empty when the request named no action. */
  action: string;
  /** Business parameters (query string and form body); signing parameters are removed. */
  params: Record<string, string>;
  accessKeyId: string | undefined;
  /** HTTP status sent; null when the connection was dropped or left hanging. */
  status: number | null;
  /** Error code when the answer was an error. */
  code?: string;
  outcome: Outcome;
  /** Id of the injected fault that fired, if any. */
  faultId?: number;
}

export class Stats {
  private counts = new Map<string, number>();
  private entries: LoggedRequest[] = [];

  record(entry: LoggedRequest): void {
    this.entries.push(entry);
    if (entry.action) this.counts.set(entry.action, (this.counts.get(entry.action) ?? 0) + 1);
  }

  /** Requests received for `action` (every outcome, including errors and faults). */
  count(action: string): number {
    return this.counts.get(action) ?? 0;
  }

  /** All counters, by action. */
  calls(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** Copies of the logged requests, oldest first; optionally only one action's. */
  requests(action?: string): LoggedRequest[] {
    return this.entries.filter((e) => !action || e.action === action).map((e) => structuredClone(e));
  }

  reset(): void {
    this.counts.clear();
    this.entries = [];
  }
}
