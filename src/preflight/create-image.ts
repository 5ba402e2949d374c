import { apiText } from '../untrusted.js';
import { checkList, type Check } from './checks.js';
import { IMAGEABLE_INSTANCE_STATES, sameWord } from '../swas/status.js';
import type { CustomImage, Disk, Instance, Snapshot } from '../swas/types.js';
import { imageQuota, imageQuotaWords, IMAGES_PER_SERVER, type Quota } from './quotas.js';
import { isFinished } from './snapshots.js';


export interface CreateImageRequestFacts {
  regionId: string;
  instanceId: string;
  imageName: string;
  systemSnapshotId: string;
  dataSnapshotId?: string;
}

/** What the parallel reads found. */
export interface CreateImageFacts {
  instance?: Instance;
  serverCount: number;
  images: CustomImage[];
  systemSnapshot?: Snapshot;
  dataSnapshot?: Snapshot;
  /** The server's data disks (needed only when a data snapshot is named). */
  dataDisks: Disk[];
}

export interface PreflightOutcome {
  checks: Check[];
  /** The first failed check, with the code the API would have returned. */
  failure?: { code: string; message: string };
  quota: Quota;
  /** An image of this name from the same server and snapshots: an earlier run of this very request. */
  repeatOf?: CustomImage;
  /** An image of this name from the same server but other snapshots: most likely this request made before. */
  sameServer?: CustomImage;
}

/**
 * Every precondition of CreateCustomImage, judged from facts already read. Pure: no I/O, so each
 * rule is tested on its own and the reads can all be made at once.
 */
export function judgeCreateImage(req: CreateImageRequestFacts, facts: CreateImageFacts): PreflightOutcome {
  const { checks, add, firstFailure } = checkList();
  const { instance } = facts;

  // Instance: exists in this region, in a state that allows imaging.
  if (!instance) {
    add('InstanceExists', false, `No server ${req.instanceId} in region ${req.regionId}.`, 'InvalidInstanceId.NotFound');
    add('InstanceStatus', 'skipped', 'Skipped: the server was not found.');
  } else {
    add('InstanceExists', true, `Server ${instance.InstanceId} ("${apiText(instance.InstanceName, 128)}") is in region ${req.regionId}.`);
    const stateOk = IMAGEABLE_INSTANCE_STATES.some((s) => sameWord(instance.Status, s));
    const business = instance.BusinessStatus && !sameWord(instance.BusinessStatus, 'Normal') ? `, business status ${instance.BusinessStatus}` : '';
    add('InstanceStatus', stateOk && !business,
      stateOk && !business ? `Server is ${instance.Status}.` : `Server is ${instance.Status}${business}; only Running or Stopped servers can be imaged.`,
      'IncorrectInstanceStatus');
  }

  // System snapshot: exists, is a finished system-disk snapshot of this very server.
  const sys = facts.systemSnapshot;
  if (req.systemSnapshotId === '') {
    add('SystemSnapshot', 'skipped', 'Skipped: no snapshot was named, and none can be chosen for a server that was not found.');
  } else if (!sys) {
    add('SystemSnapshot', false, `Snapshot ${req.systemSnapshotId} does not exist in region ${req.regionId}.`, 'InvalidParam.SystemSnapshotIdNotFound');
  } else if (!sameWord(sys.SourceDiskType, 'system')) {
    add('SystemSnapshot', false, `Snapshot ${sys.SnapshotId} is a ${sys.SourceDiskType || 'non-system'}-disk snapshot, not a system-disk snapshot.`, 'InvalidParam.SystemSnapshotIdNotSupport');
  } else if (sys.InstanceId !== req.instanceId) {
    add('SystemSnapshot', false, `Snapshot ${sys.SnapshotId} belongs to server ${sys.InstanceId ?? 'unknown'}, not to ${req.instanceId}.`, 'InvalidParam.SystemSnapshotIdNotSupport');
  } else if (!isFinished(sys)) {
    add('SystemSnapshot', false, `Snapshot ${sys.SnapshotId} is ${sys.Status}${sys.Progress ? ` (${sys.Progress})` : ''}, not accomplished.`, 'InvalidParam.SystemSnapshotIdNotSupport');
  } else {
    add('SystemSnapshot', true, `Snapshot ${sys.SnapshotId} ("${apiText(sys.SnapshotName, 64)}", ${sys.CreationTime ?? 'time unknown'}) is a finished system-disk snapshot of this server.`);
  }

  // Data snapshot (optional): a finished snapshot of one of this server's data disks.
  if (req.dataSnapshotId === undefined) {
    add('DataSnapshot', 'skipped', 'No data snapshot requested: the image holds the system disk only.');
  } else {
    const data = facts.dataSnapshot;
    const ownDisk = data?.SourceDiskId !== undefined && facts.dataDisks.some((d) => d.DiskId === data.SourceDiskId);
    if (!data) {
      add('DataSnapshot', false, `Snapshot ${req.dataSnapshotId} does not exist in region ${req.regionId}.`, 'InvalidParam.DataSnapshotIdNotFound');
    } else if (!sameWord(data.SourceDiskType, 'data')) {
      add('DataSnapshot', false, `Snapshot ${data.SnapshotId} is a ${data.SourceDiskType || 'non-data'}-disk snapshot, not a data-disk snapshot.`, 'InvalidParam.DataSnapshotIdNotFound');
    } else if (!ownDisk) {
      add('DataSnapshot', false, `Snapshot ${data.SnapshotId} was taken of disk ${data.SourceDiskId ?? 'unknown'}, which is not a data disk of server ${req.instanceId}.`, 'InvalidParam.DataSnapshotIdNotFound');
    } else if (!isFinished(data)) {
      add('DataSnapshot', false, `Snapshot ${data.SnapshotId} is ${data.Status}${data.Progress ? ` (${data.Progress})` : ''}, not accomplished.`, 'InvalidParam.DataSnapshotIdNotFound');
    } else {
      add('DataSnapshot', true, `Snapshot ${data.SnapshotId} ("${apiText(data.SnapshotName, 64)}") is a finished snapshot of data disk ${data.SourceDiskId}.`);
    }
  }

  // Name: unique among the region's custom images, unless it is this very request made before.
  const sameName = facts.images.find((m) => m.Name === req.imageName);
  const repeatOf = sameName && sameName.InstanceId === req.instanceId && sameName.SystemSnapshotId === req.systemSnapshotId
    && (sameName.DataSnapshotId ?? undefined) === req.dataSnapshotId ? sameName : undefined;
  if (repeatOf) {
    add('ImageNameUnique', true, `Image ${repeatOf.ImageId} named "${req.imageName}" was already made from this server and snapshot: this request was made before, and nothing new will be created.`);
  } else {
    const fromThisServer = sameName?.InstanceId === req.instanceId;
    add('ImageNameUnique', !sameName, !sameName ? `No custom image is named "${req.imageName}".`
      : fromThisServer ? `Image ${sameName.ImageId} already has the name "${req.imageName}" and was made from this same server (from snapshot ${sameName.SystemSnapshotId ?? 'unknown'}): most likely this request, made before.`
        : `Image ${sameName.ImageId} already has the name "${req.imageName}".`, 'ImageNameAlreadyExist');
  }

  // Quota: 3 per server, at most 15. Without the server there is nothing to judge: a region with
  // no servers has a quota of 0, and "0 of 0" beside the real reason only confuses.
  const quota = imageQuota(facts.serverCount, facts.images.length);
  if (!instance) {
    add('Quota', 'skipped', `Skipped: the server was not found, and the quota counts ${IMAGES_PER_SERVER} images per server of its region.`);
  } else {
    add('Quota', repeatOf !== undefined || quota.Remaining > 0,
      `${imageQuotaWords(quota, facts.serverCount)}; ${quota.Remaining} left.`,
      'CustomImageQuotaLimit');
  }

  const failure = firstFailure();
  return {
    checks,
    quota,
    ...(repeatOf ? { repeatOf } : {}),
    ...(sameName && !repeatOf && sameName.InstanceId === req.instanceId ? { sameServer: sameName } : {}),
    ...(failure ? { failure } : {}),
  };
}
