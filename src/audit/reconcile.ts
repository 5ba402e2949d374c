import type { Logger } from 'pino';
import type { SwasApi } from '../swas/types.js';
import type { Expectation } from './entry.js';
import type { LedgerLine, PendingChange } from './history.js';
import { shareShown, tagsShown } from './expectation.js';
import type { AuditLedger } from './ledger.js';

export type Found = 'applied' | 'not-applied';

/** What a change is expected to leave: the intent's own, or what its action implies (deletes). */
function expectationOf(l: LedgerLine): Expectation | undefined {
  if (l.expect) return l.expect;
  if (l.action === 'DeleteCustomImages' || l.action === 'DeleteSnapshots') return { kind: 'absent' };
  return undefined;
}

/**
 * Reads the resources of an intent back and says whether its change is there; undefined when a
 * read cannot tell (a create, a reset to the image the server already ran, an unreadable answer).
 */
export async function readBack(api: SwasApi, l: LedgerLine, signal?: AbortSignal): Promise<Found | undefined> {
  const x = expectationOf(l);
  if (!x || l.resourceIds.length === 0) return undefined;
  const opts = signal ? { signal } : {};
  const region = l.regionId;
  const ids = l.resourceIds;
  const verdict = (yes: boolean): Found => (yes ? 'applied' : 'not-applied');
  switch (x.kind) {
    case 'absent': {
      const listed = l.action === 'DeleteSnapshots'
        ? (await api.listSnapshots(region, { SnapshotIds: ids }, opts)).items.map((s) => s.SnapshotId)
        : (await api.listCustomImages(region, { ImageIds: ids, Share: false }, opts)).items.map((m) => m.ImageId);
      return verdict(!ids.some((id) => listed.includes(id)));
    }
    case 'ecs-share': {
      const image = (await api.listCustomImages(region, { ImageIds: [ids[0]!], Share: false }, opts)).items.find((m) => m.ImageId === ids[0]);
      return image ? verdict(shareShown(x, { sharedToEcs: image.InShare === true, sharedWith: [] })) : undefined;
    }
    case 'account-share': {
      const now = (await api.listCustomImageShareAccounts(region, ids[0]!, opts)).items.map((a) => a.UserId);
      return verdict(shareShown(x, { sharedToEcs: false, sharedWith: now }));
    }
    case 'tags': {
      const shown = tagsShown(x, ids, (await api.listCustomImages(region, { ImageIds: ids, Share: false }, opts)).items);
      return shown === undefined ? undefined : verdict(shown);
    }
    case 'reset': {
      const server = (await api.listInstances(region, { InstanceIds: [ids[0]!] }, opts)).items.find((i) => i.InstanceId === ids[0]);
      if (!server) return undefined;
      if (server.Status.toLowerCase() === 'resetting') return 'applied';
      if (x.fromImageId === x.imageId) return undefined; // the same image before and after: a read cannot tell
      return verdict(server.ImageId === x.imageId);
    }
  }
}

/**
 * Reads back every change whose outcome is unknown (of these resources, or all) and records what
 * it found as a `reconciled` line. A change a read cannot settle stays unknown. Never throws.
 */
export async function reconcilePending(
  ledger: AuditLedger,
  api: SwasApi,
  opts: { simulated: boolean; now: () => number; silentAfterMs: number; log: Logger; resourceIds?: readonly string[]; signal?: AbortSignal },
): Promise<{ reconciled: number; unresolved: number }> {
  let pending: PendingChange[];
  try {
    const history = await ledger.history?.();
    if (!history) return { reconciled: 0, unresolved: 0 };
    pending = history.pending(opts.now() - opts.silentAfterMs, opts.resourceIds).filter((p) => p.intent.simulated === opts.simulated);
  } catch (err) {
    opts.log.error({ err: err instanceof Error ? err.message : String(err) }, 'could not read the audit ledger to reconcile');
    return { reconciled: 0, unresolved: 0 };
  }
  let reconciled = 0;
  for (const { intent } of pending) {
    let found: Found | undefined;
    try {
      found = await readBack(api, intent, opts.signal);
    } catch (err) {
      opts.log.warn({ action: intent.action, clientToken: intent.clientToken, err: err instanceof Error ? err.message : String(err) }, 'could not read back a change of unknown outcome');
    }
    if (found === undefined) continue;
    try {
      await ledger.append({
        time: new Date(opts.now()).toISOString(), tool: intent.tool, action: intent.action, phase: 'outcome',
        regionId: intent.regionId, resourceIds: intent.resourceIds, clientToken: intent.clientToken, argsDigest: intent.argsDigest,
        ok: found === 'applied', outcome: 'reconciled', found, simulated: intent.simulated,
      });
      reconciled += 1;
      opts.log.info({ action: intent.action, resourceIds: intent.resourceIds, clientToken: intent.clientToken, found }, 'reconciled a change of unknown outcome');
    } catch (err) {
      opts.log.error({ err: err instanceof Error ? err.message : String(err) }, 'could not record a reconciled outcome in the audit ledger');
    }
  }
  return { reconciled, unresolved: pending.length - reconciled };
}
