import type { z } from 'zod';
import { noun } from '../consent/index.js';
import { checkLine } from '../preflight/checks.js';
import { sharedWith } from '../preflight/delete-custom-images.js';
import { SIMULATED_NOTE } from '../tools/common.js';
import type { deleteCustomImagesOutput } from '../tools/delete-custom-images.js';

type Output = z.input<ReturnType<typeof deleteCustomImagesOutput>>;

/** What a dry run's text adds to the plan: the exact requests in order, the quota after, the checks. */
export function deleteCustomImagesDryRunText(out: Output): string {
  const q = out.Quota;
  return ['', 'Requests, in order:', ...(out.Requests ?? []).map((r) => `${r.Action} ${JSON.stringify(r.Parameters)}`),
    `Quota after: ${q?.Used} of ${q?.Limit} custom images used, ${q?.Remaining} left.`, 'Checks:', ...out.Checks.map(checkLine)].join('\n');
}

export function deleteCustomImagesText(out: Output): string {
  const lines: string[] = [];
  const unshared = (out.Unshared ?? []).map((u) => `${u.ImageId} from ${sharedWith({ ecs: u.Ecs, accounts: u.Accounts })}`);
  if (unshared.length) lines.push(`Unshared ${unshared.join('; ')}.`);
  lines.push(`Deleted custom ${noun(out.Deleted?.length ?? 0, 'image')} ${(out.Deleted ?? []).join(', ')} in ${out.RegionId}${out.Gone?.length === out.Deleted?.length && out.Gone?.length ? '; they are gone from the list' : ' (deletion finishes in the background)'}.`);
  if (out.Quota) lines.push(`Quota after: ${out.Quota.Used} of ${out.Quota.Limit} custom images used, ${out.Quota.Remaining} left.`);
  for (const r of out.RequestIds ?? []) lines.push(`${r.Action} ${r.Target}: RequestId ${r.RequestId}`);
  lines.push('Checks:', ...out.Checks.map(checkLine));
  for (const note of out.Notes) lines.push(`Note: ${note}`);
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}
