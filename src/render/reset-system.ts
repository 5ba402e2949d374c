import type { z } from 'zod';
import { apiText } from '../untrusted.js';
import { checkLine } from '../preflight/checks.js';
import { sameWord } from '../swas/status.js';
import { SIMULATED_NOTE } from '../tools/common.js';
import type { resetSystemOutput } from '../tools/reset-system.js';

type Output = z.input<ReturnType<typeof resetSystemOutput>>;

export function resetSystemText(out: Output): string {
  const lines: string[] = [];
  const server = `server ${out.InstanceId}${out.InstanceName ? ` ("${apiText(out.InstanceName, 128)}")` : ''}`;
  const image = out.Image ? `image ${out.Image.ImageId}${out.Image.ImageName ? ` ("${apiText(out.Image.ImageName, 128)}")` : ''}` : 'the image';
  if (out.Changed === false) {
    lines.push(`Not done: the reset of ${server} in ${out.RegionId} from ${image} was answered by the API, but the server was not re-installed (see the notes). Status: ${out.Status ? apiText(out.Status, 32) : 'unknown'}.`);
  } else if (sameWord(out.Status, 'Running') && out.RunningImage?.ImageId === out.Image?.ImageId) {
    lines.push(`Reset ${server} in ${out.RegionId} from ${image}: it is Running again on that image. Its system disk was wiped and re-installed.`);
  } else {
    lines.push(`Reset of ${server} in ${out.RegionId} from ${image} was accepted. Status: ${out.Status ? apiText(out.Status, 32) : 'unknown'}. Its system disk is being wiped and re-installed.`);
  }
  if (out.RunningImage?.ImageId) lines.push(`The server lists image ${out.RunningImage.ImageId}${out.RunningImage.ImageName ? ` ("${apiText(out.RunningImage.ImageName, 128)}")` : ''}.`);
  if (out.RequestId) lines.push(`RequestId: ${out.RequestId}`);
  lines.push('Checks:', ...out.Checks.map(checkLine));
  for (const note of out.Notes) lines.push(`Note: ${note}`);
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}
