// What the simulator received: per-action counters and a request log. Never holds secrets,
// signatures or Authorization headers.

import { copyData } from './copy.js';

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
  /** The account the access key belongs to (several accounts). */
  accountId?: string;
  /** HTTP status sent; null when the connection was dropped or left hanging. */
  status: number | null;
  /** Error code when the answer was an error. */
  code?: string;
  outcome: Outcome;
  /** Id of the injected fault that fired, if any. */
  faultId?: number;
}

/** Requests the log keeps by default: far more than any test looks at, a few MB at most. */
export const DEFAULT_REQUEST_LOG_LIMIT = 5_000;

/**
 * A string of its own, never a slice of the raw request: V8 flattens the concatenation into a new
 * string before slicing it, so the result keeps at most that copy alive (200 slices of 1 MB strings
 * held 204 MB of heap, their copies 4 MB).
 */
const own = (s: string): string => ` ${s}`.slice(1);

const ownCopy = (e: LoggedRequest): LoggedRequest => copyData(e, own);
const copy = (e: LoggedRequest): LoggedRequest => copyData(e);

/**
 * Counters are exact for the simulator's whole life; the request log keeps only the newest
 * `logLimit` requests, so a long-running simulator (the server's --simulate mode, a load test)
 * does not grow without bound.
 */
export class Stats {
  private counts = new Map<string, number>();
  private entries: LoggedRequest[] = [];
  readonly logLimit: number;

  constructor(logLimit = DEFAULT_REQUEST_LOG_LIMIT) {
    if (!(Number.isInteger(logLimit) && logLimit >= 0)) throw new Error(`simulator: the request log limit must be a whole number >= 0, got ${logLimit}`);
    this.logLimit = logLimit;
  }

  record(entry: LoggedRequest): void {
    if (entry.action) this.counts.set(entry.action, (this.counts.get(entry.action) ?? 0) + 1);
    if (this.logLimit === 0) return;
    // A copy, not the entry itself: its strings are slices of the raw request (the whole
    // Authorization header behind accessKeyId, the whole URL behind each parameter), and a
    // slice keeps its parent alive. The copy's strings are its own.
    this.entries.push(ownCopy(entry));
    if (this.entries.length > this.logLimit) this.entries.splice(0, this.entries.length - this.logLimit);
  }

  /** Requests received for `action` (every outcome, including errors and faults). */
  count(action: string): number {
    return this.counts.get(action) ?? 0;
  }

  /** All counters, by action. */
  calls(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** Copies of the logged requests (the newest `logLimit`), oldest first; optionally only one action's. */
  requests(action?: string): LoggedRequest[] {
    return this.entries.filter((e) => !action || e.action === action).map(copy);
  }

  reset(): void {
    this.counts.clear();
    this.entries = [];
  }
}
