import { apiText } from '../explain/untrusted.js';
import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { judgeCreateImage, type Quota } from '../preflight/create-image.js';
import { chooseSystemSnapshot } from '../preflight/snapshots.js';
import { ApiError } from '../swas/errors.js';
import { checkLine, checkSchema } from '../preflight/checks.js';
import { IMAGE_ID_PATTERN, IMAGE_NAME_CHARS, INSTANCE_ID_PATTERN, SNAPSHOT_ID_PATTERN } from '../swas/shapes.js';
import { IMAGE_STATUS_VALUES, imageStatusWord } from '../swas/status.js';
import type { CreateCustomImageParams, CustomImage, Snapshot } from '../swas/types.js';
import {
  clientTokenField, errorSchema, REGION_DESCRIPTION, regionIdField, resourceGroupIdField, success, tagSchema, tagsField,
  type ToolContext, SIMULATED_NOTE, simulatedField,
} from './common.js';
import { defineTool, type ToolCall } from './registry.js';
import { failWith, planRequest, plannedRequestSchema, sendWrite, waitAfterWrite } from './write-flow.js';

export const createCustomImageInput = lazySchema(() => z.strictObject({
  RegionId: regionIdField().describe(`${REGION_DESCRIPTION} The image is created in the server's own region.`),
  InstanceId: z.string()
    .regex(INSTANCE_ID_PATTERN, { message: 'InvalidInstanceId: InstanceId must be the server ID from list_instances (letters, digits, "-" and "_", at most 64)' })
    .describe('ID of the simple application server to image, e.g. "ace0706b2ac4454d984295a94213xxxx". Get it from list_instances.'),
  ImageName: z.string()
    .min(2, { message: 'InvalidParam.IllegalImageName: ImageName must be at least 2 characters' })
    .max(128, { message: 'InvalidParam.IllegalImageName: ImageName must be at most 128 characters' })
    .regex(IMAGE_NAME_CHARS, { message: 'InvalidParam.IllegalImageName: ImageName may contain only letters, digits, ":", "_" and "-", and must start with a letter or digit' })
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
  Tag: tagsField().optional().describe('Up to 20 tags {Key, Value} to put on the image. Optional.'),
  ResourceGroupId: resourceGroupIdField().optional(),
  ClientToken: clientTokenField().optional(),
  DryRun: z.boolean().default(false)
    .describe('true: run every check and return the exact request that would be sent and the quota after it, but create nothing. Use it to show the user the plan before creating.'),
  WaitForAvailable: z.boolean().default(false)
    .describe('true: after creating, wait (with progress notifications) until the image is Available or Failed, for at most about 50 seconds. An image usually takes minutes to tens of minutes, so it is often still "Creating" then: the result says so and names the wait_for_resources call that keeps waiting. false: return as soon as the image ID is known.'),
}));

const quotaSchema = lazySchema(() => z.object({
  Limit: z.number().int(),
  Used: z.number().int(),
  Remaining: z.number().int(),
  RemainingAfter: z.number().int().optional().describe('Images left after this create.'),
}));

export const createCustomImageOutput = lazySchema(() => z.object({
  ImageId: z.string().optional().describe('ID (m-…) of the custom image: the new one, an earlier one this same request made, or (on an ImageNameAlreadyExist failure) the image of that name made earlier from this same server. Absent on dry runs and other failures before the call.'),
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
  Request: plannedRequestSchema('CreateCustomImage', {
    RegionId: z.string(), InstanceId: z.string(), ImageName: z.string(), SystemSnapshotId: z.string(), DataSnapshotId: z.string().optional(),
    Description: z.string().optional(), Tag: z.array(tagSchema()).optional(), ResourceGroupId: z.string().optional(),
  }).optional(),
  Quota: quotaSchema().optional(),
  Checks: z.array(checkSchema()).describe('Every precondition checked before sending, with its outcome.'),
  Notes: z.array(z.string()),
  Simulated: simulatedField(),
  Error: errorSchema().optional(),
}));

type Input = z.output<ReturnType<typeof createCustomImageInput>>;
type Output = z.input<ReturnType<typeof createCustomImageOutput>>;

const RELEASE_NOTE = 'The image is released together with its source server if that server is released (expiry or refund); share it to ECS or keep the server to preserve it.';

function successText(out: Output): string {
  const lines: string[] = [];
  const where = `server ${out.InstanceId} in ${out.RegionId}`;
  const snap = `system snapshot ${out.SystemSnapshotId}${out.DataSnapshotId ? ` and data snapshot ${out.DataSnapshotId}` : ''}`;
  if (out.Repeated) {
    // A repeat first: a dry run of a request already carried out must not read as "would send".
    lines.push(`Image ${out.ImageId} ("${out.ImageName}") already exists from ${where} (${snap}): this request was carried out before, so nothing new was created${out.DryRun ? ' and nothing would be sent' : ''}. Status: ${out.Status}.`);
  } else if (out.DryRun) {
    lines.push(`Dry run: every check passed. Creating image "${out.ImageName}" from ${where} (${snap}) would send the request below; nothing was sent.`);
    lines.push(JSON.stringify(out.Request?.Parameters));
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
  const base = `newest finished system-disk snapshot of the server: ${chosen.SnapshotId} ("${apiText(chosen.SnapshotName, 64)}"), taken ${chosen.CreationTime ?? 'at an unknown time'}.`;
  if (skipped.length === 0) return base;
  return `${base} Newer but unfinished: ${skipped.map((s) => `${s.SnapshotId} (${s.Status})`).join(', ')}.`;
}

async function createCustomImage(args: Input, call: ToolCall, ctx: ToolContext) {
  const { api, simulated } = ctx;
  const region = args.RegionId;
  const base: Output = {
    RegionId: region, InstanceId: args.InstanceId, ImageName: args.ImageName, DryRun: args.DryRun,
    SystemSnapshotId: args.SystemSnapshotId, DataSnapshotId: args.DataSnapshotId, Checks: [], Notes: [], Simulated: simulated,
  };
  const errCtx = {
    action: 'CreateCustomImage', regionId: region, instanceId: args.InstanceId, imageName: args.ImageName,
    snapshotId: args.SystemSnapshotId,
  };
  const fail = (err: unknown, partial: Partial<Output> = {}, snapshotId?: string) =>
    failWith(createCustomImageOutput(), { ...base, ...partial }, err, snapshotId ? { ...errCtx, snapshotId } : errCtx, ctx);
  const opts = { signal: call.signal };

  // 1. Every read the checks need, at once: one round trip of latency.
  let facts;
  try {
    const snapshotIds = [args.SystemSnapshotId, args.DataSnapshotId].filter((s): s is string => s !== undefined);
    const [instances, images, snapshotsById, systemSnapshots, disks] = await Promise.all([
      api.listInstances(region, {}, opts),
      // Only the account's own images count towards its quota and its names (shared-in ones do not).
      api.listCustomImages(region, { Share: false }, opts),
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
    const err = new ApiError({ code: verdict.failure.code, message: verdict.failure.message, stage: 'preflight' });
    if (verdict.sameServer && verdict.failure.code === 'ImageNameAlreadyExist') {
      return failWith(createCustomImageOutput(), { ...base, Quota: quota, ImageId: verdict.sameServer.ImageId }, err, { ...errCtx, sameServerImageId: verdict.sameServer.ImageId }, ctx);
    }
    return fail(err, { Quota: quota }, failedSnapshot);
  }
  if (verdict.repeatOf) return repeatedResult(base, verdict.repeatOf, quota, args, call, ctx);

  // 4. The request, with a ClientToken that stays the same on every retry and every repeat.
  const planned = planRequest<Omit<CreateCustomImageParams, 'ClientToken'>>(ctx, 'CreateCustomImage', region, {
    RegionId: region, InstanceId: args.InstanceId, ImageName: args.ImageName, SystemSnapshotId: systemSnapshotId ?? '',
    DataSnapshotId: args.DataSnapshotId, Description: args.Description, Tag: args.Tag, ResourceGroupId: args.ResourceGroupId,
  }, args.ClientToken);
  base.ClientToken = planned.Parameters.ClientToken;
  const quotaAfter = { ...quota, RemainingAfter: quota.Remaining - 1 };

  if (args.DryRun) {
    const out: Output = {
      ...base, Quota: quotaAfter, Request: planned,
      Notes: ['Nothing was sent. Call again with DryRun false (or omitted) to create the image.', RELEASE_NOTE],
    };
    return success(createCustomImageOutput(), out, successText(out));
  }

  // 5. The one call that creates something.
  let created;
  try {
    created = await sendWrite(ctx, call, {
      tool: 'create_custom_image', action: 'CreateCustomImage', regionId: region, resourceIds: [args.InstanceId], clientToken: base.ClientToken, args,
    }, (signal) => api.createCustomImage(planned.Parameters, { signal }));
  } catch (err) {
    return fail(err, { Quota: quota });
  }
  if (!IMAGE_ID_PATTERN.test(created.ImageId)) {
    return fail(new ApiError({ code: 'UnexpectedResponse', stage: 'api', message: 'The API returned no usable ImageId.' }), { RequestId: created.RequestId, Quota: quota });
  }
  ctx.log.info({ regionId: region, instanceId: args.InstanceId, imageId: created.ImageId, requestId: created.RequestId }, 'custom image created');
  const out: Output = {
    ...base, ImageId: created.ImageId, RequestId: created.RequestId, Status: 'Creating', Quota: quotaAfter,
    Notes: [RELEASE_NOTE],
  };
  return finishWithWait(out, args.WaitForAvailable, call, ctx);
}

/** After a create or a repeat: the optional bounded wait, with progress, and the words that follow. */
async function finishWithWait(out: Output, wait: boolean, call: ToolCall, ctx: ToolContext) {
  const imageId = out.ImageId ?? '';
  const watch = [{ kind: 'image' as const, id: imageId, until: 'Available' as const }];
  const keepWaiting = `Call wait_for_resources with {"RegionId":"${out.RegionId}","ImageIds":["${imageId}"]} to wait for it; nothing needs to be created again.`;
  if (out.Status === 'Available') return success(createCustomImageOutput(), out, successText(out));
  if (!wait) {
    out.Notes.push(`Creation runs in the background and usually takes minutes to tens of minutes. ${keepWaiting}`);
    return success(createCustomImageOutput(), out, successText(out));
  }
  const errCtx = { action: 'CreateCustomImage', regionId: out.RegionId, instanceId: out.InstanceId, imageName: out.ImageName };
  const waited = await waitAfterWrite(ctx, call, out.RegionId, watch, errCtx);
  const state = waited.outcome?.states[0];
  if (state) out.Status = (IMAGE_STATUS_VALUES as readonly string[]).includes(state.State) ? state.State as Output['Status'] : out.Status;
  if (state?.Failed) {
    return failWith(createCustomImageOutput(), out, new ApiError({
      code: 'CustomImageCreationFailed', stage: 'api',
      message: `Image ${imageId} was accepted but ended ${state.State}.`,
    }), errCtx, ctx);
  }
  if (waited.note) out.Notes.push(waited.note);
  return success(createCustomImageOutput(), out, successText(out));
}

/** The request was carried out before: answer with that image, and wait for it if asked. */
function repeatedResult(base: Output, image: CustomImage, quota: Quota, args: Input, call: ToolCall, ctx: ToolContext) {
  const out: Output = {
    ...base, ImageId: image.ImageId, Status: imageStatusWord(image.StatusCode), Repeated: true, Quota: quota, Notes: [RELEASE_NOTE],
  };
  if (args.DryRun) return success(createCustomImageOutput(), out, successText(out));
  return finishWithWait(out, args.WaitForAvailable, call, ctx);
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
