import type { AuditBase } from './entry.js';
import type { AuditLedger } from './ledger.js';

/** Reads `.code` / `.requestId` off whatever `send` threw; never its message (it may quote input). */
function outcomeCodeOf(err: unknown): { errorCode: string; requestId?: string } {
  if (err instanceof Error && err.name === 'CancelledError') return { errorCode: 'Cancelled' };
  if (err !== null && typeof err === 'object') {
    const { code, requestId } = err as { code?: unknown; requestId?: unknown };
    return {
      errorCode: typeof code === 'string' && code !== '' ? code : 'Unknown',
      ...(typeof requestId === 'string' && requestId !== '' ? { requestId } : {}),
    };
  }
  return { errorCode: 'Unknown' };
}

/**
 * Whether the API answered the error (`failed`: it refused, nothing changed) or no answer came
 * (`unknown`: a cancel, a shutdown, a timeout or a broken connection after the request left).
 */
function settledAs(err: unknown): 'failed' | 'unknown' {
  if (err === null || typeof err !== 'object') return 'unknown';
  const { stage, httpStatus } = err as { stage?: unknown; httpStatus?: unknown };
  return stage === 'api' || typeof httpStatus === 'number' ? 'failed' : 'unknown';
}

/** The RequestId of an API answer, when it has one (any `T` is accepted: `sendWrite<R>` need not constrain R). */
function requestIdOf(result: unknown): { requestId?: string } {
  if (result === null || typeof result !== 'object') return {};
  const id = (result as { RequestId?: unknown }).RequestId;
  return typeof id === 'string' && id !== '' ? { requestId: id } : {};
}

/** `send` was called but no answer came: the change may have been applied. `cause` is what `send` threw. */
export class OutcomeUnknownError extends Error {
  override name = 'OutcomeUnknownError';
  constructor(override readonly cause: unknown) {
    super('The request was sent but no answer came back: it may have been applied.');
  }
}

/** The call was stopped before `send` was called: nothing was sent. */
export class NotSentError extends Error {
  override name = 'NotSentError';
}

export interface AuditedOptions<T = unknown> {
  /** The call's signal: once it has fired, `send` is not called at all. */
  signal?: AbortSignal;
  /** IDs the answer names (e.g. new servers), added to the outcome line's resourceIds. */
  outcomeIds?: (result: T) => string[];
  /** A change went through but the ledger could not record it (or a failure could not be recorded). */
  onLedgerWarning?: (warning: string) => void;
}

/**
 * Runs one mutating request between two ledger lines: `intent` (fsynced before `send` is even
 * called — if it cannot be written, nothing is sent) and `outcome`: `ok` with the RequestId,
 * `failed` with the API's code, or `unknown` when no answer came (then `OutcomeUnknownError` is
 * thrown, carrying `send`'s error). A change that succeeded but whose outcome line cannot be
 * written still resolves with its result: the caller is told through `onLedgerWarning`.
 */
export async function audited<T>(
  ledger: AuditLedger,
  base: AuditBase,
  send: () => Promise<T>,
  now: () => number = Date.now,
  opts: AuditedOptions<T> = {},
): Promise<T> {
  const stamp = (): string => new Date(now()).toISOString();
  await ledger.append({ ...base, time: stamp(), phase: 'intent' });
  const outcome = (fields: { ok: boolean; outcome: 'ok' | 'failed' | 'unknown'; errorCode?: string; requestId?: string; resourceIds?: string[] }) => {
    const { expect: _expect, ...rest } = base;
    return ledger.append({ ...rest, time: stamp(), phase: 'outcome', ...fields });
  };
  const warn = (what: string, err: unknown) => opts.onLedgerWarning?.(
    `${what} (${err instanceof Error ? err.message : String(err)}).`,
  );
  if (opts.signal?.aborted) {
    await outcome({ ok: false, outcome: 'failed', errorCode: 'Cancelled' })
      .catch((err: unknown) => warn(`The ledger has the intent of ${base.action} but could not record that it was not sent`, err));
    throw new NotSentError(`${base.action} was not sent: the call was stopped first.`);
  }
  let result: T;
  try {
    result = await send();
  } catch (err) {
    const how = settledAs(err);
    await outcome({ ok: false, outcome: how, ...outcomeCodeOf(err) })
      .catch((e: unknown) => warn(`The ledger could not record the ${how} outcome of ${base.action} (its intent is recorded)`, e));
    throw how === 'unknown' ? new OutcomeUnknownError(err) : err;
  }
  await outcome({ ok: true, outcome: 'ok', ...requestIdOf(result), ...(opts.outcomeIds ? { resourceIds: [...base.resourceIds, ...opts.outcomeIds(result)] } : {}) })
    .catch((err: unknown) => warn(`${base.action} was carried out, but the audit ledger could not record its outcome; its intent is recorded`, err));
  return result;
}
