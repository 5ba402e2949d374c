import { PLAN_VIEW_URI } from '../consent/app.js';
import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { shareImagePlan } from '../consent/plans/share-custom-image.js';
import { apiText } from '../untrusted.js';
import { checkSchema } from '../preflight/checks.js';
import { judgeShareImage, MAX_SHARE_ACCOUNTS } from '../preflight/share-image.js';
import { SwasError } from '../swas/errors.js';
import { ACCOUNT_ID_PATTERN, IMAGE_ID_PATTERN } from '../swas/shapes.js';
import type { CustomImage } from '../swas/types.js';
import {
  clientTokenField, errorSchema, REGION_DESCRIPTION, regionIdField, success, type ToolContext, simulatedField, noRepeats,
} from './common.js';
import { approvalIdField, confirmTokenField, consentOutputFields, consentStep } from './consent-step.js';
import { readCustomImages } from './images.js';
import { shareCustomImageText, shareDryRunText } from '../render/share-custom-image.js';
import { defineTool, type ToolCall } from './registry.js';
import { expectationOf, planShareRequests, tookEffect, type ShareRequest } from '../requests/share-custom-image.js';
import { failWith, planBasis, plannedRequestSchema, recordNotApplied, sendWrite } from './write-flow.js';

export const shareCustomImageInput = lazySchema(() => z.strictObject({
  RegionId: regionIdField().describe(`${REGION_DESCRIPTION}`),
  ImageId: z.string()
    .regex(IMAGE_ID_PATTERN, { message: 'ImageId must be a custom image ID such as m-bp1abc... (list_custom_images gives ImageId)' })
    .describe('Own Available image (list_custom_images); not a shared-in one.'),
  Operation: z.enum(['Share', 'UnShare'])
    .describe('"UnShare" takes a share back.'),
  Ecs: z.boolean().optional()
    .describe('true: share to (unshare from) ECS. Give Ecs true, Accounts, or both.'),
  Accounts: z.array(z.string().regex(ACCOUNT_ID_PATTERN, { message: 'Each Accounts entry must be an Alibaba Cloud account ID as a string of digits, such as "1234567890123456" (not a RAM user, not a name)' }))
    .min(1, { message: 'Accounts must hold 1 to 10 account IDs; omit it to share to ECS only' })
    .max(MAX_SHARE_ACCOUNTS, { message: `Accounts holds at most ${MAX_SHARE_ACCOUNTS} account IDs (an image is shared with at most ${MAX_SHARE_ACCOUNTS} accounts)` })
    .refine(...noRepeats('Accounts', 'an account ID'))
    .optional()
    .describe(`Primary account IDs, unique; an image is shared with at most ${MAX_SHARE_ACCOUNTS} in all (same site), never RAM users.`),
  DryRun: z.boolean().default(false)
    .describe('true: run the checks and return the plan; nothing is sent.'),
  ConfirmToken: confirmTokenField(),
  ApprovalId: approvalIdField(),
  ClientToken: clientTokenField().optional()
    .describe('Idempotency token: at most 64 printable ASCII characters. Optional: without it each request carries a token derived from the request and the state it was planned from, so a retry never repeats a change, while undoing and redoing a change makes new requests. Given, each request carries a token derived from it and the request\'s action (one token cannot serve two actions); Sent lists the tokens used.'),
}).superRefine((v, issue) => {
  if (v.Ecs !== true && v.Accounts === undefined) {
    issue.addIssue({
      code: 'custom', path: ['Ecs'],
      message: 'Nothing to share: give Ecs true (share to or unshare from ECS) and/or Accounts (account IDs to share with or unshare from).',
    });
  }
}));

const accountsParams = lazySchema(() => ({ RegionId: z.string(), ImageId: z.string(), Accounts: z.array(z.string()) }));

const sentSchema = lazySchema(() => z.object({
  Action: z.enum(['ModifyImageShareStatus', 'AddCustomImageShareAccount', 'RemoveCustomImageShareAccount']),
  RequestId: z.string(),
  ClientToken: z.string().describe('The idempotency token this request carried.'),
  Accounts: z.array(z.string()).optional(),
  Applied: z.boolean().optional().describe('False when the read-back shows this request changed nothing (the API answered it as a repeat of an earlier request with the same ClientToken).'),
}));

export const shareCustomImageOutput = lazySchema(() => z.object({
  RegionId: z.string().describe('Region of the image.'),
  ImageId: z.string().describe('The image (m-…) shared or unshared.'),
  ImageName: z.string().optional().describe('Name of the image (data from the API).'),
  Operation: z.enum(['Share', 'UnShare']).describe('The Operation asked for.'),
  Changed: z.boolean().optional().describe('True when the read-back shows the share state changed; false when nothing changed (already as asked and nothing sent, or the requests sent were not carried out).'),
  SharedToEcs: z.boolean().optional().describe('After the call (on a dry run or refusal: now): whether the image is shared to ECS in its region.'),
  SharedWithAccounts: z.array(z.string()).optional().describe('After the call (on a dry run or refusal: now): the account IDs the image is shared with.'),
  Sent: z.array(sentSchema()).optional().describe('The requests sent, in order, with their RequestIds.'),
  Requests: z.array(z.union([
    plannedRequestSchema('ModifyImageShareStatus', { RegionId: z.string(), ImageId: z.string(), Operation: z.enum(['Share', 'UnShare']) }),
    plannedRequestSchema('AddCustomImageShareAccount', accountsParams()),
    plannedRequestSchema('RemoveCustomImageShareAccount', accountsParams()),
  ])).optional().describe('Dry run and ConfirmationRequired: the exact requests that would be sent, in order.'),
  ...consentOutputFields(),
  Checks: z.array(checkSchema()).describe('Every precondition checked before sending, with its outcome.'),
  Notes: z.array(z.string()).describe('What the user should know: what sharing exposes or breaks, what is left to do.'),
  DryRun: z.boolean().describe('True when nothing was sent because DryRun was asked for.'),
  Simulated: simulatedField(),
  Error: errorSchema().optional(),
}));

type Input = z.output<ReturnType<typeof shareCustomImageInput>>;
type Output = z.input<ReturnType<typeof shareCustomImageOutput>>;

const TOOL = 'share_custom_image';
const DATA_DISK_NOTE = 'A data disk in the image is not shared with accounts: they get the system disk only.';

function imageLabel(image: CustomImage): string {
  return `${image.ImageId} ("${apiText(image.Name, 128)}")`;
}

function send(ctx: ToolContext, req: ShareRequest, signal: AbortSignal) {
  const p = req.Parameters;
  if ('Operation' in p) return ctx.api.modifyImageShareStatus(p, { signal });
  return req.Action === 'AddCustomImageShareAccount'
    ? ctx.api.addCustomImageShareAccount(p, { signal })
    : ctx.api.removeCustomImageShareAccount(p, { signal });
}

/** The image as the account's own listing and the shared-in listing show it, and who it is shared with; all at once. */
async function readShareState(ctx: ToolContext, region: string, imageId: string, signal: AbortSignal) {
  const [images, accounts] = await Promise.allSettled([
    readCustomImages(ctx.api, region, [imageId], { signal }),
    // Refused for an image that is not the account's own: that answer only matters for an own image.
    ctx.api.listCustomImageShareAccounts(region, imageId, { signal }),
  ]);
  if (images.status === 'rejected') throw images.reason;
  const image = images.value.own[0];
  if (image && accounts.status === 'rejected') throw accounts.reason;
  return {
    own: image,
    sharedIn: images.value.sharedIn[0],
    sharedWith: accounts.status === 'fulfilled' ? accounts.value.items.map((a) => a.UserId) : [],
  };
}

async function shareCustomImage(args: Input, call: ToolCall, ctx: ToolContext) {
  const region = args.RegionId;
  const base: Output = {
    RegionId: region, ImageId: args.ImageId, Operation: args.Operation, DryRun: args.DryRun, Checks: [], Notes: [], Simulated: ctx.simulated,
  };
  const errCtx = (action = 'ModifyImageShareStatus') => ({ action, regionId: region, imageId: args.ImageId });
  const fail = (err: unknown, partial: Partial<Output> = {}, action?: string) => failWith(shareCustomImageOutput(), { ...base, ...partial }, err, errCtx(action), ctx);
  const accounts = args.Accounts ?? [];

  // 1. The image (own or shared in) and its share state, read at once.
  let facts;
  try {
    facts = await readShareState(ctx, region, args.ImageId, call.signal);
  } catch (err) {
    return fail(err, {}, 'ListCustomImages');
  }

  // 2. Every precondition, judged; what is already as asked drops out of the plan.
  const verdict = judgeShareImage({ regionId: region, imageId: args.ImageId, operation: args.Operation, ecs: args.Ecs === true, accounts }, facts);
  base.Checks = verdict.checks;
  const image = facts.own;
  if (image) {
    base.ImageName = image.Name;
    base.SharedToEcs = image.InShare === true;
    base.SharedWithAccounts = [...facts.sharedWith].sort();
  }
  const failedAction = verdict.failure?.code === 'ShareAccountLimitExceeded' || verdict.failure?.code === 'InvalidParam.Account' ? 'AddCustomImageShareAccount' : undefined;
  if (verdict.failure || !image) {
    const failure = verdict.failure ?? { code: 'InvalidImageId.NotFound', message: `No custom image ${args.ImageId} in region ${region}.` };
    return fail(new SwasError({ code: failure.code, stage: 'preflight', message: `${failure.message} Nothing was sent.` }), {}, failedAction);
  }
  const { plan } = verdict;
  const label = imageLabel(image);
  if (accounts.length && args.Operation === 'Share') base.Notes.push(`Accounts see the image in ${region} only. ${image.DataSnapshotId ? `This image includes a data disk (snapshot ${image.DataSnapshotId}): it is not shared with accounts; they get the system disk only.` : DATA_DISK_NOTE}`);

  // 3. Nothing left to do: say so, send nothing, ask nothing.
  if (!plan.ecs && plan.accounts.length === 0) {
    const out: Output = { ...base, Changed: false };
    return success(shareCustomImageOutput(), out, shareCustomImageText(out, label));
  }

  // 4. The exact requests and the plan. Sharing with or unsharing from other accounts needs the
  //    person's consent; sharing to ECS stays inside the account and is undone by unsharing, so,
  //    like adding tags, it goes ahead without it.
  // Everything the plan was made from (the image's status and its whole share state) binds both the
  // consent and the derived ClientTokens: Share, UnShare, Share again is a new request each time.
  const planState = { imageId: image.ImageId, status: image.StatusCode, inShare: image.InShare === true, sharedWith: base.SharedWithAccounts };
  const requests = planShareRequests(ctx.api.hostFor(region), region, args.ImageId, plan, args.Operation, args.ClientToken, await planBasis(ctx, planState, [args.ImageId]));
  const consentPlan = shareImagePlan({
    regionId: region, now: ctx.now(), image, operation: args.Operation, plan, requests,
  });
  const dryNote = 'SharedToEcs and SharedWithAccounts show the state the plan would leave.';
  if (plan.needsConsent) {
    const consent = await consentStep(ctx, call, {
      tool: TOOL, args, plan: consentPlan, dryRun: args.DryRun, confirmToken: args.ConfirmToken,
      state: planState,
      schema: shareCustomImageOutput(),
      out: {
        ...base, Requests: requests,
        ...(args.DryRun ? { ...plan.after, Notes: [...base.Notes, `Dry run: nothing was sent. ${dryNote}`] } : {}),
      },
    });
    if (!consent.go) return consent.result;
  } else if (args.DryRun) {
    const out: Output = {
      ...base, ...plan.after, Requests: requests, Plan: consentPlan,
      Notes: [...base.Notes, `Dry run: nothing was sent. ${dryNote} Only ECS in this account is involved, so no consent is needed: call again with DryRun false (or omitted) to carry it out.`],
    };
    return success(shareCustomImageOutput(), out, shareDryRunText(out, consentPlan));
  }

  // 5. One request after the other, each in the ledger before it is sent.
  const { ConfirmToken: _token, ...ledgerArgs } = args;
  const sent: NonNullable<Output['Sent']> = [];
  for (const req of requests) {
    try {
      const res = await sendWrite(ctx, call, {
        tool: TOOL, action: req.Action, regionId: region, resourceIds: [args.ImageId], clientToken: req.Parameters.ClientToken, args: ledgerArgs,
        expect: expectationOf(req, args.Operation),
      }, (signal) => send(ctx, req, signal));
      sent.push({ Action: req.Action as z.infer<ReturnType<typeof sentSchema>>['Action'], RequestId: res.RequestId, ClientToken: req.Parameters.ClientToken, ...('Accounts' in req.Parameters ? { Accounts: req.Parameters.Accounts } : {}) });
    } catch (err) {
      const notes = sent.length
        ? [...base.Notes, `${sent.map((s) => s.Action).join(' and ')} went through before ${req.Action} failed. Calling again with the same arguments sends only what is still left (with a new plan to confirm).`]
        : base.Notes;
      return fail(err, { Sent: sent, Changed: sent.length > 0, Notes: notes }, req.Action);
    }
  }
  ctx.log.info({ regionId: region, imageId: args.ImageId, operation: args.Operation, sent: sent.map((s) => `${s.Action}:${s.RequestId}`) }, 'image share changed');

  // 6. The share state after, read back and compared with the plan: a request the API answered
  //    but did not carry out (a repeat of an earlier ClientToken) is reported as not done.
  const out: Output = { ...base, Changed: true, Sent: sent, ...plan.after };
  try {
    const after = await readShareState(ctx, region, args.ImageId, call.signal);
    if (after.own) {
      out.SharedToEcs = after.own.InShare === true;
      out.SharedWithAccounts = [...after.sharedWith].sort();
      for (const [i, req] of requests.entries()) {
        const applied = tookEffect(req, args.Operation, out.SharedToEcs, out.SharedWithAccounts);
        sent[i]!.Applied = applied;
        if (!applied) {
          await recordNotApplied(ctx, call, {
            tool: TOOL, action: req.Action, regionId: region, resourceIds: [args.ImageId], clientToken: req.Parameters.ClientToken, args: ledgerArgs,
          });
        }
      }
      out.Changed = sent.some((x) => x.Applied);
      if (sent.some((x) => !x.Applied)) {
        out.Notes.push(`${sent.filter((x) => !x.Applied).map((x) => x.Action).join(' and ')} was answered by the API but changed nothing: the API took it as a repeat of an earlier request with the same ClientToken. To carry it out, call again with a new ClientToken.`);
      }
    } else {
      // Gone from the listing (deleted since, or the listing lags): the read cannot say what happened.
      delete out.Changed;
      delete out.SharedToEcs;
      delete out.SharedWithAccounts;
      out.Notes.push(`${args.ImageId} could not be read back (no longer listed): whether its share state changed is not known. list_custom_images shows the images.`);
    }
  } catch {
    out.Notes.push('The share state could not be read back; the values shown are what the requests set. list_custom_images shows it.');
  }
  if (out.Changed && plan.ecs === 'Share' && out.SharedToEcs) out.Notes.push(`The image now also appears among the ECS custom images of ${region} and is kept if its server is released.`);
  if (out.Changed && plan.ecs === 'UnShare' && !out.SharedToEcs) out.Notes.push('ECS instances created from this image can no longer re-initialise their disks from it.');
  return success(shareCustomImageOutput(), out, shareCustomImageText(out, label));
}

export const shareCustomImageTool = defineTool({
  name: TOOL,
  title: 'Share or unshare a SWAS custom image (ECS, other accounts)',
  description: [
    'Shares an own custom image, or takes a share back: to ECS in the same region (the image then outlives its server) and/or with other accounts (they get the system disk only).',
    'A part already as asked is not sent. Other accounts need the person\'s consent (the answer says how); ECS needs none.',
  ].join(' '),
  inputSchema: shareCustomImageInput,
  outputSchema: shareCustomImageOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  kind: 'write',
  // Results that wait for a person's approval carry the plan the plan view shows.
  ui: { resourceUri: PLAN_VIEW_URI },
  ramActions: [
    'swas-open:ModifyImageShareStatus', 'swas-open:AddCustomImageShareAccount', 'swas-open:RemoveCustomImageShareAccount',
    'swas-open:ListCustomImages', 'swas-open:ListCustomImageShareAccounts',
  ],
  handler: (args, call, ctx) => shareCustomImage(args, call, ctx),
});
