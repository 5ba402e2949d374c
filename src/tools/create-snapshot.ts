import { z } from 'zod';
import { ApiError } from '../swas/errors.js';
import { DISK_ID_PATTERN, INSTANCE_ID_PATTERN, SNAPSHOT_ID_PATTERN, SNAPSHOT_NAME_PATTERN } from '../swas/shapes.js';
import { sameWord } from '../swas/status.js';
import { deriveClientToken } from '../swas/token.js';
import type { CreateSnapshotParams, Disk, Instance, Snapshot } from '../swas/types.js';
import { pollUntil } from '../wait.js';
import {
  checkLine, checkSchema, clientTokenField, errorSchema, failure, REGION_DESCRIPTION, regionIdField,
  resourceGroupIdField, success, tagsField, toFailure, type Check, type ToolContext, SIMULATED_NOTE, simulatedField
} from './common.js';
import { defineTool, type ToolCall } from './registry.js';

/** Snapshots one server may hold, system and data disks together. */
export const SNAPSHOTS_PER_SERVER = 3;

export const createSnapshotInput = z.strictObject({
  RegionId: regionIdField.describe(`${REGION_DESCRIPTION} The snapshot is created in the server's own region.`),
  InstanceId: z.string()
    .regex(INSTANCE_ID_PATTERN, { message: 'InvalidInstanceId: InstanceId must be the server ID from list_instances (letters, digits, "-" and "_", at most 64)' })
    .optional()
    .describe('ID of the server whose SYSTEM disk to snapshot (the snapshot a custom image needs). Give InstanceId or DiskId, not both.'),
  DiskId: z.string()
    .regex(DISK_ID_PATTERN, { message: 'DiskId must be a disk ID such as d-bp1abc... (list_instances shows each server\'s disks)' })
    .optional()
    .describe('ID (d-…) of the disk to snapshot, system or data, from list_instances. Give InstanceId or DiskId, not both.'),
  SnapshotName: z.string()
    .min(2, { message: 'SnapshotName must be at least 2 characters' })
    .max(50, { message: 'SnapshotName must be at most 50 characters' })
    .refine((v) => !/^https?:\/\//i.test(v), { message: 'SnapshotName must not start with http:// or https://' })
    .regex(SNAPSHOT_NAME_PATTERN, { message: 'SnapshotName must start with a letter and contain only letters, digits, ":", "_", "." and "-"' })
    .describe('Name of the snapshot: 2–50 characters of letters, digits, ":", "_", "." and "-", starting with a letter. Example: "shop-sys-2026-11-28".'),
  Tag: tagsField.optional().describe('Up to 20 tags {Key, Value} to put on the snapshot. Optional.'),
  ResourceGroupId: resourceGroupIdField.optional(),
  ClientToken: clientTokenField.optional(),
  WaitForAccomplished: z.boolean().default(false)
    .describe('true: after creating, wait (with progress notifications) until the snapshot is accomplished or failed, for at most about 50 seconds; if it is still progressing then, the result says Status "progressing" and list_snapshots can check later. Use true when the next step is create_custom_image.'),
  DryRun: z.boolean().default(false)
    .describe('true: run every check and return the exact request that would be sent, but create nothing.'),
}).superRefine((v, issue) => {
  if ((v.InstanceId === undefined) === (v.DiskId === undefined)) {
    issue.addIssue({
      code: 'custom', path: v.InstanceId === undefined ? ['InstanceId'] : ['DiskId'],
      message: 'Give exactly one of InstanceId (snapshot the server\'s system disk) or DiskId (snapshot that disk), not both and not neither.',
    });
  }
});

export const createSnapshotOutput = z.object({
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
  Request: z.object({
    Action: z.literal('CreateSnapshot'),
    Endpoint: z.string(),
    Parameters: z.record(z.string(), z.unknown()),
  }).optional().describe('Dry run only: the exact API request that would be sent.'),
  Checks: z.array(checkSchema).describe('Every precondition checked before sending, with its outcome.'),
  Notes: z.array(z.string()),
  DryRun: z.boolean(),
  Simulated: simulatedField,
  Error: errorSchema.optional(),
});

type Input = z.output<typeof createSnapshotInput>;
type Output = z.input<typeof createSnapshotOutput>;

/** "45%" → 45; anything unreadable → undefined. */
export function progressPercent(progress: string | undefined): number | undefined {
  const m = /^\s*(\d{1,3}(?:\.\d+)?)\s*%?\s*$/.exec(progress ?? '');
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= 0 && n <= 100 ? n : undefined;
}

/**
 * The next value of a progress notification: MCP wants it to increase on every notification, so it
 * follows the snapshot's percentage when that rises and otherwise creeps up by a hundredth.
 */
export function nextProgress(last: number, percent: number | undefined): number {
  if (percent !== undefined && percent > last) return percent;
  return Math.round((last + 0.01) * 100) / 100;
}

/** Every snapshot that counts towards a server's limit: its system snapshots and those of its disks. */
export function serverSnapshots(snapshots: Snapshot[], instanceId: string, diskIds: string[]): Snapshot[] {
  const seen = new Map<string, Snapshot>();
  for (const s of snapshots) {
    if (s.InstanceId === instanceId || (s.SourceDiskId !== undefined && diskIds.includes(s.SourceDiskId))) seen.set(s.SnapshotId, s);
  }
  return [...seen.values()];
}

function successText(out: Output): string {
  const lines: string[] = [];
  const what = `${out.DiskType ?? ''} disk ${out.DiskId} of server ${out.InstanceId} in ${out.RegionId}`.trim();
  if (out.DryRun) {
    lines.push(`Dry run: every check passed. Creating snapshot "${out.SnapshotName}" of ${what} would send the request below; nothing was sent.`);
    lines.push(JSON.stringify(out.Request?.Parameters));
  } else if (out.Repeated) {
    lines.push(`Snapshot ${out.SnapshotId} ("${out.SnapshotName}") of ${what} already exists: this request was carried out before, so nothing new was created. Status: ${out.Status}${out.Progress ? ` ${out.Progress}` : ''}.`);
  } else {
    lines.push(`Created snapshot ${out.SnapshotId} ("${out.SnapshotName}") of ${what}. Status: ${out.Status}${out.Progress ? ` ${out.Progress}` : ''}.`);
  }
  lines.push('Checks:', ...out.Checks.map(checkLine));
  for (const note of out.Notes) lines.push(`Note: ${note}`);
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}

interface Facts { instance: Instance; disk: Disk; counted: Snapshot[] }

/** Finds the disk and its server, then every snapshot counting towards the server's limit; reads in parallel where they can be. */
async function gatherFacts(ctx: ToolContext, region: string, args: Input, signal: AbortSignal): Promise<Facts> {
  const opts = { signal };
  let instanceId = args.InstanceId;
  if (instanceId === undefined) {
    const disk = (await ctx.api.listDisks(region, { DiskIds: [args.DiskId ?? ''] }, opts)).items.find((d) => d.DiskId === args.DiskId);
    if (!disk || !disk.InstanceId) {
      throw new ApiError({ code: 'InvalidDiskId.NotFound', stage: 'preflight', message: `Disk ${args.DiskId} does not exist in region ${region}.` });
    }
    instanceId = disk.InstanceId;
  }
  const [instances, byInstance] = await Promise.all([
    ctx.api.listInstances(region, { InstanceIds: [instanceId] }, opts),
    ctx.api.listSnapshots(region, { InstanceId: instanceId }, opts),
  ]);
  const instance = instances.items.find((i) => i.InstanceId === instanceId);
  if (!instance) {
    throw new ApiError({ code: 'InvalidInstanceId.NotFound', stage: 'preflight', message: `Server ${instanceId} does not exist in region ${region}.` });
  }
  const disk = args.DiskId !== undefined
    ? instance.Disks.find((d) => d.DiskId === args.DiskId)
    : instance.Disks.find((d) => sameWord(d.DiskType, 'system'));
  if (!disk) {
    throw new ApiError({
      code: 'InvalidDiskId.NotFound', stage: 'preflight',
      message: args.DiskId !== undefined ? `Disk ${args.DiskId} is not a disk of server ${instanceId}.` : `Server ${instanceId} lists no system disk.`,
    });
  }
  // The API leaves InstanceId empty on data-disk snapshots: count those by their source disk.
  const dataDisks = instance.Disks.filter((d) => !sameWord(d.DiskType, 'system'));
  const byDisk = await Promise.all(dataDisks.map((d) => ctx.api.listSnapshots(region, { DiskId: d.DiskId }, opts)));
  const all = [...byInstance.items, ...byDisk.flatMap((l) => l.items)];
  return { instance, disk, counted: serverSnapshots(all, instance.InstanceId, instance.Disks.map((d) => d.DiskId)) };
}

async function createSnapshot(args: Input, call: ToolCall, ctx: ToolContext) {
  const { api, simulated } = ctx;
  const region = args.RegionId;
  const base: Output = {
    RegionId: region, InstanceId: args.InstanceId, DiskId: args.DiskId, SnapshotName: args.SnapshotName,
    DryRun: args.DryRun, Checks: [], Notes: [], Simulated: simulated,
  };
  const errCtx = () => ({ action: 'CreateSnapshot', regionId: region, instanceId: base.InstanceId });
  const fail = (err: unknown, partial: Partial<Output> = {}) => {
    const { error, text } = toFailure(err, errCtx(), ctx.log);
    const out: Output = { ...base, ...partial, Error: error };
    const checks = out.Checks.length ? `\nChecks:\n${out.Checks.map(checkLine).join('\n')}` : '';
    return failure(createSnapshotOutput, out, text + checks);
  };

  // 1. The disk, its server, and the server's snapshots.
  let facts: Facts;
  try {
    facts = await gatherFacts(ctx, region, args, call.signal);
  } catch (err) {
    return fail(err);
  }
  const { instance, disk, counted } = facts;
  base.InstanceId = instance.InstanceId;
  base.DiskId = disk.DiskId;
  base.DiskType = disk.DiskType;
  const checks: Check[] = [
    { Name: 'InstanceExists', Outcome: 'passed', Detail: `Server ${instance.InstanceId} ("${instance.InstanceName}") is in region ${region}, ${instance.Status}.` },
    { Name: 'Disk', Outcome: 'passed', Detail: `Disk ${disk.DiskId} is the ${disk.DiskType} disk of the server${disk.Size !== undefined ? ` (${disk.Size} GiB)` : ''}.` },
  ];

  // 2. The per-server limit. A snapshot of the same name on the same disk may be this very request
  // made before: then the API's ClientToken replay answers, so the limit is left to the API.
  const earlier = counted.find((s) => s.SnapshotName === args.SnapshotName && s.SourceDiskId === disk.DiskId);
  const list = counted.map((s) => `${s.SnapshotId} (${s.SourceDiskType}, ${s.Status})`).join(', ');
  if (earlier) {
    checks.push({ Name: 'SnapshotQuota', Outcome: 'skipped', Detail: `Snapshot ${earlier.SnapshotId} of this disk already has the name "${args.SnapshotName}": if it came from this same request, repeating it returns that snapshot. ${counted.length} of ${SNAPSHOTS_PER_SERVER} snapshots used.` });
  } else if (counted.length >= SNAPSHOTS_PER_SERVER) {
    checks.push({ Name: 'SnapshotQuota', Outcome: 'failed', Code: 'SnapshotQuotaExceed', Detail: `The server already has ${counted.length} of ${SNAPSHOTS_PER_SERVER} snapshots: ${list}.` });
    base.Checks = checks;
    return fail(new ApiError({
      code: 'SnapshotQuotaExceed', stage: 'preflight',
      message: `Server ${instance.InstanceId} already has ${counted.length} snapshots (${list}); a server holds at most ${SNAPSHOTS_PER_SERVER}. Nothing was sent.`,
    }));
  } else {
    checks.push({ Name: 'SnapshotQuota', Outcome: 'passed', Detail: `${counted.length} of ${SNAPSHOTS_PER_SERVER} snapshots used by the server${counted.length ? ` (${list})` : ''}; ${SNAPSHOTS_PER_SERVER - counted.length} left.` });
  }
  base.Checks = checks;

  // 3. The request, with a ClientToken that is the same for InstanceId and DiskId forms of one request.
  const params: CreateSnapshotParams = {
    RegionId: region, DiskId: disk.DiskId, SnapshotName: args.SnapshotName, Tag: args.Tag, ResourceGroupId: args.ResourceGroupId, ClientToken: '',
  };
  params.ClientToken = args.ClientToken ?? deriveClientToken('CreateSnapshot', { ...params, ClientToken: undefined });
  base.ClientToken = params.ClientToken;

  if (args.DryRun) {
    const out: Output = {
      ...base,
      Request: { Action: 'CreateSnapshot', Endpoint: api.hostFor(region), Parameters: Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) },
      Notes: ['Nothing was sent. Call again with DryRun false (or omitted) to create the snapshot.'],
    };
    return success(createSnapshotOutput, out, successText(out));
  }

  // 4. The one call that creates something.
  let created;
  try {
    created = await api.createSnapshot(params, { signal: call.signal });
  } catch (err) {
    return fail(err, { ClientToken: params.ClientToken });
  }
  if (!SNAPSHOT_ID_PATTERN.test(created.SnapshotId)) {
    return fail(new ApiError({ code: 'UnexpectedResponse', stage: 'api', message: 'The API returned no usable SnapshotId.' }), { RequestId: created.RequestId });
  }
  ctx.log.info({ regionId: region, instanceId: instance.InstanceId, diskId: disk.DiskId, snapshotId: created.SnapshotId, requestId: created.RequestId }, 'snapshot created');
  const repeated = earlier?.SnapshotId === created.SnapshotId;
  const out: Output = {
    ...base, SnapshotId: created.SnapshotId, RequestId: created.RequestId,
    Status: repeated ? earlier.Status : 'progressing', Progress: repeated ? earlier.Progress : undefined,
    ...(repeated ? { Repeated: true } : {}),
  };
  const checkLater = `call list_snapshots with SnapshotIds ["${created.SnapshotId}"] to see when it is accomplished; nothing needs to be created again.`;
  if (!args.WaitForAccomplished || sameWord(out.Status, 'accomplished')) {
    if (!sameWord(out.Status, 'accomplished')) out.Notes.push(`The snapshot is taken in the background (usually minutes); ${checkLater}`);
    else out.Notes.push(`It is finished: create_custom_image can use it (SystemSnapshotId "${created.SnapshotId}").`);
    return success(createSnapshotOutput, out, successText(out));
  }

  // 5. Optional bounded wait, with progress.
  try {
    const snap = await waitForSnapshot(ctx, region, created.SnapshotId, call);
    if (snap.value) {
      out.Status = snap.value.Status;
      out.Progress = snap.value.Progress;
    }
    if (sameWord(out.Status, 'failed')) {
      return fail(new ApiError({
        code: 'SnapshotCreationFailed', stage: 'api',
        message: `Snapshot ${created.SnapshotId} was accepted but ended "failed".`,
      }), { SnapshotId: created.SnapshotId, RequestId: created.RequestId, Status: out.Status, Progress: out.Progress, ClientToken: params.ClientToken });
    }
    if (sameWord(out.Status, 'accomplished')) {
      out.Notes.push(`It is finished: create_custom_image can use it${sameWord(disk.DiskType, 'system') ? ` (SystemSnapshotId "${created.SnapshotId}")` : ` (DataSnapshotId "${created.SnapshotId}")`}.`);
    } else {
      out.Status = out.Status || 'progressing';
      out.Notes.push(`The snapshot was still ${out.Status} after ${Math.round(snap.elapsedMs / 1000)} s; ${checkLater}`);
    }
  } catch (err) {
    // The snapshot exists; only the wait failed. Say so rather than hiding the SnapshotId.
    const { error } = toFailure(err, errCtx(), ctx.log);
    out.Notes.push(`Waiting for the snapshot stopped early (${error.Code}); ${checkLater}`);
  }
  return success(createSnapshotOutput, out, successText(out));
}

/** Polls the snapshot until it is accomplished or failed, or the configured wait runs out. */
async function waitForSnapshot(ctx: ToolContext, regionId: string, snapshotId: string, call: ToolCall) {
  const report = call.progress;
  let last = 0;
  return pollUntil<Snapshot | undefined>(
    async () => (await ctx.api.listSnapshots(regionId, { SnapshotIds: [snapshotId] }, { signal: call.signal })).items.find((s) => s.SnapshotId === snapshotId),
    (s) => s !== undefined && (sameWord(s.Status, 'accomplished') || sameWord(s.Status, 'failed')),
    {
      timeoutMs: ctx.config.waitTimeoutMs,
      initialIntervalMs: ctx.config.pollIntervalMs,
      maxIntervalMs: 5_000,
      signal: call.signal,
      onPoll: (s, _n, elapsedMs) => {
        last = nextProgress(last, progressPercent(s?.Progress));
        return report(last, `Snapshot ${snapshotId}: ${s?.Status ?? 'not listed yet'}${s?.Progress ? ` ${s.Progress}` : ''} after ${Math.round(elapsedMs / 1000)} s`, 100);
      },
    },
  );
}

export const createSnapshotTool = defineTool({
  name: 'create_snapshot',
  title: 'Create a disk snapshot of a SWAS server',
  description: [
    'Creates a snapshot of a Simple Application Server disk via the CreateSnapshot API: give InstanceId to snapshot the server\'s system disk (what create_custom_image needs), or DiskId for a specific disk.',
    'Before sending it checks that the server and disk exist in RegionId and that the server has fewer than 3 snapshots (the per-server limit; if full, reuse a finished one from list_snapshots or delete one in the console).',
    'Use WaitForAccomplished true when the next step is create_custom_image: it waits, with progress notifications, until the snapshot is usable. DryRun true shows the request without sending it.',
    'Repeating the same call is safe: it never creates a second snapshot. Next: create_custom_image (it picks the newest finished system snapshot by itself).',
  ].join(' '),
  inputSchema: createSnapshotInput,
  outputSchema: createSnapshotOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  kind: 'write',
  ramActions: ['swas-open:CreateSnapshot', 'swas-open:ListInstances', 'swas-open:ListSnapshots', 'swas-open:ListDisks'],
  handler: (args, call, ctx) => createSnapshot(args, call, ctx),
});
