import { z } from 'zod';
import { judgeCreateImage, type Quota } from '../preflight/create-image.js';
import { chooseSystemSnapshot } from '../preflight/snapshots.js';
import { ApiError } from '../swas/errors.js';
import { IMAGE_ID_PATTERN, IMAGE_NAME_PATTERN, INSTANCE_ID_PATTERN, SNAPSHOT_ID_PATTERN } from '../swas/shapes.js';
import { IMAGE_STATUS_VALUES, imageSettled, imageStatusWord, type ImageStatusWord } from '../swas/status.js';
import { deriveClientToken } from '../swas/token.js';
import type { CreateCustomImageParams, CustomImage, Snapshot } from '../swas/types.js';
import { pollUntil } from '../wait.js';
import {
  checkLine, checkSchema, clientTokenField, errorSchema, failure, REGION_DESCRIPTION, regionIdField,
  resourceGroupIdField, success, tagsField, toFailure, type ToolContext, SIMULATED_NOTE, simulatedField
} from './common.js';
import { defineTool, type ToolCall } from './registry.js';

export const createCustomImageInput = z.strictObject({
  RegionId: regionIdField.describe(`${REGION_DESCRIPTION} The image is created in the server's own region.`),
  InstanceId: z.string()
    .regex(INSTANCE_ID_PATTERN, { message: 'InvalidInstanceId: InstanceId must be the server ID from list_instances (letters, digits, "-" and "_", at most 64)' })
    .describe('ID of the simple application server to image, e.g. "ace0706b2ac4454d984295a94213xxxx". Get it from list_instances.'),
  ImageName: z.string()
    .min(2, { message: 'InvalidParam.IllegalImageName: ImageName must be at least 2 characters' })
    .max(128, { message: 'InvalidParam.IllegalImageName: ImageName must be at most 128 characters' })
    .regex(IMAGE_NAME_PATTERN, { message: 'InvalidParam.IllegalImageName: ImageName may contain only letters, digits, ":", "_" and "-", and must start with a letter or digit' })
    .describe('Name of the new custom image: 2–128 characters of letters, digits, ":", "_" and "-", starting with a letter or digit, unique in the region (list_custom_images shows names in use). Example: "blog-server-2026-11-28".'),
  SystemSnapshotId: z.string()
    .regex(SNAPSHOT_ID_PATTERN, { message: 'SystemSnapshotId must be a snapshot ID such as s-bp1abc... (from list_snapshots)' })
    .optional()
    .describe('ID (s-…) of a finished system-disk snapshot of this same server, from list_snapshots or create_snapshot. Optional: when omitted, the server\'s newest finished system-disk snapshot is used, and the result says which. If the server has none, call create_snapshot first.'),
  DataSnapshotId: z.string()
    .regex(SNAPSHOT_ID_PATTERN, { message: 'DataSnapshotId must be a snapshot ID such as s-bp1abc... (from list_snapshots)' })
    .optional()
    .describe('ID (s-…) of a finished snapshot of one of this server\'s data disks, to include that disk\'s data in the image. Optional: omit it to image the system disk only. list_snapshots with SourceDiskType "data" finds one.'),
  Description: z.string()
    .max(1024, { message: 'Description is at most 1024 characters' })
    .optional()
    .describe('Free-text description of the image. Optional.'),
  Tag: tagsField.optional().describe('Up to 20 tags {Key, Value} to put on the image. Optional.'),
  ResourceGroupId: resourceGroupIdField.optional(),
  ClientToken: clientTokenField.optional(),
  DryRun: z.boolean().default(false)
    .describe('true: run every check and return the exact request that would be sent and the quota after it, but create nothing. Use it to show the user the plan before creating.'),
  WaitForAvailable: z.boolean().default(false)
    .describe('true: after creating, wait (with progress notifications) until the image is Available or Failed, for at most about 50 seconds; if it is still being created then, the result says Status "Creating" and list_custom_images can check later. false: return as soon as the image ID is known.'),
});

const quotaSchema = z.object({
  Limit: z.number().int(),
  Used: z.number().int(),
  Remaining: z.number().int(),
  RemainingAfter: z.number().int().optional().describe('Images left after this create.'),
});

export const createCustomImageOutput = z.object({
  ImageId: z.string().optional().describe('ID (m-…) of the custom image; absent on dry runs and failures before the call.'),
  RequestId: z.string().optional(),
  RegionId: z.string(),
  InstanceId: z.string(),
  ImageName: z.string(),
  SystemSnapshotId: z.string().optional(),
  DataSnapshotId: z.string().optional(),
  ClientToken: z.string().optional().describe('The idempotency token sent (or that would be sent); repeat it to repeat this request safely.'),
  Status: z.enum(IMAGE_STATUS_VALUES).optional().describe('Image status in words: Creating, Available, Failed, Copying, Unavailable.'),
  DryRun: z.boolean(),
  Repeated: z.boolean().optional().describe('True when this exact request had already been carried out: the existing image is returned and nothing new was created.'),
  SnapshotChoice: z.object({
    SnapshotId: z.string(),
    SnapshotName: z.string(),
    CreationTime: z.string().optional(),
    Reason: z.string(),
  }).optional().describe('Which system snapshot was picked when SystemSnapshotId was omitted.'),
  Request: z.object({
    Action: z.literal('CreateCustomImage'),
    Endpoint: z.string(),
    Parameters: z.record(z.string(), z.unknown()),
  }).optional().describe('Dry run only: the exact API request that would be sent.'),
  Quota: quotaSchema.optional(),
  Checks: z.array(checkSchema).describe('Every precondition checked before sending, with its outcome.'),
  Notes: z.array(z.string()),
  Simulated: simulatedField,
  Error: errorSchema.optional(),
});

type Input = z.output<typeof createCustomImageInput>;
type Output = z.input<typeof createCustomImageOutput>;

const RELEASE_NOTE = 'The image is released together with its source server if that server is released (expiry or refund); share it to ECS or keep the server to preserve it.';

function successText(out: Output): string {
  const lines: string[] = [];
  const where = `server ${out.InstanceId} in ${out.RegionId}`;
  const snap = `system snapshot ${out.SystemSnapshotId}${out.DataSnapshotId ? ` and data snapshot ${out.DataSnapshotId}` : ''}`;
  if (out.DryRun) {
    lines.push(`Dry run: every check passed. Creating image "${out.ImageName}" from ${where} (${snap}) would send the request below; nothing was sent.`);
    lines.push(JSON.stringify(out.Request?.Parameters));
  } else if (out.Repeated) {
    lines.push(`Image ${out.ImageId} ("${out.ImageName}") already exists from ${where} (${snap}): this request was carried out before, so nothing new was created. Status: ${out.Status}.`);
  } else {
    lines.push(`Created custom image ${out.ImageId} ("${out.ImageName}") from ${where} (${snap}). Status: ${out.Status}.`);
  }
  if (out.SnapshotChoice) lines.push(`Snapshot chosen: ${out.SnapshotChoice.Reason}`);
  if (out.Quota) lines.push(`Quota: ${out.Quota.Used} of ${out.Quota.Limit} used${out.Quota.RemainingAfter !== undefined ? `, ${out.Quota.RemainingAfter} left after this image` : ''}.`);
  lines.push('Checks:', ...out.Checks.map(checkLine));
  for (const note of out.Notes) lines.push(`Note: ${note}`);
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}

function snapshotChoiceReason(chosen: Snapshot, skipped: Snapshot[]): string {
  const base = `newest finished system-disk snapshot of the server: ${chosen.SnapshotId} ("${chosen.SnapshotName}"), taken ${chosen.CreationTime ?? 'at an unknown time'}.`;
  if (skipped.length === 0) return base;
  return `${base} Newer but unfinished: ${skipped.map((s) => `${s.SnapshotId} (${s.Status})`).join(', ')}.`;
}

async function createCustomImage(args: Input, call: ToolCall, ctx: ToolContext) {
  const { api, config, simulated } = ctx;
  const region = args.RegionId;
  const base: Output = {
    RegionId: region, InstanceId: args.InstanceId, ImageName: args.ImageName, DryRun: args.DryRun,
    SystemSnapshotId: args.SystemSnapshotId, DataSnapshotId: args.DataSnapshotId, Checks: [], Notes: [], Simulated: simulated,
  };
  const errCtx = {
    action: 'CreateCustomImage', regionId: region, instanceId: args.InstanceId, imageName: args.ImageName,
    snapshotId: args.SystemSnapshotId,
  };
  const fail = (err: unknown, partial: Partial<Output> = {}, snapshotId?: string) => {
    const { error, text } = toFailure(err, snapshotId ? { ...errCtx, snapshotId } : errCtx, ctx.log);
    const out: Output = { ...base, ...partial, Error: error };
    const checks = out.Checks.length ? `\nChecks:\n${out.Checks.map(checkLine).join('\n')}` : '';
    return failure(createCustomImageOutput, out, text + checks);
  };
  const opts = { signal: call.signal };

  // 1. Every read the checks need, at once: one round trip of latency.
  let facts;
  try {
    const snapshotIds = [args.SystemSnapshotId, args.DataSnapshotId].filter((s): s is string => s !== undefined);
    const [instances, images, snapshotsById, systemSnapshots, disks] = await Promise.all([
      api.listInstances(region, {}, opts),
      api.listCustomImages(region, {}, opts),
      snapshotIds.length ? api.listSnapshots(region, { SnapshotIds: snapshotIds }, opts) : undefined,
      args.SystemSnapshotId ? undefined : api.listSnapshots(region, { InstanceId: args.InstanceId, SourceDiskType: 'system' }, opts),
      args.DataSnapshotId ? api.listDisks(region, { InstanceId: args.InstanceId, DiskType: 'data' }, opts) : undefined,
    ]);
    let instance = instances.items.find((i) => i.InstanceId === args.InstanceId);
    if (!instance && instances.truncated) {
      instance = (await api.listInstances(region, { InstanceIds: [args.InstanceId] }, opts)).items[0];
    }
    facts = { instances, images, snapshotsById: snapshotsById?.items ?? [], systemSnapshots: systemSnapshots?.items, disks: disks?.items ?? [], instance };
  } catch (err) {
    return fail(err);
  }

  // 2. Which system snapshot: the one named, or the newest finished one of the server.
  let systemSnapshotId = args.SystemSnapshotId;
  let snapshotChoice: Output['SnapshotChoice'];
  if (!systemSnapshotId && facts.instance) {
    const { chosen, skipped } = chooseSystemSnapshot(facts.systemSnapshots ?? [], args.InstanceId);
    if (!chosen) {
      const unfinished = skipped.length ? ` Unfinished: ${skipped.map((s) => `${s.SnapshotId} (${s.Status}${s.Progress ? ` ${s.Progress}` : ''})`).join(', ')}; wait for one of them with list_snapshots, or` : ' Call';
      return fail(new ApiError({
        code: 'NoSystemSnapshot', stage: 'preflight',
        message: `Server ${args.InstanceId} has no finished system-disk snapshot.${unfinished} create_snapshot with WaitForAccomplished true to make one.`,
      }), { Checks: [{ Name: 'SystemSnapshot', Outcome: 'failed', Detail: 'The server has no finished system-disk snapshot.' }] });
    }
    systemSnapshotId = chosen.SnapshotId;
    snapshotChoice = { SnapshotId: chosen.SnapshotId, SnapshotName: chosen.SnapshotName, CreationTime: chosen.CreationTime, Reason: snapshotChoiceReason(chosen, skipped) };
    facts.snapshotsById.push(chosen);
  }
  base.SystemSnapshotId = systemSnapshotId;
  if (snapshotChoice) base.SnapshotChoice = snapshotChoice;

  // 3. Judge every precondition; a failure is explained with the code the API would return.
  const dataDisks = facts.disks.length ? facts.disks : (facts.instance?.Disks ?? []).filter((d) => d.DiskType === 'data');
  const verdict = judgeCreateImage(
    { regionId: region, instanceId: args.InstanceId, imageName: args.ImageName, systemSnapshotId: systemSnapshotId ?? '', dataSnapshotId: args.DataSnapshotId },
    {
      instance: facts.instance,
      serverCount: facts.instances.totalCount,
      images: facts.images.items,
      systemSnapshot: facts.snapshotsById.find((s) => s.SnapshotId === systemSnapshotId),
      dataSnapshot: facts.snapshotsById.find((s) => s.SnapshotId === args.DataSnapshotId),
      dataDisks,
    },
  );
  base.Checks = verdict.checks;
  const quota: Quota = verdict.quota;
  if (verdict.failure) {
    const failedSnapshot = verdict.failure.code === 'InvalidParam.DataSnapshotIdNotFound' ? args.DataSnapshotId : systemSnapshotId;
    return fail(new ApiError({ code: verdict.failure.code, message: verdict.failure.message, stage: 'preflight' }), { Quota: quota }, failedSnapshot);
  }
  if (verdict.repeatOf) return repeatedResult(base, verdict.repeatOf, quota);

  // 4. The request, with a ClientToken that stays the same on every retry and every repeat.
  const params: CreateCustomImageParams = {
    RegionId: region, InstanceId: args.InstanceId, ImageName: args.ImageName, SystemSnapshotId: systemSnapshotId ?? '',
    DataSnapshotId: args.DataSnapshotId, Description: args.Description, Tag: args.Tag, ResourceGroupId: args.ResourceGroupId,
    ClientToken: '',
  };
  params.ClientToken = args.ClientToken ?? deriveClientToken('CreateCustomImage', { ...params, ClientToken: undefined });
  base.ClientToken = params.ClientToken;
  const quotaAfter = { ...quota, RemainingAfter: quota.Remaining - 1 };

  if (args.DryRun) {
    const out: Output = {
      ...base, Quota: quotaAfter,
      Request: { Action: 'CreateCustomImage', Endpoint: api.hostFor(region), Parameters: definedOnly(params) },
      Notes: ['Nothing was sent. Call again with DryRun false (or omitted) to create the image.', RELEASE_NOTE],
    };
    return success(createCustomImageOutput, out, successText(out));
  }

  // 5. The one call that creates something.
  let created;
  try {
    created = await api.createCustomImage(params, opts);
  } catch (err) {
    return fail(err, { ClientToken: params.ClientToken, Quota: quota });
  }
  ctx.log.info({ regionId: region, instanceId: args.InstanceId, imageId: created.ImageId, requestId: created.RequestId }, 'custom image created');
  const out: Output = {
    ...base, ImageId: created.ImageId, RequestId: created.RequestId, Status: 'Creating', Quota: quotaAfter,
    Notes: [RELEASE_NOTE],
  };
  if (!args.WaitForAvailable) {
    out.Notes.push(`Creation runs in the background and takes minutes; call list_custom_images with ImageIds ["${created.ImageId}"] to see when it is Available.`);
    return success(createCustomImageOutput, out, successText(out));
  }

  // 6. Optional bounded wait, with progress.
  try {
    const status = await waitForImage(ctx, region, created.ImageId, call);
    out.Status = status.word;
    if (status.word === 'Failed' || status.word === 'Unavailable') {
      return fail(new ApiError({
        code: 'CustomImageCreationFailed', stage: 'api',
        message: `Image ${created.ImageId} was accepted but ended ${status.word} (Status "${status.code}").`,
      }), { ImageId: created.ImageId, RequestId: created.RequestId, Status: status.word, ClientToken: params.ClientToken, Quota: quotaAfter, Notes: out.Notes });
    }
    if (!status.settled) {
      out.Notes.push(`The image was still being created after ${Math.round(status.elapsedMs / 1000)} s; call list_custom_images with ImageIds ["${created.ImageId}"] to check later. Nothing needs to be created again.`);
    }
  } catch (err) {
    // The image exists; only the wait failed. Say so rather than hiding the ImageId.
    const { error } = toFailure(err, errCtx, ctx.log);
    out.Notes.push(`Waiting for the image stopped early (${error.Code}); call list_custom_images with ImageIds ["${created.ImageId}"] to check its status.`);
  }
  return success(createCustomImageOutput, out, successText(out));
}

function repeatedResult(base: Output, image: CustomImage, quota: Quota) {
  const out: Output = {
    ...base, ImageId: image.ImageId, Status: imageStatusWord(image.StatusCode), Repeated: true, Quota: quota, Notes: [RELEASE_NOTE],
  };
  return success(createCustomImageOutput, out, successText(out));
}

function definedOnly(params: CreateCustomImageParams): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
}

/** Polls the image until it settles or the configured wait runs out. */
export async function waitForImage(ctx: ToolContext, regionId: string, imageId: string, call: ToolCall) {
  if (!IMAGE_ID_PATTERN.test(imageId)) throw new ApiError({ code: 'UnexpectedResponse', stage: 'api', message: 'The API returned no usable ImageId.' });
  const report = call.progress;
  let code = '';
  const result = await pollUntil(
    async () => {
      const found = (await ctx.api.listCustomImages(regionId, { ImageIds: [imageId] }, { signal: call.signal })).items[0];
      code = found?.StatusCode ?? '4';
      return imageStatusWord(code);
    },
    (word: ImageStatusWord) => imageSettled(word),
    {
      timeoutMs: ctx.config.waitTimeoutMs,
      initialIntervalMs: ctx.config.pollIntervalMs,
      maxIntervalMs: 5_000,
      signal: call.signal,
      onPoll: (word, n, elapsedMs) => report(n, `Image ${imageId}: ${word} after ${Math.round(elapsedMs / 1000)} s`),
    },
  );
  return { word: result.value, code, settled: result.settled, elapsedMs: result.elapsedMs };
}

export const createCustomImageTool = defineTool({
  name: 'create_custom_image',
  title: 'Create a custom image of a SWAS server',
  description: [
    'Creates a custom image of an Alibaba Cloud Simple Application Server (SWAS) from a finished system-disk snapshot of that server (and optionally one data-disk snapshot), via the CreateCustomImage API.',
    'Before sending anything it checks: the server exists in RegionId and is Running or Stopped; the snapshot is a finished system-disk snapshot of that very server; the name is unused; the quota (3 images per server, at most 15) has room. Each check is reported.',
    'Typical flow: list_instances → list_snapshots (or create_snapshot if there is no system snapshot) → create_custom_image with DryRun true to show the plan → create_custom_image. Omit SystemSnapshotId to use the newest finished one. Repeating the same call is safe: it never creates a second image.',
  ].join(' '),
  inputSchema: createCustomImageInput,
  outputSchema: createCustomImageOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  kind: 'write',
  ramActions: ['swas-open:CreateCustomImage', 'swas-open:ListInstances', 'swas-open:ListCustomImages', 'swas-open:ListSnapshots', 'swas-open:ListDisks'],
  handler: (args, call, ctx) => createCustomImage(args, call, ctx),
});
