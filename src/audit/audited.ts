import type { AuditBase } from './entry.js';
import type { AuditLedger } from './ledger.js';

/** Reads `.code` / `.requestId` off whatever `send` threw; never its message (it may quote input). */
function failureOf(err: unknown): { errorCode: string; requestId?: string } {
  if (err !== null && typeof err === 'object') {
    const { code, requestId } = err as { code?: unknown; requestId?: unknown };
    return {
      errorCode: typeof code === 'string' && code !== '' ? code : 'Unknown',
      ...(typeof requestId === 'string' && requestId !== '' ? { requestId } : {}),
    };
  }
  return { errorCode: 'Unknown' };
}

/** The `RequestId` of an API answer, when it has one (any `T` is accepted: `sendWrite<R>` need not constrain R). */
function requestIdOf(result: unknown): { requestId?: string } {
  if (result === null || typeof result !== 'object') return {};
  const id = (result as { RequestId?: unknown }).RequestId;
  return typeof id === 'string' && id !== '' ? { requestId: id } : {};
}

/**
 * Runs one mutating request between two ledger lines: `intent` (fsynced before `send` is even
 * called — if it cannot be written, nothing is sent) and `outcome` (ok + RequestId, or ok:false +
 * the error's code). `send`'s error is re-thrown as is. If `send` succeeded but the outcome line
 * cannot be written, that ledger error is thrown (the ClientToken makes the caller's repeat safe);
 * if both failed, `send`'s error wins.
 */
export async function audited<T>(
  ledger: AuditLedger,
  base: AuditBase,
  send: () => Promise<T>,
  now: () => number = Date.now,
  /** IDs the answer names (e.g. new servers), added to the outcome line's resourceIds. */
  outcomeIds?: (result: T) => string[],
): Promise<T> {
  const stamp = (): string => new Date(now()).toISOString();
  await ledger.append({ ...base, time: stamp(), phase: 'intent' });
  let result: T;
  try {
    result = await send();
  } catch (err) {
    await ledger.append({ ...base, time: stamp(), phase: 'outcome', ok: false, ...failureOf(err) }).catch(() => undefined);
    throw err;
  }
  await ledger.append({
    ...base,
    time: stamp(),
    phase: 'outcome',
    ok: true,
    ...(outcomeIds ? { resourceIds: [...base.resourceIds, ...outcomeIds(result)] } : {}),
    ...requestIdOf(result),
  });
  return result;
}
