// The inventory view's data, shaped from the three list tools' structuredContent. Pure: no DOM,
// so it is tested on its own. The quota numbers are the server's own constants, not copies.
import type { Snapshot } from '../../src/swas/types.js';
import { IMAGE_QUOTA_CAP, IMAGES_PER_SERVER, SNAPSHOTS_PER_SERVER } from '../../src/preflight/quotas.js';

export { IMAGE_QUOTA_CAP, SNAPSHOTS_PER_SERVER };

export interface ImageRow {
  ImageId: string;
  ImageName: string;
  Status: string;
  RegionId: string;
  InstanceId?: string;
  InstanceName?: string;
  CreationTime?: string;
  Owner: 'self' | 'shared-in';
  SharedToEcs: boolean;
  SharedWithAccounts: string[];
  Tags: Array<{ Key: string; Value: string }>;
}

/** A snapshot as list_snapshots returns it: the API's own shape. */
export type SnapshotRow = Snapshot;

export interface InstanceRow {
  InstanceId: string;
  InstanceName: string;
  RegionId: string;
  Status: string;
  Disks: Array<{ DiskId: string; DiskType: string }>;
}

export interface Quota { Limit: number; Used: number; Remaining: number; ServerCount: number }
interface RegionOutcome { RegionId: string; Count: number; ErrorCode?: string; Quota?: Quota }

/** The structuredContent of list_custom_images, list_snapshots and list_instances (RegionId "all"). */
export interface Lists {
  images: { Images?: ImageRow[]; Regions?: RegionOutcome[]; Truncated?: boolean };
  snapshots: { Snapshots?: SnapshotRow[]; Regions?: RegionOutcome[]; Truncated?: boolean };
  instances: { Instances?: InstanceRow[]; Regions?: RegionOutcome[]; Truncated?: boolean };
}

export type ImageOrder = 'oldest' | 'newest' | 'name';

export interface ServerBlock {
  InstanceId: string;
  InstanceName?: string;
  /** Its system snapshots and those of its disks: what counts towards its quota. */
  snapshots: SnapshotRow[];
}

export interface RegionBlock {
  RegionId: string;
  quota?: Quota;
  images: ImageRow[];
  servers: ServerBlock[];
  /** Snapshots of no listed server (its server is gone, or a disk not attached). */
  looseSnapshots: SnapshotRow[];
}

export interface Inventory {
  regions: RegionBlock[];
  /** The account's oldest own image, anywhere. */
  oldest?: ImageRow;
  /** Regions that could not be listed, by any of the three calls. */
  failedRegions: Array<{ RegionId: string; ErrorCode: string }>;
  /** Regions listed with nothing in them. */
  emptyRegions: string[];
  truncated: boolean;
}

const time = (iso: string | undefined): number => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
};

export function sortImages(rows: readonly ImageRow[], order: ImageOrder): ImageRow[] {
  const byName = (a: ImageRow, b: ImageRow) => a.ImageName.localeCompare(b.ImageName) || a.ImageId.localeCompare(b.ImageId);
  const sorted = [...rows];
  if (order === 'name') return sorted.sort(byName);
  // Unknown creation times go last either way.
  const sign = order === 'oldest' ? 1 : -1;
  return sorted.sort((a, b) => {
    const ta = time(a.CreationTime), tb = time(b.CreationTime);
    if (ta === tb) return byName(a, b);
    if (ta === Number.POSITIVE_INFINITY) return 1;
    if (tb === Number.POSITIVE_INFINITY) return -1;
    return sign * (ta - tb);
  });
}

export function buildInventory(lists: Lists, order: ImageOrder): Inventory {
  const images = lists.images.Images ?? [];
  const snapshots = lists.snapshots.Snapshots ?? [];
  const instances = lists.instances.Instances ?? [];
  const outcomes = [lists.images.Regions, lists.snapshots.Regions, lists.instances.Regions];
  const regionIds = new Set<string>();
  const failed = new Map<string, string>();
  for (const list of outcomes) {
    for (const r of list ?? []) {
      regionIds.add(r.RegionId);
      if (r.ErrorCode && !failed.has(r.RegionId)) failed.set(r.RegionId, r.ErrorCode);
    }
  }
  for (const x of [...images, ...snapshots, ...instances]) regionIds.add(x.RegionId);
  const quotas = new Map((lists.images.Regions ?? []).filter((r) => r.Quota).map((r) => [r.RegionId, r.Quota!]));

  const regions: RegionBlock[] = [];
  const emptyRegions: string[] = [];
  for (const RegionId of [...regionIds].sort()) {
    const here = <T extends { RegionId: string }>(xs: T[]) => xs.filter((x) => x.RegionId === RegionId);
    const regionImages = here(images);
    const regionSnapshots = here(snapshots);
    const regionServers = here(instances);
    const quota = quotas.get(RegionId);
    if (!regionImages.length && !regionSnapshots.length && !regionServers.length && !(quota && quota.Used > 0)) {
      if (!failed.has(RegionId)) emptyRegions.push(RegionId);
      continue;
    }
    const claimed = new Set<string>();
    const servers = regionServers.map((s) => {
      const disks = new Set(s.Disks.map((d) => d.DiskId));
      const own = regionSnapshots.filter((x) => x.InstanceId === s.InstanceId || (x.SourceDiskId !== undefined && disks.has(x.SourceDiskId)));
      for (const x of own) claimed.add(x.SnapshotId);
      return { InstanceId: s.InstanceId, InstanceName: s.InstanceName, snapshots: own };
    });
    regions.push({
      RegionId, ...(quota ? { quota } : {}), images: sortImages(regionImages, order), servers,
      looseSnapshots: regionSnapshots.filter((x) => !claimed.has(x.SnapshotId)),
    });
  }
  const own = images.filter((m) => m.Owner === 'self' && time(m.CreationTime) !== Number.POSITIVE_INFINITY);
  const oldest = sortImages(own, 'oldest')[0];
  return {
    regions, ...(oldest ? { oldest } : {}), emptyRegions,
    failedRegions: [...failed].map(([RegionId, ErrorCode]) => ({ RegionId, ErrorCode })),
    truncated: Boolean(lists.images.Truncated || lists.snapshots.Truncated || lists.instances.Truncated),
  };
}

/** The words beside a region's quota bar. */
export function quotaWords(q: Quota): string {
  const own = q.Limit < IMAGE_QUOTA_CAP
    ? `; this region allows ${q.Limit} (${q.ServerCount} server${q.ServerCount === 1 ? '' : 's'} × ${IMAGES_PER_SERVER})`
    : '';
  return `${q.Used} / ${IMAGE_QUOTA_CAP} custom images${own}; ${q.Remaining} left`;
}
