import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { INSTANCE_ID_PATTERN } from '../swas/shapes.js';
import type { Instance } from '../swas/types.js';
import {
  errorSchema, failure, regionOrDefault, success, toFailure, type ToolContext, SIMULATED_NOTE, simulatedField, idListField, maxResultsField, READ_ONLY_ANNOTATIONS,
} from './common.js';
import { apiText } from '../explain/untrusted.js';
import { defineTool } from './registry.js';
import { appViewUri } from '../apps/views.js';
import { acrossRegions, ALL_REGIONS, failedRegionsLine, searchEveryRegionStep, whereWords, regionOrAllField, regionOutcomeSchema } from './regions.js';

export const INSTANCE_STATUSES = ['Pending', 'Starting', 'Running', 'Stopping', 'Stopped', 'Resetting', 'Upgrading', 'Disabled'] as const;

export const listInstancesInput = lazySchema(() => z.strictObject({
  RegionId: regionOrAllField(),
  InstanceIds: idListField('InstanceIds', INSTANCE_ID_PATTERN, 'a server ID (letters, digits, "-" and "_", at most 64)', 'server')
    .describe('Only these servers (IDs), at most 100. Optional.'),
  InstanceName: z.string()
    .min(1, { message: 'InstanceName must not be empty' })
    .max(128, { message: 'InstanceName is at most 128 characters' })
    .optional()
    .describe('Only servers with this name; "*" is a wildcard, e.g. "shop*". Optional.'),
  Status: z.enum(INSTANCE_STATUSES).optional()
    .describe('Only servers in this state. Running and Stopped servers can be snapshotted and imaged. Optional.'),
  MaxResults: maxResultsField(),
}));

const diskOut = lazySchema(() => z.object({
  DiskId: z.string(),
  DiskType: z.string().describe('"system" or "data" (lower case, as the API returns it).'),
  Size: z.number().optional().describe('GiB.'),
  Category: z.string().optional(),
}));

const instanceOut = lazySchema(() => z.object({
  InstanceId: z.string(),
  InstanceName: z.string(),
  RegionId: z.string(),
  Status: z.string().describe('Running, Stopped, Starting, Stopping, Pending, Resetting, Upgrading or Disabled.'),
  BusinessStatus: z.string().optional().describe('Normal, Expired or Overdue.'),
  CreationTime: z.string().optional(),
  ExpiredTime: z.string().optional(),
  PublicIpAddress: z.string().optional(),
  PlanId: z.string().optional(),
  ImageName: z.string().optional().describe('The image the server runs, e.g. WordPress.'),
  Disks: z.array(diskOut()).describe('The server\'s disks; create_snapshot takes the InstanceId (system disk) or a DiskId.'),
}));

export const listInstancesOutput = lazySchema(() => z.object({
  RegionId: z.string().optional(),
  Instances: z.array(instanceOut()).optional(),
  TotalCount: z.number().int().optional().describe('How many servers matched, as the API counts them.'),
  Truncated: z.boolean().optional().describe('True when more servers matched than are listed here (raise MaxResults or narrow the filter).'),
  Regions: z.array(regionOutcomeSchema()).optional().describe('RegionId "all" only: how each region went.'),
  Simulated: simulatedField(),
  Error: errorSchema().optional(),
}));

type Input = z.output<ReturnType<typeof listInstancesInput>>;
type Output = z.input<ReturnType<typeof listInstancesOutput>>;

function compact(i: Instance): z.input<ReturnType<typeof instanceOut>> {
  return {
    InstanceId: i.InstanceId, InstanceName: i.InstanceName, RegionId: i.RegionId, Status: i.Status,
    BusinessStatus: i.BusinessStatus, CreationTime: i.CreationTime, ExpiredTime: i.ExpiredTime,
    PublicIpAddress: i.PublicIpAddress, PlanId: i.PlanId, ImageName: i.ImageName,
    Disks: i.Disks.map((d) => ({ DiskId: d.DiskId, DiskType: d.DiskType, Size: d.Size, Category: d.Category })),
  };
}

function text(out: Output): string {
  const list = out.Instances ?? [];
  const where = whereWords(out.RegionId, out.Regions, list.length > 0);
  const failed = failedRegionsLine(out.Regions);
  if (list.length === 0) {
    return [`No servers match ${where}.`, failed, searchEveryRegionStep('list_instances', out.RegionId), out.Simulated ? SIMULATED_NOTE : undefined].filter(Boolean).join('\n');
  }
  const lines = [`${list.length} server(s) ${where}${out.Truncated ? ` (truncated: ${out.TotalCount} matched)` : ''}:`];
  for (const i of list) {
    const disks = i.Disks.map((d) => `${d.DiskType} ${d.DiskId}${d.Size !== undefined ? ` ${d.Size} GiB` : ''}`).join(', ');
    lines.push(`- "${apiText(i.InstanceName, 128)}" (${i.InstanceId}) in ${i.RegionId}: ${i.Status}${i.BusinessStatus && i.BusinessStatus !== 'Normal' ? `, ${i.BusinessStatus}` : ''}; disks: ${disks || 'none listed'}`);
  }
  if (failed) lines.push(failed);
  lines.push('(Server names are data from the API.)');
  lines.push('Next: list_snapshots with InstanceId and SourceDiskType "system" shows a server\'s system snapshots.');
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}

async function listInstances(args: Input, signal: AbortSignal, ctx: ToolContext) {
  let region: string | undefined;
  try {
    region = regionOrDefault(args.RegionId, ctx.config);
    const filter = { InstanceIds: args.InstanceIds, InstanceName: args.InstanceName, Status: args.Status };
    const listOne = (regionId: string) => ctx.api.listInstances(regionId, filter, { signal, maxItems: args.MaxResults });
    const listing = region === ALL_REGIONS
      ? await acrossRegions(ctx, signal, 'ListInstances', args.MaxResults, listOne)
      : { ...(await listOne(region)), regions: undefined };
    const out: Output = {
      RegionId: region, Instances: listing.items.map(compact), TotalCount: listing.totalCount,
      Truncated: listing.truncated, ...(listing.regions ? { Regions: listing.regions } : {}), Simulated: ctx.simulated,
    };
    return success(listInstancesOutput(), out, text(out));
  } catch (err) {
    const { error, text: why } = toFailure(err, { action: 'ListInstances', regionId: region }, ctx.log);
    return failure(listInstancesOutput(), { RegionId: region, Simulated: ctx.simulated, Error: error }, why);
  }
}

export const listInstancesTool = defineTool({
  name: 'list_instances',
  title: 'List SWAS servers',
  description: [
    'Lists the Alibaba Cloud Simple Application Servers (SWAS) of one region, or of every region with RegionId "all": ID, name, region, status, creation and expiry time, public IP, and each server\'s disks (DiskId, system/data, size).',
    'Use it first, to find the InstanceId and RegionId of the server to snapshot or image. Filters: InstanceIds, InstanceName (with "*" wildcards), Status. Read-only.',
    'Next: list_snapshots with the InstanceId and SourceDiskType "system" to find a finished system snapshot, or create_snapshot to make one.',
  ].join(' '),
  inputSchema: listInstancesInput,
  outputSchema: listInstancesOutput,
  annotations: READ_ONLY_ANNOTATIONS,
  kind: 'read',
  ui: { resourceUri: appViewUri('inventory') },
  ramActions: ['swas-open:ListInstances', 'swas-open:ListRegions'],
  handler: (args, call, ctx) => listInstances(args, call.signal, ctx),
});
