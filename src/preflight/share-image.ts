import { count } from '../consent/words.js';
import { apiText } from '../untrusted.js';
import { imageStatusWord } from '../swas/status.js';
import type { CustomImage } from '../swas/types.js';
import { checkList, type Check } from './checks.js';

/** At most this many Alibaba Cloud accounts an image can be shared with (LIMITS page). */
export const MAX_SHARE_ACCOUNTS = 10;

export interface ShareRequest {
  regionId: string;
  imageId: string;
  operation: 'Share' | 'UnShare';
  /** Share to / unshare from ECS. */
  ecs: boolean;
  /** Account IDs (digit strings) to share with / unshare from; may be empty. */
  accounts: string[];
}

/** What the parallel reads found. */
export interface ShareFacts {
  /** The image in the account's own listing (Share=false). */
  own?: CustomImage;
  /** The image among those other accounts shared in (Share=true). */
  sharedIn?: CustomImage;
  /** Accounts the own image is shared with now (ListCustomImageShareAccounts). */
  sharedWith: string[];
}

/** What is left to send once the state is known: nothing for a part already done. */
export interface SharePlan {
  /** ModifyImageShareStatus with this Operation, or nothing. */
  ecs?: 'Share' | 'UnShare';
  /** Add/RemoveCustomImageShareAccount with these accounts, or nothing. */
  accounts: string[];
  /** The share state after the plan runs. */
  after: { SharedToEcs: boolean; SharedWithAccounts: string[] };
  /**
   * The person must agree first: the plan shares with or unshares from other accounts. Sharing to
   * or unsharing from ECS stays inside the account and is undone by the opposite call: no consent.
   */
  needsConsent: boolean;
}

export interface ShareVerdict {
  checks: Check[];
  failure?: { code: string; message: string };
  plan: SharePlan;
}

/**
 * Every precondition of sharing or unsharing, judged from what was read. Pure. A part that is
 * already as asked ("already shared", "not shared") is passed and left out of the plan.
 */
export function judgeShareImage(req: ShareRequest, f: ShareFacts): ShareVerdict {
  const { checks, add, firstFailure } = checkList();
  const image = f.own;
  const current = image ? [...f.sharedWith].sort() : [];
  const inShare = image?.InShare === true;
  const plan: SharePlan = { accounts: [], after: { SharedToEcs: inShare, SharedWithAccounts: current }, needsConsent: false };

  if (!image) {
    if (f.sharedIn) {
      add('ImageOwned', false, `Image ${req.imageId} was shared into this account by account ${f.sharedIn.UserId ?? 'unknown'}; only its owner can share or unshare it.`, 'ImageNotOwned');
    } else {
      add('ImageExists', false, `No custom image ${req.imageId} in region ${req.regionId}.`, 'InvalidImageId.NotFound');
    }
    const failure = firstFailure();
    return { checks, plan, ...(failure ? { failure } : {}) };
  }
  const word = imageStatusWord(image.StatusCode);
  add('ImageExists', true, `Image ${image.ImageId} ("${apiText(image.Name, 128)}") is in region ${req.regionId}.`);
  add('ImageOwned', true, 'The image is this account\'s own.');
  if (req.operation === 'Share') {
    add('ImageStatus', word === 'Available', word === 'Available' ? 'The image is Available.' : `The image is ${word}; only an Available image can be shared.`, 'ImageNotAvailable');
  } else {
    add('ImageStatus', 'skipped', `The image is ${word}; unsharing does not depend on its status.`);
  }

  if (!req.ecs) {
    add('EcsShare', 'skipped', `ECS not asked for (the image is ${inShare ? '' : 'not '}shared to ECS).`);
  } else if (req.operation === 'Share') {
    add('EcsShare', true, inShare ? 'Already shared to ECS: nothing to send for it.' : 'Not shared to ECS yet: it will be.');
    if (!inShare) plan.ecs = 'Share';
  } else {
    add('EcsShare', true, inShare ? 'Shared to ECS: it will be unshared.' : 'Not shared to ECS: nothing to send for it.');
    if (inShare) plan.ecs = 'UnShare';
  }
  if (plan.ecs) plan.after.SharedToEcs = plan.ecs === 'Share';

  if (req.accounts.length === 0) {
    add('Accounts', 'skipped', `No accounts asked for (shared with ${current.length ? current.join(', ') : 'no account'}).`);
  } else if (req.operation === 'Share') {
    const owner = image.UserId !== undefined && req.accounts.includes(image.UserId);
    const already = req.accounts.filter((a) => current.includes(a));
    const toAdd = req.accounts.filter((a) => !current.includes(a));
    if (owner) {
      add('Accounts', false, `Account ${image.UserId} owns the image; an image cannot be shared with its owner.`, 'InvalidParam.Account');
    } else {
      add('Accounts', true, [
        toAdd.length ? `To share with: ${toAdd.join(', ')}.` : '',
        already.length ? `Already shared with ${already.join(', ')}: nothing to send for ${already.length === 1 ? 'it' : 'them'}.` : '',
      ].filter(Boolean).join(' '));
    }
    const total = current.length + toAdd.length;
    add('ShareAccountLimit', total <= MAX_SHARE_ACCOUNTS,
      `${count(current.length, 'account')} now, ${total} after this; an image can be shared with at most ${MAX_SHARE_ACCOUNTS}.`
        + (total > MAX_SHARE_ACCOUNTS ? ` Unshare ${total - MAX_SHARE_ACCOUNTS} first (Operation "UnShare").` : ''),
      'ShareAccountLimitExceeded');
    plan.accounts = toAdd;
    plan.after.SharedWithAccounts = [...current, ...toAdd].sort();
  } else {
    const toRemove = req.accounts.filter((a) => current.includes(a));
    const notShared = req.accounts.filter((a) => !current.includes(a));
    add('Accounts', true, [
      toRemove.length ? `To unshare from: ${toRemove.join(', ')}.` : '',
      notShared.length ? `Not shared with ${notShared.join(', ')}: nothing to send for ${notShared.length === 1 ? 'it' : 'them'}.` : '',
    ].filter(Boolean).join(' '));
    plan.accounts = toRemove;
    plan.after.SharedWithAccounts = current.filter((a) => !toRemove.includes(a));
  }
  plan.needsConsent = plan.accounts.length > 0;
  const failure = firstFailure();
  return { checks, plan, ...(failure ? { failure } : {}) };
}
