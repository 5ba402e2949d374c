import type { z } from 'zod';
import { planText, type Plan } from '../consent/index.js';
import { checkLine } from '../preflight/checks.js';
import { SIMULATED_NOTE } from '../tools/common.js';
import type { shareCustomImageOutput } from '../tools/share-custom-image.js';

type Output = z.input<ReturnType<typeof shareCustomImageOutput>>;

export function stateText(out: Output): string {
  const accounts = out.SharedWithAccounts ?? [];
  return `shared to ECS: ${out.SharedToEcs ? 'yes' : 'no'}; shared with accounts: ${accounts.length ? accounts.join(', ') : 'none'}`;
}

/** A dry run that needs no consent (ECS only): the plan a person would read, and the notes. */
export function shareDryRunText(out: Output, plan: Plan): string {
  return [`Dry run: every check passed; nothing was sent.`, '', planText(plan), '', ...out.Notes.map((n) => `Note: ${n}`)].join('\n');
}

export function shareCustomImageText(out: Output, label: string): string {
  const lines: string[] = [];
  if (out.Changed === undefined && out.Sent?.length) {
    lines.push(`Sent for image ${label} in ${out.RegionId}: ${out.Sent.map((s) => `${s.Action} RequestId ${s.RequestId}`).join('; ')}. Whether the share state changed is not known: the image could not be read back (see the notes).`);
  } else if (!out.Changed && out.Sent?.length) {
    lines.push(`Not done: the requests for image ${label} in ${out.RegionId} were answered by the API, but the share state did not change (see the notes). Now ${stateText(out)}.`);
  } else if (!out.Changed) {
    lines.push(`Nothing to do for image ${label} in ${out.RegionId}: it is already as asked, so nothing was sent${out.DryRun ? ' and nothing would be' : ''}. Now ${stateText(out)}.`);
  } else {
    const sent = (out.Sent ?? []).map((s) => `${s.Action}${s.Accounts ? ` (${s.Accounts.join(', ')})` : ''} RequestId ${s.RequestId}${s.Applied === false ? ' (changed nothing)' : ''}`).join('; ');
    lines.push(`${out.Operation === 'Share' ? 'Shared' : 'Unshared'} image ${label} in ${out.RegionId}. Sent: ${sent}. Now ${stateText(out)}.`);
  }
  lines.push('Checks:', ...out.Checks.map(checkLine));
  for (const note of out.Notes) lines.push(`Note: ${note}`);
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}
