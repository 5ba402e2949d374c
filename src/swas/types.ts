/** SWAS objects as this server uses them: the API's own PascalCase names, enums normalised. */

export interface Tag { Key: string; Value?: string }

export interface Disk {
  DiskId: string;
  DiskName?: string;
  /** Lower case, as the live API spells it: "system" or "data". */
  DiskType: string;
  Category?: string;
  Size?: number;
  Status?: string;
  InstanceId?: string;
  CreationTime?: string;
}

export interface Instance {
  InstanceId: string;
  InstanceName: string;
  RegionId: string;
  /** CamelCase, as the live API spells it: Running, Stopped, Starting, … */
  Status: string;
  BusinessStatus?: string;
  CreationTime?: string;
  ExpiredTime?: string;
  PublicIpAddress?: string;
  PlanId?: string;
  ImageName?: string;
  /** The image the server runs now (ListInstances' ImageId). */
  ImageId?: string;
  /** From ListInstances' Image object, e.g. "Linux" / "Windows" as the API spells it. */
  OsType?: string;
  Disks: Disk[];
}

export interface Snapshot {
  SnapshotId: string;
  SnapshotName: string;
  RegionId: string;
  /** Lower case: progressing, accomplished, failed. */
  Status: string;
  Progress?: string;
  SourceDiskId?: string;
  /** Lower case: system or data. */
  SourceDiskType: string;
  /** Set by the API for system-disk snapshots only. */
  InstanceId?: string;
  CreationTime?: string;
}

export interface CustomImage {
  ImageId: string;
  Name: string;
  RegionId: string;
  /** The API's code carried as a string: "0" copying … "4" creating. */
  StatusCode: string;
  Description?: string;
  InstanceId?: string;
  InstanceName?: string;
  SystemSnapshotId?: string;
  DataSnapshotId?: string;
  CreationTime?: string;
  ResourceGroupId?: string;
  Tags: Tag[];
  /** Owner account, as a digit string; differs from the caller's for images shared into the account. */
  UserId?: string;
  /** Shared to ECS (ModifyImageShareStatus). */
  InShare?: boolean;
  /** Shared to other Alibaba Cloud accounts (AddCustomImageShareAccount). */
  InShareUser?: boolean;
  OsType?: string;
  /** GB the server's system / data disk must have at least to be reset from this image. */
  RequiredSystemDiskSize?: number;
  RequiredDataDiskSize?: number;
  /** Servers created from this image. */
  CreateInstances?: string[];
  SystemSnapshotName?: string;
  DataSnapshotName?: string;
}

/** An image ListImages returns: system, app or custom. */
export interface SwasImage {
  ImageId: string;
  ImageName: string;
  /** Lower case as the API takes it: system, app, custom. */
  ImageType: string;
  Description?: string;
  /** Linux or Windows. */
  Platform?: string;
  OsType?: string;
}

export type TagResourceType = 'customimage' | 'snapshot' | 'instance';

export interface ShareAccount { UserId: string; SharedTime?: string }


export interface Region { RegionId: string; LocalName?: string }

export interface InstanceStatus { InstanceId: string; Status: string }

/** Every mutation answers at least this. */
export interface RequestResult { RequestId: string }

/** All pages of a list call gathered, up to a bound. */
export interface Listing<T> {
  items: T[];
  totalCount: number;
  /** True when more matched than the bound let us gather. */
  truncated: boolean;
}

export interface CreateCustomImageParams {
  RegionId: string;
  InstanceId: string;
  ImageName: string;
  SystemSnapshotId: string;
  DataSnapshotId?: string;
  Description?: string;
  Tag?: Tag[];
  ResourceGroupId?: string;
  ClientToken: string;
}

export interface CreateSnapshotParams {
  RegionId: string;
  DiskId: string;
  SnapshotName: string;
  Tag?: Tag[];
  ResourceGroupId?: string;
  ClientToken: string;
}

export interface ModifyImageShareStatusParams { RegionId: string; ImageId: string; Operation: 'Share' | 'UnShare'; ClientToken: string }

/** Accounts are Alibaba Cloud account IDs as digit strings; they become numbers only at the SDK boundary. */
export interface ImageShareAccountParams { RegionId: string; ImageId: string; Accounts: string[]; ClientToken: string }

export interface TagResourcesParams {
  RegionId: string; ResourceType: TagResourceType; ResourceIds: string[]; Tags: Tag[]; ClientToken: string;
}

export interface UntagResourcesParams {
  RegionId: string; ResourceType: TagResourceType; ResourceIds: string[];
  /** The keys to remove; or All: true to remove every tag. */
  TagKeys?: string[]; All?: boolean; ClientToken: string;
}

export interface DeleteCustomImagesParams { RegionId: string; ImageIds: string[]; ClientToken: string }
export interface DeleteSnapshotsParams { RegionId: string; SnapshotIds: string[]; ClientToken: string }

/** No password: a password must never pass through the model. */
export interface ResetSystemParams { RegionId: string; InstanceId: string; ImageId?: string; KeyPairName?: string; ClientToken: string }

/** A plan of ListPlans: what one server of it has, and its monthly list price. */
export interface SwasPlan {
  PlanId: string;
  Core?: number;
  /** GB. */
  Memory?: number;
  /** GB of the system disk. */
  DiskSize?: number;
  /** SSD (standard) or ESSD, as the API spells it. */
  DiskType?: string;
  /** Mbit/s peak. */
  Bandwidth?: number;
  /** GB of traffic a month. */
  Flow?: number;
  /** Linux, Windows, … (the API's JSON list, parsed). */
  SupportPlatform: string[];
  /** The monthly price as the API wrote it (a decimal string, e.g. "60.00"); undefined when absent. */
  OriginPrice?: string;
  /** CNY (China site) or USD (international site). */
  Currency?: string;
  PlanType?: string;
}

/** No password: the login password is set in the console. */
export interface CreateInstancesParams {
  RegionId: string;
  ImageId: string;
  PlanId: string;
  Period: number;
  Amount: number;
  DataDiskSize?: number;
  AutoRenew: boolean;
  AutoRenewPeriod?: number;
  ChargeType: 'PrePaid';
  ClientToken: string;
}

export interface CustomImageFilter {
  ImageIds?: string[];
  ImageNames?: string[];
  InstanceId?: string;
  /** false = the account's own images only; true = images shared into the account; omitted = all. */
  Share?: boolean;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Stop gathering pages after this many items. */
  maxItems?: number;
}

/** What the tools need of SWAS. One implementation, over the official SDK. */
export interface SwasApi {
  /** Host the calls for a region go to (for messages). */
  hostFor(regionId: string): string;
  listInstances(regionId: string, filter: { InstanceIds?: string[]; InstanceName?: string; Status?: string }, opts?: CallOptions): Promise<Listing<Instance>>;
  listSnapshots(regionId: string, filter: { SnapshotIds?: string[]; InstanceId?: string; DiskId?: string; SourceDiskType?: string }, opts?: CallOptions): Promise<Listing<Snapshot>>;
  listDisks(regionId: string, filter: { InstanceId?: string; DiskIds?: string[]; DiskType?: string }, opts?: CallOptions): Promise<Listing<Disk>>;
  listCustomImages(regionId: string, filter: CustomImageFilter, opts?: CallOptions): Promise<Listing<CustomImage>>;
  createCustomImage(params: CreateCustomImageParams, opts?: CallOptions): Promise<{ ImageId: string; RequestId: string }>;
  createSnapshot(params: CreateSnapshotParams, opts?: CallOptions): Promise<{ SnapshotId: string; RequestId: string }>;
  listCustomImageShareAccounts(regionId: string, imageId: string, opts?: CallOptions): Promise<Listing<ShareAccount>>;
  modifyImageShareStatus(params: ModifyImageShareStatusParams, opts?: CallOptions): Promise<RequestResult>;
  addCustomImageShareAccount(params: ImageShareAccountParams, opts?: CallOptions): Promise<RequestResult>;
  removeCustomImageShareAccount(params: ImageShareAccountParams, opts?: CallOptions): Promise<RequestResult>;
  tagResources(params: TagResourcesParams, opts?: CallOptions): Promise<RequestResult>;
  untagResources(params: UntagResourcesParams, opts?: CallOptions): Promise<RequestResult>;
  deleteCustomImages(params: DeleteCustomImagesParams, opts?: CallOptions): Promise<RequestResult>;
  deleteSnapshots(params: DeleteSnapshotsParams, opts?: CallOptions): Promise<RequestResult>;
  resetSystem(params: ResetSystemParams, opts?: CallOptions): Promise<RequestResult>;
  listImages(regionId: string, filter: { ImageIds?: string[]; ImageType?: 'system' | 'app' | 'custom' }, opts?: CallOptions): Promise<SwasImage[]>;
  listRegions(opts?: CallOptions): Promise<Region[]>;
  listInstanceStatus(regionId: string, filter: { InstanceIds: string[] }, opts?: CallOptions): Promise<InstanceStatus[]>;
  listPlans(regionId: string, opts?: CallOptions): Promise<SwasPlan[]>;
  createInstances(params: CreateInstancesParams, opts?: CallOptions): Promise<{ InstanceIds: string[]; RequestId: string }>;
}
