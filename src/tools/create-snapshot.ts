import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { SwasError } from '../swas/errors.js';
import { DISK_ID_PATTERN, INSTANCE_ID_PATTERN, SNAPSHOT_ID_PATTERN, SNAPSHOT_NAME_CHARS } from '../swas/shapes.js';
import { checkSchema } from '../preflight/checks.js';
import { judgeCreateSnapshot, serverSnapshots, type CreateSnapshotFacts } from '../preflight/create-snapshot.js';
import { sameWord } from '../swas/status.js';
import {
  clientTokenField, errorSchema, REGION_DESCRIPTION, regionIdField, resourceGroupIdField, success, tagSchema, tagsField, type ToolContext, simulatedField,
} from './common.js';
import { createSnapshotText } from '../render/create-snapshot.js';
import { defineTool, type ToolCall } from './registry.js';
import { appViewUri } from '../apps/views.js';
import { createdSnapshot, planCreateSnapshot } from '../requests/create-snapshot.js';
import { failWith, plannedRequestSchema, sendWrite, waitAfterWrite } from './write-flow.js';

export const createSnapshotInput = lazySchema(() => z.strictObject({
  RegionId: regionIdField().describe(`${REGION_DESCRIPTION}`),
  InstanceId: z.string()
    .regex(INSTANCE_ID_PATTERN, { message: 'InvalidInstanceId: InstanceId must be the server ID from list_instances (letters, digits, "-" and "_", at most 64)' })
    .optional()
    .describe('Server whose system disk to snapshot. Give InstanceId or DiskId, not both.'),
  DiskId: z.string()
    .regex(DISK_ID_PATTERN, { message: 'DiskId must be a disk ID such as d-bp1abc... (list_instances shows each server\'s disks)' })
    .optional()
    .describe('Disk to snapshot, system or data (list_instances).'),
  SnapshotName: z.string()
    .min(2, { message: 'SnapshotName must be at least 2 characters' })
    .max(50, { message: 'SnapshotName must be at most 50 characters' })
    .refine((v) => !/^https?:\/\//i.test(v), { message: 'SnapshotName must not start with http:// or https://' })
    .regex(SNAPSHOT_NAME_CHARS, { message: 'SnapshotName must start with a letter and contain only letters, digits, ":", "_", "." and "-"' })
    .describe('e.g. "shop-sys-2026-11-28".'),
  Tag: tagsField().optional().describe('Keys unique.'),
  ResourceGroupId: resourceGroupIdField().optional(),
  ClientToken: clientTokenField().optional(),
  WaitForAccomplished: z.boolean().default(false)
    .describe('true: wait up to ~50 s (with progress), then wait_for_resources; use it before create_custom_image.'),
  DryRun: z.boolean().default(false)
    .describe('true: run the checks and return the plan; nothing is sent.'),
}).superRefine((v, issue) => {
  if ((v.InstanceId === undefined) === (v.DiskId === undefined)) {
    issue.addIssue({
      code: 'custom', path: v.InstanceId === undefined ? ['InstanceId'] : ['DiskId'],
      message: 'Give exactly one of InstanceId (snapshot the server\'s system disk) or DiskId (snapshot that disk), not both and not neither.',
    });
  }
}));

export const createSnapshotOutput = lazySchema(() => z.object({
  SnapshotId: z.string().optional().describe('ID (s-…) of the snapshot; absent on dry runs and failures before the call.'),
  RequestId: z.string().optional(),
  RegionId: z.string(),
  InstanceId: z.string().optional().describe('The server the disk belongs to.'),
  DiskId: z.string().optional().describe('The disk snapshotted (the system disk when InstanceId was given).'),
  DiskType: z.string().optional().describe('"system" or "data".'),
  SnapshotName: z.string(),
  Status: z.string().optional().describe('Lower case as the API: progressing, accomplished or failed.'),
  Progress: z.string().optional().describe('e.g. "45%".'),
  ClientToken: z.string().optional().describe('The idempotency token sent (or that would be sent); repeat it to repeat this request safely.'),
  Repeated: z.boolean().optional().describe('True when this exact request had already been carried out: the existing snapshot is returned and nothing new was created.'),
  Request: plannedRequestSchema('CreateSnapshot', {
    RegionId: z.string(), DiskId: z.string(), SnapshotName: z.string(), Tag: z.array(tagSchema()).optional(), ResourceGroupId: z.string().optional(),
  }).optional(),
  Checks: z.array(checkSchema()).describe('Every precondition checked before sending, with its outcome.'),
  Notes: z.array(z.string()),
  DryRun: z.boolean(),
  Simulated: simulatedField(),
  Error: errorSchema().optional(),
}));

type Input = z.output<ReturnType<typeof createSnapshotInput>>;
type Output = z.input<ReturnType<typeof createSnapshotOutput>>;

/** Finds the disk and its server, then every snapshot counting towards the server's limit; reads in parallel where they can be. */
async function gatherFacts(ctx: ToolContext, region: string, args: Input, signal: AbortSignal): Promise<CreateSnapshotFacts> {
  const opts = { signal };
  let instanceId = args.InstanceId;
  if (instanceId === undefined) {
    const disk = (await ctx.api.listDisks(region, { DiskIds: [args.DiskId ?? ''] }, opts)).items.find((d) => d.DiskId === args.DiskId);
    if (!disk || !disk.InstanceId) {
      throw new SwasError({ code: 'InvalidDiskId.NotFound', stage: 'preflight', message: `Disk ${args.DiskId} does not exist in region ${region}.` });
    }
    instanceId = disk.InstanceId;
  }
  // Counts need only the API's TotalCount: one small page each.
  const [instances, byInstance, regionSnapshots, regionServers] = await Promise.all([
    ctx.api.listInstances(region, { InstanceIds: [instanceId] }, opts),
    ctx.api.listSnapshots(region, { InstanceId: instanceId }, opts),
    ctx.api.listSnapshots(region, {}, { ...opts, maxItems: 1 }),
    ctx.api.listInstances(region, {}, { ...opts, maxItems: 1 }),
  ]);
  const instance = instances.items.find((i) => i.InstanceId === instanceId);
  if (!instance) {
    throw new SwasError({ code: 'InvalidInstanceId.NotFound', stage: 'preflight', message: `Server ${instanceId} does not exist in region ${region}.` });
  }
  const disk = args.DiskId !== undefined
    ? instance.Disks.find((d) => d.DiskId === args.DiskId)
    : instance.Disks.find((d) => sameWord(d.DiskType, 'system'));
  if (!disk) {
    throw new SwasError({
      code: 'InvalidDiskId.NotFound', stage: 'preflight',
      message: args.DiskId !== undefined ? `Disk ${args.DiskId} is not a disk of server ${instanceId}.` : `Server ${instanceId} lists no system disk.`,
    });
  }
  // The API leaves InstanceId empty on data-disk snapshots: count those by their source disk.
  const dataDisks = instance.Disks.filter((d) => !sameWord(d.DiskType, 'system'));
  const byDisk = await Promise.all(dataDisks.map((d) => ctx.api.listSnapshots(region, { DiskId: d.DiskId }, opts)));
  const all = [...byInstance.items, ...byDisk.flatMap((l) => l.items)];
  return {
    instance, disk, counted: serverSnapshots(all, instance.InstanceId, instance.Disks.map((d) => d.DiskId)),
    regionSnapshotCount: regionSnapshots.totalCount, regionServerCount: regionServers.totalCount,
  };
}

async function createSnapshot(args: Input, call: ToolCall, ctx: ToolContext) {
  const region = args.RegionId;
  const base: Output = {
    RegionId: region, InstanceId: args.InstanceId, DiskId: args.DiskId, SnapshotName: args.SnapshotName,
    DryRun: args.DryRun, Checks: [], Notes: [], Simulated: ctx.simulated,
  };
  const errCtx = () => ({ action: 'CreateSnapshot', regionId: region, instanceId: base.InstanceId });
  const fail = (err: unknown, partial: Partial<Output> = {}) => failWith(createSnapshotOutput(), { ...base, ...partial }, err, errCtx(), ctx);

  // 1. The disk, its server, and the snapshots that count towards the limits.
  let facts: CreateSnapshotFacts;
  try {
    facts = await gatherFacts(ctx, region, args, call.signal);
  } catch (err) {
    return fail(err);
  }
  const { instance, disk } = facts;
  base.InstanceId = instance.InstanceId;
  base.DiskId = disk.DiskId;
  base.DiskType = disk.DiskType;

  // 2. Every precondition, judged; a failure carries the code the API would return.
  const verdict = judgeCreateSnapshot({ regionId: region, snapshotName: args.SnapshotName }, facts);
  base.Checks = verdict.checks;
  if (verdict.failure) return fail(new SwasError({ code: verdict.failure.code, stage: 'preflight', message: `${verdict.failure.message} Nothing was sent.` }));

  // 3. The request, with a ClientToken that is the same for the InstanceId and DiskId forms of one request.
  const planned = planCreateSnapshot(ctx.api.hostFor(region), {
    regionId: region, diskId: disk.DiskId, snapshotName: args.SnapshotName, tag: args.Tag, resourceGroupId: args.ResourceGroupId, clientToken: args.ClientToken,
  });
  base.ClientToken = planned.Parameters.ClientToken;
  if (args.DryRun) {
    const out: Output = { ...base, Request: planned, Notes: ['Nothing was sent. Call again with DryRun false (or omitted) to create the snapshot.'] };
    return success(createSnapshotOutput(), out, createSnapshotText(out));
  }

  // 4. The one call that creates something.
  let created;
  try {
    created = await sendWrite(ctx, call, {
      tool: 'create_snapshot', action: 'CreateSnapshot', regionId: region, resourceIds: [disk.DiskId], clientToken: base.ClientToken, args,
    }, (signal) => ctx.api.createSnapshot(planned.Parameters, { signal }));
  } catch (err) {
    return fail(err);
  }
  if (!SNAPSHOT_ID_PATTERN.test(created.SnapshotId)) {
    return fail(new SwasError({ code: 'UnexpectedResponse', stage: 'api', message: 'The API returned no usable SnapshotId.' }), { RequestId: created.RequestId });
  }
  ctx.log.info({ regionId: region, instanceId: instance.InstanceId, diskId: disk.DiskId, snapshotId: created.SnapshotId, requestId: created.RequestId }, 'snapshot created');
  const out: Output = { ...base, SnapshotId: created.SnapshotId, RequestId: created.RequestId, ...createdSnapshot(verdict.earlier, created.SnapshotId) };
  const finished = `It is finished: create_custom_image can use it (${sameWord(disk.DiskType, 'system') ? 'SystemSnapshotId' : 'DataSnapshotId'} "${created.SnapshotId}").`;
  if (sameWord(out.Status, 'accomplished')) {
    out.Notes.push(finished);
    return success(createSnapshotOutput(), out, createSnapshotText(out));
  }
  if (!args.WaitForAccomplished) {
    out.Notes.push(`The snapshot is taken in the background: usually minutes, a first full snapshot of a large disk longer. Call wait_for_resources with {"RegionId":"${region}","SnapshotIds":["${created.SnapshotId}"]} to wait for it; nothing needs to be created again.`);
    return success(createSnapshotOutput(), out, createSnapshotText(out));
  }

  // 5. The optional bounded wait, with progress.
  const waited = await waitAfterWrite(ctx, call, region, [{ kind: 'snapshot', id: created.SnapshotId, until: 'Accomplished' }], errCtx());
  const state = waited.outcome?.states[0];
  if (state && state.State !== 'NotFound') {
    out.Status = state.State;
    out.Progress = state.Progress;
  }
  if (state?.Failed) {
    return fail(new SwasError({
      code: 'SnapshotCreationFailed', stage: 'api',
      message: `Snapshot ${created.SnapshotId} was accepted but ended "${state.State}".`,
    }), { SnapshotId: created.SnapshotId, RequestId: created.RequestId, Status: out.Status, Progress: out.Progress });
  }
  out.Notes.push(state?.Done ? finished : waited.note ?? '');
  return success(createSnapshotOutput(), out, createSnapshotText(out));
}

export const createSnapshotTool = defineTool({
  name: 'create_snapshot',
  title: 'Create a disk snapshot of a SWAS server',
  description: [
    'Creates a snapshot of a SWAS disk (CreateSnapshot), e.g. a backup (create_custom_image takes its own).',
    'Checks first: server Running or Stopped, under 3 snapshots on it (delete_snapshots frees one), the account-wide cap, none of the disk in progress. A repeat never makes a second one.',
  ].join(' '),
  inputSchema: createSnapshotInput,
  outputSchema: createSnapshotOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  kind: 'write',
  ui: { resourceUri: appViewUri('progress') },
  ramActions: ['swas-open:CreateSnapshot', 'swas-open:ListInstances', 'swas-open:ListSnapshots', 'swas-open:ListDisks'],
  handler: (args, call, ctx) => createSnapshot(args, call, ctx),
});
