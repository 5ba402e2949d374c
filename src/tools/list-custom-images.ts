import { z } from 'zod';
import { imageQuota } from '../preflight/create-image.js';
import { IMAGE_ID_PATTERN, IMAGE_NAME_PATTERN, INSTANCE_ID_PATTERN } from '../swas/shapes.js';
import { IMAGE_STATUS_VALUES, imageStatusWord } from '../swas/status.js';
import type { CustomImage } from '../swas/types.js';
import {
  errorSchema, failure, regionOrDefault, success, toFailure, type ToolContext, SIMULATED_NOTE, simulatedField, idListField, maxResultsField, optionalRegionField, READ_ONLY_ANNOTATIONS,
} from './common.js';
import { defineTool } from './registry.js';

export const listCustomImagesInput = z.strictObject({
  RegionId: optionalRegionField,
  ImageIds: idListField('ImageIds', IMAGE_ID_PATTERN, 'an image ID such as m-bp1abc...', 'image')
    .describe('Only these images (m-… IDs), at most 100. Use it to follow one image after create_custom_image. Optional.'),
  ImageNames: idListField('ImageNames', IMAGE_NAME_PATTERN, 'an image name (2–128 letters, digits, ":", "_", "-")', 'image')
    .describe('Only images with these exact names, at most 100; handy to check whether a name is taken. Optional.'),
  InstanceId: z.string()
    .regex(INSTANCE_ID_PATTERN, { message: 'InstanceId must be the server ID from list_instances' })
    .optional()
    .describe('Only images made from this server. Optional.'),
  MaxResults: maxResultsField,
});

const imageOut = z.object({
  ImageId: z.string(),
  ImageName: z.string(),
  Status: z.enum(IMAGE_STATUS_VALUES).describe('Creating, Available, Failed, Copying, Unavailable (Unknown if the API sent an unknown code).'),
  RegionId: z.string(),
  InstanceId: z.string().optional().describe('Source server.'),
  InstanceName: z.string().optional(),
  SystemSnapshotId: z.string().optional(),
  DataSnapshotId: z.string().optional(),
  CreationTime: z.string().optional(),
  Description: z.string().optional(),
});

const quotaOut = z.object({
  Limit: z.number().int().describe('min(3 × servers in the region, 15).'),
  Used: z.number().int().describe('Custom images in the region, whatever the filters.'),
  Remaining: z.number().int(),
  ServerCount: z.number().int(),
});

export const listCustomImagesOutput = z.object({
  RegionId: z.string().optional(),
  Images: z.array(imageOut).optional(),
  TotalCount: z.number().int().optional().describe('How many images matched the filters.'),
  Truncated: z.boolean().optional().describe('True when more images matched than are listed here.'),
  Quota: quotaOut.optional().describe('The region\'s custom image quota: 3 per server, at most 15.'),
  Simulated: simulatedField,
  Error: errorSchema.optional(),
});

type Input = z.output<typeof listCustomImagesInput>;
type Output = z.input<typeof listCustomImagesOutput>;

function compact(m: CustomImage): z.input<typeof imageOut> {
  return {
    ImageId: m.ImageId, ImageName: m.Name, Status: imageStatusWord(m.StatusCode), RegionId: m.RegionId,
    InstanceId: m.InstanceId, InstanceName: m.InstanceName, SystemSnapshotId: m.SystemSnapshotId,
    DataSnapshotId: m.DataSnapshotId, CreationTime: m.CreationTime, Description: m.Description || undefined,
  };
}

function text(out: Output): string {
  const list = out.Images ?? [];
  const lines = [list.length === 0
    ? `No custom images match in ${out.RegionId}.`
    : `${list.length} custom image(s) in ${out.RegionId}${out.Truncated ? ' (truncated: more matched)' : ''}:`];
  for (const m of list) {
    lines.push(`- ${m.ImageId} "${m.ImageName}": ${m.Status}${m.InstanceId ? `, from server ${m.InstanceName ? `${m.InstanceName} ` : ''}(${m.InstanceId})` : ''}${m.SystemSnapshotId ? `, snapshot ${m.SystemSnapshotId}` : ''}, created ${m.CreationTime ?? 'at an unknown time'}`);
  }
  if (out.Quota) {
    lines.push(`Quota: ${out.Quota.Used} of ${out.Quota.Limit} custom images used (3 per server × ${out.Quota.ServerCount} servers, at most 15); ${out.Quota.Remaining} left.`);
  }
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}

async function listCustomImages(args: Input, signal: AbortSignal, ctx: ToolContext) {
  let region: string | undefined;
  try {
    region = regionOrDefault(args.RegionId, ctx.config);
    const filter = { ImageIds: args.ImageIds, ImageNames: args.ImageNames, InstanceId: args.InstanceId };
    const filtered = args.ImageIds !== undefined || args.ImageNames !== undefined || args.InstanceId !== undefined;
    // Counts only need the API's TotalCount: one page each (maxItems 1 stops after the first page).
    const [images, servers, allImages] = await Promise.all([
      ctx.api.listCustomImages(region, filter, { signal, maxItems: args.MaxResults }),
      ctx.api.listInstances(region, {}, { signal, maxItems: 1 }),
      filtered ? ctx.api.listCustomImages(region, {}, { signal, maxItems: 1 }) : undefined,
    ]);
    const out: Output = {
      RegionId: region, Images: images.items.map(compact), TotalCount: images.totalCount,
      Truncated: images.truncated,
      Quota: { ...imageQuota(servers.totalCount, (allImages ?? images).totalCount), ServerCount: servers.totalCount },
      Simulated: ctx.simulated,
    };
    return success(listCustomImagesOutput, out, text(out));
  } catch (err) {
    const { error, text: why } = toFailure(err, { action: 'ListCustomImages', regionId: region, instanceId: args.InstanceId }, ctx.log);
    return failure(listCustomImagesOutput, { RegionId: region, Simulated: ctx.simulated, Error: error }, why);
  }
}

export const listCustomImagesTool = defineTool({
  name: 'list_custom_images',
  title: 'List SWAS custom images and the image quota',
  description: [
    'Lists the custom images of Simple Application Servers in one region: ID, name, status in words (Creating, Available, Failed, Copying, Unavailable), source server and snapshot, creation time.',
    'It always also reports the region\'s image quota (Limit = min(3 × servers, 15), Used, Remaining), counting every image and server of the region whatever the filters (it reads the server list and, when filtered, the whole image list alongside).',
    'Use it to check whether an image name is taken (ImageNames), whether the quota has room before create_custom_image, and to follow a new image until it is Available (ImageIds). Read-only.',
  ].join(' '),
  inputSchema: listCustomImagesInput,
  outputSchema: listCustomImagesOutput,
  annotations: READ_ONLY_ANNOTATIONS,
  kind: 'read',
  ramActions: ['swas-open:ListCustomImages', 'swas-open:ListInstances'],
  handler: (args, call, ctx) => listCustomImages(args, call.signal, ctx),
});
