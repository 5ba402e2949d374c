import { sameWord } from '../swas/status.js';
import type { Snapshot } from '../swas/types.js';
import { compareText } from '../text-order.js';

export function isFinished(s: Snapshot): boolean {
  return sameWord(s.Status, 'accomplished');
}

/** Newest first; CreationTime is ISO 8601 UTC, so text order is time order. */
export function byNewest(a: Snapshot, b: Snapshot): number {
  return compareText(b.CreationTime ?? '', a.CreationTime ?? '');
}

export interface SnapshotChoice {
  chosen?: Snapshot;
  /** Newer system snapshots passed over because they are not finished. */
  skipped: Snapshot[];
}

/** The server's newest finished system-disk snapshot: never an unfinished one. */
export function chooseSystemSnapshot(snapshots: Snapshot[], instanceId: string): SnapshotChoice {
  const own = snapshots
    .filter((s) => sameWord(s.SourceDiskType, 'system') && s.InstanceId === instanceId)
    .sort(byNewest);
  const chosen = own.find(isFinished);
  const skipped = chosen ? own.slice(0, own.indexOf(chosen)) : own;
  return { chosen, skipped };
}
