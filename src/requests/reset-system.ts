import type { Expectation } from '../audit/index.js';
import { sameWord } from '../swas/status.js';
import type { ResetSystemParams } from '../swas/types.js';
import { plannedRequest, type PlannedRequest } from './planned-request.js';

export type ResetSystemRequest = PlannedRequest<Omit<ResetSystemParams, 'ClientToken'>>;

/** What reset_system asks for, once the server and the image are judged. */
export interface ResetOrder {
  regionId: string;
  instanceId: string;
  imageId: string;
  keyPairName?: string;
  clientToken?: string;
}

/**
 * The one ResetSystem request. Unless a ClientToken was given, its token is derived from the
 * request and from `basis` (the state the plan saw and the last recorded change), so a reset to I,
 * then J, then I again is a new request each time, while a retry from the same state is not.
 */
export function planResetSystem(endpoint: string, o: ResetOrder, basis: unknown): ResetSystemRequest {
  return plannedRequest(endpoint, 'ResetSystem', {
    RegionId: o.regionId, InstanceId: o.instanceId, ImageId: o.imageId, KeyPairName: o.keyPairName,
  }, o.clientToken, basis);
}

/** What the reset leaves behind once applied: the server on the image (what the ledger's read-back checks). */
export function expectationOf(imageId: string, fromImageId: string | undefined): Expectation {
  return { kind: 'reset', imageId, ...(fromImageId ? { fromImageId } : {}) };
}

/** The server as read right after the request. */
export interface ServerAfter { Status: string; ImageId?: string }

/**
 * The server read after the request, compared with the plan. `changed`: true when it is
 * re-installing, or now runs the new image it did not run before; false when it runs another image
 * and is not re-installing (the API answered a repeat of an earlier ClientToken without carrying it
 * out); undefined when a read cannot tell (no read, or a reset to the image it already ran, read
 * when it is over). `started`: whether the read shows the reset under way or done.
 */
export function resetReadBack(after: ServerAfter | undefined, imageId: string, fromImageId: string | undefined): { changed?: boolean; started: boolean } {
  const resetting = after !== undefined && sameWord(after.Status, 'Resetting');
  const started = !after || resetting || after.ImageId !== fromImageId;
  if (after && (resetting || (after.ImageId === imageId && after.ImageId !== fromImageId))) return { changed: true, started };
  if (after && after.ImageId !== imageId) return { changed: false, started };
  return { started };
}
