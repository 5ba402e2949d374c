// Validation rules shared by the create actions.
import { ApiError, invalidParameter } from './errors.js';
import type { CustomImage, Instance, InstanceStatus, Snapshot, Tag } from './types.js';

export const IMAGE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9:_-]{1,127}$/;
export const SNAPSHOT_NAME_RE = /^[A-Za-z][A-Za-z0-9:_.-]{1,49}$/;
export const MAX_TAGS = 20;
export const IMAGE_QUOTA_CAP = 15;
export const IMAGE_QUOTA_PER_SERVER = 3;
export const SNAPSHOTS_PER_SERVER = 3;
/** Statuses in which a server accepts CreateCustomImage / CreateSnapshot. */
export const IMAGE_READY_STATUSES: readonly InstanceStatus[] = ['Running', 'Stopped'];

const URL_RE = /https?:\/\//i;

export function checkImageName(name: string): void {
  if (!IMAGE_NAME_RE.test(name)) {
    throw new ApiError(400, 'InvalidParam.IllegalImageName', 'The specified parameter imageName is illegal.');
  }
}

export function checkSnapshotName(name: string): void {
  if (!SNAPSHOT_NAME_RE.test(name) || /^https?:\/\//i.test(name)) {
    throw new ApiError(
      400,
      'InvalidParam.SnapshotName',
      'The specified parameter SnapshotName is illegal: 2-50 characters, starting with a letter; letters, digits, ":", "_", "." and "-" only.',
    );
  }
}

export function checkTags(tags: readonly Tag[]): void {
  if (tags.length > MAX_TAGS) throw new ApiError(400, 'InvalidParam.TagCount', `At most ${MAX_TAGS} tags can be specified.`);
  for (const { key, value } of tags) {
    if (key.length === 0 || key.length > 64 || URL_RE.test(key) || key.startsWith('acs:') || key.startsWith('aliyun')) {
      throw new ApiError(400, 'InvalidParam.TagKey', `The tag key "${key}" is invalid: 1-64 characters, no http:// or https://, not starting with acs: or aliyun.`);
    }
    if (value.length > 64 || URL_RE.test(value)) {
      throw new ApiError(400, 'InvalidParam.TagValue', `The tag value "${value}" is invalid: at most 64 characters, no http:// or https://.`);
    }
  }
}

export function checkClientToken(token: string | undefined): void {
  if (token !== undefined && (token.length > 64 || !/^[\x20-\x7e]+$/.test(token))) {
    throw invalidParameter('The specified parameter "ClientToken" is invalid: at most 64 ASCII characters.');
  }
}

/** Filter semantics of `Tag.N`: every given key must be present; a non-empty value must match. */
export function matchesTags(resourceTags: readonly Tag[], filter: readonly Tag[]): boolean {
  return filter.every((f) => resourceTags.some((t) => t.key === f.key && (f.value === '' || t.value === f.value)));
}

export function imageQuota(instancesInRegion: number): number {
  return Math.min(IMAGE_QUOTA_PER_SERVER * instancesInRegion, IMAGE_QUOTA_CAP);
}

/** Whether an instance may be imaged: throws the API error otherwise. */
export function checkInstanceForImage(instance: Instance): void {
  if (instance.internalErrorOnImage) {
    throw new ApiError(500, 'InternalError', 'An error occurred while processing your request.');
  }
  if (!IMAGE_READY_STATUSES.includes(instance.status)) {
    throw new ApiError(403, 'IncorrectInstanceStatus', 'The state of the current instance does not support this operation.');
  }
}

export function checkSystemSnapshot(snapshot: Snapshot | undefined, instance: Instance): void {
  if (!snapshot || snapshot.regionId !== instance.regionId) {
    throw new ApiError(400, 'InvalidParam.SystemSnapshotIdNotFound', 'The specified parameter systemSnapshotId is not found.');
  }
  if (snapshot.sourceDiskType !== 'system' || snapshot.instanceId !== instance.instanceId || snapshot.status !== 'accomplished') {
    throw new ApiError(400, 'InvalidParam.SystemSnapshotIdNotSupport', 'You cannot create custom images in the specified parameter system snapshotId.');
  }
}

export function checkDataSnapshot(snapshot: Snapshot | undefined, instance: Instance): void {
  if (!snapshot || snapshot.regionId !== instance.regionId) {
    throw new ApiError(400, 'InvalidParam.DataSnapshotIdNotFound', 'The specified parameter dataSnapshotId is not found.');
  }
  const ownDataDisks = instance.disks.filter((d) => d.diskType === 'data').map((d) => d.diskId);
  if (snapshot.sourceDiskType !== 'data' || !ownDataDisks.includes(snapshot.sourceDiskId) || snapshot.status !== 'accomplished') {
    // The API page documents no "NotSupport" code for data snapshots: its only data-snapshot code is
    // NotFound, which the MCP side's preflight predicts for the same cases.
    throw new ApiError(400, 'InvalidParam.DataSnapshotIdNotFound', 'The specified parameter dataSnapshotId is not found.');
  }
}

export function checkImageNameFree(name: string, imagesInRegion: readonly CustomImage[]): void {
  if (imagesInRegion.some((m) => m.name === name)) {
    throw new ApiError(400, 'ImageNameAlreadyExist', 'The image name already exists.');
  }
}

export function checkImageQuota(imagesInRegion: number, instancesInRegion: number): void {
  if (imagesInRegion >= imageQuota(instancesInRegion)) {
    throw new ApiError(400, 'CustomImageQuotaLimit', 'The maximum number of custom image in this region is exceeded.');
  }
}
