import { PLAN_VIEW_URI } from '../consent/app.js';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { deleteImagesPlan } from '../consent/plans/delete-custom-images.js';
import { checkSchema } from '../preflight/checks.js';
import { judgeDeleteImages, MAX_DELETE_IMAGES, type DeleteImagesFacts } from '../preflight/delete-custom-images.js';
import { SwasError } from '../swas/errors.js';
import { IMAGE_ID_PATTERN } from '../swas/shapes.js';
import {
  clientTokenField, errorSchema, REGION_DESCRIPTION, regionIdField, success, type ToolContext, simulatedField, noRepeats,
} from './common.js';
import { approvalIdField, confirmTokenField, consentOutputFields, consentStep } from './consent-step.js';
import { readCustomImages } from './images.js';
import { deleteCustomImagesDryRunText, deleteCustomImagesText } from '../render/delete-custom-images.js';
import { defineTool, type ToolCall } from './registry.js';
import { deleteStepOf, expectationOf, planDeleteImages } from '../requests/delete-custom-images.js';
import { failWith, keepWaitingArgs, plannedRequestSchema, sendWrite, waitAfterWrite } from './write-flow.js';

const TOOL = 'delete_custom_images';

export const deleteCustomImagesInput = lazySchema(() => z.strictObject({
  RegionId: regionIdField().describe(`${REGION_DESCRIPTION}`),
  ImageIds: z.array(z.string().regex(IMAGE_ID_PATTERN, { message: 'Each ImageIds entry must be an image ID such as m-bp1abc... (from list_custom_images)' }))
    .min(1, { message: 'ImageIds must name at least one image' })
    .max(MAX_DELETE_IMAGES, { message: `ImageIds holds at most ${MAX_DELETE_IMAGES} images (one DeleteCustomImages call)` })
    .refine(...noRepeats('ImageIds', 'an image'))
    .describe('Own images (list_custom_images), unique; not shared-in ones.'),
  Unshare: z.boolean().default(false)
    .describe('true: unshare a shared image first, in the same plan.'),
  WaitForDeleted: z.boolean().default(false)
    .describe('true: wait up to ~50 s until gone (then wait_for_resources Until "Deleted"); wait before deleting their snapshots.'),
  DryRun: z.boolean().default(false)
    .describe('true: run the checks and return the plan; nothing is sent.'),
  ConfirmToken: confirmTokenField(),
  ApprovalId: approvalIdField(),
  ClientToken: clientTokenField().optional()
    .describe('Idempotency token of the DeleteCustomImages request: at most 64 printable ASCII characters. Optional: without it every request carries a token derived from the request itself, so repeating the call never repeats a change. Given, DeleteCustomImages carries it and each unshare request a token derived from it and its action (one token cannot serve two actions); RequestIds lists the tokens used.'),
}));

const quotaSchema = lazySchema(() => z.object({
  Limit: z.number().int().describe('min(3 × servers in the region, 15).'),
  Used: z.number().int(),
  Remaining: z.number().int(),
}));

const modifyRequest = lazySchema(() => plannedRequestSchema('ModifyImageShareStatus', { RegionId: z.string(), ImageId: z.string(), Operation: z.enum(['UnShare']) }));
const removeRequest = lazySchema(() => plannedRequestSchema('RemoveCustomImageShareAccount', { RegionId: z.string(), ImageId: z.string(), Accounts: z.array(z.string()) }));
const deleteRequest = lazySchema(() => plannedRequestSchema('DeleteCustomImages', { RegionId: z.string(), ImageIds: z.array(z.string()) }));

export const deleteCustomImagesOutput = lazySchema(() => z.object({
  RegionId: z.string(),
  ImageIds: z.array(z.string()).describe('The images asked for.'),
  Deleted: z.array(z.string()).optional().describe('Images whose deletion was accepted (they disappear from the list shortly after).'),
  Gone: z.array(z.string()).optional().describe('WaitForDeleted: images confirmed no longer listed.'),
  Unshared: z.array(z.object({
    ImageId: z.string(),
    Ecs: z.boolean().describe('Unshared from ECS.'),
    Accounts: z.array(z.string()).describe('Accounts it is no longer shared with.'),
  })).optional().describe('What was unshared before the delete (Unshare true).'),
  CreatedServers: z.array(z.object({ ImageId: z.string(), InstanceIds: z.array(z.string()) })).optional()
    .describe('Servers created from the images: they can no longer be reset (re-installed) with them.'),
  Quota: quotaSchema().optional().describe('The region\'s custom image quota once the images are gone (own images only).'),
  RequestIds: z.array(z.object({ Action: z.string(), Target: z.string(), RequestId: z.string(), ClientToken: z.string() })).optional()
    .describe('One per request sent, in the order sent.'),
  ClientToken: z.string().optional().describe('The idempotency token of the DeleteCustomImages request.'),
  Requests: z.array(z.union([modifyRequest(), removeRequest(), deleteRequest()])).optional()
    .describe('Dry run: the exact requests that would be sent, in order.'),
  Checks: z.array(checkSchema()).describe('Every precondition checked before sending, with its outcome.'),
  Notes: z.array(z.string()),
  DryRun: z.boolean(),
  Simulated: simulatedField(),
  Error: errorSchema().optional(),
  ...consentOutputFields(),
}));

type Input = z.output<ReturnType<typeof deleteCustomImagesInput>>;
type Output = z.input<ReturnType<typeof deleteCustomImagesOutput>>;
type Unshared = NonNullable<Output['Unshared']>[number];

/** The arguments that say what the call does (the ledger digests these; ConfirmToken and DryRun say how). */
function boundArgs(args: Input): Omit<Input, 'ConfirmToken' | 'DryRun'> {
  const { ConfirmToken: _token, DryRun: _dryRun, ...bound } = args;
  return bound;
}

/**
 * The reads, at once: own images (all: the quota counts them), shared-in ones among the IDs, the
 * region's servers (their count sets the quota, their names go in the plan); then who the shared
 * ones are shared with.
 */
async function gatherFacts(ctx: ToolContext, region: string, args: Input, signal: AbortSignal): Promise<{ facts: DeleteImagesFacts; serverNames: Map<string, string> }> {
  const opts = { signal };
  const [{ own, sharedIn }, servers] = await Promise.all([
    readCustomImages(ctx.api, region, args.ImageIds, { signal, allOwn: true }),
    ctx.api.listInstances(region, {}, opts),
  ]);
  const wanted = own.filter((m) => args.ImageIds.includes(m.ImageId) && m.InShareUser === true);
  const lists = await Promise.all(wanted.map((m) => ctx.api.listCustomImageShareAccounts(region, m.ImageId, opts)));
  return {
    facts: {
      ownImages: own,
      sharedIn,
      shareAccounts: new Map(wanted.map((m, i) => [m.ImageId, lists[i]!.items.map((a) => a.UserId)])),
      serverCount: servers.totalCount,
    },
    serverNames: new Map(servers.items.map((i) => [i.InstanceId, i.InstanceName])),
  };
}

async function deleteCustomImages(args: Input, call: ToolCall, ctx: ToolContext) {
  const region = args.RegionId;
  const base: Output = { RegionId: region, ImageIds: args.ImageIds, DryRun: args.DryRun, Checks: [], Notes: [], Simulated: ctx.simulated };
  const errCtx = (imageId?: string) => ({ action: 'DeleteCustomImages', regionId: region, ...(imageId ? { imageId } : {}) });
  const fail = (err: unknown, partial: Partial<Output> = {}, imageId?: string, action?: string) => {
    const result = failWith(deleteCustomImagesOutput(), { ...base, ...partial }, err, { ...errCtx(imageId), ...(action ? { action } : {}) }, ctx);
    // What was already done before a failure belongs in the text too.
    const first = result.content[0];
    if (partial.Notes?.length && first?.type === 'text') first.text += partial.Notes.map((n) => `\nNote: ${n}`).join('');
    return result;
  };

  // 1. The images, their share state, the servers made from them and the quota.
  let facts: DeleteImagesFacts;
  let serverNames: Map<string, string>;
  try {
    ({ facts, serverNames } = await gatherFacts(ctx, region, args, call.signal));
  } catch (err) {
    return fail(err);
  }

  // 2. Every precondition, judged; a failure names the image and what to do.
  const verdict = judgeDeleteImages({ regionId: region, imageIds: args.ImageIds, unshare: args.Unshare }, facts);
  base.Checks = verdict.checks;
  const created = verdict.targets.filter((t) => t.servers.length).map((t) => ({ ImageId: t.image.ImageId, InstanceIds: t.servers }));
  if (created.length) base.CreatedServers = created;
  if (verdict.failure) {
    return fail(new SwasError({ code: verdict.failure.code, stage: 'preflight', message: `${verdict.failure.message} Nothing was sent.` }), {}, verdict.failure.imageId);
  }
  const { targets } = verdict;

  // 3. The requests in order, and the plan a person approves.
  const steps = planDeleteImages(ctx.api.hostFor(region), region, targets, { unshare: args.Unshare, clientToken: args.ClientToken });
  const deletePlanned = deleteStepOf(steps).planned;
  base.ClientToken = deletePlanned.Parameters.ClientToken;
  const quota = { Limit: verdict.quotaAfter.Limit, Used: verdict.quotaAfter.Used, Remaining: verdict.quotaAfter.Remaining };
  const plan = deleteImagesPlan({ regionId: region, now: ctx.now(), targets, serverNames, requests: steps.map((s) => s.planned), quotaAfter: quota });
  const state = targets.map((t) => ({ ImageId: t.image.ImageId, Name: t.image.Name, Ecs: t.ecs, Accounts: t.accounts, Servers: t.servers }));
  const consentOut: Output = args.DryRun
    ? { ...base, Quota: quota, Requests: steps.map((s) => s.planned) as NonNullable<Output['Requests']>, Notes: ['Nothing was sent.'] }
    : base;
  const consent = await consentStep(ctx, call, {
    tool: TOOL, args, state, plan, dryRun: args.DryRun, confirmToken: args.ConfirmToken, schema: deleteCustomImagesOutput(), out: consentOut,
  });
  if (!consent.go) {
    // A dry run's text also shows the exact requests, the checks and the quota after.
    // consentStep answers a dry run with a plain result (it never asks the person then).
    const dry = args.DryRun ? consent.result as CallToolResult : undefined;
    const first = dry && !dry.isError ? dry.content[0] : undefined;
    if (first?.type === 'text') first.text += deleteCustomImagesDryRunText(consentOut);
    return consent.result;
  }

  // 4. Every request through the ledger, unshares first; a failure says what was already done.
  const record = boundArgs(args);
  const unshared = new Map<string, Unshared>();
  const requestIds: NonNullable<Output['RequestIds']> = [];
  const done = (): Partial<Output> => ({ Unshared: [...unshared.values()], RequestIds: requestIds });
  for (const s of steps) {
    if (s.kind === 'delete') break;
    const id = s.target.image.ImageId;
    const action = s.planned.Action;
    try {
      const res = await sendWrite(ctx, call, {
        tool: TOOL, action, regionId: region, resourceIds: [id], clientToken: s.planned.Parameters.ClientToken, args: record,
        expect: expectationOf(s),
      }, (signal) => (s.kind === 'unshareEcs'
        ? ctx.api.modifyImageShareStatus(s.planned.Parameters, { signal })
        : ctx.api.removeCustomImageShareAccount(s.planned.Parameters, { signal })));
      requestIds.push({ Action: action, Target: id, RequestId: res.RequestId, ClientToken: s.planned.Parameters.ClientToken });
      const u = unshared.get(id) ?? { ImageId: id, Ecs: false, Accounts: [] };
      if (s.kind === 'unshareEcs') u.Ecs = true;
      else u.Accounts = s.target.accounts;
      unshared.set(id, u);
    } catch (err) {
      const partial = done();
      if (requestIds.length) partial.Notes = [`Already done before this failure: ${requestIds.map((r) => `${r.Action} ${r.Target}`).join(', ')}. Nothing was deleted. Calling again with the same arguments plans only what is left.`];
      return fail(err, partial, id, action);
    }
  }
  let deleted;
  try {
    deleted = await sendWrite(ctx, call, {
      tool: TOOL, action: 'DeleteCustomImages', regionId: region, resourceIds: deletePlanned.Parameters.ImageIds,
      clientToken: base.ClientToken, args: record,
    }, (signal) => ctx.api.deleteCustomImages(deletePlanned.Parameters, { signal }));
  } catch (err) {
    const partial = done();
    if (unshared.size) partial.Notes = [`The images were unshared (${[...unshared.keys()].join(', ')}) but not deleted. Calling again with the same arguments deletes them without unsharing again.`];
    return fail(err, partial);
  }
  const ids = targets.map((t) => t.image.ImageId);
  requestIds.push({ Action: 'DeleteCustomImages', Target: ids.join(', '), RequestId: deleted.RequestId, ClientToken: base.ClientToken! });
  ctx.log.info({ regionId: region, imageIds: ids, requestId: deleted.RequestId }, 'custom images deleted');
  const out: Output = { ...base, ...done(), Deleted: ids, Quota: quota };
  if (!unshared.size) delete out.Unshared;
  const watches = ids.map((id) => ({ kind: 'image' as const, id, until: 'Deleted' as const }));
  if (!args.WaitForDeleted) {
    out.Notes.push(`Deletion finishes in the background: the images stay listed for a short while. Call ${keepWaitingArgs(region, watches)} to wait until they are gone (for example before deleting their snapshots with delete_snapshots).`);
    return success(deleteCustomImagesOutput(), out, deleteCustomImagesText(out));
  }

  // 5. The optional bounded wait until they are no longer listed.
  const waited = await waitAfterWrite(ctx, call, region, watches, errCtx());
  out.Gone = (waited.outcome?.states ?? []).filter((s) => s.Done).map((s) => s.Id);
  if (waited.note) out.Notes.push(waited.note);
  return success(deleteCustomImagesOutput(), out, deleteCustomImagesText(out));
}

export const deleteCustomImagesTool = defineTool({
  name: TOOL,
  title: 'Delete SWAS custom images',
  description: [
    `Deletes this account's own custom images in one region (DeleteCustomImages). Cannot be undone. A shared image is refused unless Unshare is true.`,
    'Needs the person\'s consent (the answer says how). Deletion is asynchronous; the result gives the quota after.',
  ].join(' '),
  inputSchema: deleteCustomImagesInput,
  outputSchema: deleteCustomImagesOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  kind: 'destructive',
  // Results that wait for a person's approval carry the plan the plan view shows.
  ui: { resourceUri: PLAN_VIEW_URI },
  ramActions: [
    'swas-open:DeleteCustomImages', 'swas-open:ModifyImageShareStatus', 'swas-open:RemoveCustomImageShareAccount',
    'swas-open:ListCustomImages', 'swas-open:ListCustomImageShareAccounts', 'swas-open:ListInstances',
  ],
  handler: (args, call, ctx) => deleteCustomImages(args, call, ctx),
});
