import type { z } from 'zod';
import type { CaptureStep } from '../preflight/capture.js';
import { checkLine, type Check } from '../preflight/checks.js';
import type { Disk, Snapshot } from '../swas/types.js';
import { apiText } from '../untrusted.js';
import { SIMULATED_NOTE } from '../tools/common.js';
import type { createCustomImageOutput } from '../tools/create-custom-image.js';

type Output = z.input<ReturnType<typeof createCustomImageOutput>>;
type OpSnapshot = NonNullable<Output['Operation']>['Snapshots'][number];

// The words of the structured result, from plain values (the text answer below reads them back).

/** The checks whose outcome is a warning: relayed to the user before going on. */
export const warningsOf = (checks: Check[]): string[] => checks.filter((c) => c.Outcome === 'warning').map((c) => c.Detail);

/** Why this system snapshot was picked (SnapshotChoice.Reason); its name is API text. */
export function snapshotChoiceReason(chosen: Snapshot, skipped: Snapshot[]): string {
  const base = `newest finished system-disk snapshot of the server: ${chosen.SnapshotId} ("${apiText(chosen.SnapshotName, 64)}"), taken ${chosen.CreationTime ?? 'at an unknown time'}.`;
  if (skipped.length === 0) return base;
  return `${base} Newer but unfinished: ${skipped.map((s) => `${s.SnapshotId} (${s.Status})`).join(', ')}.`;
}

/** Which disks the image holds (DisksInImage). */
export function disksWords(dataDisks: Disk[], dataIncluded: string | undefined, included?: Disk): string {
  const gib = (d: Disk) => (d.Size !== undefined ? ` (${d.Size} GiB)` : '');
  if (dataIncluded) return `the system disk and data disk ${included?.DiskId ?? ''}${included ? gib(included) : ''}, from data snapshot ${dataIncluded}.`;
  if (dataDisks.length === 0) return 'the system disk (the server has no data disk).';
  return `the system disk only: the files on data disk ${dataDisks.map((d) => `${d.DiskId}${gib(d)}`).join(', ')} are not in the image.`;
}

/** The snapshots of a capture as Operation.Snapshots shows them: each step, with the snapshot it made if any. */
export function operationSnapshots(steps: CaptureStep[]): OpSnapshot[] {
  return steps.map((s) => ({
    SnapshotName: s.name, DiskId: s.disk.DiskId, DiskType: s.role,
    ...(s.existing ? { SnapshotId: s.existing.SnapshotId, Status: s.existing.Status, ...(s.existing.Progress ? { Progress: s.existing.Progress } : {}) } : {}),
  }));
}

export function snapshotWords(out: Output): string {
  if (!out.SystemSnapshotId) return 'new snapshots of its disks';
  return `system snapshot ${out.SystemSnapshotId}${out.DataSnapshotId ? ` and data snapshot ${out.DataSnapshotId}` : ''}`;
}

export function headline(out: Output): string[] {
  const where = `server ${out.InstanceId} in ${out.RegionId}`;
  const snap = snapshotWords(out);
  const op = out.Operation;
  const taking = (op?.Snapshots ?? []).map((s) => `${s.SnapshotId ?? 'new'} ("${s.SnapshotName}", ${s.DiskType} disk${s.Status ? `, ${s.Status}${s.Progress ? ` ${s.Progress}` : ''}` : ''})`).join(' and ');
  if (out.Repeated) {
    // A repeat first: a dry run of a request already carried out must not read as "would send".
    return [`Image ${out.ImageId} ("${out.ImageName}") already exists from ${where} (${snap}): this request was carried out before, so nothing new was created${out.DryRun ? ' and nothing would be sent' : ''}. Status: ${out.Status}.`];
  }
  if (op && out.ImageId && out.RequestId === undefined) {
    return [`Image ${out.ImageId} ("${out.ImageName}") of ${where}, made by this operation from ${snap}. Status: ${out.Status}.${out.DryRun ? ' Nothing would be sent.' : ''}`];
  }
  if (out.DryRun && out.SnapshotRequests) {
    return [
      `Dry run: every check passed. Capturing ${where} as it is now would first take ${out.SnapshotRequests.length === 1 ? 'a snapshot' : `${out.SnapshotRequests.length} snapshots`} (the requests below), then, once they are accomplished (usually minutes), create image "${out.ImageName}" from them. Nothing was sent.`,
      ...out.SnapshotRequests.map((r) => JSON.stringify(r.Parameters)),
    ];
  }
  if (out.DryRun && op?.State === 'SnapshotsInProgress') {
    return [`Dry run: the snapshots of this operation are still being taken (${taking}); the image will be created from them. Nothing was sent.`];
  }
  if (out.DryRun) {
    return [`Dry run: every check passed. Creating image "${out.ImageName}" from ${where} (${snap}) would send the request below; nothing was sent.`, JSON.stringify(out.Request?.Parameters)];
  }
  if (op?.State === 'SnapshotsReady') {
    return [`Capturing ${where} as it is now for image "${out.ImageName}": snapshots ${taking} are accomplished; the next call creates the image from them. Continue with: ${op.ContinueWith ?? ''}.`];
  }
  if (op?.State === 'SnapshotsInProgress') {
    return [`Capturing ${where} as it is now for image "${out.ImageName}": snapshots ${taking} are being taken; the image is created from them once they are accomplished (usually minutes). Continue with: ${op.ContinueWith ?? ''}. The same call never takes a snapshot twice.`];
  }
  return [`Created custom image ${out.ImageId} ("${out.ImageName}") from ${where} (${snap}). Status: ${out.Status}.`];
}

export function createCustomImageText(out: Output): string {
  const lines: string[] = [];
  for (const w of out.Warnings ?? []) lines.push(`WARNING (tell the user): ${w}`);
  lines.push(...headline(out));
  lines.push(`Disks in the image: ${out.DisksInImage}`);
  if (out.SnapshotChoice) lines.push(`Snapshot chosen: ${out.SnapshotChoice.Reason}`);
  if (out.Quota) lines.push(`Image quota: ${out.Quota.Used} of ${out.Quota.Limit} used${out.Quota.RemainingAfter !== undefined ? `, ${out.Quota.RemainingAfter} left after this image` : ''}.`);
  if (out.SnapshotQuota) lines.push(`Snapshot quota of the server: ${out.SnapshotQuota.Used} of ${out.SnapshotQuota.Limit} used${out.SnapshotQuota.RemainingAfter !== undefined ? `, ${out.SnapshotQuota.RemainingAfter} left after this capture` : ''}.`);
  lines.push('Checks:', ...out.Checks.map(checkLine));
  for (const note of out.Notes) lines.push(`Note: ${note}`);
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}
