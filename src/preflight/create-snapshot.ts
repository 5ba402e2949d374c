import { apiText } from '../untrusted.js';
import { sameWord, SNAPSHOTTABLE_INSTANCE_STATES } from '../swas/status.js';
import type { Disk, Instance, Snapshot } from '../swas/types.js';
import { checkList, type Check } from './checks.js';
import { ACCOUNT_SNAPSHOT_CAP_WORDS, SNAPSHOT_ACCOUNT_CAP, SNAPSHOTS_PER_SERVER } from './quotas.js';


/** Every snapshot that counts towards a server's limit: its system snapshots and those of its disks. */
export function serverSnapshots(snapshots: Snapshot[], instanceId: string, diskIds: string[]): Snapshot[] {
  const seen = new Map<string, Snapshot>();
  for (const s of snapshots) {
    if (s.InstanceId === instanceId || (s.SourceDiskId !== undefined && diskIds.includes(s.SourceDiskId))) seen.set(s.SnapshotId, s);
  }
  return [...seen.values()];
}

export interface CreateSnapshotFacts {
  instance: Instance;
  disk: Disk;
  /** The server's snapshots, system and data. */
  counted: Snapshot[];
  /** Snapshots and servers in the whole region (the account-wide cap spans regions). */
  regionSnapshotCount: number;
  regionServerCount: number;
}

export interface CreateSnapshotVerdict {
  checks: Check[];
  failure?: { code: string; message: string };
  /** A snapshot of this name on this disk: possibly this very request made before. */
  earlier?: Snapshot;
}

/** Every precondition of CreateSnapshot that can be judged from what was read. Pure. */
export function judgeCreateSnapshot(req: { regionId: string; snapshotName: string }, f: CreateSnapshotFacts): CreateSnapshotVerdict {
  const { checks, add, firstFailure } = checkList();
  const { instance, disk, counted } = f;
  add('InstanceExists', true, `Server ${instance.InstanceId} ("${apiText(instance.InstanceName, 128)}") is in region ${req.regionId}.`);
  const stateOk = SNAPSHOTTABLE_INSTANCE_STATES.some((s) => sameWord(instance.Status, s));
  add('InstanceStatus', stateOk,
    stateOk ? `Server is ${instance.Status}.` : `Server is ${instance.Status}; a snapshot can be taken of a Running or Stopped server only. Wait until it is Running (list_instances or wait_for_resources).`,
    'IncorrectInstanceStatus');
  add('Disk', true, `Disk ${disk.DiskId} is the ${disk.DiskType} disk of the server${disk.Size !== undefined ? ` (${disk.Size} GiB)` : ''}.`);

  // A snapshot of the same name on the same disk may be this very request made before: then the
  // API's ClientToken replay answers, so the limits are left to the API.
  const earlier = counted.find((s) => s.SnapshotName === req.snapshotName && s.SourceDiskId === disk.DiskId);
  const list = counted.map((s) => `${s.SnapshotId} (${s.SourceDiskType}, ${s.Status})`).join(', ');
  if (earlier) {
    add('SnapshotQuota', 'skipped', `Snapshot ${earlier.SnapshotId} of this disk already has the name "${req.snapshotName}": if it came from this same request, repeating it returns that snapshot. ${counted.length} of ${SNAPSHOTS_PER_SERVER} snapshots used.`);
  } else if (counted.length >= SNAPSHOTS_PER_SERVER) {
    add('SnapshotQuota', false, `Server ${instance.InstanceId} already has ${counted.length} of ${SNAPSHOTS_PER_SERVER} snapshots (${list}); a server holds at most ${SNAPSHOTS_PER_SERVER}. Reuse a finished one, or delete one with delete_snapshots.`, 'SnapshotQuotaExceed');
  } else {
    add('SnapshotQuota', true, `${counted.length} of ${SNAPSHOTS_PER_SERVER} snapshots used by the server${counted.length ? ` (${list})` : ''}; ${SNAPSHOTS_PER_SERVER - counted.length} left.`);
  }

  // The account-wide cap min(3 × servers, 15) counts every region: from one region only a full
  // 15 is certain; anything less is left to the API, and said.
  const accountCap = ACCOUNT_SNAPSHOT_CAP_WORDS;
  if (earlier) {
    add('AccountSnapshotQuota', 'skipped', `Skipped: this may be a repeat of an earlier request (${accountCap}).`);
  } else if (f.regionSnapshotCount >= SNAPSHOT_ACCOUNT_CAP) {
    add('AccountSnapshotQuota', false, `Region ${req.regionId} alone holds ${f.regionSnapshotCount} snapshots; ${accountCap}, so no snapshot can be added until one is deleted (delete_snapshots).`, 'SnapshotQuotaExceed');
  } else {
    const regionLimit = Math.min(SNAPSHOTS_PER_SERVER * f.regionServerCount, SNAPSHOT_ACCOUNT_CAP);
    add('AccountSnapshotQuota', true, `${f.regionSnapshotCount} snapshots and ${f.regionServerCount} servers in ${req.regionId} (${regionLimit} allowed for this region's servers alone); ${accountCap}, which the API checks across regions.`);
  }

  // One snapshot of a disk at a time: the API answers 403 IncorrectDiskStatus.CreatingSnapshot.
  const busy = counted.find((s) => s.SourceDiskId === disk.DiskId && sameWord(s.Status, 'progressing'));
  if (earlier) {
    add('DiskNotSnapshotting', 'skipped', 'Skipped: this may be a repeat of an earlier request.');
  } else if (busy) {
    add('DiskNotSnapshotting', false, `Snapshot ${busy.SnapshotId} ("${apiText(busy.SnapshotName, 128)}") of disk ${disk.DiskId} is still being made${busy.Progress ? ` (${apiText(busy.Progress, 8)})` : ''}, and a disk takes one snapshot at a time. Wait for it with wait_for_resources (SnapshotIds ["${busy.SnapshotId}"], Until "accomplished"), then call again if a second snapshot is still wanted.`, 'IncorrectDiskStatus.CreatingSnapshot');
  } else {
    add('DiskNotSnapshotting', true, `No snapshot of disk ${disk.DiskId} is being made.`);
  }
  const failure = firstFailure();
  return { checks, ...(failure ? { failure } : {}), ...(earlier ? { earlier } : {}) };
}
