import { PLAN_VIEW_URI } from '../consent/app.js';
import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { tagImagesPlan } from '../consent/plans/tag-custom-images.js';
import { checkSchema } from '../preflight/checks.js';
import { judgeTagImages, MAX_TAGS_PER_IMAGE } from '../preflight/tag-images.js';
import { SwasError } from '../swas/errors.js';
import { IMAGE_ID_PATTERN } from '../swas/shapes.js';
import {
  clientTokenField, errorSchema, REGION_DESCRIPTION, regionIdField, success, tagSchema, tagsField, type ToolContext, simulatedField, noRepeats,
} from './common.js';
import { approvalIdField, confirmTokenField, consentOutputFields, consentStep } from './consent-step.js';
import { readCustomImages } from './images.js';
import { tagCustomImagesText } from '../render/tag-custom-images.js';
import { defineTool, type ToolCall } from './registry.js';
import { expectationOf, planTagRequests, tagsAfter, tagsOf, tookEffect, type TagRequest } from '../requests/tag-custom-images.js';
import { failWith, planBasis, plannedRequestSchema, recordNotApplied, sendWrite } from './write-flow.js';

/** ResourceId.N of TagResources / UntagResources. */
export const MAX_TAG_IMAGES = 50;

export const tagCustomImagesInput = lazySchema(() => z.strictObject({
  RegionId: regionIdField().describe(`${REGION_DESCRIPTION}`),
  ImageIds: z.array(z.string().regex(IMAGE_ID_PATTERN, { message: 'Each ImageIds entry must be a custom image ID such as m-bp1abc... (list_custom_images gives ImageId)' }))
    .min(1, { message: `ImageIds must hold 1 to ${MAX_TAG_IMAGES} image IDs` })
    .max(MAX_TAG_IMAGES, { message: `ImageIds holds at most ${MAX_TAG_IMAGES} image IDs (one TagResources request); split the images over several calls` })
    .refine(...noRepeats('ImageIds', 'an image ID'))
    .describe('Own images (list_custom_images), unique.'),
  Tag: tagsField().optional()
    .describe('Tags to put on, keys unique; an existing key gets the new value. Give Tag, RemoveTagKeys or both.'),
  RemoveTagKeys: z.array(z.string()
    .min(1, { message: 'Each RemoveTagKeys entry must be a tag key of 1–64 characters' })
    .max(64, { message: 'Each RemoveTagKeys entry must be a tag key of 1–64 characters' }))
    .min(1, { message: 'RemoveTagKeys must hold 1 to 20 keys; omit it to remove nothing' })
    .max(20, { message: 'RemoveTagKeys holds at most 20 keys' })
    .refine(...noRepeats('RemoveTagKeys', 'a key'))
    .optional()
    .describe('Keys to take off, unique, none also in Tag; a missing key is ignored.'),
  DryRun: z.boolean().default(false)
    .describe('true: run the checks and return the plan and the tags as they would become; nothing is sent.'),
  ConfirmToken: confirmTokenField(),
  ApprovalId: approvalIdField(),
  ClientToken: clientTokenField().optional()
    .describe('Idempotency token: at most 64 printable ASCII characters. Optional: without it each request carries a token derived from the request and the state it was planned from, so a retry never repeats a change, while undoing and redoing a change makes new requests. Given, each request carries a token derived from it and the request\'s action (one token cannot serve two actions); Sent lists the tokens used.'),
}).superRefine((v, issue) => {
  if (v.Tag !== undefined && v.Tag.length === 0) {
    issue.addIssue({ code: 'custom', path: ['Tag'], message: 'Tag must hold 1 to 20 tags; omit it to add none.' });
  } else if (v.Tag === undefined && v.RemoveTagKeys === undefined) {
    issue.addIssue({ code: 'custom', path: ['Tag'], message: 'Nothing to do: give Tag (tags to add) and/or RemoveTagKeys (tag keys to remove).' });
  }
  const both = (v.Tag ?? []).filter((t) => v.RemoveTagKeys?.includes(t.Key)).map((t) => t.Key);
  if (both.length) {
    issue.addIssue({ code: 'custom', path: ['RemoveTagKeys'], message: `A key cannot be both added (Tag) and removed (RemoveTagKeys): ${both.join(', ')}.` });
  }
}));

const outTag = lazySchema(() => z.object({ Key: z.string(), Value: z.string() }));

const imageTagsSchema = lazySchema(() => z.object({
  ImageId: z.string(),
  ImageName: z.string().optional().describe('Name of the image (data from the API).'),
  Tags: z.array(outTag()).describe('The image\'s tags after the call (on a dry run: as they would become; on a refusal: now).'),
}));

const changeSchema = lazySchema(() => z.object({
  ImageId: z.string(),
  Added: z.array(outTag()),
  Overwritten: z.array(z.object({ Key: z.string(), From: z.string(), To: z.string() })),
  Removed: z.array(outTag()),
}));

const resourceParams = lazySchema(() => ({ RegionId: z.string(), ResourceType: z.enum(['customimage']), ResourceIds: z.array(z.string()) }));

export const tagCustomImagesOutput = lazySchema(() => z.object({
  RegionId: z.string().describe('Region of the images.'),
  ImageIds: z.array(z.string()).describe('The images (m-…) asked for.'),
  Changed: z.boolean().optional().describe('True when the read-back shows the tags changed; false when nothing changed (every image already as asked and nothing sent, or the requests sent were not carried out).'),
  Images: z.array(imageTagsSchema()).optional().describe('Each image\'s tags: after the call, read back with ListCustomImages.'),
  Changes: z.array(changeSchema()).optional().describe('What changes on each image that changes: tags added, values overwritten, tags removed.'),
  Sent: z.array(z.object({
    Action: z.enum(['TagResources', 'UntagResources']), RequestId: z.string(), ClientToken: z.string(),
    Applied: z.boolean().optional().describe('False when the read-back shows this request changed nothing (the API answered it as a repeat of an earlier request with the same ClientToken).'),
  })).optional().describe('The requests sent, in order, with their RequestIds.'),
  Requests: z.array(z.union([
    plannedRequestSchema('UntagResources', { ...resourceParams(), TagKeys: z.array(z.string()) }),
    plannedRequestSchema('TagResources', { ...resourceParams(), Tags: z.array(tagSchema()) }),
  ])).optional().describe('Dry run and ConfirmationRequired: the exact requests that would be sent, in order.'),
  ...consentOutputFields(),
  Checks: z.array(checkSchema()).describe('Every precondition checked before sending, with its outcome.'),
  Notes: z.array(z.string()).describe('What the user should know, such as what is left to do.'),
  DryRun: z.boolean().describe('True when nothing was sent because DryRun was asked for.'),
  Simulated: simulatedField(),
  Error: errorSchema().optional(),
}));

type Input = z.output<ReturnType<typeof tagCustomImagesInput>>;
type Output = z.input<ReturnType<typeof tagCustomImagesOutput>>;

const TOOL = 'tag_custom_images';

function send(ctx: ToolContext, req: TagRequest, signal: AbortSignal) {
  const p = req.Parameters;
  return 'Tags' in p ? ctx.api.tagResources(p, { signal }) : ctx.api.untagResources(p, { signal });
}

async function tagCustomImages(args: Input, call: ToolCall, ctx: ToolContext) {
  const region = args.RegionId;
  const tags = args.Tag ?? [];
  const base: Output = { RegionId: region, ImageIds: args.ImageIds, DryRun: args.DryRun, Checks: [], Notes: [], Simulated: ctx.simulated };
  const errCtx = (action: string) => ({ action, regionId: region, imageId: args.ImageIds.length === 1 ? args.ImageIds[0] : args.ImageIds.join(', ') });
  const fail = (err: unknown, action: string, partial: Partial<Output> = {}) => failWith(tagCustomImagesOutput(), { ...base, ...partial }, err, errCtx(action), ctx);

  // 1. Every image, own or shared in, read at once.
  let facts;
  try {
    facts = await readCustomImages(ctx.api, region, args.ImageIds, { signal: call.signal });
  } catch (err) {
    return fail(err, 'ListCustomImages');
  }

  // 2. Every precondition, judged; what each image's tags become.
  const verdict = judgeTagImages({ regionId: region, imageIds: args.ImageIds, tags, removeKeys: args.RemoveTagKeys ?? [] }, facts);
  base.Checks = verdict.checks;
  base.Images = facts.own.map((m) => ({ ImageId: m.ImageId, ImageName: m.Name, Tags: tagsOf(m) }));
  if (verdict.failure) {
    const action = verdict.failure.code === 'InvalidParam.TagCount' ? 'TagResources' : 'ListCustomImages';
    return fail(new SwasError({ code: verdict.failure.code, stage: 'preflight', message: `${verdict.failure.message} Nothing was sent.` }), action);
  }
  const { plan } = verdict;
  if (plan.changes.length === 0) {
    const out: Output = { ...base, Changed: false };
    return success(tagCustomImagesOutput(), out, tagCustomImagesText(out));
  }
  // The tags the plan was made from: any change to them makes a new plan (consent) and new requests
  // (derived ClientTokens), so tagging A, then B, then A again is carried out each time.
  const planState = facts.own.map((m) => ({ ImageId: m.ImageId, Tags: tagsOf(m).sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0)) }));
  const requests = planTagRequests(ctx.api.hostFor(region), region, plan, tags, args.ClientToken, await planBasis(ctx, planState, args.ImageIds));
  base.Changes = plan.changes;

  // 3. Consent. Adding a tag only labels an image, so plain additions go ahead without it. But
  //    the contract says nothing is deleted or overwritten without consent, and a tag value
  //    replaced or a tag removed is gone for good: then, and only then, the person is asked.
  if (plan.needsConsent) {
    const consent = await consentStep(ctx, call, {
      tool: TOOL, args, plan: tagImagesPlan({ regionId: region, images: facts.own, plan, requests }), dryRun: args.DryRun, confirmToken: args.ConfirmToken,
      state: planState,
      schema: tagCustomImagesOutput(),
      out: { ...base, Requests: requests, ...(args.DryRun ? { Images: tagsAfter(facts.own, plan, tags) } : {}) },
    });
    if (!consent.go) return consent.result;
  } else if (args.DryRun) {
    const out: Output = {
      ...base, Requests: requests, Images: tagsAfter(facts.own, plan, tags),
      Notes: ['Nothing was sent. Only tags are added, so no consent is needed: call again with DryRun false (or omitted) to tag the images.'],
    };
    return success(tagCustomImagesOutput(), out, tagCustomImagesText(out));
  }

  // 4. Untag, then tag; each in the ledger before it is sent.
  const { ConfirmToken: _token, ...ledgerArgs } = args;
  const sent: NonNullable<Output['Sent']> = [];
  for (const req of requests) {
    try {
      const res = await sendWrite(ctx, call, {
        tool: TOOL, action: req.Action, regionId: region, resourceIds: req.Parameters.ResourceIds, clientToken: req.Parameters.ClientToken, args: ledgerArgs,
        expect: expectationOf(req),
      }, (signal) => send(ctx, req, signal));
      sent.push({ Action: req.Action as 'TagResources' | 'UntagResources', RequestId: res.RequestId, ClientToken: req.Parameters.ClientToken });
    } catch (err) {
      const notes = sent.length ? [`${sent.map((s) => s.Action).join(' and ')} went through before ${req.Action} failed. Calling again with the same arguments sends only what is still left.`] : [];
      return fail(err, req.Action, { Sent: sent, Changed: sent.length > 0, Notes: notes });
    }
  }
  ctx.log.info({ regionId: region, imageIds: args.ImageIds, sent: sent.map((s) => `${s.Action}:${s.RequestId}`) }, 'image tags changed');

  // 5. The tags after, read back and compared with the plan: a request the API answered but did
  //    not carry out (a repeat of an earlier ClientToken) is reported as not done.
  const out: Output = { ...base, Changed: true, Sent: sent, Images: tagsAfter(facts.own, plan, tags) };
  try {
    const after = await readCustomImages(ctx.api, region, args.ImageIds, { signal: call.signal });
    out.Images = after.own.map((m) => ({ ImageId: m.ImageId, ImageName: m.Name, Tags: tagsOf(m) }));
    for (const [i, req] of requests.entries()) {
      const applied = tookEffect(req, after.own);
      // Not listed any more: the read cannot say, so nothing is recorded as not done.
      if (applied === undefined) continue;
      sent[i]!.Applied = applied;
      if (!applied) {
        await recordNotApplied(ctx, call, {
          tool: TOOL, action: req.Action, regionId: region, resourceIds: req.Parameters.ResourceIds, clientToken: req.Parameters.ClientToken, args: ledgerArgs,
        });
      }
    }
    const unseen = args.ImageIds.filter((id) => !after.own.some((m) => m.ImageId === id));
    if (sent.some((x) => x.Applied === true)) out.Changed = true;
    else if (sent.every((x) => x.Applied === false)) out.Changed = false;
    else delete out.Changed;
    if (unseen.length) out.Notes.push(`${unseen.join(', ')} could not be read back (no longer listed): whether the tags were set there is not known. list_custom_images shows the images.`);
    if (sent.some((x) => x.Applied === false)) {
      out.Notes.push(`${sent.filter((x) => x.Applied === false).map((x) => x.Action).join(' and ')} was answered by the API but changed nothing: the API took it as a repeat of an earlier request with the same ClientToken. To carry it out, call again with a new ClientToken.`);
    }
  } catch {
    out.Notes.push('The tags could not be read back; the tags shown are what the requests set. list_custom_images shows them.');
  }
  return success(tagCustomImagesOutput(), out, tagCustomImagesText(out));
}

export const tagCustomImagesTool = defineTool({
  name: TOOL,
  title: 'Tag or untag SWAS custom images',
  description: [
    `Adds or removes tags on this account's own custom images (TagResources / UntagResources), the same on each; an image holds at most ${MAX_TAGS_PER_IMAGE} tags.`,
    'Tags already as asked are not sent. Overwriting or removing a tag needs the person\'s consent (the answer says how); adding needs none.',
  ].join(' '),
  inputSchema: tagCustomImagesInput,
  outputSchema: tagCustomImagesOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  kind: 'write',
  // Results that wait for a person's approval carry the plan the plan view shows.
  ui: { resourceUri: PLAN_VIEW_URI },
  ramActions: ['swas-open:TagResources', 'swas-open:UntagResources', 'swas-open:ListCustomImages'],
  handler: (args, call, ctx) => tagCustomImages(args, call, ctx),
});
