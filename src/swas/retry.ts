import { SwasError, CancelledError, cancelledBy, isRetryable } from './errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Time for all attempts and back-off together; a wait that would overrun it is not started. */
  budgetMs: number;
  /** Deadline of one attempt. */
  attemptTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4, baseDelayMs: 400, maxDelayMs: 4_000, budgetMs: 25_000, attemptTimeoutMs: 10_000,
};

/** The policy the configuration asks for: SWAS_MCP_RETRY_BASE_DELAY_MS, _REQUEST_TIMEOUT_MS, _RETRY_BUDGET_MS. */
export function retryPolicyFor(c: { retryBaseDelayMs: number; requestTimeoutMs: number; retryBudgetMs: number }): RetryPolicy {
  return {
    ...DEFAULT_RETRY,
    baseDelayMs: c.retryBaseDelayMs,
    maxDelayMs: Math.max(DEFAULT_RETRY.maxDelayMs, c.retryBaseDelayMs),
    attemptTimeoutMs: c.requestTimeoutMs,
    budgetMs: c.retryBudgetMs,
  };
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledBy(signal);
}

/**
 * The callbacks waiting on each signal. A call's signal is shared by every request the call runs at
 * once (RegionId "all": dozens), and one listener each would pass Node's limit of 10 and print
 * MaxListenersExceededWarning: so each signal gets one listener, which calls the waiting callbacks.
 */
const waiting = new WeakMap<AbortSignal, { callbacks: Set<() => void>; fire: () => void }>();

/** Runs `callback` once when the signal fires; the returned function unsubscribes it. */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let entry = waiting.get(signal);
  if (!entry) {
    const callbacks = new Set<() => void>();
    const fire = () => {
      waiting.delete(signal);
      for (const f of [...callbacks]) f();
      callbacks.clear();
    };
    entry = { callbacks, fire };
    waiting.set(signal, entry);
    signal.addEventListener('abort', fire, { once: true });
  }
  const { callbacks, fire } = entry;
  callbacks.add(callback);
  return () => {
    callbacks.delete(callback);
    // The last one out takes the listener away: a long-lived signal keeps none.
    if (callbacks.size === 0 && waiting.get(signal)?.callbacks === callbacks) {
      waiting.delete(signal);
      signal.removeEventListener('abort', fire);
    }
  };
}

/** Sleeps, or rejects with CancelledError as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledBy(signal));
    const off = signal ? onAbort(signal, () => { clearTimeout(timer); reject(cancelledBy(signal)); }) : undefined;
    const timer = setTimeout(() => { off?.(); resolve(); }, ms);
  });
}

/** Races a promise against cancellation; the losing request is left to finish on its own. */
function raceSignal<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(cancelledBy(signal));
    const off = onAbort(signal, () => reject(cancelledBy(signal)));
    work.then(
      (v) => { off(); resolve(v); },
      (e: unknown) => { off(); reject(e); },
    );
  });
}

/** Full-jitter exponential back-off, never shorter than what the API asked for. */
export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfterMs: number | undefined, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(ceiling / 2 + random() * (ceiling / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}

export interface RetryEvent { attempt: number; delayMs: number; error: SwasError }

/**
 * Runs `attempt` until it succeeds, fails with a code that is not worth retrying, runs out of
 * attempts or out of budget. Each attempt gets the time it may take; errors arrive normalised.
 */
export async function withRetries<T>(
  attempt: (timeoutMs: number) => Promise<T>,
  normalise: (err: unknown) => SwasError,
  policy: RetryPolicy,
  signal?: AbortSignal,
  onRetry?: (event: RetryEvent) => void,
): Promise<T> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    throwIfCancelled(signal);
    const left = policy.budgetMs - (Date.now() - started);
    const timeoutMs = Math.max(200, Math.min(policy.attemptTimeoutMs, n === 1 ? policy.attemptTimeoutMs : left));
    try {
      return await raceSignal(attempt(timeoutMs), signal);
    } catch (raw) {
      if (raw instanceof CancelledError) throw raw;
      const error = normalise(raw);
      if (!isRetryable(error) || n >= policy.maxAttempts) throw error;
      const delayMs = backoffDelay(n, policy, error.retryAfterMs);
      const remaining = policy.budgetMs - (Date.now() - started);
      if (delayMs + 200 > remaining) throw error;
      onRetry?.({ attempt: n, delayMs, error });
      await sleep(delayMs, signal);
    }
  }
}
