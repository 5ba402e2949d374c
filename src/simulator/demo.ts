// The documented demo account. IDs are fixed so docs and tests can name them.
import type { SeedData } from './types.js';

export const DEMO = {
  region: 'cn-hangzhou',
  otherRegion: 'ap-southeast-1',

  /** Running, system + data disk, an accomplished system snapshot and data snapshot, two images. */
  blogServerId: 'b1095e7a5c3e4d2fa8b6c4d2e0f1a001',
  blogServerName: 'blog-server',
  blogSystemDiskId: 'd-bp1blogsys0000000001',
  blogDataDiskId: 'd-bp1blogdata000000001',
  blogSystemSnapshotId: 's-bp1blogsys0000000001',
  blogDataSnapshotId: 's-bp1blogdata000000001',
  /** Existing image named `blog-base-2026`: use the name to show ImageNameAlreadyExist. */
  blogImageId: 'm-bp1blogbase000002026',
  blogImageName: 'blog-base-2026',
  blogOldImageId: 'm-bp1blogbase000002025',

  /** Running, system disk only, no snapshots at all (the "create a snapshot and wait" story). */
  shopServerId: '5e0a77c1d2e34f5a96b7c8d9e0f1a002',
  shopServerName: 'shop-server',
  shopSystemDiskId: 'd-bp1shopsys0000000001',

  /** Stopped (still allowed for images). Three snapshots, so it is at the per-server snapshot quota. */
  archiveServerId: 'a7c41e0b2d3c4e5f8a9b0c1d2e3fa003',
  archiveServerName: 'archive-server',
  archiveSystemDiskId: 'd-bp1archsys0000000001',
  archiveSystemSnapshotId: 's-bp1archsys0000000001',
  /** System snapshot stuck at `progressing` 45%: gives InvalidParam.SystemSnapshotIdNotSupport. */
  archiveProgressingSnapshotId: 's-bp1archprog000000001',
  /** System snapshot in status `failed`. */
  archiveFailedSnapshotId: 's-bp1archfail000000001',
  /** Shared to ECS (InShare): DeleteCustomImage(s) refuses it until it is unshared. */
  archiveImageId: 'm-bp1archive0000002025',

  /** Upgrading: CreateCustomImage answers 403 IncorrectInstanceStatus. Has an accomplished snapshot. */
  stagingServerId: '57a9e2c1b3d44e5f9a8b7c6d5e4fa004',
  stagingServerName: 'staging-server',
  stagingSystemDiskId: 'd-bp1stgsys00000000001',
  stagingSystemSnapshotId: 's-bp1stgsys00000000001',

  /** Running server in ap-southeast-1, system and data disk, with a system snapshot and an image. */
  sgServerId: '59a1e2b3c4d54e6f8a7b9c0d1e2fa005',
  sgServerName: 'sg-web',
  sgSystemDiskId: 'd-t4nsgsys000000000001',
  sgDataDiskId: 'd-t4nsgdata00000000001',
  sgSystemSnapshotId: 's-t4nsgsys000000000001',
  /** Shared with the partner account (InShareUser): DeleteCustomImage(s) refuses it until it is unshared. */
  sgImageId: 'm-t4nsgweb000000002026',

  /** Another Alibaba Cloud account, owner of the images shared into the demo account. */
  partnerAccountId: '1987654321098765',
  /**
   * Shared in by the partner (cn-hangzhou, Linux, needs a 50 GB system disk). Uses none of the quota;
   * the account cannot delete, share or tag it, nor reset a server from it (it only creates servers).
   */
  sharedInImageId: 'm-bp1partnerwp00000001',
  sharedInImageName: 'partner-wordpress-base',
  /** Shared in by the partner (ap-southeast-1, Windows, 60 GB): sg-web (Linux, outside the mainland) cannot switch to it. */
  sgSharedInImageId: 'm-t4npartnerwin0000001',
  sgSharedInImageName: 'partner-windows-iis',
} as const;

/** A fresh copy of the demo data set (2 regions with resources, 5 servers, 7 snapshots, 4 own images, 2 shared in). */
export function demoSeed(): SeedData {
  const d = DEMO;
  return {
    instances: [
      {
        instanceId: d.blogServerId,
        instanceName: d.blogServerName,
        regionId: d.region,
        status: 'Running',
        creationTime: '2025-11-02T08:15:00Z',
        imageName: 'WordPress',
        imageVersion: '6.4',
        publicIpAddress: '47.96.10.21',
        tags: [{ key: 'app', value: 'blog' }],
        systemDisk: { diskId: d.blogSystemDiskId, size: 40 },
        dataDisks: [{ diskId: d.blogDataDiskId, size: 20 }],
      },
      {
        instanceId: d.shopServerId,
        instanceName: d.shopServerName,
        regionId: d.region,
        status: 'Running',
        creationTime: '2025-12-10T02:00:00Z',
        imageName: 'WooCommerce',
        imageVersion: '8.5',
        publicIpAddress: '47.96.10.22',
        tags: [{ key: 'app', value: 'shop' }],
        systemDisk: { diskId: d.shopSystemDiskId, size: 50 },
      },
      {
        instanceId: d.archiveServerId,
        instanceName: d.archiveServerName,
        regionId: d.region,
        status: 'Stopped',
        creationTime: '2025-03-01T12:00:00Z',
        publicIpAddress: '47.96.10.23',
        systemDisk: { diskId: d.archiveSystemDiskId, size: 40 },
      },
      {
        instanceId: d.stagingServerId,
        instanceName: d.stagingServerName,
        regionId: d.region,
        status: 'Upgrading',
        creationTime: '2026-01-05T09:30:00Z',
        publicIpAddress: '47.96.10.24',
        systemDisk: { diskId: d.stagingSystemDiskId, size: 40 },
      },
      {
        instanceId: d.sgServerId,
        instanceName: d.sgServerName,
        regionId: d.otherRegion,
        status: 'Running',
        creationTime: '2025-09-20T04:45:00Z',
        imageName: 'Docker',
        imageVersion: '26.1',
        publicIpAddress: '8.219.10.31',
        systemDisk: { diskId: d.sgSystemDiskId, size: 60 },
        dataDisks: [{ diskId: d.sgDataDiskId, size: 40 }],
      },
    ],
    snapshots: [
      { snapshotId: d.blogSystemSnapshotId, snapshotName: 'blog-sys-2026-01-15', diskId: d.blogSystemDiskId, creationTime: '2026-01-15T03:00:00Z' },
      { snapshotId: d.blogDataSnapshotId, snapshotName: 'blog-data-2026-01-15', diskId: d.blogDataDiskId, creationTime: '2026-01-15T03:05:00Z' },
      { snapshotId: d.archiveSystemSnapshotId, snapshotName: 'archive-sys-2025-12-01', diskId: d.archiveSystemDiskId, creationTime: '2025-12-01T00:00:00Z' },
      {
        snapshotId: d.archiveProgressingSnapshotId,
        snapshotName: 'archive-sys-in-progress',
        diskId: d.archiveSystemDiskId,
        status: 'progressing',
        progress: '45%',
        creationTime: '2026-01-20T10:00:00Z',
      },
      {
        snapshotId: d.archiveFailedSnapshotId,
        snapshotName: 'archive-sys-failed',
        diskId: d.archiveSystemDiskId,
        status: 'failed',
        progress: '0%',
        creationTime: '2026-01-19T10:00:00Z',
      },
      { snapshotId: d.stagingSystemSnapshotId, snapshotName: 'staging-sys-2026-01-06', diskId: d.stagingSystemDiskId, creationTime: '2026-01-06T00:00:00Z' },
      { snapshotId: d.sgSystemSnapshotId, snapshotName: 'sg-web-sys-2026-01-10', diskId: d.sgSystemDiskId, creationTime: '2026-01-10T00:00:00Z' },
    ],
    images: [
      {
        imageId: d.blogImageId,
        name: d.blogImageName,
        description: 'Blog server baseline',
        instanceId: d.blogServerId,
        systemSnapshotId: d.blogSystemSnapshotId,
        dataSnapshotId: d.blogDataSnapshotId,
        creationTime: '2026-01-16T00:00:00Z',
        tags: [{ key: 'app', value: 'blog' }],
      },
      { imageId: d.blogOldImageId, name: 'blog-base-2025', instanceId: d.blogServerId, systemSnapshotId: d.blogSystemSnapshotId, creationTime: '2025-12-20T00:00:00Z' },
      { imageId: d.archiveImageId, name: 'archive-2025', instanceId: d.archiveServerId, systemSnapshotId: d.archiveSystemSnapshotId, creationTime: '2025-12-02T00:00:00Z', inShare: true },
      {
        imageId: d.sgImageId,
        name: 'sg-web-2026',
        instanceId: d.sgServerId,
        systemSnapshotId: d.sgSystemSnapshotId,
        creationTime: '2026-01-11T00:00:00Z',
        shareAccounts: [d.partnerAccountId],
      },
    ],
    sharedImages: [
      {
        imageId: d.sharedInImageId,
        name: d.sharedInImageName,
        description: 'WordPress baseline from our agency',
        regionId: d.region,
        ownerUserId: d.partnerAccountId,
        instanceId: 'c0ffee00c0ffee00c0ffee00c0ffee01',
        instanceName: 'agency-wp-master',
        osType: 'Linux',
        sourceImageName: 'WordPress',
        sourceImageVersion: '6.5',
        requiredSystemDiskSize: 50,
        creationTime: '2026-01-08T00:00:00Z',
      },
      {
        imageId: d.sgSharedInImageId,
        name: d.sgSharedInImageName,
        description: 'IIS on Windows Server 2022',
        regionId: d.otherRegion,
        ownerUserId: d.partnerAccountId,
        instanceId: 'c0ffee00c0ffee00c0ffee00c0ffee02',
        instanceName: 'agency-iis-master',
        osType: 'Windows',
        sourceImageName: 'Windows Server',
        sourceImageVersion: '2022 Datacenter',
        requiredSystemDiskSize: 60,
        creationTime: '2026-01-09T00:00:00Z',
      },
    ],
  };
}
