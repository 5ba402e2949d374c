import { apiText } from '../../untrusted.js';
import type { Quota } from '../../preflight/quotas.js';
import type { ResetImage } from '../../preflight/reset-system.js';
import { SNAPSHOTS_PER_SERVER, SNAPSHOT_ACCOUNT_CAP } from '../../preflight/quotas.js';
import { byNewest } from '../../preflight/snapshots.js';
import { sameWord } from '../../swas/status.js';
import type { CustomImage, Instance, Snapshot } from '../../swas/types.js';
import { compareText } from '../../text-order.js';
import { planDetail, type Plan } from '../plan.js';
import { count, listWords, named, noun, when } from '../words.js';

/** What decides whether "make a copy first" can be followed: a custom image of the server needs an image slot and a snapshot of each disk. */
export interface CopyFacts {
  imageQuota: Quota;
  /** The account's own images in the region (to name one that could go). */
  ownImages: CustomImage[];
  /** The snapshots that count towards this server's limit. */
  serverSnapshots: Snapshot[];
  /** Every snapshot in the region (the account-wide cap spans regions; from one region only a full cap is certain). */
  regionSnapshotCount: number;
}

/** The facts the plan of reset_system is written from. */
export interface ResetPlanFacts {
  regionId: string;
  /** Epoch ms of the injected clock. */
  now: number;
  instance: Instance;
  image: ResetImage;
  keyPairName?: string;
  request: { Action: string; Parameters: object };
  /** Undefined: not read; then the plan gives no advice it cannot vouch for. */
  copy?: CopyFacts;
}

function imageWords(m: ResetImage, now: number): string {
  const kind = m.ImageType === 'custom' ? (m.Owner === 'shared-in' ? 'a custom image shared into this account' : 'a custom image of this account')
    : m.ImageType === 'app' ? 'an app image' : m.ImageType === 'system' ? 'a system image' : `an image of type "${apiText(m.ImageType, 16)}"`;
  const facts = [kind];
  if (m.Platform) facts.push(apiText(m.Platform, 32));
  if (m.ImageType === 'custom') {
    facts.push(`made ${when(m.CreationTime, now)}`);
    if (m.SourceInstanceId) facts.push(`from server ${named(m.SourceInstanceId, m.SourceInstanceName)}`);
  }
  return `${named(m.ImageId, m.ImageName)}: ${facts.join(', ')}`;
}

/** A snapshot no custom image was made from (only those can be deleted), failed ones first, then the oldest. */
function deletableSnapshot(c: CopyFacts): Snapshot | undefined {
  const pinned = new Set(c.ownImages.flatMap((m) => [m.SystemSnapshotId, m.DataSnapshotId]).filter(Boolean));
  const free = c.serverSnapshots.filter((s) => !pinned.has(s.SnapshotId));
  return free.find((s) => sameWord(s.Status, 'failed')) ?? [...free].sort(byNewest).pop();
}

/**
 * "Make a copy first", only as far as it can be followed: a custom image of the server needs a
 * free image slot and a snapshot slot for each disk. When one is missing, say what to free first,
 * naming something that can actually be deleted.
 */
export function copyFirstAdvice(instance: Instance, imageId: string, c: CopyFacts, now: number): string {
  const server = `server ${named(instance.InstanceId, instance.InstanceName)}`;
  const disks = Math.max(1, instance.Disks.length);
  const blockers: string[] = [];
  if (c.imageQuota.Remaining <= 0) {
    const candidates = c.ownImages.filter((m) => m.ImageId !== imageId).sort((a, b) => compareText(a.CreationTime ?? '', b.CreationTime ?? ''));
    const oldest = candidates[0];
    blockers.push(`The custom image quota is full (${c.imageQuota.Used} of ${c.imageQuota.Limit} used): delete an image that is no longer needed first${oldest ? `; the oldest is ${named(oldest.ImageId, oldest.Name)}, made ${when(oldest.CreationTime, now)}` : ''}.`);
  }
  const free = SNAPSHOTS_PER_SERVER - c.serverSnapshots.length;
  if (free < disks) {
    const s = deletableSnapshot(c);
    const need = disks - Math.max(0, free);
    blockers.push(`${server[0]!.toUpperCase()}${server.slice(1)} holds ${c.serverSnapshots.length} of ${SNAPSHOTS_PER_SERVER} snapshots and the copy needs ${count(disks, 'new snapshot')}: delete ${need === 1 ? 'one' : need} first${s
      ? `; for example ${named(s.SnapshotId, s.SnapshotName)}${sameWord(s.Status, 'failed') ? ', which failed,' : ','} taken ${when(s.CreationTime, now)}.`
      : '. Each of them was used to make a custom image: delete such an image first, then its snapshot.'}`);
  } else if (c.regionSnapshotCount + disks > SNAPSHOT_ACCOUNT_CAP) {
    const over = c.regionSnapshotCount + disks - SNAPSHOT_ACCOUNT_CAP;
    blockers.push(`This region alone holds ${count(c.regionSnapshotCount, 'snapshot')}, an account at most ${SNAPSHOT_ACCOUNT_CAP}, and the copy needs ${count(disks, 'new snapshot')}: delete ${over === 1 ? 'one' : over} first.`);
  }
  if (blockers.length) {
    return `To keep a copy of what is on it now, a custom image of ${server} must be made first, and there is no room for one yet. ${blockers.join(' ')} Then make the copy, then re-install.`;
  }
  return `To keep a copy of what is on it now, decline and make a custom image of ${server} first (the create_custom_image tool snapshots its ${noun(disks, 'disk')} and makes the image; this takes minutes to tens of minutes). Snapshots alone are not enough: after the reset they can no longer roll this server back. The image can create a new server later; it cannot re-install this same server.`;
}

/** The plan of re-installing a server from an image: pure, facts in. */
export function resetSystemPlan(f: ResetPlanFacts): Plan {
  const { instance, image } = f;
  const server = `server ${named(instance.InstanceId, instance.InstanceName)}`;
  const systemDisk = instance.Disks.find((d) => sameWord(d.DiskType, 'system'));
  const dataDisks = instance.Disks.filter((d) => sameWord(d.DiskType, 'data'));
  const gb = (n: number | undefined) => (n === undefined ? '' : `${n} GB `);

  const Summary = `Re-install ${server} in ${f.regionId} from the image ${named(image.ImageId, image.ImageName)}: everything on its system disk is wiped, and it is unreachable for a few minutes while it re-installs.`;

  const Steps = [
    `Re-install the ${gb(systemDisk?.Size)}system disk of ${server} from the image ${imageWords(image, f.now)}. The server goes to Resetting, then Running again${sameWord(instance.Status, 'Stopped') ? ' (it is Stopped now: it will be running afterwards)' : ''}.`,
    f.keyPairName
      ? `Bind the key pair "${apiText(f.keyPairName, 128)}" for login.`
      : 'No password is set: set one afterwards in the Simple Application Server console (the server, then Reset Password), or bind a key pair.',
  ];

  const now = instance.ImageName ? `, and the "${apiText(instance.ImageName, 128)}" it runs now` : '';
  const Irreversible = [
    `Everything on the ${gb(systemDisk?.Size)}system disk of ${server} is wiped: files, databases, installed software and settings${now}. It cannot be recovered from the server afterwards.`,
  ];
  const before = f.copy ? [...f.copy.serverSnapshots].sort(byNewest) : [];
  Irreversible.push(before.length
    ? `The ${noun(before.length, 'snapshot')} of ${server} taken before the reset (${listWords(before.map((s) => named(s.SnapshotId, s.SnapshotName)))}) ${before.length === 1 ? 'stays' : 'stay'}, but can no longer roll it back.`
    : `Snapshots of ${server} taken before the reset stay, but can no longer roll it back.`);
  const needData = image.RequiredDataDiskSize ?? 0;
  if (needData > 0) {
    Irreversible.push(`The image also holds a data disk (${needData} GB): the server's data ${noun(dataDisks.length, 'disk')} ${listWords(dataDisks.map((d) => `${d.DiskId}${d.Size !== undefined ? ` (${d.Size} GB)` : ''}`))} may be overwritten with it.`);
  }

  const Warnings = [
    `Downtime: ${server} is unreachable while it re-installs (status Resetting). Websites, SSH and everything else on it are down until it is Running again, usually a few minutes.`,
  ];
  if (needData <= 0 && dataDisks.length) {
    Warnings.push(`Kept: the data ${noun(dataDisks.length, 'disk')} ${listWords(dataDisks.map((d) => `${d.DiskId}${d.Size !== undefined ? ` (${d.Size} GB)` : ''}`))}. A reset re-installs the system disk; this image holds no data disk.`);
  }
  Warnings.push(f.copy ? copyFirstAdvice(instance, image.ImageId, f.copy, f.now)
    : `To keep a copy of what is on it now, make a custom image of ${server} first; whether the image and snapshot quotas leave room for one could not be read.`);

  const Details = [planDetail(f.request, instance.InstanceId)];
  return { Summary, Steps, Irreversible, Warnings, Details };
}
