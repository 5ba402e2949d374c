import { apiText } from '../untrusted.js';
import type { CustomImage } from '../swas/types.js';
import { checkList, type Check } from './checks.js';
import { imageQuota, imageQuotaWords, type Quota } from './quotas.js';

/** DeleteCustomImages takes at most this many images a call. */
export const MAX_DELETE_IMAGES = 15;

/** What the parallel reads found. */
export interface DeleteImagesFacts {
  /** Every own image of the region (Share=false): the quota counts them all. */
  ownImages: CustomImage[];
  /** The requested images that another account shared into this one (Share=true). */
  sharedIn: CustomImage[];
  /** Accounts each requested own image is shared with (read for those with InShareUser only). */
  shareAccounts: ReadonlyMap<string, string[]>;
  serverCount: number;
}

/** One own image to delete, with what it is shared with and what was made from it. */
export interface DeleteTarget {
  image: CustomImage;
  /** Shared to ECS (ModifyImageShareStatus UnShare undoes it). */
  ecs: boolean;
  /** Accounts it is shared with (RemoveCustomImageShareAccount undoes it). */
  accounts: string[];
  /** Servers created from it (the API's CreateInstances, cleaned: they reach text answers). */
  servers: string[];
}

export interface DeleteImagesVerdict {
  checks: Check[];
  /** The first failed check, with the code the API would return (or this server's name for the rule) and the image it is about. */
  failure?: { code: string; message: string; imageId: string };
  /** The requested images, in the order given, when they are all the account's own. */
  targets: DeleteTarget[];
  quotaBefore: Quota;
  /** The quota once the images are gone. */
  quotaAfter: Quota;
}

/** "ECS and accounts 1, 2" — what an image is shared with, for messages. */
export function sharedWith(t: { ecs: boolean; accounts: string[] }): string {
  return [t.ecs ? 'ECS' : '', t.accounts.length ? `account${t.accounts.length > 1 ? 's' : ''} ${t.accounts.join(', ')}` : ''].filter(Boolean).join(' and ');
}

const label = (m: CustomImage) => `${m.ImageId} ("${apiText(m.Name, 128)}")`;

/**
 * Every precondition of DeleteCustomImages that can be judged from what was read. Pure. Each image
 * must be the account's own (a recipient cannot delete an image shared in) and not shared, unless
 * `unshare` asks for it to be unshared first.
 */
export function judgeDeleteImages(req: { regionId: string; imageIds: string[]; unshare: boolean }, f: DeleteImagesFacts): DeleteImagesVerdict {
  const { checks, add } = checkList();
  const failedImage = new Map<number, string>();
  const addFor = (imageId: string, name: string, ok: boolean | 'skipped', detail: string, code?: string) => {
    if (ok === false) failedImage.set(checks.length, imageId);
    add(name, ok, detail, code);
  };
  const targets: DeleteTarget[] = [];

  for (const id of req.imageIds) {
    const own = f.ownImages.find((m) => m.ImageId === id);
    const sharedIn = f.sharedIn.find((m) => m.ImageId === id);
    if (!own && sharedIn) {
      addFor(id, `Image ${id}`, false,
        `Image ${label(sharedIn)} was shared into this account by account ${apiText(sharedIn.UserId ?? 'unknown', 32)}: only its owner can delete it; this account can only stop using it. Leave it out of ImageIds.`,
        'ImageNotOwned');
      addFor(id, `Shared ${id}`, 'skipped', 'Skipped: not this account\'s image.');
      continue;
    }
    if (!own) {
      addFor(id, `Image ${id}`, false,
        `Image ${id} does not exist in region ${req.regionId} (already deleted, mistyped, or in another region). list_custom_images shows the images there.`,
        'InvalidImageId.NotFound');
      addFor(id, `Shared ${id}`, 'skipped', 'Skipped: the image was not found.');
      continue;
    }
    const t: DeleteTarget = {
      image: own, ecs: own.InShare === true, accounts: [...(f.shareAccounts.get(id) ?? [])].sort(), servers: (own.CreateInstances ?? []).map((i) => apiText(i, 64)).sort(),
    };
    targets.push(t);
    const made = t.servers.length ? `; servers created from it: ${t.servers.join(', ')}` : '';
    addFor(id, `Image ${id}`, true, `Image ${label(own)} is this account's own${own.InstanceId ? `, made from server ${apiText(own.InstanceId, 64)}` : ''}${made}.`);
    // InShareUser with no account listed: shared, but with whom is unknown; still refused.
    const shared = t.ecs || t.accounts.length > 0 || own.InShareUser === true;
    const what = sharedWith(t) || 'other accounts';
    if (!shared) {
      addFor(id, `Shared ${id}`, true, 'Not shared to ECS or with any account.');
    } else if (req.unshare) {
      addFor(id, `Shared ${id}`, true, `Shared to ${what}: it will be unshared first (Unshare true), then deleted.`);
    } else {
      addFor(id, `Shared ${id}`, false,
        `Image ${label(own)} is shared to ${what}, and a shared image cannot be deleted. Call again with Unshare true to unshare it first as part of the same confirmed plan, or unshare it with share_custom_image.`,
        'CustomImageInShare');
    }
  }

  const quotaBefore = imageQuota(f.serverCount, f.ownImages.length);
  const quotaAfter = imageQuota(f.serverCount, f.ownImages.length - targets.length);
  add('Quota', true, `${imageQuotaWords(quotaBefore, f.serverCount)}; ${quotaAfter.Used} once ${targets.length === 1 ? 'this image is' : 'these images are'} gone, ${quotaAfter.Remaining} left.`);

  const failedAt = checks.findIndex((c) => c.Outcome === 'failed');
  const failed = failedAt >= 0 ? checks[failedAt]! : undefined;
  return {
    checks, targets, quotaBefore, quotaAfter,
    ...(failed ? { failure: { code: failed.Code ?? 'PreflightFailed', message: failed.Detail, imageId: failedImage.get(failedAt) ?? '' } } : {}),
  };
}
