import { createHash } from '../node-crypto.js';
import { apiText } from '../untrusted.js';
import { sameWord, SNAPSHOTTABLE_INSTANCE_STATES } from '../swas/status.js';
import type { CustomImage, Disk, Instance, Snapshot } from '../swas/types.js';
import { checkList, type Check } from './checks.js';
import { serverSnapshots } from './create-snapshot.js';
import { ACCOUNT_SNAPSHOT_CAP_WORDS, imageQuota, imageQuotaWords, SNAPSHOT_ACCOUNT_CAP, SNAPSHOTS_PER_SERVER, type Quota } from './quotas.js';
import { isFinished } from './snapshots.js';
import { compareText } from '../text-order.js';

/**
 * "Capture now": the image of a server as it is at the time of the request, made from new
 * snapshots of its disks. The operation has no state of its own: the snapshots carry names
 * derived from the image's name, so any later call (another process, after a crash) finds them.
 */

/** SnapshotName allows 2–50 characters starting with a letter: "img-" + stem + "-data" keeps the stem ≤ 41. */
const STEM_MAX = 50 - 'img-'.length - '-data'.length;

/** Names of the snapshots an operation takes for the image `imageName`. */
export function captureSnapshotNames(imageName: string): { system: string; data: string } {
  const stem = imageName.length <= STEM_MAX
    ? imageName
    : `${imageName.slice(0, STEM_MAX - 7)}-${createHash('sha256').update(imageName).digest('hex').slice(0, 6)}`;
  return { system: `img-${stem}-sys`, data: `img-${stem}-data` };
}

/** "2026-03-01 02:00 UTC" */
export function utcWords(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "9 months ago", "3 hours ago", … */
export function agoWords(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return minutes < 1 ? 'moments ago' : plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  const days = Math.floor(hours / 24);
  if (days < 60) return plural(days, 'day');
  const months = Math.floor(days / 30.44);
  if (months < 24) return plural(months, 'month');
  return plural(Math.floor(days / 365.25), 'year');
}

/**
 * How old an existing snapshot is, in words, and whether it is older than the setting: then the
 * check is a warning to relay, never an ok line.
 */
export function snapshotAgeCheck(s: Snapshot, role: 'system' | 'data', nowMs: number, maxAgeHours: number): Check {
  const taken = s.CreationTime ? Date.parse(s.CreationTime) : Number.NaN;
  const Name = role === 'system' ? 'SystemSnapshotAge' : 'DataSnapshotAge';
  if (Number.isNaN(taken)) {
    return { Name, Outcome: 'warning', Detail: `The ${role}-disk snapshot ${s.SnapshotId} does not say when it was taken: changes since then are not in the image. Tell the user; to image the server as it is now, use Source "now".` };
  }
  const age = nowMs - taken;
  const words = `The ${role}-disk snapshot ${s.SnapshotId} was taken ${agoWords(age)}, ${utcWords(s.CreationTime ?? '')}: changes since then are not in the image.`;
  if (age <= maxAgeHours * 3_600_000) return { Name, Outcome: 'passed', Detail: words };
  return { Name, Outcome: 'warning', Detail: `${words} That is older than ${maxAgeHours} h: tell the user before going on; to image the server as it is now, use Source "now" (omit the snapshot IDs).` };
}

/** Oldest first, the snapshots a person could delete to make room, with the images that pin the others. */
export function snapshotCandidates(snapshots: Snapshot[], images: CustomImage[], max = 3): string {
  const pinnedBy = (s: Snapshot) => images.find((m) => m.SystemSnapshotId === s.SnapshotId || m.DataSnapshotId === s.SnapshotId);
  const oldest = [...snapshots].sort((a, b) => compareText(a.CreationTime ?? '', b.CreationTime ?? ''));
  const free = oldest.filter((s) => !pinnedBy(s)).slice(0, max);
  const pinned = oldest.filter((s) => pinnedBy(s));
  const parts: string[] = [];
  if (free.length) {
    parts.push(`Oldest that could be deleted: ${free.map((s) => `${s.SnapshotId} ("${apiText(s.SnapshotName, 64)}", ${s.SourceDiskType} disk, taken ${s.CreationTime ? utcWords(s.CreationTime) : 'at an unknown time'})`).join(', ')}; delete_snapshots deletes them (it asks the user first).`);
  }
  if (pinned.length) {
    parts.push(`Not deletable while their image exists: ${pinned.map((s) => `${s.SnapshotId} (source of image ${pinnedBy(s)?.ImageId} "${apiText(pinnedBy(s)?.Name ?? '', 64)}")`).join(', ')}.`);
  }
  return parts.join(' ');
}

/** Oldest first, the account's own images a person could delete to make room. */
export function imageCandidates(images: CustomImage[], max = 3): string {
  const oldest = [...images].sort((a, b) => compareText(a.CreationTime ?? '', b.CreationTime ?? '')).slice(0, max);
  if (!oldest.length) return '';
  const shared = oldest.some((m) => m.InShare || m.InShareUser);
  return `Oldest images: ${oldest.map((m) => `${m.ImageId} ("${apiText(m.Name, 64)}", created ${m.CreationTime ? utcWords(m.CreationTime) : 'at an unknown time'}${m.InShare || m.InShareUser ? ', shared' : ''})`).join(', ')}; delete_custom_images deletes them (it asks the user first${shared ? '; a shared one needs Unshare true' : ''}).`;
}

export interface CaptureRequest {
  regionId: string;
  instanceId: string;
  imageName: string;
  includeDataDisk: boolean;
  nowMs: number;
  maxAgeHours: number;
}

export interface CaptureFacts {
  instance?: Instance;
  /** Servers in the region (image quota). */
  serverCount: number;
  /** The account's own images in the region. */
  images: CustomImage[];
  /** Every snapshot in the region (the account holds at most 15, so the whole list is small). */
  snapshots: Snapshot[];
}

export interface CaptureStep {
  role: 'system' | 'data';
  disk: Disk;
  name: string;
  /** The snapshot this operation made earlier, if any. */
  existing?: Snapshot;
}

export type CapturePhase = 'take-snapshots' | 'wait-snapshots' | 'create-image' | 'image-exists';

export interface CaptureVerdict {
  checks: Check[];
  failure?: { code: string; message: string };
  steps: CaptureStep[];
  /** Data disks that will not be in the image. */
  leftOut: Disk[];
  phase: CapturePhase;
  /** The image this operation made earlier. */
  image?: CustomImage;
  /** The image of this name from the same server but not from this operation's snapshots. */
  sameServer?: CustomImage;
  imageQuota: Quota;
  snapshotQuota: Quota;
}

/** Every precondition of the whole capture, judged before anything is sent. Pure. */
export function judgeCapture(req: CaptureRequest, f: CaptureFacts): CaptureVerdict {
  const { checks, add, firstFailure } = checkList();
  const names = captureSnapshotNames(req.imageName);
  const quota = imageQuota(f.serverCount, f.images.length);
  const empty: CaptureVerdict = { checks, steps: [], leftOut: [], phase: 'take-snapshots', imageQuota: quota, snapshotQuota: { Limit: SNAPSHOTS_PER_SERVER, Used: 0, Remaining: SNAPSHOTS_PER_SERVER } };
  const instance = f.instance;
  if (!instance) {
    add('InstanceExists', false, `No server ${req.instanceId} in region ${req.regionId}.`, 'InvalidInstanceId.NotFound');
    return { ...empty, failure: firstFailure() };
  }
  add('InstanceExists', true, `Server ${instance.InstanceId} ("${apiText(instance.InstanceName, 128)}") is in region ${req.regionId}.`);
  const system = instance.Disks.find((d) => sameWord(d.DiskType, 'system'));
  const dataDisks = instance.Disks.filter((d) => sameWord(d.DiskType, 'data'));
  const dataDisk = req.includeDataDisk ? dataDisks[0] : undefined;
  const leftOut = dataDisks.filter((d) => d !== dataDisk);
  const snapshotOf = (disk: Disk, name: string) => f.snapshots.find((s) => s.SnapshotName === name && s.SourceDiskId === disk.DiskId);
  const steps: CaptureStep[] = [];
  if (system) steps.push({ role: 'system', disk: system, name: names.system, existing: snapshotOf(system, names.system) });
  if (dataDisk) steps.push({ role: 'data', disk: dataDisk, name: names.data, existing: snapshotOf(dataDisk, names.data) });
  const own = (role: 'system' | 'data') => steps.find((s) => s.role === role)?.existing?.SnapshotId;

  // The image of this name: this operation's own (its last step done), or someone else's name.
  const sameName = f.images.find((m) => m.Name === req.imageName);
  // With a data disk to include, only an image holding this operation's data snapshot is its own.
  const wantData = steps.some((s) => s.role === 'data');
  const image = sameName && sameName.InstanceId === req.instanceId && own('system') !== undefined && sameName.SystemSnapshotId === own('system')
    && (wantData ? own('data') !== undefined && sameName.DataSnapshotId === own('data') : !sameName.DataSnapshotId) ? sameName : undefined;
  const toTake = image ? [] : steps.filter((s) => !s.existing);

  if (!image) {
    const stateOk = SNAPSHOTTABLE_INSTANCE_STATES.some((s) => sameWord(instance.Status, s));
    const business = instance.BusinessStatus && !sameWord(instance.BusinessStatus, 'Normal') ? `, business status ${instance.BusinessStatus}` : '';
    add('InstanceStatus', stateOk && !business,
      stateOk && !business ? `Server is ${instance.Status}.` : `Server is ${instance.Status}${business}; only a Running or Stopped server can be snapshotted and imaged.`,
      'IncorrectInstanceStatus');
  }
  if (!system) add('SystemDisk', false, `Server ${instance.InstanceId} lists no system disk.`, 'InvalidDiskId.NotFound');

  // Which disks the image holds, in words.
  const gib = (d: Disk) => (d.Size !== undefined ? ` (${d.Size} GiB)` : '');
  if (dataDisk) {
    add('DataDisk', true, `Data disk ${dataDisk.DiskId}${gib(dataDisk)} is included: the image holds the system disk and this data disk.${leftOut.length ? ` The API takes one data disk: ${leftOut.map((d) => d.DiskId).join(', ')} ${leftOut.length === 1 ? 'is' : 'are'} not in the image.` : ''}`);
  } else if (dataDisks.length) {
    add('DataDisk', 'skipped', `IncludeDataDisk is false: the image holds the system disk only; the files on data disk ${dataDisks.map((d) => `${d.DiskId}${gib(d)}`).join(', ')} are not in it.`);
  } else {
    add('DataDisk', 'skipped', 'The server has no data disk: the image holds its system disk.');
  }

  // The snapshots: taken now, or taken earlier by this same operation.
  for (const s of steps) {
    if (!s.existing) {
      add(s.role === 'system' ? 'SystemSnapshot' : 'DataSnapshot', true, `A new snapshot "${s.name}" of the ${s.role} disk ${s.disk.DiskId}${gib(s.disk)} will be taken now.`);
      continue;
    }
    const e = s.existing;
    const state = `${e.Status}${e.Progress && !isFinished(e) ? ` ${e.Progress}` : ''}`;
    const failed = sameWord(e.Status, 'failed');
    add(s.role === 'system' ? 'SystemSnapshot' : 'DataSnapshot', !failed,
      failed ? `Snapshot ${e.SnapshotId} ("${s.name}") of the ${s.role} disk, taken by this operation, failed. Delete it with delete_snapshots, then call again to take a new one.`
        : `Snapshot ${e.SnapshotId} ("${s.name}") of the ${s.role} disk was taken by this operation${e.CreationTime ? ` at ${utcWords(e.CreationTime)}` : ''} (${state}).`,
      'SnapshotCreationFailed');
    // A snapshot of this name from long ago is an earlier capture of the same image name: say so.
    const age = snapshotAgeCheck(e, s.role, req.nowMs, req.maxAgeHours);
    if (age.Outcome === 'warning') {
      checks.push({ ...age, Detail: `${age.Detail} It carries this image's name, so an earlier capture of the same name took it; to capture now, delete it (delete_snapshots) or choose another ImageName.` });
    }
  }

  // Snapshot limits: 3 per server, min(3 × servers, 15) per account (from one region, only 15 is certain).
  const counted = serverSnapshots(f.snapshots, instance.InstanceId, instance.Disks.map((d) => d.DiskId));
  const snapshotQuota: Quota = { Limit: SNAPSHOTS_PER_SERVER, Used: counted.length, Remaining: Math.max(0, SNAPSHOTS_PER_SERVER - counted.length) };
  if (toTake.length === 0) {
    add('SnapshotQuota', 'skipped', `No new snapshot is needed. ${counted.length} of ${SNAPSHOTS_PER_SERVER} snapshots used by the server.`);
  } else if (counted.length + toTake.length > SNAPSHOTS_PER_SERVER) {
    add('SnapshotQuota', false, `This capture takes ${toTake.length} snapshot${toTake.length === 1 ? '' : 's'}, but server ${instance.InstanceId} already has ${counted.length} of ${SNAPSHOTS_PER_SERVER}. ${snapshotCandidates(counted, f.images)} Or capture with an existing snapshot (Source "latest-snapshot").`, 'SnapshotQuotaExceed');
  } else {
    add('SnapshotQuota', true, `This capture takes ${toTake.length} snapshot${toTake.length === 1 ? '' : 's'}: the server uses ${counted.length} of ${SNAPSHOTS_PER_SERVER}, ${SNAPSHOTS_PER_SERVER - counted.length - toTake.length} left after.`);
  }
  if (toTake.length > 0) {
    const regionCount = f.snapshots.length;
    if (regionCount + toTake.length > SNAPSHOT_ACCOUNT_CAP) {
      add('AccountSnapshotQuota', false, `Region ${req.regionId} alone holds ${regionCount} snapshots and this capture takes ${toTake.length}; the account holds at most ${SNAPSHOT_ACCOUNT_CAP}. ${snapshotCandidates(f.snapshots, f.images)}`, 'SnapshotQuotaExceed');
    } else {
      add('AccountSnapshotQuota', true, `${regionCount} snapshots in ${req.regionId}, ${regionCount + toTake.length} after; ${ACCOUNT_SNAPSHOT_CAP_WORDS}, which the API checks.`);
    }
  }

  // The image: its name and the image quota, checked before the first snapshot is taken.
  if (image) {
    add('ImageNameUnique', true, `Image ${image.ImageId} "${req.imageName}" was made by this operation from its snapshots: nothing new will be created.`);
  } else {
    add('ImageNameUnique', !sameName, !sameName ? `No custom image is named "${req.imageName}".`
      : `Image ${sameName.ImageId} already has the name "${req.imageName}"${sameName.InstanceId === req.instanceId ? ' and was made from this server from other snapshots' : ''}. Choose another ImageName.`, 'ImageNameAlreadyExist');
    add('Quota', quota.Remaining > 0,
      quota.Remaining > 0 ? `${imageQuotaWords(quota, f.serverCount)}; ${quota.Remaining - 1} left after this image.`
        : `${imageQuotaWords(quota, f.serverCount)}: none left. ${imageCandidates(f.images)}`,
      'CustomImageQuotaLimit');
  }

  const pending = steps.some((s) => s.existing && !isFinished(s.existing));
  const phase: CapturePhase = image ? 'image-exists' : toTake.length ? 'take-snapshots' : pending ? 'wait-snapshots' : 'create-image';
  const failure = firstFailure();
  return {
    checks, steps, leftOut, phase, imageQuota: quota, snapshotQuota,
    ...(image ? { image } : {}),
    ...(sameName && !image && sameName.InstanceId === req.instanceId ? { sameServer: sameName } : {}),
    ...(failure ? { failure } : {}),
  };
}
