import { count } from '../consent/words.js';
import { apiText } from '../untrusted.js';
import type { CustomImage, Tag } from '../swas/types.js';
import { checkList, type Check } from './checks.js';

/** At most this many tags a resource (TagResources). */
export const MAX_TAGS_PER_IMAGE = 20;

export interface TagRequest {
  regionId: string;
  imageIds: string[];
  /** Tags to put on every image (a key already there gets this value). */
  tags: Tag[];
  /** Tag keys to take off every image. */
  removeKeys: string[];
}

export interface TagFacts {
  /** The images found in the account's own listing (Share=false). */
  own: CustomImage[];
  /** The images found among those other accounts shared in (Share=true). */
  sharedIn: CustomImage[];
}

export interface ImageTagChange {
  ImageId: string;
  Added: { Key: string; Value: string }[];
  Overwritten: { Key: string; From: string; To: string }[];
  Removed: { Key: string; Value: string }[];
}

export interface TagPlan {
  /** Images whose tags TagResources changes (an addition or a new value), with the tags to send. */
  tagIds: string[];
  /** Images UntagResources changes, and the keys to send (only those some image has). */
  untagIds: string[];
  untagKeys: string[];
  changes: ImageTagChange[];
  /** An existing value is overwritten or an existing tag removed: the person must agree first. */
  needsConsent: boolean;
}

export interface TagVerdict {
  checks: Check[];
  failure?: { code: string; message: string };
  plan: TagPlan;
}

const valueOf = (t: Tag) => t.Value ?? '';
const tagWord = (k: string, v: string) => `${apiText(k, 64)}=${apiText(v, 64)}`;

/**
 * Every precondition of tagging and untagging, judged from what was read, and what each image's
 * tags become. Pure. A tag already present with the same value, or a key to remove that is not
 * there, needs nothing sent.
 */
export function judgeTagImages(req: TagRequest, f: TagFacts): TagVerdict {
  const { checks, add, firstFailure } = checkList();
  const plan: TagPlan = { tagIds: [], untagIds: [], untagKeys: [], changes: [], needsConsent: false };
  const own = new Map(f.own.map((m) => [m.ImageId, m]));
  const sharedIn = new Map(f.sharedIn.map((m) => [m.ImageId, m]));

  const notOwned = req.imageIds.filter((id) => !own.has(id) && sharedIn.has(id));
  const missing = req.imageIds.filter((id) => !own.has(id) && !sharedIn.has(id));
  add('ImagesExist', missing.length === 0,
    missing.length === 0 ? `${req.imageIds.length === 1 ? 'The image is' : `All ${req.imageIds.length} images are`} in region ${req.regionId}.` : `No custom image ${missing.join(', ')} in region ${req.regionId}.`,
    'InvalidImageId.NotFound');
  add('ImagesOwned', notOwned.length === 0,
    notOwned.length === 0 ? 'Every image found is this account\'s own.'
      : `${notOwned.map((id) => `${id} (shared in by account ${sharedIn.get(id)?.UserId ?? 'unknown'})`).join(', ')}: only an image's owner can tag it.`,
    'ImageNotOwned');

  const tooMany: string[] = [];
  const untagKeys = new Set<string>();
  for (const id of req.imageIds) {
    const image = own.get(id);
    if (!image) continue;
    const now = new Map(image.Tags.map((t) => [t.Key, valueOf(t)]));
    const change: ImageTagChange = { ImageId: id, Added: [], Overwritten: [], Removed: [] };
    for (const key of req.removeKeys) {
      if (!now.has(key)) continue;
      change.Removed.push({ Key: key, Value: now.get(key)! });
      untagKeys.add(key);
      now.delete(key);
    }
    for (const t of req.tags) {
      const before = now.get(t.Key);
      if (before === undefined) change.Added.push({ Key: t.Key, Value: valueOf(t) });
      else if (before !== valueOf(t)) change.Overwritten.push({ Key: t.Key, From: before, To: valueOf(t) });
      now.set(t.Key, valueOf(t));
    }
    if (now.size > MAX_TAGS_PER_IMAGE) tooMany.push(`${id} (${now.size})`);
    if (change.Added.length || change.Overwritten.length) plan.tagIds.push(id);
    if (change.Removed.length) plan.untagIds.push(id);
    if (change.Added.length || change.Overwritten.length || change.Removed.length) plan.changes.push(change);
  }
  plan.untagKeys = req.removeKeys.filter((k) => untagKeys.has(k));
  plan.needsConsent = plan.changes.some((c) => c.Overwritten.length > 0 || c.Removed.length > 0);

  add('TagCount', tooMany.length === 0,
    tooMany.length === 0 ? `Every image keeps at most ${MAX_TAGS_PER_IMAGE} tags.` : `These images would have more than ${MAX_TAGS_PER_IMAGE} tags: ${tooMany.join(', ')}. Remove some (RemoveTagKeys) or add fewer.`,
    'InvalidParam.TagCount');
  const overwrites = plan.changes.flatMap((c) => c.Overwritten.map((o) => `${c.ImageId} ${tagWord(o.Key, o.From)} → ${apiText(o.To, 64)}`));
  const removals = plan.changes.flatMap((c) => c.Removed.map((r) => `${c.ImageId} ${tagWord(r.Key, r.Value)}`));
  const unchanged = req.imageIds.filter((id) => own.has(id) && !plan.changes.some((c) => c.ImageId === id));
  add('Changes', true, [
    plan.changes.length === 0 ? 'Every image already has these tags: nothing to send.' : `${count(plan.changes.length, 'image')} ${plan.changes.length === 1 ? 'changes' : 'change'}.`,
    overwrites.length ? `Overwrites: ${overwrites.join('; ')}.` : '',
    removals.length ? `Removes: ${removals.join('; ')}.` : '',
    unchanged.length && plan.changes.length ? `Already as asked: ${unchanged.join(', ')}.` : '',
  ].filter(Boolean).join(' '));

  const failure = firstFailure();
  return { checks, plan, ...(failure ? { failure } : {}) };
}
