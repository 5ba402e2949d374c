import type { z } from 'zod';
import { checkLine } from '../preflight/checks.js';
import { SIMULATED_NOTE } from '../tools/common.js';
import type { createSnapshotOutput } from '../tools/create-snapshot.js';

type Output = z.input<ReturnType<typeof createSnapshotOutput>>;

export function createSnapshotText(out: Output): string {
  const lines: string[] = [];
  const what = `${out.DiskType ?? ''} disk ${out.DiskId} of server ${out.InstanceId} in ${out.RegionId}`.trim();
  if (out.DryRun) {
    lines.push(`Dry run: every check passed. Creating snapshot "${out.SnapshotName}" of ${what} would send the request below; nothing was sent.`);
    lines.push(JSON.stringify(out.Request?.Parameters));
  } else if (out.Repeated) {
    lines.push(`Snapshot ${out.SnapshotId} ("${out.SnapshotName}") of ${what} already exists: this request was carried out before, so nothing new was created. Status: ${out.Status}${out.Progress ? ` ${out.Progress}` : ''}.`);
  } else {
    lines.push(`Created snapshot ${out.SnapshotId} ("${out.SnapshotName}") of ${what}. Status: ${out.Status}${out.Progress ? ` ${out.Progress}` : ''}.`);
  }
  lines.push('Checks:', ...out.Checks.map(checkLine));
  for (const note of out.Notes) lines.push(`Note: ${note}`);
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}
