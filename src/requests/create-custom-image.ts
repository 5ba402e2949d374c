import type { CaptureStep } from '../preflight/capture.js';
import type { CreateCustomImageParams, Tag } from '../swas/types.js';
import { plannedRequest, type PlannedRequest } from './planned-request.js';
import type { CreateSnapshotRequest } from './create-snapshot.js';

export type CreateImageRequest = PlannedRequest<Omit<CreateCustomImageParams, 'ClientToken'>>;

/** What the image is made of and called, once its snapshots are known. */
export interface ImageOrder {
  regionId: string;
  instanceId: string;
  imageName: string;
  systemSnapshotId: string;
  dataSnapshotId?: string;
  description?: string;
  tag?: Tag[];
  resourceGroupId?: string;
  clientToken?: string;
}

/** The CreateCustomImage request, with a ClientToken that stays the same on every retry and every repeat. */
export function planCreateImage(endpoint: string, o: ImageOrder): CreateImageRequest {
  return plannedRequest(endpoint, 'CreateCustomImage', {
    RegionId: o.regionId, InstanceId: o.instanceId, ImageName: o.imageName, SystemSnapshotId: o.systemSnapshotId,
    DataSnapshotId: o.dataSnapshotId, Description: o.description, Tag: o.tag, ResourceGroupId: o.resourceGroupId,
  }, o.clientToken);
}

/**
 * The snapshots a capture still has to take, one CreateSnapshot each, system disk first (the
 * judge's order). Their tokens are always derived (disk and the operation's snapshot name), never
 * the image's given ClientToken: the operation spans calls, and a call that continues it must send
 * the same requests.
 */
export function planCaptureSnapshots(endpoint: string, regionId: string, toTake: Pick<CaptureStep, 'disk' | 'name'>[], resourceGroupId?: string): CreateSnapshotRequest[] {
  return toTake.map((s) => plannedRequest(endpoint, 'CreateSnapshot', {
    RegionId: regionId, DiskId: s.disk.DiskId, SnapshotName: s.name, ResourceGroupId: resourceGroupId,
  }));
}

/** The arguments a capture is continued with. */
export interface CaptureArgs {
  RegionId: string;
  InstanceId: string;
  ImageName: string;
  Source?: 'now' | 'latest-snapshot';
  IncludeDataDisk: boolean;
  Description?: string;
  Tag?: Tag[];
  ResourceGroupId?: string;
  ClientToken?: string;
}

/** The call that continues a capture: the same operation, waiting as long as a call may. */
export function continueCall(args: CaptureArgs): string {
  const a: Record<string, unknown> = { RegionId: args.RegionId, InstanceId: args.InstanceId, ImageName: args.ImageName };
  if (args.Source) a.Source = args.Source;
  if (!args.IncludeDataDisk) a.IncludeDataDisk = false;
  for (const k of ['Description', 'Tag', 'ResourceGroupId', 'ClientToken'] as const) if (args[k] !== undefined) a[k] = args[k];
  a.WaitForAvailable = true;
  return `create_custom_image with ${JSON.stringify(a)}`;
}
