import { apiText } from '../untrusted.js';
import { sameWord } from '../swas/status.js';
import type { CustomImage, Snapshot } from '../swas/types.js';
import { checkList, type Check } from './checks.js';

/** DeleteSnapshots takes at most this many snapshots a call. */
export const MAX_DELETE_SNAPSHOTS = 100;

export interface DeleteSnapshotsFacts {
  /** The requested snapshots that exist in the region. */
  found: Snapshot[];
  /** Every own image of the region, those being deleted included (still listed): any of them pins its snapshots. */
  ownImages: CustomImage[];
  /** Every snapshot of the region, for what is left per server; undefined when not read. */
  regionSnapshots?: Snapshot[];
}

/** The snapshots left after the delete, by server (system-disk snapshots name it) or by disk (data-disk ones do not). */
export interface LeftGroup { InstanceId?: string; SourceDiskId?: string; SnapshotIds: string[] }

export interface DeleteSnapshotsVerdict {
  checks: Check[];
  failure?: { code: string; message: string; snapshotId: string };
  /** The requested snapshots, in the order given, when they all exist. */
  targets: Snapshot[];
  /** Targets still being taken: deleting them stops them (a warning, not a refusal). */
  progressing: Snapshot[];
  left?: LeftGroup[];
}

/**
 * Every precondition of DeleteSnapshots that can be judged from what was read. Pure. A snapshot a
 * custom image was made from (its SystemSnapshotId or DataSnapshotId) is refused, naming the image:
 * the API refuses it too (SnapshotExistCustomImage, an inferred code). A snapshot still
 * progressing is allowed, with a warning: it may be a stuck one holding a quota slot, and only
 * deleting frees it.
 */
export function judgeDeleteSnapshots(req: { regionId: string; snapshotIds: string[] }, f: DeleteSnapshotsFacts): DeleteSnapshotsVerdict {
  const { checks, add } = checkList();
  const failedAt = new Map<number, string>();
  const addFor = (snapshotId: string, name: string, ok: boolean | 'skipped', detail: string, code?: string) => {
    if (ok === false) failedAt.set(checks.length, snapshotId);
    add(name, ok, detail, code);
  };
  const targets: Snapshot[] = [];
  const progressing: Snapshot[] = [];
  for (const id of req.snapshotIds) {
    const s = f.found.find((x) => x.SnapshotId === id);
    if (!s) {
      addFor(id, `Snapshot ${id}`, false, `Snapshot ${id} does not exist in region ${req.regionId} (already deleted, mistyped, or in another region). list_snapshots shows the snapshots there.`, 'InvalidSnapshotId.NotFound');
      addFor(id, `NotUsedByImage ${id}`, 'skipped', 'Skipped: the snapshot was not found.');
      continue;
    }
    targets.push(s);
    const of = s.InstanceId ? `server ${apiText(s.InstanceId, 64)}` : `disk ${apiText(s.SourceDiskId ?? 'unknown', 64)}`;
    const still = !sameWord(s.Status, 'accomplished') && !sameWord(s.Status, 'failed');
    if (still) progressing.push(s);
    addFor(id, `Snapshot ${id}`, true,
      `Snapshot ${id} ("${apiText(s.SnapshotName, 128)}") is a ${apiText(s.SourceDiskType || 'disk', 16)} snapshot of ${of}, ${apiText(s.Status, 32)}${s.Progress ? ` ${apiText(s.Progress, 16)}` : ''}.`
      + (still ? ' It is still being taken: deleting it stops it.' : ''));
    const image = f.ownImages.find((m) => m.SystemSnapshotId === id || m.DataSnapshotId === id);
    if (image) {
      const role = image.SystemSnapshotId === id ? 'system' : 'data';
      addFor(id, `NotUsedByImage ${id}`, false,
        `Snapshot ${id} is the ${role} snapshot custom image ${image.ImageId} ("${apiText(image.Name, 128)}") was made from; it cannot be deleted while that image exists. Delete the image first (delete_custom_images, then wait until it is gone), or keep the snapshot.`,
        'SnapshotExistCustomImage');
    } else {
      addFor(id, `NotUsedByImage ${id}`, true, 'No custom image of this account in the region was made from it.');
    }
  }
  let left: LeftGroup[] | undefined;
  if (f.regionSnapshots) {
    const gone = new Set(targets.map((s) => s.SnapshotId));
    const touched = new Set(targets.map((s) => s.InstanceId ?? `disk:${s.SourceDiskId ?? ''}`));
    const groups = new Map<string, LeftGroup>();
    for (const key of touched) groups.set(key, key.startsWith('disk:') ? { SourceDiskId: key.slice(5), SnapshotIds: [] } : { InstanceId: key, SnapshotIds: [] });
    for (const s of f.regionSnapshots) {
      if (gone.has(s.SnapshotId)) continue;
      const g = groups.get(s.InstanceId ?? `disk:${s.SourceDiskId ?? ''}`);
      if (g) g.SnapshotIds.push(s.SnapshotId);
    }
    left = [...groups.values()];
  }
  const i = checks.findIndex((c) => c.Outcome === 'failed');
  const failed = i >= 0 ? checks[i]! : undefined;
  return {
    checks, targets, progressing,
    ...(left ? { left } : {}),
    ...(failed ? { failure: { code: failed.Code ?? 'PreflightFailed', message: failed.Detail, snapshotId: failedAt.get(i) ?? '' } } : {}),
  };
}
