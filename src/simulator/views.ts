// Wire (PascalCase) shapes of the state objects, as the live API returns them.
import type { CustomImage, Disk, Instance, ShareAccount, Snapshot, Tag } from './types.js';

const wireTags = (tags: readonly Tag[]): Array<{ Key: string; Value: string }> => tags.map((t) => ({ Key: t.key, Value: t.value }));

function diskOfInstance(d: Disk): Record<string, unknown> {
  return {
    DiskId: d.diskId,
    DiskName: d.diskName,
    DiskType: d.diskType,
    Category: d.category,
    Size: d.size,
    Device: d.device,
    Status: d.status,
    DiskChargeType: 'PrePaid',
    CreationTime: d.creationTime,
    RegionId: d.regionId,
    Remark: '',
    ResourceGroupId: d.resourceGroupId,
    DiskTags: wireTags(d.tags),
  };
}

export function instanceView(i: Instance): Record<string, unknown> {
  const system = i.disks.find((d) => d.diskType === 'system');
  return {
    InstanceId: i.instanceId,
    InstanceName: i.instanceName,
    RegionId: i.regionId,
    Status: i.status,
    BusinessStatus: i.businessStatus,
    DisableReason: '',
    DdosStatus: 'Normal',
    CreationTime: i.creationTime,
    ExpiredTime: i.expiredTime,
    ImageId: i.imageId,
    Image: { ImageName: i.imageName, ImageType: i.imageType, ImageVersion: i.imageVersion, OsType: i.osType, ImageIconUrl: '', ImageContact: '' },
    PublicIpAddress: i.publicIpAddress,
    InnerIpAddress: i.innerIpAddress,
    NetworkAttributes: [{ PublicIpAddress: i.publicIpAddress, PrivateIpAddress: i.innerIpAddress, PublicIpDdosStatus: 'Normal', PeakBandwidth: 200 }],
    PlanId: i.planId,
    PlanType: 'NORMAL',
    ChargeType: 'PrePaid',
    Combination: false,
    CombinationInstanceId: '',
    ResourceGroupId: i.resourceGroupId,
    Uuid: i.instanceId,
    Tags: wireTags(i.tags),
    ResourceSpec: { Cpu: 2, Memory: 2, DiskSize: system?.size ?? 40, DiskCategory: 'ESSD', Bandwidth: 4, Flow: 0 },
    Disks: i.disks.map(diskOfInstance),
  };
}

export function diskView(d: Disk, instanceName: string): Record<string, unknown> {
  const { DiskTags, ...rest } = diskOfInstance(d);
  return { ...rest, Tags: DiskTags, InstanceId: d.instanceId, InstanceName: instanceName };
}

export function snapshotView(s: Snapshot): Record<string, unknown> {
  return {
    SnapshotId: s.snapshotId,
    SnapshotName: s.snapshotName,
    RegionId: s.regionId,
    // The API fills InstanceId for system-disk snapshots only.
    InstanceId: s.sourceDiskType === 'system' ? s.instanceId : '',
    SourceDiskId: s.sourceDiskId,
    SourceDiskType: s.sourceDiskType,
    Status: s.status,
    Progress: s.progress,
    CreationTime: s.creationTime,
    RollbackTime: '',
    Remark: s.remark,
    ResourceGroupId: s.resourceGroupId,
    Tags: wireTags(s.tags),
  };
}

export function customImageView(m: CustomImage): Record<string, unknown> {
  return {
    ImageId: m.imageId,
    Name: m.name,
    Description: m.description,
    RegionId: m.regionId,
    ResourceGroupId: m.resourceGroupId,
    // A JSON number on the wire, as the SDK types it (account IDs stay below 2^53).
    UserId: Number(m.userId),
    Status: m.status,
    CreationTime: m.creationTime,
    InstanceId: m.instanceId,
    InstanceName: m.instanceName,
    SystemSnapshotId: m.systemSnapshotId,
    SystemSnapshotName: m.systemSnapshotName,
    DataSnapshotId: m.dataSnapshotId,
    DataSnapshotName: m.dataSnapshotName,
    CreateInstances: [...m.createInstances],
    InShare: m.inShare,
    InShareUser: m.shareAccounts.length > 0,
    OsType: m.osType,
    SourceImageName: m.sourceImageName,
    SourceImageVersion: m.sourceImageVersion,
    RequiredSystemDiskSize: m.requiredSystemDiskSize,
    RequiredDataDiskSize: m.requiredDataDiskSize,
    Tags: wireTags(m.tags),
  };
}

/** Public system and application images offered in every region. */
export const PUBLIC_IMAGES: ReadonlyArray<{ ImageId: string; ImageName: string; ImageType: 'system' | 'app'; Description: string; Platform: string }> = [
  { ImageId: '794fc7fa1dcc4e63b2a3a7b2cd0a1f55', ImageName: 'Alibaba Cloud Linux 3.2104 LTS 64bit', ImageType: 'system', Description: 'Alibaba Cloud Linux 3', Platform: 'Linux' },
  { ImageId: 'c3e1d0b8a7f64e2b9d5c4a3b2e1f0d9c', ImageName: 'Ubuntu 22.04 64bit', ImageType: 'system', Description: 'Ubuntu 22.04', Platform: 'Linux' },
  { ImageId: 'e2b4c6d8f0a1437596b8d0f2a4c6e8f0', ImageName: 'Windows Server 2022 Datacenter', ImageType: 'system', Description: 'Windows Server 2022', Platform: 'Windows' },
  { ImageId: '2d6a1c3e5f7b4d9e8a0c2e4f6a8b0c1d', ImageName: 'WordPress 6.4', ImageType: 'app', Description: 'WordPress on Alibaba Cloud Linux', Platform: 'Linux' },
  { ImageId: '9f8e7d6c5b4a43219f8e7d6c5b4a3210', ImageName: 'Docker 26.1', ImageType: 'app', Description: 'Docker CE on Alibaba Cloud Linux', Platform: 'Linux' },
];

export function shareUserView(a: ShareAccount): Record<string, unknown> {
  return { UserId: Number(a.userId), SharedTime: a.sharedTime };
}
