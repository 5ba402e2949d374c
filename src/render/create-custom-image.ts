import type { z } from 'zod';
import { checkLine } from '../preflight/checks.js';
import { SIMULATED_NOTE } from '../tools/common.js';
import type { createCustomImageOutput } from '../tools/create-custom-image.js';

type Output = z.input<ReturnType<typeof createCustomImageOutput>>;

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
