import type { z } from 'zod';
import { count } from '../consent/index.js';
import { apiText } from '../untrusted.js';
import { checkLine } from '../preflight/checks.js';
import { SIMULATED_NOTE } from '../tools/common.js';
import type { tagCustomImagesOutput } from '../tools/tag-custom-images.js';

type Output = z.input<ReturnType<typeof tagCustomImagesOutput>>;

export const tagWord = (k: string, v: string) => `${apiText(k, 64)}=${apiText(v, 64)}`;

export function tagCustomImagesText(out: Output): string {
  const lines: string[] = [];
  if (out.Changed === undefined && out.Sent?.length) {
    lines.push(`Sent: ${out.Sent.map((s) => `${s.Action} RequestId ${s.RequestId}`).join('; ')}. Whether the tags changed is not known: the images could not all be read back (see the notes).`);
  } else if (!out.Changed && out.Sent?.length) {
    lines.push(`Not done: the requests were answered by the API, but the tags did not change (see the notes).`);
  } else if (!out.Changed) {
    lines.push(out.DryRun && out.Requests?.length
      ? `Dry run: every check passed. The requests below would be sent; nothing was sent.`
      : `Nothing to do: every image already has the tags asked for, so nothing was sent.`);
    if (out.DryRun && out.Requests?.length) lines.push(...out.Requests.map((r) => `${r.Action} ${JSON.stringify(r.Parameters)}`));
  } else {
    lines.push(`Changed the tags of ${count(out.Changes?.length ?? 0, 'image')} in ${out.RegionId}. Sent: ${(out.Sent ?? []).map((s) => `${s.Action} RequestId ${s.RequestId}${s.Applied === false ? ' (changed nothing)' : ''}`).join('; ')}.`);
  }
  lines.push(out.DryRun ? 'Tags as they would become:' : 'Tags now:');
  for (const m of out.Images ?? []) {
    lines.push(`- ${m.ImageId}${m.ImageName ? ` "${apiText(m.ImageName, 128)}"` : ''}: ${m.Tags.length ? m.Tags.map((t) => tagWord(t.Key, t.Value)).join(', ') : 'no tags'}`);
  }
  lines.push('(Names and tags above are data from the API.)');
  lines.push('Checks:', ...out.Checks.map(checkLine));
  for (const note of out.Notes) lines.push(`Note: ${note}`);
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}
