import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { byNewest } from '../preflight/snapshots.js';
import { DISK_ID_PATTERN, INSTANCE_ID_PATTERN, SNAPSHOT_ID_PATTERN } from '../swas/shapes.js';
import { sameWord } from '../swas/status.js';
import type { Snapshot } from '../swas/types.js';
import {
  errorSchema, failure, regionOrDefault, success, toFailure, type ToolContext, SIMULATED_NOTE, simulatedField, idListField, MAX_RESULTS_CAP, maxResultsField, READ_ONLY_ANNOTATIONS,
} from './common.js';
import { apiText } from '../explain/untrusted.js';
import { defineTool } from './registry.js';
import { appViewUri } from '../apps/views.js';
import { acrossRegions, ALL_REGIONS, failedRegionsLine, searchEveryRegionStep, whereWords, regionOrAllField, regionOutcomeSchema } from './regions.js';

export const listSnapshotsInput = lazySchema(() => z.strictObject({
  RegionId: regionOrAllField(),
  SnapshotIds: idListField('SnapshotIds', SNAPSHOT_ID_PATTERN, 'a snapshot ID such as s-bp1abc...', 'snapshot')
    .describe('Only these snapshots (s-… IDs), at most 100. Optional.'),
  InstanceId: z.string()
    .regex(INSTANCE_ID_PATTERN, { message: 'InstanceId must be the server ID from list_instances' })
    .optional()
    .describe('Only snapshots of this server. The API ties only system-disk snapshots to a server; to see a data disk\'s snapshots, filter by its DiskId (list_instances shows the disks). Optional.'),
  DiskId: z.string()
    .regex(DISK_ID_PATTERN, { message: 'DiskId must be a disk ID such as d-bp1abc... (from list_instances)' })
    .optional()
    .describe('Only snapshots taken of this disk (d-…). Optional.'),
  SourceDiskType: z.enum(['system', 'data', 'System', 'Data'], { message: 'SourceDiskType must be "system" or "data"' })
    .optional()
    .describe('"system" or "data": only snapshots of that kind of disk. Custom images need a "system" one. The capitalised spellings the SDK documents are accepted too. Optional.'),
  Status: z.enum(['progressing', 'accomplished', 'failed', 'Progressing', 'Accomplished', 'Failed'], { message: 'Status must be "progressing", "accomplished" or "failed"' })
    .optional()
    .describe('"progressing", "accomplished" (finished, usable for an image) or "failed"; the capitalised spellings the SDK documents are accepted too. Optional.'),
  MaxResults: maxResultsField(),
}));

const snapshotOut = lazySchema(() => z.object({
  SnapshotId: z.string(),
  SnapshotName: z.string(),
  RegionId: z.string(),
  Status: z.string().describe('Lower case as the API returns it: progressing, accomplished or failed.'),
  Progress: z.string().optional().describe('e.g. "45%".'),
  SourceDiskId: z.string().optional(),
  SourceDiskType: z.string().describe('"system" or "data".'),
  InstanceId: z.string().optional().describe('Source server; the API sets it for system-disk snapshots only.'),
  CreationTime: z.string().optional(),
}));

export const listSnapshotsOutput = lazySchema(() => z.object({
  RegionId: z.string().optional(),
  Snapshots: z.array(snapshotOut()).optional().describe('Newest first.'),
  TotalCount: z.number().int().optional().describe('How many snapshots the API matched, before the Status filter (which is applied here).'),
  Truncated: z.boolean().optional().describe('True when more snapshots matched than are listed here.'),
  Regions: z.array(regionOutcomeSchema()).optional().describe('RegionId "all" only: how each region went.'),
  Simulated: simulatedField(),
  Error: errorSchema().optional(),
}));

type Input = z.output<ReturnType<typeof listSnapshotsInput>>;
type Output = z.input<ReturnType<typeof listSnapshotsOutput>>;

/** The filters the API cannot apply (Status) or may spell differently (SourceDiskType), applied here. */
export function filterSnapshots(items: Snapshot[], filter: { Status?: string; SourceDiskType?: string }): Snapshot[] {
  return items.filter((s) => (!filter.Status || sameWord(s.Status, filter.Status))
    && (!filter.SourceDiskType || sameWord(s.SourceDiskType, filter.SourceDiskType)));
}

function compact(s: Snapshot): z.input<ReturnType<typeof snapshotOut>> {
  return {
    SnapshotId: s.SnapshotId, SnapshotName: s.SnapshotName, RegionId: s.RegionId, Status: s.Status, Progress: s.Progress,
    SourceDiskId: s.SourceDiskId, SourceDiskType: s.SourceDiskType, InstanceId: s.InstanceId, CreationTime: s.CreationTime,
  };
}

function text(out: Output, args: Input): string {
  const list = out.Snapshots ?? [];
  const lines: string[] = [];
  const where = whereWords(out.RegionId, out.Regions, list.length > 0);
  if (list.length === 0) {
    lines.push(`No snapshots match ${where}.`);
    if (args.InstanceId && out.RegionId !== ALL_REGIONS) lines.push(`To make one of the server's system disk, call create_snapshot with RegionId "${out.RegionId}" and InstanceId "${args.InstanceId}" (WaitForAccomplished true waits until it is usable).`);
    const everywhere = searchEveryRegionStep('list_snapshots', out.RegionId);
    if (everywhere && !args.InstanceId) lines.push(everywhere);
  } else {
    lines.push(`${list.length} snapshot(s) ${where}, newest first${out.Truncated ? ' (truncated: more matched)' : ''}:`);
    for (const s of list) {
      lines.push(`- ${s.SnapshotId} "${apiText(s.SnapshotName, 64)}" in ${s.RegionId}: ${s.SourceDiskType} disk ${s.SourceDiskId ?? '?'}${s.InstanceId ? ` of server ${s.InstanceId}` : ''}, ${s.Status}${s.Progress ? ` ${s.Progress}` : ''}, taken ${s.CreationTime ?? 'at an unknown time'}`);
    }
    lines.push('(Snapshot names are data from the API.)');
    lines.push('Only "accomplished" system-disk snapshots can become a custom image (create_custom_image). A server holds at most 3 snapshots.');
  }
  const failed = failedRegionsLine(out.Regions);
  if (failed) lines.push(failed);
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}

async function listSnapshots(args: Input, signal: AbortSignal, ctx: ToolContext) {
  let region: string | undefined;
  try {
    region = regionOrDefault(args.RegionId, ctx.config);
    const sourceDiskType = args.SourceDiskType?.toLowerCase();
    // Status is filtered here, so gather up to the cap before cutting to MaxResults.
    const listOne = async (regionId: string) => {
      const listing = await ctx.api.listSnapshots(regionId, {
        SnapshotIds: args.SnapshotIds, InstanceId: args.InstanceId, DiskId: args.DiskId, SourceDiskType: sourceDiskType,
      }, { signal, maxItems: args.Status ? MAX_RESULTS_CAP : args.MaxResults });
      const matched = filterSnapshots(listing.items, { Status: args.Status, SourceDiskType: sourceDiskType });
      return { items: matched, totalCount: listing.totalCount, truncated: listing.truncated };
    };
    const listing = region === ALL_REGIONS
      ? await acrossRegions(ctx, signal, 'ListSnapshots', MAX_RESULTS_CAP, listOne)
      : { ...(await listOne(region)), regions: undefined };
    const matched = listing.items.sort(byNewest);
    const items = matched.slice(0, args.MaxResults);
    const out: Output = {
      RegionId: region, Snapshots: items.map(compact), TotalCount: listing.totalCount,
      Truncated: listing.truncated || matched.length > items.length, ...(listing.regions ? { Regions: listing.regions } : {}),
      Simulated: ctx.simulated,
    };
    return success(listSnapshotsOutput(), out, text(out, args));
  } catch (err) {
    const { error, text: why } = toFailure(err, { action: 'ListSnapshots', regionId: region, instanceId: args.InstanceId }, ctx.log);
    return failure(listSnapshotsOutput(), { RegionId: region, Simulated: ctx.simulated, Error: error }, why);
  }
}

export const listSnapshotsTool = defineTool({
  name: 'list_snapshots',
  title: 'List SWAS disk snapshots',
  description: [
    'Lists disk snapshots of one region (or RegionId "all"), newest first: status, progress, disk and its type, server, time.',
    'Filters: InstanceId, DiskId, SourceDiskType, Status, SnapshotIds. Each server holds at most 3 snapshots. Read-only.',
  ].join(' '),
  inputSchema: listSnapshotsInput,
  outputSchema: listSnapshotsOutput,
  annotations: READ_ONLY_ANNOTATIONS,
  kind: 'read',
  ui: { resourceUri: appViewUri('inventory') },
  ramActions: ['swas-open:ListSnapshots', 'swas-open:ListRegions'],
  handler: (args, call, ctx) => listSnapshots(args, call.signal, ctx),
});
