import type { z } from 'zod';
import { count } from '../consent/index.js';
import { checkLine } from '../preflight/checks.js';
import { SNAPSHOTS_PER_SERVER } from '../preflight/quotas.js';
import { SIMULATED_NOTE } from '../tools/common.js';
import type { deleteSnapshotsOutput } from '../tools/delete-snapshots.js';

type Output = z.input<ReturnType<typeof deleteSnapshotsOutput>>;

export function leftText(out: Output): string[] {
  return (out.Left ?? []).map((g) => `${g.InstanceId ? `Server ${g.InstanceId}` : `Data disk ${g.SourceDiskId}`} has ${count(g.SnapshotIds.length, 'snapshot')} left${g.SnapshotIds.length ? ` (${g.SnapshotIds.join(', ')})` : ''}${g.InstanceId ? `; a server holds at most ${SNAPSHOTS_PER_SERVER}, data-disk snapshots included` : ''}.`);
}

/** What a dry run's text adds to the plan: the exact request, what is left, the checks. */
export function deleteSnapshotsDryRunText(out: Output): string {
  const r = out.Request;
  return ['', `Request: ${r?.Action} ${JSON.stringify(r?.Parameters)}`, ...leftText(out), 'Checks:', ...out.Checks.map(checkLine)].join('\n');
}

export function deleteSnapshotsText(out: Output): string {
  const lines = [`Deleted ${count((out.Deleted ?? []).length, 'snapshot')} ${(out.Deleted ?? []).join(', ')} in ${out.RegionId}. RequestId ${out.RequestId}.`, ...leftText(out)];
  lines.push('Checks:', ...out.Checks.map(checkLine));
  for (const note of out.Notes) lines.push(`Note: ${note}`);
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}
