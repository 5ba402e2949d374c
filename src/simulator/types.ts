// Data model of the simulated account, and the seed format that fills it.

export type InstanceStatus = 'Pending' | 'Starting' | 'Running' | 'Stopping' | 'Stopped' | 'Resetting' | 'Upgrading' | 'Disabled';
/** Live spelling (lower case), not the documented `Accomplished`. */
export type SnapshotStatus = 'progressing' | 'accomplished' | 'failed';
/** `0` copying, `1` available, `2` unavailable, `3` creation failed, `4` creating. */
export type ImageStatus = '0' | '1' | '2' | '3' | '4';
export type DiskType = 'system' | 'data';
/** `Image.ImageType` of ListInstances (the SDK's enum). */
export type ServerImageType = 'system' | 'app' | 'custom';

export interface Tag {
  key: string;
  value: string;
}

export interface Region {
  regionId: string;
  /** Chinese name, returned by default (AcceptLanguage zh-CN). */
  localName: string;
  /** English name, returned for AcceptLanguage en-US. */
  localNameEn: string;
}

export interface Disk {
  diskId: string;
  diskName: string;
  diskType: DiskType;
  category: string;
  size: number;
  device: string;
  status: string;
  creationTime: string;
  regionId: string;
  instanceId: string;
  resourceGroupId: string;
  tags: Tag[];
}

export interface Instance {
  instanceId: string;
  instanceName: string;
  regionId: string;
  status: InstanceStatus;
  businessStatus: string;
  creationTime: string;
  expiredTime: string;
  planId: string;
  publicIpAddress: string;
  innerIpAddress: string;
  imageId: string;
  imageName: string;
  imageVersion: string;
  imageType: ServerImageType;
  osType: string;
  resourceGroupId: string;
  tags: Tag[];
  disks: Disk[];
  /**
   * Created from a custom image that holds data-disk data: ResetSystem refuses such a server (SDK
   * remarks on ResetSystem). State only; not on the wire.
   */
  createdFromDataImage: boolean;
  /** Test trigger: CreateCustomImage on this server answers 500 InternalError. */
  internalErrorOnImage: boolean;
  /** Test trigger: custom images created from this server end as Status "3" (failed). */
  failImages: boolean;
}

export interface Snapshot {
  snapshotId: string;
  snapshotName: string;
  regionId: string;
  /** Owner server (kept for every snapshot; the wire shows it for system-disk snapshots only). */
  instanceId: string;
  sourceDiskId: string;
  sourceDiskType: DiskType;
  status: SnapshotStatus;
  /** e.g. `"40%"`. */
  progress: string;
  creationTime: string;
  remark: string;
  resourceGroupId: string;
  tags: Tag[];
  /**
   * False once the server was re-initialised (ResetSystem) after this snapshot was taken: the
   * snapshot stays listed but can no longer roll the server back. State only; not on the wire.
   */
  usableForRollback: boolean;
}

/** An account an image is shared with (AddCustomImageShareAccount). */
export interface ShareAccount {
  /** Alibaba Cloud account ID, a digit string. */
  userId: string;
  /** `yyyy-MM-dd HH:mm:ss.0`, the live API's shape. */
  sharedTime: string;
}

export interface CustomImage {
  imageId: string;
  name: string;
  description: string;
  regionId: string;
  instanceId: string;
  instanceName: string;
  systemSnapshotId: string;
  systemSnapshotName: string;
  dataSnapshotId: string;
  dataSnapshotName: string;
  status: ImageStatus;
  creationTime: string;
  resourceGroupId: string;
  osType: string;
  sourceImageName: string;
  sourceImageVersion: string;
  requiredSystemDiskSize: number;
  requiredDataDiskSize: number;
  tags: Tag[];
  /** Owner account; another account's ID for an image shared into this one. */
  userId: string;
  /** True when another account shared this image in (the recipient may only use it). */
  sharedIn: boolean;
  /** Shared to ECS (ModifyImageShareStatus). */
  inShare: boolean;
  /** Accounts the image is shared with; `InShareUser` is true when there is one. */
  shareAccounts: ShareAccount[];
  /** Servers created from the image. */
  createInstances: string[];
  /** False during the short time after CreateCustomImage when the list calls do not show it yet. */
  listed: boolean;
  /** Deleted, still listed for a short while (status unchanged), then gone. */
  deleting: boolean;
}

// ---- Seed format (all optional fields get realistic defaults) ----

export interface SeedDisk {
  diskId?: string;
  size?: number;
  category?: string;
}

export interface SeedInstance {
  instanceId?: string;
  instanceName?: string;
  regionId: string;
  status?: InstanceStatus;
  businessStatus?: string;
  creationTime?: string;
  expiredTime?: string;
  planId?: string;
  publicIpAddress?: string;
  imageName?: string;
  imageVersion?: string;
  /** Default `app` when imageName is given, else `system`. A seeded image's createInstances sets `custom`. */
  imageType?: ServerImageType;
  osType?: string;
  resourceGroupId?: string;
  tags?: Tag[];
  systemDisk?: SeedDisk;
  dataDisks?: SeedDisk[];
  internalErrorOnImage?: boolean;
  failImages?: boolean;
}

export interface SeedSnapshot {
  snapshotId?: string;
  snapshotName?: string;
  /** Source disk; it must belong to a seeded instance. */
  diskId: string;
  /** Default `accomplished`. A seeded snapshot keeps its status until a test changes it. */
  status?: SnapshotStatus;
  /** Default `100%` when accomplished, else `0%`/`45%`-style value you give. */
  progress?: string;
  creationTime?: string;
  remark?: string;
  resourceGroupId?: string;
  tags?: Tag[];
}

export interface SeedImage {
  imageId?: string;
  name: string;
  description?: string;
  /** Source server; the image lives in its region. */
  instanceId: string;
  /** Optional; when given it must be the source server's region. */
  regionId?: string;
  systemSnapshotId?: string;
  dataSnapshotId?: string;
  /** Default `"1"` (available). A seeded image keeps its status until a test changes it. */
  status?: ImageStatus;
  creationTime?: string;
  resourceGroupId?: string;
  tags?: Tag[];
  /** Shared to ECS. Default false. */
  inShare?: boolean;
  /** Account IDs (digit strings) the image is shared with. */
  shareAccounts?: string[];
  /** Servers created from the image (instance IDs). */
  createInstances?: string[];
}

/** An image another account shared into this one: it uses none of this account's quota. */
export interface SeedSharedImage {
  imageId?: string;
  name: string;
  description?: string;
  regionId: string;
  /** The owner account, a digit string other than the simulated account's. */
  ownerUserId: string;
  /** The owner's source server (not in this account). Default: a random ID. */
  instanceId?: string;
  instanceName?: string;
  /** Default `Linux`. */
  osType?: string;
  sourceImageName?: string;
  sourceImageVersion?: string;
  /** Default 40. */
  requiredSystemDiskSize?: number;
  /** Default 0 (no data disk in the image). */
  requiredDataDiskSize?: number;
  /** Default `"1"`. */
  status?: ImageStatus;
  creationTime?: string;
  tags?: Tag[];
}

export interface SeedData {
  /** Default: the built-in region list (see DEFAULT_REGIONS). */
  regions?: Region[];
  instances?: SeedInstance[];
  snapshots?: SeedSnapshot[];
  images?: SeedImage[];
  /** Images other accounts shared into this one. */
  sharedImages?: SeedSharedImage[];
}
