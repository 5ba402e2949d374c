// Validation rules of the write actions. They re-declare the API's rules on purpose: the simulator
// must catch a client's mistakes, not copy them. Codes marked "design choice" or "inferred" are
// not in any Alibaba error table we have seen (see the fidelity audit §3).
import { SimulatedApiError, invalidParameter } from './errors.js';
import type { CustomImage, Instance, InstanceStatus, Snapshot, Tag } from './types.js';

export const IMAGE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9:_-]{1,127}$/;
export const SNAPSHOT_NAME_RE = /^[A-Za-z][A-Za-z0-9:_.-]{1,49}$/;
export const MAX_TAGS = 20;
export const IMAGE_QUOTA_CAP = 15;
export const IMAGE_QUOTA_PER_SERVER = 3;
export const SNAPSHOTS_PER_SERVER = 3;
/** Besides 3 a server: at most min(3 × servers in the account, 15) snapshots in the account. */
export const SNAPSHOT_ACCOUNT_CAP = 15;
export const MAX_SHARE_ACCOUNTS = 10;
export const MAX_DELETE_IMAGES = 15;
export const MAX_DELETE_SNAPSHOTS = 100;
export const MAX_TAG_RESOURCE_IDS = 50;
export const MAX_UNTAG_KEYS = 20;
/** ResourceType values of the tag actions, lower case as the API documents them. */
export const TAG_RESOURCE_TYPES = ['instance', 'snapshot', 'customimage', 'disk', 'command', 'firewallrule'] as const;
export type TagResourceType = (typeof TAG_RESOURCE_TYPES)[number];
/** Statuses in which a server accepts ResetSystem. */
export const RESET_READY_STATUSES: readonly InstanceStatus[] = ['Running', 'Stopped'];
/** Statuses in which a server accepts CreateCustomImage / CreateSnapshot. */
export const IMAGE_READY_STATUSES: readonly InstanceStatus[] = ['Running', 'Stopped'];

const URL_RE = /https?:\/\//i;

export function checkImageName(name: string): void {
  if (!IMAGE_NAME_RE.test(name)) {
    throw new SimulatedApiError(400, 'InvalidParam.IllegalImageName', 'The specified parameter imageName is illegal.');
  }
}

export function checkSnapshotName(name: string): void {
  if (!SNAPSHOT_NAME_RE.test(name) || /^https?:\/\//i.test(name)) {
    throw new SimulatedApiError(
      400,
      'InvalidParam.SnapshotName',
      'The specified parameter SnapshotName is illegal: 2-50 characters, starting with a letter; letters, digits, ":", "_", "." and "-" only.',
    );
  }
}

export function checkTags(tags: readonly Tag[]): void {
  if (tags.length > MAX_TAGS) throw new SimulatedApiError(400, 'InvalidParam.TagCount', `At most ${MAX_TAGS} tags can be specified.`);
  for (const { key, value } of tags) {
    if (key.length === 0 || key.length > 64 || URL_RE.test(key) || key.startsWith('acs:') || key.startsWith('aliyun')) {
      throw new SimulatedApiError(400, 'InvalidParam.TagKey', `The tag key "${key}" is invalid: 1-64 characters, no http:// or https://, not starting with acs: or aliyun.`);
    }
    if (value.length > 64 || URL_RE.test(value)) {
      throw new SimulatedApiError(400, 'InvalidParam.TagValue', `The tag value "${value}" is invalid: at most 64 characters, no http:// or https://.`);
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
    throw new SimulatedApiError(500, 'InternalError', 'An error occurred while processing your request.');
  }
  if (!IMAGE_READY_STATUSES.includes(instance.status)) {
    throw new SimulatedApiError(403, 'IncorrectInstanceStatus', 'The state of the current instance does not support this operation.');
  }
}

export function checkSystemSnapshot(snapshot: Snapshot | undefined, instance: Instance): void {
  if (!snapshot || snapshot.regionId !== instance.regionId) {
    throw new SimulatedApiError(400, 'InvalidParam.SystemSnapshotIdNotFound', 'The specified parameter systemSnapshotId is not found.');
  }
  if (snapshot.sourceDiskType !== 'system' || snapshot.instanceId !== instance.instanceId || snapshot.status !== 'accomplished') {
    throw new SimulatedApiError(400, 'InvalidParam.SystemSnapshotIdNotSupport', 'You cannot create custom images in the specified parameter system snapshotId.');
  }
}

export function checkDataSnapshot(snapshot: Snapshot | undefined, instance: Instance): void {
  if (!snapshot || snapshot.regionId !== instance.regionId) {
    throw new SimulatedApiError(400, 'InvalidParam.DataSnapshotIdNotFound', 'The specified parameter dataSnapshotId is not found.');
  }
  const ownDataDisks = instance.disks.filter((d) => d.diskType === 'data').map((d) => d.diskId);
  if (snapshot.sourceDiskType !== 'data' || !ownDataDisks.includes(snapshot.sourceDiskId) || snapshot.status !== 'accomplished') {
    // The API page documents no "NotSupport" code for data snapshots: its only data-snapshot code is
    // NotFound, which the MCP side's preflight predicts for the same cases.
    throw new SimulatedApiError(400, 'InvalidParam.DataSnapshotIdNotFound', 'The specified parameter dataSnapshotId is not found.');
  }
}

export function checkImageNameFree(name: string, imagesInRegion: readonly CustomImage[]): void {
  if (imagesInRegion.some((m) => m.name === name)) {
    throw new SimulatedApiError(400, 'ImageNameAlreadyExist', 'The image name already exists.');
  }
}

export function checkImageQuota(imagesInRegion: number, instancesInRegion: number): void {
  if (imagesInRegion >= imageQuota(instancesInRegion)) {
    throw new SimulatedApiError(400, 'CustomImageQuotaLimit', 'The maximum number of custom image in this region is exceeded.');
  }
}

export function snapshotAccountQuota(serversInAccount: number): number {
  return Math.min(SNAPSHOTS_PER_SERVER * serversInAccount, SNAPSHOT_ACCOUNT_CAP);
}

export function checkSnapshotQuota(server: Instance, allSnapshots: readonly Snapshot[], serversInAccount: number): void {
  if (allSnapshots.filter((s) => s.instanceId === server.instanceId).length >= SNAPSHOTS_PER_SERVER) {
    throw new SimulatedApiError(400, 'SnapshotQuotaExceed', `A server can have at most ${SNAPSHOTS_PER_SERVER} snapshots.`);
  }
  const cap = snapshotAccountQuota(serversInAccount);
  if (allSnapshots.length >= cap) {
    throw new SimulatedApiError(400, 'SnapshotQuotaExceed', `The account can have at most ${cap} snapshots: 3 a server, at most ${SNAPSHOT_ACCOUNT_CAP}.`);
  }
}

/** Documented (the SWAS error-code page): one snapshot of a disk at a time. */
export function checkDiskNotSnapshotting(diskId: string, allSnapshots: readonly Snapshot[]): void {
  if (allSnapshots.some((s) => s.sourceDiskId === diskId && s.status === 'progressing')) {
    throw new SimulatedApiError(403, 'IncorrectDiskStatus.CreatingSnapshot', 'A snapshot is being created in the specified disk. Please try again later.');
  }
}

/** Chinese mainland regions: `cn-…` except Hong Kong. */
export function isMainland(regionId: string): boolean {
  return regionId.startsWith('cn-') && regionId !== 'cn-hongkong';
}

export const imageNotFound = (imageId: string): SimulatedApiError => new SimulatedApiError(404, 'InvalidImageId.NotFound', `The specified ImageId "${imageId}" does not exist.`);

/** Design choice (no documented code): a recipient may only use an image another account shared in. */
export function checkOwnImage(image: CustomImage): void {
  if (image.sharedIn) {
    throw new SimulatedApiError(403, 'OperationDenied.NotImageOwner', `The image ${image.imageId} was shared to you by account ${image.userId}; only its owner can delete, share or tag it.`);
  }
}

/**
 * Documented (the SWAS error-code page): deleting a shared image is 400 CustomImageInShare. The page
 * names the share to ECS; an image shared with other accounts is refused the same way (the user guide
 * says to unshare first; its code is not documented).
 */
export function checkImageNotShared(image: CustomImage): void {
  if (image.inShare || image.shareAccounts.length > 0) {
    throw new SimulatedApiError(400, 'CustomImageInShare', 'The custom image is being shared. Please disable sharing first and then delete it.');
  }
}

/** ECS's code for this case; SWAS documents none. */
export function checkImageAvailable(image: CustomImage): void {
  if (image.status !== '1') {
    throw new SimulatedApiError(403, 'IncorrectImageStatus', `The image ${image.imageId} is not available (Status "${image.status}").`);
  }
}

/**
 * Inferred code: the DeleteSnapshot page only says "delete the custom image before you delete the
 * snapshot"; `SnapshotExistCustomImage` is the name in a Terraform commit message; HTTP 400 is our pick.
 */
export function checkSnapshotNotInUse(snapshot: Snapshot, ownImages: readonly CustomImage[]): void {
  const user = ownImages.find((m) => m.systemSnapshotId === snapshot.snapshotId || m.dataSnapshotId === snapshot.snapshotId);
  if (user) {
    throw new SimulatedApiError(400, 'SnapshotExistCustomImage', `The snapshot ${snapshot.snapshotId} was used to create the custom image ${user.imageId}; delete the image first.`);
  }
}

export function checkAccountId(account: string): void {
  if (!/^[1-9]\d{0,19}$/.test(account)) {
    throw invalidParameter(`The specified parameter "Account" is invalid: "${account}" is not an Alibaba Cloud account ID.`);
  }
}

/** Design choice: the LIMITS page says at most 10 accounts an image; the code is ours. */
export function checkShareAccountQuota(after: number): void {
  if (after > MAX_SHARE_ACCOUNTS) {
    throw new SimulatedApiError(400, 'CustomImageShareAccountQuotaLimit', `An image can be shared with at most ${MAX_SHARE_ACCOUNTS} accounts.`);
  }
}

/** 8–30 characters from at least three of: upper case, lower case, digits, ()`~!@#$%^&*-_+=|{}[]:;'<>,.?/ */
export function checkPassword(password: string): void {
  const classes = [/[A-Z]/, /[a-z]/, /\d/, /[()`~!@#$%^&*\-_+=|{}[\]:;'<>,.?/]/].filter((re) => re.test(password)).length;
  if (password.length < 8 || password.length > 30 || classes < 3 || !/^[\x21-\x7e]+$/.test(password)) {
    throw new SimulatedApiError(400, 'InvalidParam.Password', 'The password must be 8 to 30 characters and hold at least three of: upper-case letters, lower-case letters, digits, special characters.');
  }
}

export function checkKeyPairName(name: string): void {
  if (!/^[A-Za-z][A-Za-z0-9._:-]{1,127}$/.test(name)) {
    throw new SimulatedApiError(400, 'InvalidParam.KeyPairName', `The key pair name "${name}" is invalid.`);
  }
}

/** What ResetSystem needs to know about the target image. */
export interface ResetImage {
  imageId: string;
  osType: string;
  requiredSystemDiskSize: number;
  requiredDataDiskSize: number;
  /** Set for custom images: the source server, and whether another account shared it in. */
  custom?: { instanceId: string; sharedIn: boolean; status: CustomImage['status'] };
}

/** ResetSystem needs a Running or Stopped server (the accepted states are undocumented; Terraform retries IncorrectInstanceStatus). */
export function checkResetStatus(instance: Instance): void {
  if (!RESET_READY_STATUSES.includes(instance.status)) {
    throw new SimulatedApiError(403, 'IncorrectInstanceStatus', 'The state of the current instance does not support this operation.');
  }
}

/**
 * The SDK's ResetSystem remarks: a server created from a custom image that holds data-disk data
 * cannot be reset. The code is a design choice (none documented).
 */
export function checkResetSource(instance: Instance): void {
  if (instance.createdFromDataImage) {
    throw new SimulatedApiError(403, 'OperationDenied.CreatedFromDataDiskImage', `The server ${instance.instanceId} was created from a custom image that holds data-disk data; such a server cannot be reset.`);
  }
}

/** ResetSystem's image rules (SDK remarks and the ResetSystem page); every code here is a design choice. */
export function checkResetImage(instance: Instance, image: ResetImage): void {
  if (image.custom) {
    // The user guide: an image shared in by another account can be used only to create servers.
    if (image.custom.sharedIn) {
      throw new SimulatedApiError(403, 'OperationDenied.SharedImageResetNotSupported', `The image ${image.imageId} was shared to you by another account; a shared image can be used only to create servers, not to reset one.`);
    }
    if (image.custom.status !== '1') throw new SimulatedApiError(403, 'IncorrectImageStatus', `The image ${image.imageId} is not available (Status "${image.custom.status}").`);
    if (image.custom.instanceId === instance.instanceId) {
      throw new SimulatedApiError(400, 'InvalidImageId.SameInstance', `The image ${image.imageId} was created from this server; roll back to a snapshot instead.`);
    }
  }
  const system = instance.disks.find((d) => d.diskType === 'system');
  if ((system?.size ?? 0) < image.requiredSystemDiskSize) {
    throw new SimulatedApiError(400, 'InvalidImageId.DiskSizeNotEnough', `The image needs a system disk of at least ${image.requiredSystemDiskSize} GB; the server's is ${system?.size ?? 0} GB.`);
  }
  if (image.requiredDataDiskSize > 0) {
    const data = Math.max(0, ...instance.disks.filter((d) => d.diskType === 'data').map((d) => d.size));
    if (data < image.requiredDataDiskSize) {
      throw new SimulatedApiError(400, 'InvalidImageId.DiskSizeNotEnough', `The image holds a data disk of ${image.requiredDataDiskSize} GB; the server's data disk is ${data} GB.`);
    }
  }
  if (!isMainland(instance.regionId) && image.osType.toLowerCase() !== instance.osType.toLowerCase()) {
    throw new SimulatedApiError(400, 'InvalidImageId.PlatformSwitchNotSupported', `Outside the Chinese mainland a server cannot switch between ${instance.osType} and ${image.osType}.`);
  }
}

// ---------- CreateInstances ----------

/** Subscription periods (months) CreateInstances and its AutoRenewPeriod take (SDK CreateInstancesRequest). */
export const PURCHASE_PERIODS: readonly number[] = [1, 3, 6, 12, 24, 36];
export const MAX_CREATE_AMOUNT = 20;
/** At most this many servers a region per account (SWAS limits page). */
export const MAX_SERVERS_PER_REGION = 50;
export const MAX_DATA_DISK_GB = 16380;

/** Period, Amount, AutoRenewPeriod, ChargeType, DataDiskSize as the SDK documents them; InvalidParameter otherwise. */
export function checkPurchaseParams(p: { period: number; amount: number; autoRenew: boolean; autoRenewPeriod: number | undefined; chargeType: string | undefined; dataDiskSize: number }): void {
  if (!PURCHASE_PERIODS.includes(p.period)) throw invalidParameter(`The specified parameter "Period" must be one of ${PURCHASE_PERIODS.join(', ')} (months).`);
  if (p.amount < 1 || p.amount > MAX_CREATE_AMOUNT) throw invalidParameter(`The specified parameter "Amount" must be from 1 to ${MAX_CREATE_AMOUNT}.`);
  if (p.autoRenew && (p.autoRenewPeriod === undefined || !PURCHASE_PERIODS.includes(p.autoRenewPeriod))) {
    throw invalidParameter(`The specified parameter "AutoRenewPeriod" is required with AutoRenew true and must be one of ${PURCHASE_PERIODS.join(', ')}.`);
  }
  if (p.chargeType !== undefined && p.chargeType !== 'PrePaid') throw invalidParameter('The specified parameter "ChargeType" must be PrePaid.');
  if (p.dataDiskSize < 0 || p.dataDiskSize > MAX_DATA_DISK_GB || p.dataDiskSize % 20 !== 0) {
    throw invalidParameter(`The specified parameter "DataDiskSize" must be from 0 to ${MAX_DATA_DISK_GB} GB, a multiple of 20.`);
  }
}

/**
 * What CreateInstances checks of the plan and the image. Every code here is a design choice (no
 * SWAS error table lists them): the plan's disk must hold the image, its platforms include the
 * image's, a standard-SSD plan needs a data disk of at least 20 GB, and an image that holds data
 * needs a data disk at least that large.
 */
export function checkPlanFitsImage(
  plan: { planId: string; diskSize: number; diskType: string; platforms: readonly string[] },
  image: { imageId: string; osType: string; requiredSystemDiskSize: number; requiredDataDiskSize: number },
  dataDiskSize: number,
): void {
  if (plan.diskType === 'SSD' && dataDiskSize < 20) {
    throw new SimulatedApiError(400, 'InvalidParam.DataDiskSize', `The plan ${plan.planId} has a standard SSD: DataDiskSize must be at least 20 GB.`);
  }
  if (plan.diskSize < image.requiredSystemDiskSize) {
    throw new SimulatedApiError(400, 'InvalidImageId.DiskSizeNotEnough', `The image ${image.imageId} needs a system disk of at least ${image.requiredSystemDiskSize} GB; the plan ${plan.planId} has ${plan.diskSize} GB.`);
  }
  if (image.requiredDataDiskSize > dataDiskSize) {
    throw new SimulatedApiError(400, 'InvalidImageId.DiskSizeNotEnough', `The image ${image.imageId} holds a data disk of ${image.requiredDataDiskSize} GB; DataDiskSize is ${dataDiskSize} GB.`);
  }
  if (!plan.platforms.some((p) => p.toLowerCase() === image.osType.toLowerCase())) {
    throw new SimulatedApiError(400, 'InvalidImageId.PlatformNotSupported', `The plan ${plan.planId} supports ${plan.platforms.join(', ')}, not ${image.osType}.`);
  }
}

/** Design choice (documented limit, no documented code): at most 50 servers a region. */
export function checkServerQuota(inRegion: number, amount: number): void {
  if (inRegion + amount > MAX_SERVERS_PER_REGION) {
    throw new SimulatedApiError(400, 'QuotaExceed.Instance', `A region holds at most ${MAX_SERVERS_PER_REGION} servers per account; there are ${inRegion}, and ${amount} more were asked for.`);
  }
}

/**
 * Inferred code: SWAS documents none for an order the balance cannot pay. `PAY.INSUFFICIENT_BALANCE`
 * (400, "The Account Balance is insufficient.") is what other Alibaba Cloud products' error tables
 * list. The simulator answers it only when fault injection asks (faults.insufficientBalance()).
 */
export const INSUFFICIENT_BALANCE = { status: 400, code: 'PAY.INSUFFICIENT_BALANCE', message: 'The Account Balance is insufficient.' } as const;
