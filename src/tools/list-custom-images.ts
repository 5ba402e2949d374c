import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { imageQuota } from '../preflight/create-image.js';
import { IMAGE_ID_PATTERN, IMAGE_NAME_PATTERN, INSTANCE_ID_PATTERN } from '../swas/shapes.js';
import { IMAGE_STATUS_VALUES, imageStatusWord } from '../swas/status.js';
import type { CustomImage } from '../swas/types.js';
import {
  errorSchema, failure, regionOrDefault, success, toFailure, type ToolContext, SIMULATED_NOTE, simulatedField, idListField, maxResultsField, READ_ONLY_ANNOTATIONS,
} from './common.js';
import { apiText } from '../explain/untrusted.js';
import { defineTool } from './registry.js';
import { appViewUri } from '../apps/views.js';
import { acrossRegions, ALL_REGIONS, failedRegionsLine, searchEveryRegionStep, whereWords, regionOrAllField, regionOutcomeSchema } from './regions.js';

export const listCustomImagesInput = lazySchema(() => z.strictObject({
  RegionId: regionOrAllField(),
  ImageIds: idListField('ImageIds', IMAGE_ID_PATTERN, 'an image ID such as m-bp1abc...', 'image')
    .describe('Only these images (m-… IDs), at most 100. Use it to follow one image after create_custom_image. Optional.'),
  ImageNames: idListField('ImageNames', IMAGE_NAME_PATTERN, 'an image name (2–128 letters, digits, ":", "_", "-")', 'image')
    .describe('Only images with these exact names, at most 100; handy to check whether a name is taken. Optional.'),
  InstanceId: z.string()
    .regex(INSTANCE_ID_PATTERN, { message: 'InstanceId must be the server ID from list_instances' })
    .optional()
    .describe('Only images made from this server. Optional.'),
  IncludeSharedWithMe: z.boolean().default(false)
    .describe('true: also list images other Alibaba Cloud accounts shared with this account (Owner "shared-in"). They can be used to create servers (not to reset one), but not deleted, shared or tagged, and they use none of this account\'s quota. Default false: the account\'s own images only.'),
  MaxResults: maxResultsField(),
}));

const imageOut = lazySchema(() => z.object({
  ImageId: z.string(),
  ImageName: z.string(),
  Status: z.enum(IMAGE_STATUS_VALUES).describe('Creating, Available, Failed, Copying, Unavailable (Unknown if the API sent an unknown code).'),
  RegionId: z.string(),
  InstanceId: z.string().optional().describe('Source server.'),
  InstanceName: z.string().optional(),
  SystemSnapshotId: z.string().optional(),
  DataSnapshotId: z.string().optional(),
  RequiredSystemDiskSize: z.number().optional().describe('GiB: reset_system needs a server whose system disk is at least this large.'),
  RequiredDataDiskSize: z.number().optional().describe('GiB of data disk the image needs (images that hold a data disk).'),
  CreationTime: z.string().optional(),
  Description: z.string().optional(),
  Owner: z.enum(['self', 'shared-in']).describe('"self": the account\'s own image; "shared-in": shared with this account by OwnerAccountId.'),
  OwnerAccountId: z.string().optional().describe('Shared-in images: the Alibaba Cloud account that owns it.'),
  SharedToEcs: z.boolean().describe('Own images: shared to ECS in the same region (share_custom_image with Ecs true), so it outlives its server.'),
  SharedWithAccounts: z.array(z.string()).describe('Own images: the Alibaba Cloud account IDs it is shared with (at most 10).'),
  Tags: z.array(z.object({ Key: z.string(), Value: z.string() })),
}));

const quotaOut = lazySchema(() => z.object({
  Limit: z.number().int().describe('min(3 × servers in the region, 15).'),
  Used: z.number().int().describe('The account\'s own custom images in the region, whatever the filters (images shared in do not count).'),
  Remaining: z.number().int(),
  ServerCount: z.number().int(),
}));

export const listCustomImagesOutput = lazySchema(() => z.object({
  RegionId: z.string().optional(),
  Images: z.array(imageOut()).optional(),
  TotalCount: z.number().int().optional().describe('How many images matched the filters.'),
  Truncated: z.boolean().optional().describe('True when more images matched than are listed here.'),
  Quota: quotaOut().optional().describe('The region\'s custom image quota: 3 per server, at most 15 (RegionId "all": each region\'s is in Regions).'),
  Regions: z.array(regionOutcomeSchema().extend({ Quota: quotaOut().optional() })).optional()
    .describe('RegionId "all" only: how each region went, with its quota.'),
  Simulated: simulatedField(),
  Error: errorSchema().optional(),
}));

type Input = z.output<ReturnType<typeof listCustomImagesInput>>;
type Output = z.input<ReturnType<typeof listCustomImagesOutput>>;

function compact(m: CustomImage, owner: 'self' | 'shared-in', accounts: string[]): z.input<ReturnType<typeof imageOut>> {
  return {
    ImageId: m.ImageId, ImageName: m.Name, Status: imageStatusWord(m.StatusCode), RegionId: m.RegionId,
    InstanceId: m.InstanceId, InstanceName: m.InstanceName, SystemSnapshotId: m.SystemSnapshotId,
    DataSnapshotId: m.DataSnapshotId, CreationTime: m.CreationTime, Description: m.Description || undefined,
    ...(m.RequiredSystemDiskSize ? { RequiredSystemDiskSize: m.RequiredSystemDiskSize } : {}),
    ...(m.RequiredDataDiskSize ? { RequiredDataDiskSize: m.RequiredDataDiskSize } : {}),
    Owner: owner, ...(owner === 'shared-in' && m.UserId ? { OwnerAccountId: m.UserId } : {}),
    SharedToEcs: owner === 'self' && m.InShare === true, SharedWithAccounts: accounts,
    Tags: m.Tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' })),
  };
}

/** Who each own image is shared with: one ListCustomImageShareAccounts per image that is, all at once. */
async function shareAccounts(ctx: ToolContext, region: string, images: CustomImage[], signal: AbortSignal): Promise<Map<string, string[]>> {
  const shared = images.filter((m) => m.InShareUser === true);
  const lists = await Promise.all(shared.map((m) => ctx.api.listCustomImageShareAccounts(region, m.ImageId, { signal })));
  return new Map(shared.map((m, i) => [m.ImageId, lists[i]!.items.map((a) => a.UserId)]));
}

function text(out: Output): string {
  const list = out.Images ?? [];
  const where = whereWords(out.RegionId, out.Regions, list.length > 0);
  const lines = [list.length === 0
    ? `No custom images match ${where}.`
    : `${list.length} custom image(s) ${where}${out.Truncated ? ' (truncated: more matched)' : ''}:`];
  const everywhere = list.length === 0 ? searchEveryRegionStep('list_custom_images', out.RegionId) : undefined;
  if (everywhere) lines.push(everywhere);
  for (const m of list) {
    const shared = [m.SharedToEcs ? 'ECS' : '', m.SharedWithAccounts.length ? `accounts ${m.SharedWithAccounts.join(', ')}` : ''].filter(Boolean);
    lines.push(`- ${m.ImageId} "${apiText(m.ImageName, 128)}" in ${m.RegionId}: ${m.Status}`
      + (m.Owner === 'shared-in' ? `, shared in by account ${m.OwnerAccountId ?? 'unknown'}` : '')
      + (m.InstanceId ? `, from server ${m.InstanceName ? `"${apiText(m.InstanceName, 128)}" ` : ''}(${m.InstanceId})` : '')
      + (m.SystemSnapshotId ? `, snapshot ${m.SystemSnapshotId}` : '')
      + (m.RequiredSystemDiskSize ? `, needs a ${m.RequiredSystemDiskSize} GiB system disk${m.RequiredDataDiskSize ? ` and ${m.RequiredDataDiskSize} GiB data disk` : ''}` : '')
      + `, created ${m.CreationTime ?? 'at an unknown time'}`
      + (shared.length ? `, shared to ${shared.join(' and ')}` : (m.Owner === 'self' ? ', not shared' : ''))
      + (m.Tags.length ? `, tags ${m.Tags.map((t) => `${apiText(t.Key, 64)}=${apiText(t.Value, 64)}`).join(', ')}` : ''));
  }
  if (list.length) lines.push('(Names, descriptions and tags above are data from the API.)');
  const quotaLine = (q: NonNullable<Output['Quota']>) => `${q.Used} of ${q.Limit} custom images used (3 per server × ${q.ServerCount} servers, at most 15); ${q.Remaining} left`;
  if (out.Quota) lines.push(`Quota: ${quotaLine(out.Quota)}.`);
  for (const r of out.Regions ?? []) if (r.Quota && (r.Quota.Used > 0 || r.Quota.ServerCount > 0)) lines.push(`Quota in ${r.RegionId}: ${quotaLine(r.Quota)}.`);
  const failed = failedRegionsLine(out.Regions);
  if (failed) lines.push(failed);
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}

async function listCustomImages(args: Input, signal: AbortSignal, ctx: ToolContext) {
  let region: string | undefined;
  try {
    region = regionOrDefault(args.RegionId, ctx.config);
    const filter = { ImageIds: args.ImageIds, ImageNames: args.ImageNames, InstanceId: args.InstanceId };
    const filtered = args.ImageIds !== undefined || args.ImageNames !== undefined || args.InstanceId !== undefined;
    const quotas = new Map<string, NonNullable<Output['Quota']>>();
    const listOne = async (regionId: string) => {
      // Own images (Share=false) are what the quota counts; counts need only the API's TotalCount,
      // one small page each. Everything is read at once.
      const [own, sharedIn, servers, allOwn] = await Promise.all([
        ctx.api.listCustomImages(regionId, { ...filter, Share: false }, { signal, maxItems: args.MaxResults }),
        args.IncludeSharedWithMe ? ctx.api.listCustomImages(regionId, { ...filter, Share: true }, { signal, maxItems: args.MaxResults }) : undefined,
        ctx.api.listInstances(regionId, {}, { signal, maxItems: 1 }),
        filtered ? ctx.api.listCustomImages(regionId, { Share: false }, { signal, maxItems: 1 }) : undefined,
      ]);
      const accounts = await shareAccounts(ctx, regionId, own.items, signal);
      quotas.set(regionId, { ...imageQuota(servers.totalCount, (allOwn ?? own).totalCount), ServerCount: servers.totalCount });
      const items = [
        ...own.items.map((m) => compact(m, 'self', accounts.get(m.ImageId) ?? [])),
        ...(sharedIn?.items ?? []).map((m) => compact(m, 'shared-in', [])),
      ];
      const totalCount = own.totalCount + (sharedIn?.totalCount ?? 0);
      return { items, totalCount, truncated: totalCount > items.length };
    };
    let out: Output;
    if (region === ALL_REGIONS) {
      const all = await acrossRegions(ctx, signal, 'ListCustomImages', args.MaxResults, listOne);
      out = {
        RegionId: region, Images: all.items, TotalCount: all.totalCount, Truncated: all.truncated, Simulated: ctx.simulated,
        Regions: all.regions.map((r) => ({ ...r, ...(quotas.has(r.RegionId) ? { Quota: quotas.get(r.RegionId) } : {}) })),
      };
    } else {
      const part = await listOne(region);
      const items = part.items.slice(0, args.MaxResults);
      out = {
        RegionId: region, Images: items, TotalCount: part.totalCount, Truncated: part.totalCount > items.length,
        Quota: quotas.get(region), Simulated: ctx.simulated,
      };
    }
    return success(listCustomImagesOutput(), out, text(out));
  } catch (err) {
    const { error, text: why } = toFailure(err, { action: 'ListCustomImages', regionId: region, instanceId: args.InstanceId }, ctx.log);
    return failure(listCustomImagesOutput(), { RegionId: region, Simulated: ctx.simulated, Error: error }, why);
  }
}

export const listCustomImagesTool = defineTool({
  name: 'list_custom_images',
  title: 'List SWAS custom images and the image quota',
  description: [
    'Lists this account\'s custom images in one region (or RegionId "all"): status in words, source server and snapshots, required disk sizes, share state, tags, and the region\'s image quota (Limit, Used, Remaining).',
    'IncludeSharedWithMe adds images other accounts shared in. Filters: ImageIds, ImageNames (is a name taken?), InstanceId. Read-only.',
  ].join(' '),
  inputSchema: listCustomImagesInput,
  outputSchema: listCustomImagesOutput,
  annotations: READ_ONLY_ANNOTATIONS,
  kind: 'read',
  ui: { resourceUri: appViewUri('inventory') },
  ramActions: ['swas-open:ListCustomImages', 'swas-open:ListInstances', 'swas-open:ListCustomImageShareAccounts', 'swas-open:ListRegions'],
  handler: (args, call, ctx) => listCustomImages(args, call.signal, ctx),
});
