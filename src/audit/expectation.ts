import type { Expectation } from './entry.js';

export type TagsExpectation = Extract<Expectation, { kind: 'tags' }>;
export type ShareExpectation = Extract<Expectation, { kind: 'ecs-share' | 'account-share' }>;

/** An image as far as a tags expectation needs it. */
interface TaggedImage { ImageId: string; Tags: readonly { Key: string; Value?: string | undefined }[] }

/**
 * Whether the images read back show a tags change on every image it names. False when a listed
 * image contradicts it (the API answered but did not carry it out, e.g. a repeated ClientToken).
 * Undefined when an image it names is no longer listed (deleted since, or the listing lags) and no
 * listed one contradicts it: the read cannot tell.
 */
export function tagsShown(x: TagsExpectation, ids: readonly string[], images: readonly TaggedImage[]): boolean | undefined {
  let unseen = false;
  for (const id of ids) {
    const m = images.find((i) => i.ImageId === id);
    if (!m) { unseen = true; continue; }
    const shows = x.put.every((t) => m.Tags.some((h) => h.Key === t.Key && (h.Value ?? '') === t.Value))
      && x.removed.every((k) => !m.Tags.some((h) => h.Key === k));
    if (!shows) return false;
  }
  return unseen ? undefined : true;
}

/** Whether an image's share state read back shows a share change. */
export function shareShown(x: ShareExpectation, state: { sharedToEcs: boolean; sharedWith: readonly string[] }): boolean {
  if (x.kind === 'ecs-share') return state.sharedToEcs === x.shared;
  return x.accounts.every((a) => state.sharedWith.includes(a) === x.shared);
}
