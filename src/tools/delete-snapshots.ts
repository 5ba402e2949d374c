import { PLAN_VIEW_URI } from '../consent/app.js';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { deleteSnapshotsPlan } from '../consent/plans/delete-snapshots.js';
import { checkSchema } from '../preflight/checks.js';
import { SNAPSHOTS_PER_SERVER } from '../preflight/quotas.js';
import { judgeDeleteSnapshots, MAX_DELETE_SNAPSHOTS, type DeleteSnapshotsFacts } from '../preflight/delete-snapshots.js';
import { SwasError } from '../swas/errors.js';
import { SNAPSHOT_ID_PATTERN } from '../swas/shapes.js';
import type { Instance } from '../swas/types.js';
import {
  clientTokenField, errorSchema, REGION_DESCRIPTION, regionIdField, success, type ToolContext, simulatedField, noRepeats,
} from './common.js';
import { approvalIdField, confirmTokenField, consentOutputFields, consentStep } from './consent-step.js';
import { deleteSnapshotsDryRunText, deleteSnapshotsText } from '../render/delete-snapshots.js';
import { defineTool, type ToolCall } from './registry.js';
import { planDeleteSnapshots } from '../requests/delete-snapshots.js';
import { failWith, plannedRequestSchema, sendWrite } from './write-flow.js';

const TOOL = 'delete_snapshots';

export const deleteSnapshotsInput = lazySchema(() => z.strictObject({
  RegionId: regionIdField().describe(`${REGION_DESCRIPTION}`),
  SnapshotIds: z.array(z.string().regex(SNAPSHOT_ID_PATTERN, { message: 'Each SnapshotIds entry must be a snapshot ID such as s-bp1abc... (from list_snapshots)' }))
    .min(1, { message: 'SnapshotIds must name at least one snapshot' })
    .max(MAX_DELETE_SNAPSHOTS, { message: `SnapshotIds holds at most ${MAX_DELETE_SNAPSHOTS} snapshots (one DeleteSnapshots call)` })
    .refine(...noRepeats('SnapshotIds', 'a snapshot'))
    .describe('From list_snapshots, unique.'),
  DryRun: z.boolean().default(false)
    .describe('true: run the checks and return the plan; nothing is sent.'),
  ConfirmToken: confirmTokenField(),
  ApprovalId: approvalIdField(),
  ClientToken: clientTokenField().optional(),
}));

export const deleteSnapshotsOutput = lazySchema(() => z.object({
  RegionId: z.string(),
  SnapshotIds: z.array(z.string()).describe('The snapshots asked for.'),
  Deleted: z.array(z.string()).optional().describe('Snapshots deleted.'),
  Left: z.array(z.object({
    InstanceId: z.string().optional().describe('The server (system-disk snapshots name it).'),
    SourceDiskId: z.string().optional().describe('The disk, for data-disk snapshots (the API does not name their server).'),
    SnapshotIds: z.array(z.string()),
  })).optional().describe(`Snapshots left after the delete, for each server (or data disk) touched; a server holds at most ${SNAPSHOTS_PER_SERVER}, system and data together.`),
  RequestId: z.string().optional(),
  ClientToken: z.string().optional().describe('The idempotency token of the DeleteSnapshots request.'),
  Request: plannedRequestSchema('DeleteSnapshots', { RegionId: z.string(), SnapshotIds: z.array(z.string()) }).optional(),
  Checks: z.array(checkSchema()).describe('Every precondition checked before sending, with its outcome.'),
  Notes: z.array(z.string()),
  DryRun: z.boolean(),
  Simulated: simulatedField(),
  Error: errorSchema().optional(),
  ...consentOutputFields(),
}));

type Input = z.output<ReturnType<typeof deleteSnapshotsInput>>;
type Output = z.input<ReturnType<typeof deleteSnapshotsOutput>>;

function boundArgs(args: Input): Omit<Input, 'ConfirmToken' | 'DryRun'> {
  const { ConfirmToken: _token, DryRun: _dryRun, ...bound } = args;
  return bound;
}

/**
 * The reads, at once: the snapshots asked for, every own image of the region (any may pin a
 * snapshot), every snapshot of the region (what is left), the region's servers (whose disks the
 * snapshots are of, by name, for the plan).
 */
async function gatherFacts(ctx: ToolContext, region: string, args: Input, signal: AbortSignal): Promise<{ facts: DeleteSnapshotsFacts; servers: Instance[] }> {
  const opts = { signal };
  const [found, images, all, servers] = await Promise.all([
    ctx.api.listSnapshots(region, { SnapshotIds: args.SnapshotIds }, opts),
    ctx.api.listCustomImages(region, { Share: false }, opts),
    ctx.api.listSnapshots(region, {}, opts),
    ctx.api.listInstances(region, {}, opts),
  ]);
  return { facts: { found: found.items, ownImages: images.items, ...(all.truncated ? {} : { regionSnapshots: all.items }) }, servers: servers.items };
}

async function deleteSnapshots(args: Input, call: ToolCall, ctx: ToolContext) {
  const region = args.RegionId;
  const base: Output = { RegionId: region, SnapshotIds: args.SnapshotIds, DryRun: args.DryRun, Checks: [], Notes: [], Simulated: ctx.simulated };
  const fail = (err: unknown, partial: Partial<Output> = {}, snapshotId?: string) =>
    failWith(deleteSnapshotsOutput(), { ...base, ...partial }, err, { action: 'DeleteSnapshots', regionId: region, ...(snapshotId ? { snapshotId } : {}) }, ctx);

  // 1. The snapshots, the images that may pin them, and the rest of the region's snapshots.
  let facts: DeleteSnapshotsFacts;
  let servers: Instance[];
  try {
    ({ facts, servers } = await gatherFacts(ctx, region, args, call.signal));
  } catch (err) {
    return fail(err);
  }

  // 2. Every precondition, judged; a snapshot an image was made from is refused, naming the image.
  const verdict = judgeDeleteSnapshots({ regionId: region, snapshotIds: args.SnapshotIds }, facts);
  base.Checks = verdict.checks;
  if (verdict.failure) {
    return fail(new SwasError({ code: verdict.failure.code, stage: 'preflight', message: `${verdict.failure.message} Nothing was sent.` }), {}, verdict.failure.snapshotId);
  }
  const { targets, progressing } = verdict;
  if (verdict.left) base.Left = verdict.left;
  if (progressing.length) base.Notes.push(`Still being taken: ${progressing.map((s) => s.SnapshotId).join(', ')}. Deleting stops them; if one is meant for a custom image, wait for it instead (wait_for_resources).`);

  // 3. The request, the plan and the person's consent.
  const planned = planDeleteSnapshots(ctx.api.hostFor(region), region, targets, args.ClientToken);
  base.ClientToken = planned.Parameters.ClientToken;
  const plan = deleteSnapshotsPlan({ regionId: region, now: ctx.now(), targets, progressing, servers, request: planned });
  // Stable facts only: a snapshot finishing does not make the plan another plan.
  const state = targets.map((s) => ({ SnapshotId: s.SnapshotId, Name: s.SnapshotName, Disk: s.SourceDiskId, Type: s.SourceDiskType, InstanceId: s.InstanceId }));
  const consentOut: Output = args.DryRun ? { ...base, Request: planned, Notes: [...base.Notes, 'Nothing was sent.'] } : base;
  const consent = await consentStep(ctx, call, {
    tool: TOOL, args, state, plan, dryRun: args.DryRun, confirmToken: args.ConfirmToken, schema: deleteSnapshotsOutput(), out: consentOut,
  });
  if (!consent.go) {
    // A dry run's text also shows the exact request and the checks.
    // consentStep answers a dry run with a plain result (it never asks the person then).
    const dry = args.DryRun ? consent.result as CallToolResult : undefined;
    const first = dry && !dry.isError ? dry.content[0] : undefined;
    if (first?.type === 'text') first.text += deleteSnapshotsDryRunText(consentOut);
    return consent.result;
  }

  // 4. The one call, through the ledger.
  let res;
  try {
    res = await sendWrite(ctx, call, {
      tool: TOOL, action: 'DeleteSnapshots', regionId: region, resourceIds: planned.Parameters.SnapshotIds, clientToken: base.ClientToken, args: boundArgs(args),
    }, (signal) => ctx.api.deleteSnapshots(planned.Parameters, { signal }));
  } catch (err) {
    return fail(err);
  }
  ctx.log.info({ regionId: region, snapshotIds: planned.Parameters.SnapshotIds, requestId: res.RequestId }, 'snapshots deleted');
  const out: Output = { ...base, Deleted: planned.Parameters.SnapshotIds, RequestId: res.RequestId };
  return success(deleteSnapshotsOutput(), out, deleteSnapshotsText(out));
}

export const deleteSnapshotsTool = defineTool({
  name: TOOL,
  title: 'Delete SWAS disk snapshots',
  description: [
    'Deletes snapshots in one region (DeleteSnapshots). Cannot be undone. A snapshot a custom image was made from is refused (delete the image first).',
    'Needs the person\'s consent (the answer says how). The result lists each server\'s snapshots left.',
  ].join(' '),
  inputSchema: deleteSnapshotsInput,
  outputSchema: deleteSnapshotsOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  kind: 'destructive',
  // Results that wait for a person's approval carry the plan the plan view shows.
  ui: { resourceUri: PLAN_VIEW_URI },
  ramActions: ['swas-open:DeleteSnapshots', 'swas-open:ListSnapshots', 'swas-open:ListCustomImages', 'swas-open:ListInstances'],
  handler: (args, call, ctx) => deleteSnapshots(args, call, ctx),
});
