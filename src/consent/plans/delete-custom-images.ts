import type { Quota } from '../../preflight/quotas.js';
import type { DeleteTarget } from '../../preflight/delete-custom-images.js';
import { planDetail, type Plan } from '../plan.js';
import { count, listWords, named, noun, when } from '../words.js';

/** The facts the plan of delete_custom_images is written from. */
export interface DeleteImagesPlanFacts {
  regionId: string;
  /** Epoch ms of the injected clock. */
  now: number;
  targets: DeleteTarget[];
  /** Names of the region's servers by ID (the source servers and the servers made from the images). */
  serverNames: ReadonlyMap<string, string>;
  /** The requests in the order they will be sent (unshares first, the delete last). */
  requests: { Action: string; Parameters: { ImageId?: string; ImageIds?: string[]; Accounts?: string[]; [key: string]: unknown } }[];
  quotaAfter: Quota;
}

/** "made 3 days ago, 2026-11-29 02:00 UTC, from server "blog" (id)". */
function provenance(t: DeleteTarget, f: DeleteImagesPlanFacts): string {
  const source = t.image.InstanceId;
  const from = source ? `, from server ${named(source, f.serverNames.get(source) ?? t.image.InstanceName)}` : '';
  return `made ${when(t.image.CreationTime, f.now)}${from}`;
}

const accountsWords = (accounts: string[]) => `${noun(accounts.length, 'account')} ${listWords(accounts)}`;

/** The plan of deleting custom images (after unsharing them, when asked): pure, facts in. */
export function deleteImagesPlan(f: DeleteImagesPlanFacts): Plan {
  const byId = new Map(f.targets.map((t) => [t.image.ImageId, t]));
  const name = (id: string) => named(id, byId.get(id)?.image.Name);
  const shared = f.targets.filter((t) => f.requests.some((r) => r.Action !== 'DeleteCustomImages' && r.Parameters.ImageId === t.image.ImageId));
  const unshareWords = !shared.length ? ''
    : f.targets.length === 1 ? ', after unsharing it' : `, after unsharing ${listWords(shared.map((t) => name(t.image.ImageId)))}`;
  const Summary = f.targets.length === 1
    ? `Delete the custom image ${name(f.targets[0]!.image.ImageId)} in ${f.regionId} for good${unshareWords}.`
    : `Delete ${count(f.targets.length, 'custom image')} in ${f.regionId} for good: ${listWords(f.targets.map((t) => name(t.image.ImageId)))}${unshareWords}.`;

  const Steps: string[] = [];
  for (const r of f.requests) {
    const id = r.Parameters.ImageId ?? '';
    if (r.Action === 'ModifyImageShareStatus') Steps.push(`Stop sharing ${name(id)} to ECS.`);
    else if (r.Action === 'RemoveCustomImageShareAccount') Steps.push(`Stop sharing ${name(id)} with ${accountsWords(r.Parameters.Accounts ?? [])}.`);
    else for (const t of f.targets) Steps.push(`Delete ${name(t.image.ImageId)}, ${provenance(t, f)}.`);
  }

  const Irreversible: string[] = [];
  for (const t of f.targets) {
    Irreversible.push(`${name(t.image.ImageId)} is gone for good: it cannot be recovered, and no server can be created or re-installed from it any more.`);
    if (t.servers.length) {
      Irreversible.push(`${noun(t.servers.length, 'Server')} ${listWords(t.servers.map((s) => named(s, f.serverNames.get(s))))}, created from ${name(t.image.ImageId)}, can no longer be re-installed from it.`);
    }
  }
  for (const r of f.requests) {
    const id = r.Parameters.ImageId ?? '';
    if (r.Action === 'ModifyImageShareStatus') Irreversible.push(`ECS instances created from ${name(id)} can no longer re-initialise their disks from it.`);
    if (r.Action === 'RemoveCustomImageShareAccount') {
      const accounts = r.Parameters.Accounts ?? [];
      Irreversible.push(`${accounts.length === 1 ? 'Account' : 'Accounts'} ${listWords(accounts)} can no longer create or re-install servers from ${name(id)}; servers ${accounts.length === 1 ? 'it' : 'they'} already made keep running.`);
    }
  }

  const Warnings: string[] = [];
  const kept = f.targets.flatMap((t) => [
    t.image.SystemSnapshotId ? named(t.image.SystemSnapshotId, t.image.SystemSnapshotName) : '',
    t.image.DataSnapshotId ? named(t.image.DataSnapshotId, t.image.DataSnapshotName) : '',
  ]).filter(Boolean);
  const uniqueKept = [...new Set(kept)];
  if (uniqueKept.length) {
    Warnings.push(`Kept: the ${noun(uniqueKept.length, 'snapshot')} the ${noun(f.targets.length, 'image was', 'images were')} made from, ${listWords(uniqueKept)}. ${uniqueKept.length === 1 ? 'It still counts' : 'They still count'} towards the 3 snapshots a server may hold, and can be deleted once the ${noun(f.targets.length, 'image is', 'images are')} gone.`);
  }
  Warnings.push(`Afterwards ${f.quotaAfter.Used} of ${f.quotaAfter.Limit} custom images are used in ${f.regionId}.`);

  const Details = f.requests.map((r) => planDetail(r, r.Parameters.ImageIds?.join(', ') ?? r.Parameters.ImageId ?? ''));
  return { Summary, Steps, Irreversible, Warnings, Details };
}
