import type { ResetImage } from '../preflight/reset-system.js';
import { isCustomImageId } from '../swas/shapes.js';
import { imageStatusWord } from '../swas/status.js';
import type { CustomImage, SwasImage, SwasApi } from '../swas/types.js';

/** Custom images where the API looks for them: the account's own, and those shared into it. */
export interface CustomImagesByOwner {
  /** The account's own: those among the IDs, or every one with `allOwn`. */
  own: CustomImage[];
  /** Shared into the account by another, among the IDs. */
  sharedIn: CustomImage[];
}

/**
 * The one read of "an image, own or shared in": the account's own listing and the shared-in
 * listing, at once. `allOwn` lists every own image (a quota counts them) instead of only `ids`;
 * without IDs the shared-in listing is not read. Lists filtered by IDs come back in the order of
 * `ids`. The shared-in listing matters only for an ID that is not the account's own, so its
 * failure fails the read only then.
 */
export async function readCustomImages(api: SwasApi, regionId: string, ids: readonly string[],
  opts: { signal: AbortSignal; allOwn?: boolean }): Promise<CustomImagesByOwner> {
  const call = { signal: opts.signal };
  const [own, sharedIn] = await Promise.allSettled([
    api.listCustomImages(regionId, opts.allOwn ? { Share: false } : { ImageIds: [...ids], Share: false }, call),
    ids.length ? api.listCustomImages(regionId, { ImageIds: [...ids], Share: true }, call) : Promise.resolve({ items: [] as CustomImage[] }),
  ]);
  if (own.status === 'rejected') throw own.reason;
  const inOrder = (list: CustomImage[]) => ids.flatMap((id) => list.filter((m) => m.ImageId === id));
  const ownItems = opts.allOwn ? own.value.items : inOrder(own.value.items);
  if (sharedIn.status === 'rejected') {
    if (ids.some((id) => !ownItems.some((m) => m.ImageId === id))) throw sharedIn.reason;
    return { own: ownItems, sharedIn: [] };
  }
  return { own: ownItems, sharedIn: inOrder(sharedIn.value.items) };
}

function fromCustom(m: CustomImage, owner: 'self' | 'shared-in'): ResetImage {
  return {
    ImageId: m.ImageId, ImageName: m.Name, ImageType: 'custom', Owner: owner, Platform: m.OsType, Status: imageStatusWord(m.StatusCode),
    SourceInstanceId: m.InstanceId, SourceInstanceName: m.InstanceName, CreationTime: m.CreationTime, RequiredSystemDiskSize: m.RequiredSystemDiskSize, RequiredDataDiskSize: m.RequiredDataDiskSize,
  };
}

/** The image as the API would find it: own custom first, then shared in, then a system or app image. Pure. */
export function resolveImage(imageId: string, custom: CustomImagesByOwner | undefined, listed: readonly SwasImage[] | undefined): ResetImage | undefined {
  const mine = custom?.own.find((m) => m.ImageId === imageId);
  const theirs = custom?.sharedIn.find((m) => m.ImageId === imageId);
  const general = listed?.find((m) => m.ImageId === imageId);
  return mine ? fromCustom(mine, 'self')
    : theirs ? fromCustom(theirs, 'shared-in')
    : general ? { ImageId: general.ImageId, ImageName: general.ImageName, ImageType: general.ImageType, Platform: general.Platform ?? general.OsType }
    : undefined;
}

/**
 * An image where the API would look for it: the account's own or a shared-in custom image (m-…),
 * or a system or app image from ListImages. `allOwn` lists every own image too (for a quota).
 */
export async function findImage(api: SwasApi, regionId: string, imageId: string, opts: { signal: AbortSignal; allOwn?: boolean }):
  Promise<{ image?: ResetImage; custom: CustomImagesByOwner }> {
  const isCustom = isCustomImageId(imageId);
  const [custom, listed] = await Promise.all([
    isCustom || opts.allOwn ? readCustomImages(api, regionId, isCustom ? [imageId] : [], opts) : { own: [], sharedIn: [] },
    isCustom ? undefined : api.listImages(regionId, { ImageIds: [imageId] }, { signal: opts.signal }),
  ]);
  const image = resolveImage(imageId, custom, listed);
  return { ...(image ? { image } : {}), custom };
}
