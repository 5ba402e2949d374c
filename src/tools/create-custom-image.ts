import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { judgeCreateImage } from '../preflight/create-image.js';
import type { Quota } from '../preflight/quotas.js';
import { byNewest, chooseSystemSnapshot, isFinished } from '../preflight/snapshots.js';
import { SwasError } from '../swas/errors.js';
import { checkSchema } from '../preflight/checks.js';
import { judgeCapture, snapshotAgeCheck } from '../preflight/capture.js';
import { IMAGE_ID_PATTERN, IMAGE_NAME_CHARS, INSTANCE_ID_PATTERN, SNAPSHOT_ID_PATTERN } from '../swas/shapes.js';
import { IMAGE_STATUS_VALUES, imageStatusWord, sameWord } from '../swas/status.js';
import type { CustomImage } from '../swas/types.js';
import {
  clientTokenField, errorSchema, REGION_DESCRIPTION, regionIdField, resourceGroupIdField, success, tagSchema, tagsField, type ToolContext, simulatedField,
} from './common.js';
import { createCustomImageText, disksWords, operationSnapshots, snapshotChoiceReason, warningsOf } from '../render/create-custom-image.js';
import { defineTool, type ToolCall } from './registry.js';
import { appViewUri } from '../apps/views.js';
import { continueCall, planCaptureSnapshots, planCreateImage } from '../requests/create-custom-image.js';
import { failWith, keepWaitingArgs, plannedRequestSchema, sendWrite, waitAfterWrite } from './write-flow.js';

export const createCustomImageInput = lazySchema(() => z.strictObject({
  RegionId: regionIdField().describe(`${REGION_DESCRIPTION}`),
  InstanceId: z.string()
    .regex(INSTANCE_ID_PATTERN, { message: 'InvalidInstanceId: InstanceId must be the server ID from list_instances (letters, digits, "-" and "_", at most 64)' })
    .describe('Server to image (list_instances).'),
  ImageName: z.string()
    .min(2, { message: 'InvalidParam.IllegalImageName: ImageName must be at least 2 characters' })
    .max(128, { message: 'InvalidParam.IllegalImageName: ImageName must be at most 128 characters' })
    .regex(IMAGE_NAME_CHARS, { message: 'InvalidParam.IllegalImageName: ImageName may contain only letters, digits, ":", "_" and "-", and must start with a letter or digit' })
    .describe('Unique in the region, e.g. "blog-2026-11-28".'),
  Source: z.enum(['now', 'latest-snapshot']).optional()
    .describe('"now" (default without snapshot IDs): new snapshots. "latest-snapshot": the server\'s newest finished ones (age stated).'),
  IncludeDataDisk: z.boolean().default(true)
    .describe('false: the system disk only.'),
  SystemSnapshotId: z.string()
    .regex(SNAPSHOT_ID_PATTERN, { message: 'SystemSnapshotId must be a snapshot ID such as s-bp1abc... (from list_snapshots)' })
    .optional()
    .describe('A finished system-disk snapshot of this server, imaged instead (not with Source "now").'),
  DataSnapshotId: z.string()
    .regex(SNAPSHOT_ID_PATTERN, { message: 'DataSnapshotId must be a snapshot ID such as s-bp1abc... (from list_snapshots)' })
    .optional()
    .describe('A finished data-disk snapshot of this server; needs SystemSnapshotId or Source "latest-snapshot", not IncludeDataDisk false.'),
  Description: z.string()
    .max(1024, { message: 'Description is at most 1024 characters' })
    .optional(),
  Tag: tagsField().optional().describe('Keys unique.'),
  ResourceGroupId: resourceGroupIdField().optional(),
  ClientToken: clientTokenField().optional(),
  DryRun: z.boolean().default(false)
    .describe('true: run the checks and return the plan; nothing is sent.'),
  WaitForAvailable: z.boolean().default(false)
    .describe('true: wait up to ~50 s (with progress); the next call continues what is not done.'),
}).superRefine((v, issue) => {
  const ids = v.SystemSnapshotId !== undefined || v.DataSnapshotId !== undefined;
  if (v.Source === 'now' && ids) {
    issue.addIssue({ code: 'custom', path: ['Source'], message: 'Source "now" takes new snapshots: give no SystemSnapshotId or DataSnapshotId with it (or use Source "latest-snapshot").' });
  } else if (v.DataSnapshotId !== undefined && v.SystemSnapshotId === undefined && v.Source === undefined) {
    issue.addIssue({ code: 'custom', path: ['DataSnapshotId'], message: 'DataSnapshotId needs SystemSnapshotId (or Source "latest-snapshot"); without snapshot IDs the server is captured now.' });
  }
  if (v.DataSnapshotId !== undefined && v.IncludeDataDisk === false) {
    issue.addIssue({ code: 'custom', path: ['IncludeDataDisk'], message: 'IncludeDataDisk false leaves the data disk out: give no DataSnapshotId with it.' });
  }
}));

const quotaSchema = lazySchema(() => z.object({
  Limit: z.number().int(),
  Used: z.number().int(),
  Remaining: z.number().int(),
  RemainingAfter: z.number().int().optional().describe('Left after this operation.'),
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
  Source: z.enum(['now', 'latest-snapshot', 'given']).optional().describe('now: new snapshots of the server as it is now; latest-snapshot or given: existing snapshots, with their age.'),
  DisksInImage: z.string().optional().describe('Which disks the image holds, in words.'),
  Operation: z.object({
    State: z.enum(['Planned', 'SnapshotsInProgress', 'SnapshotsReady', 'ImageCreating', 'Done']),
    Snapshots: z.array(z.object({
      SnapshotId: z.string().optional(), SnapshotName: z.string(), DiskId: z.string(), DiskType: z.string(),
      Status: z.string().optional(), Progress: z.string().optional(),
    })).describe('The snapshots this operation takes: kept, since an image\'s source snapshot cannot be deleted.'),
    ContinueWith: z.string().optional().describe('The exact call that continues this operation.'),
  }).optional().describe('Source "now": the state of the capture, which the same call continues.'),
  SnapshotRequests: z.array(plannedRequestSchema('CreateSnapshot', {
    RegionId: z.string(), DiskId: z.string(), SnapshotName: z.string(), ResourceGroupId: z.string().optional(),
  })).optional().describe('Dry run: the snapshot requests that would be sent first.'),
  SnapshotQuota: quotaSchema().optional().describe('Snapshots of this server (3 at most).'),
  Warnings: z.array(z.string()).optional().describe('Tell the user these before going on.'),
  Checks: z.array(checkSchema()).describe('Every precondition checked before sending, with its outcome.'),
  Notes: z.array(z.string()),
  Simulated: simulatedField(),
  Error: errorSchema().optional(),
}));

type Input = z.output<ReturnType<typeof createCustomImageInput>>;
type Output = z.input<ReturnType<typeof createCustomImageOutput>>;

const RELEASE_NOTE = 'The image is released together with its source server if that server is released (expiry or refund); share it to ECS or keep the server to preserve it.';
const KEPT_NOTE = 'The snapshots listed under Operation were taken by this operation and are kept: an image\'s source snapshot cannot be deleted while the image exists.';

async function createCustomImage(args: Input, call: ToolCall, ctx0: ToolContext) {
  // One call waits at most the configured bound in all, snapshots and image together: the bound
  // starts when the first wait does (its first read), so the reads before it do not shorten it.
  let deadline: number | undefined;
  const config = ctx0.config;
  const waiting = { ...config, get waitTimeoutMs() { deadline ??= Date.now() + config.waitTimeoutMs; return Math.max(0, deadline - Date.now()); } };
  const ctx: ToolContext = { ...ctx0, config: waiting };
  const source = args.SystemSnapshotId ? 'given' as const : args.Source ?? 'now';
  const base: Output = {
    RegionId: args.RegionId, InstanceId: args.InstanceId, ImageName: args.ImageName, DryRun: args.DryRun, Source: source, DisksInImage: '',
    SystemSnapshotId: args.SystemSnapshotId, DataSnapshotId: args.DataSnapshotId, Checks: [], Notes: [], Simulated: ctx.simulated,
  };
  return source === 'now' ? captureNow(args, call, ctx, base, ctx0.config.waitTimeoutMs) : fromExistingSnapshots(args, call, ctx, base);
}

/** An image of snapshots that exist already: named, or the newest finished ones. Their age is always stated. */
async function fromExistingSnapshots(args: Input, call: ToolCall, ctx: ToolContext, base: Output) {
  const { api } = ctx;
  const region = args.RegionId;
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
    const [instances, images, snapshotsById, regionSnapshots, disks] = await Promise.all([
      api.listInstances(region, {}, opts),
      // Only the account's own images count towards its quota and its names (shared-in ones do not).
      api.listCustomImages(region, { Share: false }, opts),
      snapshotIds.length ? api.listSnapshots(region, { SnapshotIds: snapshotIds }, opts) : undefined,
      // The region holds at most 15 snapshots: one list gives the newest of every disk.
      args.SystemSnapshotId ? undefined : api.listSnapshots(region, {}, opts),
      args.DataSnapshotId ? api.listDisks(region, { InstanceId: args.InstanceId, DiskType: 'data' }, opts) : undefined,
    ]);
    let instance = instances.items.find((i) => i.InstanceId === args.InstanceId);
    if (!instance && instances.truncated) {
      instance = (await api.listInstances(region, { InstanceIds: [args.InstanceId] }, opts)).items[0];
    }
    facts = { instances, images, snapshotsById: snapshotsById?.items ?? [], regionSnapshots: regionSnapshots?.items, disks: disks?.items ?? [], instance };
  } catch (err) {
    return fail(err);
  }
  const dataDisks = facts.disks.length ? facts.disks : (facts.instance?.Disks ?? []).filter((d) => sameWord(d.DiskType, 'data'));

  // 2. Which snapshots: the ones named, or the newest finished ones of the server.
  let systemSnapshotId = args.SystemSnapshotId;
  let dataSnapshotId = args.DataSnapshotId;
  let snapshotChoice: Output['SnapshotChoice'];
  if (!systemSnapshotId && facts.instance) {
    const { chosen, skipped } = chooseSystemSnapshot(facts.regionSnapshots ?? [], args.InstanceId);
    if (!chosen) {
      const unfinished = skipped.length ? ` Unfinished: ${skipped.map((s) => `${s.SnapshotId} (${s.Status}${s.Progress ? ` ${s.Progress}` : ''})`).join(', ')}.` : '';
      return fail(new SwasError({
        code: 'NoSystemSnapshot', stage: 'preflight',
        message: `Server ${args.InstanceId} has no finished system-disk snapshot.${unfinished} Call create_custom_image without Source to capture the server now (it takes the snapshots itself).`,
      }), { Checks: [{ Name: 'SystemSnapshot', Outcome: 'failed', Detail: 'The server has no finished system-disk snapshot.' }] });
    }
    systemSnapshotId = chosen.SnapshotId;
    snapshotChoice = { SnapshotId: chosen.SnapshotId, SnapshotName: chosen.SnapshotName, CreationTime: chosen.CreationTime, Reason: snapshotChoiceReason(chosen, skipped) };
    facts.snapshotsById.push(chosen);
    const dataDisk = args.IncludeDataDisk ? dataDisks[0] : undefined;
    const data = dataDisk && (facts.regionSnapshots ?? []).filter((s) => s.SourceDiskId === dataDisk.DiskId && isFinished(s)).sort(byNewest)[0];
    if (data) {
      dataSnapshotId = data.SnapshotId;
      facts.snapshotsById.push(data);
    }
  }
  base.SystemSnapshotId = systemSnapshotId;
  base.DataSnapshotId = dataSnapshotId;
  if (snapshotChoice) base.SnapshotChoice = snapshotChoice;

  // 3. Judge every precondition; a failure is explained with the code the API would return.
  const systemSnapshot = facts.snapshotsById.find((s) => s.SnapshotId === systemSnapshotId);
  const dataSnapshot = facts.snapshotsById.find((s) => s.SnapshotId === dataSnapshotId);
  const verdict = judgeCreateImage(
    { regionId: region, instanceId: args.InstanceId, imageName: args.ImageName, systemSnapshotId: systemSnapshotId ?? '', dataSnapshotId },
    { instance: facts.instance, serverCount: facts.instances.totalCount, images: facts.images.items, systemSnapshot, dataSnapshot, dataDisks },
  );
  // The age of every existing snapshot used, always: old ones are a warning to relay.
  const ages = [
    ...(systemSnapshot ? [snapshotAgeCheck(systemSnapshot, 'system', ctx.now(), ctx.config.snapshotMaxAgeHours)] : []),
    ...(dataSnapshot ? [snapshotAgeCheck(dataSnapshot, 'data', ctx.now(), ctx.config.snapshotMaxAgeHours)] : []),
  ];
  base.Checks = [...verdict.checks, ...ages];
  const warnings = warningsOf(base.Checks);
  if (warnings.length) base.Warnings = warnings;
  base.DisksInImage = disksWords(dataDisks, dataSnapshot ? dataSnapshotId : undefined, dataDisks.find((d) => d.DiskId === dataSnapshot?.SourceDiskId));
  const quota: Quota = verdict.quota;
  if (verdict.failure) {
    const failedSnapshot = verdict.failure.code === 'InvalidParam.DataSnapshotIdNotFound' ? dataSnapshotId : systemSnapshotId;
    const err = new SwasError({ code: verdict.failure.code, message: verdict.failure.message, stage: 'preflight' });
    if (verdict.sameServer && verdict.failure.code === 'ImageNameAlreadyExist') {
      return failWith(createCustomImageOutput(), { ...base, Quota: quota, ImageId: verdict.sameServer.ImageId }, err, { ...errCtx, sameServerImageId: verdict.sameServer.ImageId }, ctx);
    }
    return fail(err, { Quota: quota }, failedSnapshot);
  }
  if (verdict.repeatOf) return repeatedResult(base, verdict.repeatOf, quota, args, call, ctx);
  return sendCreateImage(args, call, ctx, { ...base, Quota: { ...quota, RemainingAfter: quota.Remaining - 1 } }, systemSnapshotId ?? '', dataSnapshotId);
}

/** Plans CreateCustomImage, answers a dry run, or sends it (ledger around it) and reports the image. */
async function sendCreateImage(args: Input, call: ToolCall, ctx: ToolContext, base: Output, systemSnapshotId: string, dataSnapshotId: string | undefined) {
  const region = args.RegionId;
  const errCtx = { action: 'CreateCustomImage', regionId: region, instanceId: args.InstanceId, imageName: args.ImageName, snapshotId: systemSnapshotId };
  const planned = planCreateImage(ctx.api.hostFor(region), {
    regionId: region, instanceId: args.InstanceId, imageName: args.ImageName, systemSnapshotId, dataSnapshotId,
    description: args.Description, tag: args.Tag, resourceGroupId: args.ResourceGroupId, clientToken: args.ClientToken,
  });
  base.ClientToken = planned.Parameters.ClientToken;
  base.SystemSnapshotId = systemSnapshotId;
  base.DataSnapshotId = dataSnapshotId;
  const kept = base.Operation ? [KEPT_NOTE] : [];

  if (args.DryRun) {
    const out: Output = { ...base, Request: planned, Notes: ['Nothing was sent. Call again with DryRun false (or omitted) to create the image.', ...kept, RELEASE_NOTE] };
    return success(createCustomImageOutput(), out, createCustomImageText(out));
  }

  // The one call that creates the image.
  let created;
  try {
    created = await sendWrite(ctx, call, {
      tool: 'create_custom_image', action: 'CreateCustomImage', regionId: region, resourceIds: [args.InstanceId], clientToken: base.ClientToken, args,
    }, (signal) => ctx.api.createCustomImage(planned.Parameters, { signal }));
  } catch (err) {
    return failWith(createCustomImageOutput(), base, err, errCtx, ctx);
  }
  if (!IMAGE_ID_PATTERN.test(created.ImageId)) {
    return failWith(createCustomImageOutput(), { ...base, RequestId: created.RequestId }, new SwasError({ code: 'UnexpectedResponse', stage: 'api', message: 'The API returned no usable ImageId.' }), errCtx, ctx);
  }
  ctx.log.info({ regionId: region, instanceId: args.InstanceId, imageId: created.ImageId, requestId: created.RequestId }, 'custom image created');
  const out: Output = {
    ...base, ImageId: created.ImageId, RequestId: created.RequestId, Status: 'Creating', Notes: [...kept, RELEASE_NOTE],
    ...(base.Operation ? { Operation: { ...base.Operation, State: 'ImageCreating' as const } } : {}),
  };
  return finishWithWait(out, args.WaitForAvailable, call, ctx);
}

/**
 * Source "now": one operation across calls. Each call reads where the operation stands from the API
 * itself (the snapshots named after the image, then the image) and takes the next step.
 */
async function captureNow(args: Input, call: ToolCall, ctx: ToolContext, base: Output, waitBoundMs: number) {
  const { api } = ctx;
  const region = args.RegionId;
  const errCtx = { action: 'CreateSnapshot', regionId: region, instanceId: args.InstanceId, imageName: args.ImageName };
  const fail = (err: unknown, partial: Partial<Output> = {}, action = 'CreateSnapshot') =>
    failWith(createCustomImageOutput(), { ...base, ...partial }, err, { ...errCtx, action }, ctx);
  const opts = { signal: call.signal };

  // 1. Three reads at once: the server, the region's own images, the region's snapshots (at most 15).
  let facts;
  try {
    const [instances, images, snapshots] = await Promise.all([
      api.listInstances(region, {}, opts),
      api.listCustomImages(region, { Share: false }, opts),
      api.listSnapshots(region, {}, opts),
    ]);
    let instance = instances.items.find((i) => i.InstanceId === args.InstanceId);
    if (!instance && instances.truncated) instance = (await api.listInstances(region, { InstanceIds: [args.InstanceId] }, opts)).items[0];
    facts = { instance, serverCount: instances.totalCount, images: images.items, snapshots: snapshots.items };
  } catch (err) {
    return fail(err);
  }

  // 2. Where the operation stands, and every precondition of what is left, judged before anything is sent.
  const verdict = judgeCapture({
    regionId: region, instanceId: args.InstanceId, imageName: args.ImageName, includeDataDisk: args.IncludeDataDisk,
    nowMs: ctx.now(), maxAgeHours: ctx.config.snapshotMaxAgeHours,
  }, facts);
  const dataDisks = (facts.instance?.Disks ?? []).filter((d) => sameWord(d.DiskType, 'data'));
  const dataStep = verdict.steps.find((s) => s.role === 'data');
  const toTake = verdict.phase === 'take-snapshots' ? verdict.steps.filter((s) => !s.existing) : [];
  base.Checks = verdict.checks;
  const warnings = warningsOf(verdict.checks);
  if (warnings.length) base.Warnings = warnings;
  base.DisksInImage = disksWords(dataDisks, dataStep ? (dataStep.existing?.SnapshotId ?? `new snapshot "${dataStep.name}"`) : undefined, dataStep?.disk);
  base.Quota = verdict.image ? verdict.imageQuota : { ...verdict.imageQuota, RemainingAfter: verdict.imageQuota.Remaining - 1 };
  base.SnapshotQuota = { ...verdict.snapshotQuota, RemainingAfter: verdict.snapshotQuota.Remaining - toTake.length };
  const snapshots = operationSnapshots(verdict.steps);
  base.Operation = { State: 'Planned', Snapshots: snapshots, ContinueWith: continueCall(args) };
  if (verdict.failure) {
    const err = new SwasError({ code: verdict.failure.code, message: `${verdict.failure.message} Nothing was sent.`, stage: 'preflight' });
    const action = verdict.failure.code === 'CustomImageQuotaLimit' || verdict.failure.code === 'ImageNameAlreadyExist' ? 'CreateCustomImage' : 'CreateSnapshot';
    if (verdict.sameServer && verdict.failure.code === 'ImageNameAlreadyExist') {
      return failWith(createCustomImageOutput(), { ...base, ImageId: verdict.sameServer.ImageId }, err, { ...errCtx, action, sameServerImageId: verdict.sameServer.ImageId }, ctx);
    }
    return fail(err, {}, action);
  }

  // 3. The image exists: the operation is at its last step (or done).
  if (verdict.image) {
    const m = verdict.image;
    const status = imageStatusWord(m.StatusCode);
    const out: Output = {
      ...base, ImageId: m.ImageId, Status: status, SystemSnapshotId: m.SystemSnapshotId, DataSnapshotId: m.DataSnapshotId || undefined,
      Operation: { ...base.Operation, State: status === 'Available' ? 'Done' : 'ImageCreating' }, Notes: [KEPT_NOTE, RELEASE_NOTE],
    };
    if (args.DryRun) return success(createCustomImageOutput(), out, createCustomImageText(out));
    return finishWithWait(out, args.WaitForAvailable, call, ctx);
  }

  // 4. Take the snapshots this operation still needs (dry run: show the requests).
  if (toTake.length) {
    const planned = planCaptureSnapshots(api.hostFor(region), region, toTake, args.ResourceGroupId);
    if (args.DryRun) {
      const out: Output = { ...base, SnapshotRequests: planned, Notes: ['Nothing was sent. Call again with DryRun false (or omitted) to start the capture.', KEPT_NOTE, RELEASE_NOTE] };
      return success(createCustomImageOutput(), out, createCustomImageText(out));
    }
    const sent = await Promise.allSettled(planned.map((p) => sendWrite(ctx, call, {
      tool: 'create_custom_image', action: 'CreateSnapshot', regionId: region, resourceIds: [p.Parameters.DiskId], clientToken: p.Parameters.ClientToken, args,
    }, (signal) => api.createSnapshot(p.Parameters, { signal }))));
    sent.forEach((r, k) => {
      const view = snapshots.find((s) => s.DiskId === planned[k]?.Parameters.DiskId);
      if (r.status === 'fulfilled' && view && SNAPSHOT_ID_PATTERN.test(r.value.SnapshotId)) Object.assign(view, { SnapshotId: r.value.SnapshotId, Status: 'progressing' });
    });
    const rejected = sent.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) return fail(rejected.reason, { Operation: { ...base.Operation, State: 'SnapshotsInProgress' } });
    if (snapshots.some((s) => !s.SnapshotId)) {
      return fail(new SwasError({ code: 'UnexpectedResponse', stage: 'api', message: 'The API returned no usable SnapshotId.' }), { Operation: { ...base.Operation, State: 'SnapshotsInProgress' } });
    }
    ctx.log.info({ regionId: region, instanceId: args.InstanceId, snapshotIds: snapshots.map((s) => s.SnapshotId) }, 'capture snapshots taken');
  }

  // 5. Until the snapshots are accomplished, the image waits (within this call if asked).
  if (snapshots.some((s) => !sameWord(s.Status, 'accomplished'))) {
    const watches = snapshots.map((s) => ({ kind: 'snapshot' as const, id: s.SnapshotId ?? '', until: 'Accomplished' as const }));
    if (args.WaitForAvailable && !args.DryRun) {
      const waited = await waitAfterWrite(ctx, call, region, watches, errCtx);
      for (const st of waited.outcome?.states ?? []) {
        const view = snapshots.find((s) => s.SnapshotId === st.Id);
        if (view && st.State !== 'NotFound') Object.assign(view, { Status: st.State, Progress: st.Progress });
      }
      const failed = waited.outcome?.states.find((st) => st.Failed);
      if (failed) {
        return fail(new SwasError({ code: 'SnapshotCreationFailed', stage: 'api', message: `Snapshot ${failed.Id} of this capture ended "${failed.State}". Delete it with delete_snapshots, then call again.` }), { Operation: { ...base.Operation, State: 'SnapshotsInProgress' } });
      }
    }
    // Done in this call with little of its wait left: the image is created by the next call, which
    // can then wait for it; created now, the image would not yet be listed when the agent calls back.
    if (!snapshots.some((s) => !sameWord(s.Status, 'accomplished')) && ctx.config.waitTimeoutMs < waitBoundMs / 2) {
      const out: Output = {
        ...base, Operation: { ...base.Operation, State: 'SnapshotsReady' },
        Notes: [`The snapshots are accomplished. Continue with ${base.Operation.ContinueWith}: it creates the image from them.`, KEPT_NOTE],
      };
      return success(createCustomImageOutput(), out, createCustomImageText(out));
    }
    if (snapshots.some((s) => !sameWord(s.Status, 'accomplished'))) {
      const out: Output = {
        ...base, Operation: { ...base.Operation, State: 'SnapshotsInProgress' },
        Notes: [
          `Snapshots usually take minutes. Continue with ${base.Operation.ContinueWith} (or wait first with ${keepWaitingArgs(region, watches)}): it creates the image once they are accomplished.`,
          KEPT_NOTE,
        ],
      };
      return success(createCustomImageOutput(), out, createCustomImageText(out));
    }
  }

  // 6. Every snapshot is accomplished: the image, from exactly these snapshots.
  const sys = snapshots.find((s) => s.DiskType === 'system')?.SnapshotId ?? '';
  const data = snapshots.find((s) => s.DiskType === 'data')?.SnapshotId;
  base.DisksInImage = disksWords(dataDisks, data, dataStep?.disk);
  return sendCreateImage(args, call, ctx, base, sys, data);
}

/** After a create or a repeat: the optional bounded wait, with progress, and the words that follow. */
async function finishWithWait(out: Output, wait: boolean, call: ToolCall, ctx: ToolContext) {
  const imageId = out.ImageId ?? '';
  const watch = [{ kind: 'image' as const, id: imageId, until: 'Available' as const }];
  const keepWaiting = `Call wait_for_resources with {"RegionId":"${out.RegionId}","ImageIds":["${imageId}"]} to wait for it; nothing needs to be created again.`;
  const done = () => {
    if (out.Operation && out.Status === 'Available') out.Operation = { ...out.Operation, State: 'Done', ContinueWith: undefined };
    return success(createCustomImageOutput(), out, createCustomImageText(out));
  };
  if (out.Status === 'Available') return done();
  if (!wait || ctx.config.waitTimeoutMs <= 0) {
    out.Notes.push(`Creation runs in the background and usually takes minutes to tens of minutes. ${keepWaiting}`);
    return done();
  }
  const errCtx = { action: 'CreateCustomImage', regionId: out.RegionId, instanceId: out.InstanceId, imageName: out.ImageName };
  const waited = await waitAfterWrite(ctx, call, out.RegionId, watch, errCtx);
  const state = waited.outcome?.states[0];
  if (state) out.Status = (IMAGE_STATUS_VALUES as readonly string[]).includes(state.State) ? state.State as Output['Status'] : out.Status;
  if (state?.Failed) {
    return failWith(createCustomImageOutput(), out, new SwasError({
      code: 'CustomImageCreationFailed', stage: 'api',
      message: `Image ${imageId} was accepted but ended ${state.State}.`,
    }), errCtx, ctx);
  }
  if (waited.note) out.Notes.push(waited.note);
  return done();
}

/** The request was carried out before: answer with that image, and wait for it if asked. */
function repeatedResult(base: Output, image: CustomImage, quota: Quota, args: Input, call: ToolCall, ctx: ToolContext) {
  const out: Output = {
    ...base, ImageId: image.ImageId, Status: imageStatusWord(image.StatusCode), Repeated: true, Quota: quota, Notes: [RELEASE_NOTE],
  };
  if (args.DryRun) return success(createCustomImageOutput(), out, createCustomImageText(out));
  return finishWithWait(out, args.WaitForAvailable, call, ctx);
}

export const createCustomImageTool = defineTool({
  publishClientToken: true,
  name: 'create_custom_image',
  title: 'Create a custom image of a SWAS server',
  description: [
    'Creates a custom image of a SWAS server: by default new snapshots of its system and data disks now, then the image from them (CreateSnapshot, CreateCustomImage).',
    'That takes minutes, across calls: each answer gives Operation.State and the call that continues it (same arguments); nothing is taken twice.',
    'Checks server state, name and quotas first (a full quota is refused, naming what to delete).',
  ].join(' '),
  inputSchema: createCustomImageInput,
  outputSchema: createCustomImageOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  kind: 'write',
  ui: { resourceUri: appViewUri('progress') },
  ramActions: ['swas-open:CreateCustomImage', 'swas-open:CreateSnapshot', 'swas-open:ListInstances', 'swas-open:ListCustomImages', 'swas-open:ListSnapshots', 'swas-open:ListDisks'],
  handler: (args, call, ctx) => createCustomImage(args, call, ctx),
});
