import type { DeleteSnapshotsParams } from '../swas/types.js';
import { plannedRequest, type PlannedRequest } from './planned-request.js';

export type DeleteSnapshotsRequest = PlannedRequest<Omit<DeleteSnapshotsParams, 'ClientToken'>>;

/**
 * The one DeleteSnapshots request, for the snapshots the judge kept, in their order. What it leaves
 * behind (the snapshots no longer listed) the ledger's read-back knows from the action itself.
 */
export function planDeleteSnapshots(endpoint: string, regionId: string, targets: readonly { SnapshotId: string }[], clientToken?: string): DeleteSnapshotsRequest {
  return plannedRequest(endpoint, 'DeleteSnapshots', { RegionId: regionId, SnapshotIds: targets.map((s) => s.SnapshotId) }, clientToken);
}
