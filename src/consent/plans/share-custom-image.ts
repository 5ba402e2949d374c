import type { SharePlan } from '../../preflight/share-image.js';
import type { CustomImage } from '../../swas/types.js';
import { planDetail, type Plan } from '../plan.js';
import { listWords, named, noun, when } from '../words.js';

/** The facts the plan of share_custom_image is written from. */
export interface SharePlanFacts {
  regionId: string;
  /** Epoch ms of the injected clock. */
  now: number;
  image: CustomImage;
  /** The source server's name, when the region lists it (else the image's own InstanceName). */
  serverName?: string;
  operation: 'Share' | 'UnShare';
  plan: SharePlan;
  /** The requests in the order they will be sent. */
  requests: { Action: string; Parameters: object }[];
}

const accountWords = (accounts: string[]) => `${noun(accounts.length, 'account')} ${listWords(accounts)}`;

/** The plan of sharing or unsharing an image: pure, facts in. */
export function shareImagePlan(f: SharePlanFacts): Plan {
  const { image, plan, regionId } = f;
  const img = `the custom image ${named(image.ImageId, image.Name)}`;
  const source = image.InstanceId ? `server ${named(image.InstanceId, f.serverName ?? image.InstanceName)}` : 'its server';
  const share = f.operation === 'Share';
  const accounts = plan.accounts;

  const parts = [
    plan.ecs ? (share ? 'to ECS in this account' : 'from ECS') : '',
    accounts.length ? `${share ? 'with' : 'from'} ${accountWords(accounts)}${share ? ` (${accounts.length === 1 ? 'another Alibaba Cloud account' : 'other Alibaba Cloud accounts'})` : ''}` : '',
  ].filter(Boolean);
  const Summary = `${share ? 'Share' : 'Stop sharing'} ${img} ${listWords(parts)} in ${regionId}.`;

  const Steps: string[] = [];
  const Irreversible: string[] = [];
  const Warnings: string[] = [];
  if (plan.ecs === 'Share') {
    Steps.push(`Share ${img} to ECS in this account: it appears among the ECS custom images of ${regionId} and is kept if ${source} is released. Nothing leaves the account; unsharing undoes it.`);
  } else if (plan.ecs === 'UnShare') {
    Steps.push(`Stop sharing ${img} to ECS: ECS no longer lists it.`);
    Warnings.push(`ECS instances created from ${named(image.ImageId, image.Name)} can no longer re-initialise their disks from it until it is shared again.`);
  }
  if (accounts.length && share) {
    Steps.push(`Share ${img} with ${accountWords(accounts)}: ${accounts.length === 1 ? 'it' : 'they'} can create and re-install servers in ${regionId} from it, and so get a copy of what was on the system disk of ${source} when the image was made, ${when(image.CreationTime, f.now)} (files, keys, passwords and data stored on it). A data disk in the image is not shared with accounts.`);
    Irreversible.push(`${accounts.length === 1 ? 'Account' : 'Accounts'} ${listWords(accounts)} can copy what is on the system disk of ${named(image.ImageId, image.Name)}; what ${accounts.length === 1 ? 'it creates' : 'they create'} from it meanwhile stays ${accounts.length === 1 ? 'its own' : 'theirs'} after unsharing.`);
  } else if (accounts.length) {
    Steps.push(`Stop sharing ${img} with ${accountWords(accounts)}: ${accounts.length === 1 ? 'it' : 'they'} can no longer create or re-install servers from it; servers already made keep running.`);
  }
  const Details = f.requests.map((r) => planDetail(r, image.ImageId));
  return { Summary, Steps, Irreversible, Warnings, Details };
}
