import type { CreateSnapshotParams, Snapshot, Tag } from '../swas/types.js';
import { plannedRequest, type PlannedRequest } from './planned-request.js';

export type CreateSnapshotRequest = PlannedRequest<Omit<CreateSnapshotParams, 'ClientToken'>>;

/** What create_snapshot asks for, once the disk is known. */
export interface SnapshotOrder {
  regionId: string;
  diskId: string;
  snapshotName: string;
  tag?: Tag[];
  resourceGroupId?: string;
  clientToken?: string;
}

/**
 * The one CreateSnapshot request. It names the disk, never the server, so the InstanceId and
 * DiskId forms of one request carry the same derived ClientToken.
 */
export function planCreateSnapshot(endpoint: string, o: SnapshotOrder): CreateSnapshotRequest {
  return plannedRequest(endpoint, 'CreateSnapshot', {
    RegionId: o.regionId, DiskId: o.diskId, SnapshotName: o.snapshotName, Tag: o.tag, ResourceGroupId: o.resourceGroupId,
  }, o.clientToken);
}

/**
 * What the answer leaves: a snapshot that existed before the request (`earlier`, the disk's
 * snapshot of that name) means this exact request was carried out earlier and nothing new was
 * made; it is as the read saw it. A new one is progressing.
 */
export function createdSnapshot(earlier: Snapshot | undefined, snapshotId: string): { Status: string; Progress: string | undefined; Repeated?: true } {
  const repeated = earlier?.SnapshotId === snapshotId;
  return {
    Status: repeated ? earlier.Status : 'progressing', Progress: repeated ? earlier.Progress : undefined,
    ...(repeated ? { Repeated: true as const } : {}),
  };
}
