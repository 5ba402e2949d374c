import { sleep, throwIfCancelled } from './swas/retry.js';

export interface PollOptions<T> {
  /** Give up after this long; the caller then reports "still in progress". */
  timeoutMs: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
  signal?: AbortSignal;
  /** Called after every poll, e.g. to send a progress notification. */
  onPoll?: (value: T, pollNumber: number, elapsedMs: number) => Promise<void> | void;
}

export interface PollResult<T> { value: T; settled: boolean; polls: number; elapsedMs: number }

/**
 * Polls until `settled(value)` or the time runs out, backing off 1.5× between polls. A wait that
 * would end past the deadline is shortened to end on it; cancellation stops it at once.
 */
export async function pollUntil<T>(poll: () => Promise<T>, settled: (value: T) => boolean, opts: PollOptions<T>): Promise<PollResult<T>> {
  const started = Date.now();
  let interval = opts.initialIntervalMs;
  for (let n = 1; ; n++) {
    throwIfCancelled(opts.signal);
    const value = await poll();
    const elapsedMs = Date.now() - started;
    await opts.onPoll?.(value, n, elapsedMs);
    if (settled(value)) return { value, settled: true, polls: n, elapsedMs };
    const left = opts.timeoutMs - (Date.now() - started);
    if (left <= 0) return { value, settled: false, polls: n, elapsedMs };
    await sleep(Math.min(interval, left), opts.signal);
    interval = Math.min(opts.maxIntervalMs, Math.round(interval * 1.5));
  }
}
