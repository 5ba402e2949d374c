import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { resetSystemPlan, type CopyFacts } from '../consent/plans/reset-system.js';
import { imageQuota } from '../preflight/quotas.js';
import { serverSnapshots } from '../preflight/create-snapshot.js';
import { apiText } from '../untrusted.js';
import { checkSchema } from '../preflight/checks.js';
import { judgeResetSystem, type ResetFacts } from '../preflight/reset-system.js';
import { SwasError } from '../swas/errors.js';
import { ANY_IMAGE_ID_PATTERN, ANY_IMAGE_ID_RULE, INSTANCE_ID_PATTERN, isCustomImageId, KEY_PAIR_NAME_PATTERN } from '../swas/shapes.js';
import { sameWord } from '../swas/status.js';
import type { Instance } from '../swas/types.js';
import {
  clientTokenField, errorSchema, REGION_DESCRIPTION, regionIdField, success, type ToolContext, simulatedField,
} from './common.js';
import { approvalIdField, confirmTokenField, consentOutputFields, consentStep } from './consent-step.js';
import { findImage } from './images.js';
import { resetSystemText } from '../render/reset-system.js';
import { defineTool, type ToolCall } from './registry.js';
import { PLAN_VIEW_URI } from '../consent/app.js';
import { expectationOf, planResetSystem, resetReadBack } from '../requests/reset-system.js';
import { failWith, keepWaitingArgs, planBasis, plannedRequestSchema, recordNotApplied, sendWrite, waitAfterWrite } from './write-flow.js';

/** Said wherever a password would be expected: it never passes through the model. */
export const PASSWORD_HOW_TO = 'This tool never takes a password (a password must not pass through the model). To log in after the reset, set the password yourself in the Simple Application Server console (open the server, then Reset Password), or pass KeyPairName to bind an SSH key pair you created in the console (Linux).';

export const resetSystemInput = lazySchema(() => z.strictObject({
  RegionId: regionIdField().describe(`${REGION_DESCRIPTION}`),
  InstanceId: z.string()
    .regex(INSTANCE_ID_PATTERN, { message: 'InvalidInstanceId: InstanceId must be the server ID from list_instances (letters, digits, "-" and "_", at most 64)' })
    .describe('Server to re-install (Running or Stopped).'),
  ImageId: z.string()
    .regex(ANY_IMAGE_ID_PATTERN, { message: `ImageId must be ${ANY_IMAGE_ID_RULE}` })
    .describe('From list_images: an own custom image or a system/app image; not a shared-in one.'),
  KeyPairName: z.string()
    .regex(KEY_PAIR_NAME_PATTERN, { message: 'KeyPairName must be 2–128 characters: a letter first, then letters, digits, ".", "_", "-" or ":"' })
    .optional()
    .describe('SSH key pair (made in the SWAS console) to bind for login (Linux).'),
  WaitForRunning: z.boolean().default(false)
    .describe('true: wait up to ~50 s for Running, then wait_for_resources.'),
  DryRun: z.boolean().default(false)
    .describe('true: run the checks and return the plan; nothing is sent.'),
  ConfirmToken: confirmTokenField(),
  ApprovalId: approvalIdField(),
  ClientToken: clientTokenField().optional(),
}));

const imageRef = lazySchema(() => z.object({
  ImageId: z.string(),
  ImageName: z.string().optional(),
  ImageType: z.string().optional().describe('system, app or custom.'),
  Platform: z.string().optional().describe('Linux or Windows.'),
  Owner: z.enum(['self', 'shared-in']).optional().describe('Custom images: this account\'s own, or shared into it by another account.'),
}));

export const resetSystemOutput = lazySchema(() => z.object({
  RegionId: z.string(),
  InstanceId: z.string(),
  InstanceName: z.string().optional(),
  Status: z.string().optional().describe('The server\'s state as last read: Resetting while it is re-installed, then Running.'),
  Changed: z.boolean().optional().describe('After sending: true when the server read back is being (or was) re-installed from the image; false when it shows no reset (the API answered the request as a repeat of an earlier one with the same ClientToken); absent when a read cannot tell.'),
  Image: imageRef().optional().describe('The image the server is reset to.'),
  PreviousImage: z.object({ ImageId: z.string().optional(), ImageName: z.string().optional(), Platform: z.string().optional() }).optional()
    .describe('The image the server ran before the reset.'),
  RunningImage: z.object({ ImageId: z.string().optional(), ImageName: z.string().optional() }).optional()
    .describe('The image the server runs now, as ListInstances last showed it (after the request was sent).'),
  KeyPairName: z.string().optional(),
  RequestId: z.string().optional(),
  ClientToken: z.string().optional().describe('The idempotency token sent (or that would be sent). A retry while the server is as the plan saw it carries the same token and does not re-install twice; a token given again is answered as the earlier request, without re-installing.'),
  Request: plannedRequestSchema('ResetSystem', {
    RegionId: z.string(), InstanceId: z.string(), ImageId: z.string().optional(), KeyPairName: z.string().optional(),
  }).optional(),
  Checks: z.array(checkSchema()).describe('Every precondition checked before sending, with its outcome.'),
  Notes: z.array(z.string()),
  DryRun: z.boolean(),
  ...consentOutputFields(),
  Simulated: simulatedField(),
  Error: errorSchema().optional(),
}));

type Input = z.output<ReturnType<typeof resetSystemInput>>;
type Output = z.input<ReturnType<typeof resetSystemOutput>>;

/**
 * The server, and the image where ResetSystem would look for it; and, for the plan's advice, what
 * a copy of the server would need (image quota, snapshot slots). All read at once; the advice
 * reads may fail without failing the call (the plan then vouches for less).
 */
async function gatherFacts(ctx: ToolContext, region: string, args: Input, signal: AbortSignal): Promise<{ facts: ResetFacts; copy?: CopyFacts }> {
  const opts = { signal };
  const [instances, { image, custom }, advice] = await Promise.all([
    ctx.api.listInstances(region, { InstanceIds: [args.InstanceId] }, opts),
    findImage(ctx.api, region, args.ImageId, { signal, allOwn: true }),
    Promise.all([ctx.api.listInstances(region, {}, { ...opts, maxItems: 1 }), ctx.api.listSnapshots(region, {}, opts)]).catch(() => undefined),
  ]);
  const instance = instances.items.find((i) => i.InstanceId === args.InstanceId);
  const mine = custom.own.find((m) => m.ImageId === args.ImageId);
  const theirs = custom.sharedIn.find((m) => m.ImageId === args.ImageId);
  // The custom image the server runs, if any: one holding data-disk data makes the server unresettable.
  const runs = instance?.ImageId !== undefined && isCustomImageId(instance.ImageId) ? instance.ImageId : undefined;
  const source = runs === undefined ? undefined
    : runs === args.ImageId && (mine ?? theirs) ? (mine ?? theirs)
    : (await ctx.api.listCustomImages(region, { ImageIds: [runs] }, opts)).items.find((m) => m.ImageId === runs);
  const sourceImage = source && { ImageId: source.ImageId, HoldsData: Boolean(source.DataSnapshotId) || (source.RequiredDataDiskSize ?? 0) > 0 };
  const facts = { ...(instance ? { instance } : {}), ...(image ? { image } : {}), ...(sourceImage ? { sourceImage } : {}) };
  if (!advice || !instance || advice[1].truncated) return { facts };
  const [servers, snapshots] = advice;
  return {
    facts,
    copy: {
      imageQuota: imageQuota(servers.totalCount, custom.own.length),
      ownImages: custom.own,
      serverSnapshots: serverSnapshots(snapshots.items, instance.InstanceId, instance.Disks.map((d) => d.DiskId)),
      regionSnapshotCount: snapshots.totalCount,
    },
  };
}

/** What the consent binds besides the arguments: the facts the plan was made from (no times, no progress). */
function planState(f: ResetFacts) {
  const i = f.instance;
  return {
    instance: i && { InstanceId: i.InstanceId, Status: i.Status, ImageId: i.ImageId, OsType: i.OsType, Disks: i.Disks.map((d) => [d.DiskId, d.DiskType, d.Size]) },
    image: f.image,
    sourceImage: f.sourceImage,
  };
}

/** One read of the server after the request; a failed read only leaves the state unknown. */
async function readServer(ctx: ToolContext, region: string, instanceId: string, signal: AbortSignal): Promise<Instance | undefined> {
  try {
    return (await ctx.api.listInstances(region, { InstanceIds: [instanceId] }, { signal })).items.find((i) => i.InstanceId === instanceId);
  } catch (err) {
    ctx.log.warn({ regionId: region, instanceId, err: err instanceof Error ? err.message : String(err) }, 'could not read the server after ResetSystem');
    return undefined;
  }
}

async function resetSystem(args: Input, call: ToolCall, ctx: ToolContext) {
  const region = args.RegionId;
  const base: Output = {
    RegionId: region, InstanceId: args.InstanceId, ...(args.KeyPairName ? { KeyPairName: args.KeyPairName } : {}),
    DryRun: args.DryRun, Checks: [], Notes: [], Simulated: ctx.simulated,
  };
  const errCtx = () => ({ action: 'ResetSystem', regionId: region, instanceId: args.InstanceId, imageId: args.ImageId });
  const fail = (err: unknown, partial: Partial<Output> = {}) => failWith(resetSystemOutput(), { ...base, ...partial }, err, errCtx(), ctx);

  // 1. The server and the image, read at once.
  let facts: ResetFacts;
  let copy: CopyFacts | undefined;
  try {
    ({ facts, copy } = await gatherFacts(ctx, region, args, call.signal));
  } catch (err) {
    return fail(err);
  }
  const { instance, image } = facts;
  if (instance) {
    base.InstanceName = instance.InstanceName;
    base.Status = instance.Status;
    base.PreviousImage = { ImageId: instance.ImageId, ImageName: instance.ImageName, Platform: instance.OsType };
  }
  if (image) base.Image = { ImageId: image.ImageId, ImageName: image.ImageName, ImageType: image.ImageType, Platform: image.Platform, Owner: image.Owner };

  // 2. Every precondition, judged; a failure carries the catalog's code and nothing is sent.
  const verdict = judgeResetSystem({ regionId: region, instanceId: args.InstanceId, imageId: args.ImageId }, facts);
  base.Checks = verdict.checks;
  if (verdict.failure || !instance || !image) {
    const f = verdict.failure ?? { code: 'PreflightFailed', message: 'The server or the image could not be read.' };
    return fail(new SwasError({ code: f.code, stage: 'preflight', message: `${f.message} Nothing was sent.` }));
  }

  // 3. The exact request; unless one was given, its ClientToken is derived from it and from the
  //    state the plan saw, so a reset to I, then J, then I again is a new request each time.
  const planned = planResetSystem(ctx.api.hostFor(region), {
    regionId: region, instanceId: instance.InstanceId, imageId: image.ImageId, keyPairName: args.KeyPairName, clientToken: args.ClientToken,
  }, await planBasis(ctx, planState(facts), [instance.InstanceId]));
  base.ClientToken = planned.Parameters.ClientToken;
  base.Request = planned;
  base.Notes.push(PASSWORD_HOW_TO);

  // 4. Consent: the person sees the plan, the wipe included; nothing is sent without it.
  const plan = resetSystemPlan({ regionId: region, now: ctx.now(), instance, image, keyPairName: args.KeyPairName, request: planned, ...(copy ? { copy } : {}) });
  const consent = await consentStep(ctx, call, {
    tool: 'reset_system', args, state: planState(facts), plan, dryRun: args.DryRun, confirmToken: args.ConfirmToken,
    schema: resetSystemOutput(), out: base,
  });
  if (!consent.go) return consent.result;
  base.Request = undefined;

  // 5. The one call that changes something.
  const record = {
    tool: 'reset_system', action: 'ResetSystem', regionId: region, resourceIds: [instance.InstanceId, image.ImageId], clientToken: base.ClientToken, args,
  };
  let sent;
  try {
    sent = await sendWrite(ctx, call, {
      ...record, expect: expectationOf(image.ImageId, instance.ImageId),
    }, (signal) => ctx.api.resetSystem(planned.Parameters, { signal }));
  } catch (err) {
    return fail(err);
  }
  ctx.log.info({ regionId: region, instanceId: instance.InstanceId, imageId: image.ImageId, requestId: sent.RequestId }, 'reset accepted');
  const out: Output = { ...base, RequestId: sent.RequestId, Status: 'Resetting', Plan: plan };
  out.Notes.push('Snapshots taken before this reset remain but can no longer roll the server back. Monitoring may need the CloudMonitor agent installed again.');
  const watch = [{ kind: 'instance' as const, id: instance.InstanceId, until: 'Running' as const }];

  // 6. What the server shows now; then, if asked, the bounded wait until it is Running again.
  const after = await readServer(ctx, region, instance.InstanceId, call.signal);
  if (after) {
    out.Status = after.Status;
    out.RunningImage = { ImageId: after.ImageId, ImageName: after.ImageName };
  }
  // Compared with the plan: a request the API answered but did not carry out is not done.
  const { changed, started } = resetReadBack(after, image.ImageId, instance.ImageId);
  if (changed !== undefined) out.Changed = changed;
  if (out.Changed === false) {
    await recordNotApplied(ctx, call, record);
    out.Notes.push(`Not done: the server shows ${apiText(after!.Status, 32)} on image ${after!.ImageId ?? 'unknown'}, not re-installing, right after the request. The API took it as a repeat of an earlier request with this ClientToken (${base.ClientToken}) and did not re-install again. Check with list_instances; to re-install on purpose, call again with a new ClientToken.`);
  } else if (!started) {
    out.Notes.push(`The server still shows ${apiText(after!.Status, 32)} on the same image right after the request: either the reset has not begun yet, or this exact request (ClientToken ${base.ClientToken}) was carried out before, which the API answers without re-installing again. Check with list_instances; to re-install again on purpose, call again with a new ClientToken.`);
  } else if (args.WaitForRunning && !sameWord(out.Status, 'Running')) {
    const waited = await waitAfterWrite(ctx, call, region, watch, errCtx());
    const state = waited.outcome?.states[0];
    if (state && state.State !== 'NotFound') out.Status = state.State;
    if (state?.Done) {
      const now = await readServer(ctx, region, instance.InstanceId, call.signal);
      if (now) out.RunningImage = { ImageId: now.ImageId, ImageName: now.ImageName };
    } else if (state?.Failed) {
      out.Notes.push(`The server ended ${apiText(state.State, 32)} instead of Running; check it in the console or with list_instances.`);
    } else if (waited.note) {
      out.Notes.push(waited.note);
    }
  } else if (!sameWord(out.Status, 'Running')) {
    out.Notes.push(`A reset usually takes a few minutes. Call ${keepWaitingArgs(region, watch)} to wait until the server is Running again; nothing needs to be sent again.`);
  }
  return success(resetSystemOutput(), out, resetSystemText(out));
}

export const resetSystemTool = defineTool({
  name: 'reset_system',
  title: 'Re-install a SWAS server from an image (wipes its system disk)',
  description: [
    'Re-installs a SWAS server from an image (ResetSystem). DESTRUCTIVE: the system disk is wiped (older snapshots no longer roll it back); the server is down for minutes.',
    'Checks first: server resettable, image Available in the same region and not made from this server, disks large enough, same platform outside the Chinese mainland.',
    'Needs the person\'s consent (the answer says how). No password argument: the user sets one in the SWAS console (Reset Password).',
  ].join(' '),
  inputSchema: resetSystemInput,
  outputSchema: resetSystemOutput,
  // Destructive; idempotent because a repeat with the same (derived) ClientToken is the same request to the API.
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  kind: 'destructive',
  // The plan view: a reset is approved there, and once sent the same view follows it (progress panel).
  ui: { resourceUri: PLAN_VIEW_URI },
  // ListInstanceStatus: WaitForRunning polls it (src/wait.ts).
  // ListSnapshots: the plan's advice on making a copy first counts the server's snapshot slots.
  ramActions: ['swas-open:ResetSystem', 'swas-open:ListInstances', 'swas-open:ListImages', 'swas-open:ListCustomImages', 'swas-open:ListInstanceStatus', 'swas-open:ListSnapshots'],
  handler: (args, call, ctx) => resetSystem(args, call, ctx),
});
