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
}

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
  listCustomImages(regionId: string, filter: { ImageIds?: string[]; ImageNames?: string[]; InstanceId?: string }, opts?: CallOptions): Promise<Listing<CustomImage>>;
  createCustomImage(params: CreateCustomImageParams, opts?: CallOptions): Promise<{ ImageId: string; RequestId: string }>;
  createSnapshot(params: CreateSnapshotParams, opts?: CallOptions): Promise<{ SnapshotId: string; RequestId: string }>;
}
