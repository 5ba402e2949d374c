import type { GetPromptResult, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { ToolContext } from '../tools/common.js';

export const imageServerArgs = z.object({
  InstanceName: z.string().max(128).optional().describe('Name of the server to image (as list_instances shows it). Give this or InstanceId.'),
  InstanceId: z.string().max(64).optional().describe('ID of the server to image. Give this or InstanceName.'),
  RegionId: z.string().max(40).optional().describe('Region of the server, e.g. cn-hangzhou. Optional when the server has a default region.'),
  ImageName: z.string().max(128).optional().describe('Name for the new image. Optional: one is proposed (server name plus date).'),
});

export interface ImageServerArgs { InstanceName?: string; InstanceId?: string; RegionId?: string; ImageName?: string }

/** Values from prompt arguments go into text the model reads: keep them on one line and quoted. */
function quoted(v: string): string {
  return JSON.stringify(v.replace(/[\r\n\t]+/g, ' ').trim());
}

/** The "image this server" walk-through, for a writable server or a read-only one. */
export function imageServerText(args: ImageServerArgs, opts: { readOnly: boolean; defaultRegion?: string; allowPurchase?: boolean }): string {
  const server = args.InstanceId ? `the server with InstanceId ${quoted(args.InstanceId)}`
    : args.InstanceName ? `the server named ${quoted(args.InstanceName)}` : 'the server the user means (ask which one if it is not clear)';
  const region = args.RegionId ? `RegionId ${quoted(args.RegionId)}`
    : opts.defaultRegion ? `RegionId ${quoted(opts.defaultRegion)} (the configured default; ask the user if the server may be elsewhere)` : 'the RegionId the user names (ask for it: no default region is configured)';
  const regionValue = args.RegionId ?? opts.defaultRegion;
  const regionArg = regionValue ? `RegionId ${quoted(regionValue)}` : 'the RegionId the user names';
  const imageName = args.ImageName ? quoted(args.ImageName) : 'a name such as "<server name>-<yyyy-mm-dd>" (letters, digits, ":", "_", "-"; propose it to the user)';
  const filter = args.InstanceId ? `InstanceIds [${quoted(args.InstanceId)}]` : args.InstanceName ? `InstanceName ${quoted(args.InstanceName)}` : 'no filter';

  const find = [
    `Goal: make a custom image of ${server} in ${region}, using the swas-image-mcp tools in this order.`,
    '',
    `1. Call list_instances with ${regionArg} and ${filter}. Find the server; note its InstanceId, Status and disks (a data disk is included in the image by default). If none or several match, stop and ask the user. Only Running or Stopped servers can be imaged.`,
  ];
  if (opts.readOnly) {
    return [
      ...find,
      '',
      'This server runs in READ-ONLY mode: create_snapshot and create_custom_image are not available, so nothing can be created here.',
      'Call list_snapshots with the InstanceId and list_custom_images with the RegionId. Report to the user what you found (the server, its disks, its snapshots with their dates, and the image quota), and tell them that creating the image needs the server started without --read-only (SWAS_MCP_READ_ONLY unset), or the Alibaba Cloud console.',
    ].join('\n');
  }
  return [
    ...find,
    `2. Call create_custom_image with RegionId, InstanceId, ImageName ${imageName} and DryRun true. Without snapshot IDs it captures the server as it is now: new snapshots of its system and data disk, then the image. Show the user the plan: the server, the disks in the image, the snapshots it will take and the snapshot and image quota left. Relay every WARNING line. If a quota is full, show what it names to delete and ask the user; never delete on your own.`,
    '3. Ask the user to confirm. Do not go on without a clear yes.',
    '4. Call create_custom_image with the same arguments, DryRun false and WaitForAvailable true. Snapshots take minutes and the image minutes to tens of minutes, so one call rarely finishes it: each answer gives Operation.State and ContinueWith, the exact call that continues the same operation. Make that call, again until Operation.State is "Done" (tell the user it is still being made in between). Repeating it never takes a second snapshot or makes a second image.',
    '5. Report the image ID, its Status (Available when done), the disks it holds, the snapshots the operation took and kept, and the quota left.',
    '',
    'If any tool answers with an error, read its "What to do next" and follow it or explain it to the user; repeating a create call with the same arguments is safe.',
    ...(opts.allowPurchase ? [
      '',
      'And two more like it: if the user wants new servers like this one, call list_plans with the RegionId and ImageId [the new ImageId], let them choose a plan and a period, then create_servers_from_image with Amount 2 (or what they ask) and DryRun true. Show them the cost and the plan; buy only once they approve it (the tool asks them, or answers ConfirmationRequired). The login password is set in the console.',
    ] : []),
  ].join('\n');
}

export function registerImageServerPrompt(server: McpServer, ctx: ToolContext): void {
  server.registerPrompt('image_server', {
    title: 'Image a SWAS server',
    description: ctx.config.readOnly
      ? 'Walks through finding a Simple Application Server, its snapshots and the image quota. This server is read-only, so the walk-through ends by explaining that creation is disabled.'
      : 'Walks through making a custom image of a Simple Application Server as it is now (system and data disk): find it, show the plan, confirm with the user, then continue the capture call after call until the image is Available.',
    argsSchema: imageServerArgs,
  }, (args): GetPromptResult => ({
    description: 'Make a custom image of a SWAS server',
    messages: [{ role: 'user', content: { type: 'text', text: imageServerText(args, { readOnly: ctx.config.readOnly, defaultRegion: ctx.config.regionId, allowPurchase: ctx.config.allowPurchase }) } }],
  }));
}
