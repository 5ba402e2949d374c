import { tagsShown, type TagsExpectation } from '../audit/index.js';
import type { TagPlan } from '../preflight/tag-images.js';
import type { CustomImage, Tag, TagResourcesParams, UntagResourcesParams } from '../swas/types.js';
import { plannedRequest, tokenPerAction, type PlannedRequest } from './planned-request.js';

/** The two requests as this tool sends them: always for custom images, always with named keys. */
type UntagParams = Omit<UntagResourcesParams, 'ClientToken' | 'ResourceType' | 'TagKeys' | 'All'> & { ResourceType: 'customimage'; TagKeys: string[] };
type TagParams = Omit<TagResourcesParams, 'ClientToken' | 'ResourceType'> & { ResourceType: 'customimage' };
export type TagRequest = PlannedRequest<UntagParams> | PlannedRequest<TagParams>;

/** An image and its tags, as the result shows them (a missing value is the empty string). */
export interface ImageTags { ImageId: string; ImageName?: string; Tags: { Key: string; Value: string }[] }

export const tagsOf = (m: CustomImage) => m.Tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));

/**
 * The requests, untag first (so a full image makes room before tags are added), each with its own
 * ClientToken: derived from its action, its parameters and `basis` (the tags the plan saw and the
 * last recorded change), or from the given token and the action.
 */
export function planTagRequests(endpoint: string, regionId: string, plan: Pick<TagPlan, 'tagIds' | 'untagIds' | 'untagKeys'>, tags: readonly Tag[],
  given: string | undefined, basis: unknown): TagRequest[] {
  const token = tokenPerAction(given);
  const out: TagRequest[] = [];
  if (plan.untagIds.length) {
    const params = { RegionId: regionId, ResourceType: 'customimage' as const, ResourceIds: plan.untagIds, TagKeys: plan.untagKeys };
    out.push(plannedRequest(endpoint, 'UntagResources', params, token('UntagResources', params), basis));
  }
  if (plan.tagIds.length) {
    const params = { RegionId: regionId, ResourceType: 'customimage' as const, ResourceIds: plan.tagIds, Tags: tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' })) };
    out.push(plannedRequest(endpoint, 'TagResources', params, token('TagResources', params), basis));
  }
  return out;
}

/** What a request leaves on each of its images once applied: what the ledger's read-back checks. */
export function expectationOf(req: TagRequest): TagsExpectation {
  const p = req.Parameters;
  return 'Tags' in p
    ? { kind: 'tags', put: p.Tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' })), removed: [] }
    : { kind: 'tags', put: [], removed: p.TagKeys };
}

/**
 * Whether the images read back show the request's change on every image it names. False for a
 * request the API answered but did not carry out (a repeat of an earlier ClientToken): a listed
 * image without the change. Undefined when an image it names is no longer listed (deleted since,
 * or the listing lags) and no listed one contradicts it: the read cannot tell.
 */
export function tookEffect(req: TagRequest, after: readonly CustomImage[]): boolean | undefined {
  return tagsShown(expectationOf(req), req.Parameters.ResourceIds, after);
}

/** Each image's tags once the plan has run: what the requests leave behind, shown before they are sent. */
export function tagsAfter(images: readonly CustomImage[], plan: Pick<TagPlan, 'changes'>, tags: readonly Tag[]): ImageTags[] {
  return images.map((m) => {
    const change = plan.changes.find((c) => c.ImageId === m.ImageId);
    let after = tagsOf(m);
    if (change) {
      const removed = change.Removed.map((r) => r.Key);
      after = after.filter((t) => !removed.includes(t.Key) && !tags.some((n) => n.Key === t.Key));
      after.push(...tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' })));
    }
    return { ImageId: m.ImageId, ImageName: m.Name, Tags: after };
  });
}
