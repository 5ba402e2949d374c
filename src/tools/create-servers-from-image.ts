import { PLAN_VIEW_URI } from '../consent/app.js';
import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { createServersPlan } from '../consent/plans/create-servers-from-image.js';
import { checkSchema } from '../preflight/checks.js';
import { judgeCreateServers, type PurchaseFacts } from '../preflight/create-servers.js';
import { moneyNumber, type OrderCost } from '../preflight/money.js';
import { SwasError } from '../swas/errors.js';
import { sameWord } from '../swas/status.js';
import {
  clientTokenField, errorSchema, regionIdField, success, type ToolContext, simulatedField,
} from './common.js';
import { approvalIdField, confirmTokenField, consentOutputFields, consentStep } from './consent-step.js';
import { ANY_IMAGE_ID_PATTERN, ANY_IMAGE_ID_RULE, PLAN_ID_PATTERN } from '../swas/shapes.js';
import { costOut, createServersText } from '../render/create-servers-from-image.js';
import { defineTool, type ToolCall } from './registry.js';
import { findImage } from './images.js';
import { isRepeatedOrder, planCreateInstances } from '../requests/create-servers-from-image.js';
import { failWith, keepWaitingArgs, plannedRequestSchema, sendWrite, waitAfterWrite } from './write-flow.js';

/** Subscription months CreateInstances takes (Period and AutoRenewPeriod). */
export const PERIODS = [1, 3, 6, 12, 24, 36] as const;
const PERIOD_RULE = 'must be 1, 3, 6, 12, 24 or 36 (months)';
const inPeriods = (v: number) => (PERIODS as readonly number[]).includes(v);

/** Said in every result: the login password never passes through the model. */
export const NEW_SERVER_PASSWORD = 'No login password was set, and none passes through this tool: set each new server\'s password in the SWAS console (the server, then Reset Password), or bind a key pair there.';

export const createServersInput = lazySchema(() => z.strictObject({
  RegionId: regionIdField().describe('Region, e.g. "cn-hangzhou".'),
  ImageId: z.string().regex(ANY_IMAGE_ID_PATTERN, { message: `ImageId must be ${ANY_IMAGE_ID_RULE}` })
    .describe('Custom image (m-…, own or shared in) or system/app image of the region.'),
  PlanId: z.string().regex(PLAN_ID_PATTERN, { message: 'PlanId must be a plan ID from list_plans, e.g. swas.s2.c2m2s50b4t08' })
    .describe('Plan from list_plans (ImageId filters those that fit).'),
  Period: z.number().int({ message: `Period ${PERIOD_RULE}` }).min(1, { message: `Period ${PERIOD_RULE}` }).max(36, { message: `Period ${PERIOD_RULE}` }).refine(inPeriods, { message: `Period ${PERIOD_RULE}` })
    .describe('Months paid now: 1, 3, 6, 12, 24, 36.'),
  Amount: z.number().int({ message: 'Amount must be a whole number from 1 to 20' })
    .min(1, { message: 'Amount must be from 1 to 20 servers' }).max(20, { message: 'Amount must be from 1 to 20 servers (the API\'s limit per order)' })
    .default(1).describe('Servers to buy, 1–20.'),
  DataDiskSize: z.number().int({ message: 'DataDiskSize must be a whole number of GB' })
    .min(0, { message: 'DataDiskSize must be from 0 to 16380 GB' }).max(16380, { message: 'DataDiskSize must be from 0 to 16380 GB' })
    .refine((v) => v % 20 === 0, { message: 'DataDiskSize must be a multiple of 20 GB' })
    .optional().describe('GB per server, multiple of 20; ≥ 20 on an SSD plan.'),
  AutoRenew: z.boolean().default(false).describe('Renew automatically at expiry.'),
  AutoRenewPeriod: z.number().int().min(1, { message: `AutoRenewPeriod ${PERIOD_RULE}` }).max(36, { message: `AutoRenewPeriod ${PERIOD_RULE}` }).refine(inPeriods, { message: `AutoRenewPeriod ${PERIOD_RULE}` }).optional()
    .describe('Months per renewal; required with AutoRenew true.'),
  WaitForRunning: z.boolean().default(false).describe('Wait ≤ 50 s for Running.'),
  DryRun: z.boolean().default(false).describe('Checks and cost; buys nothing.'),
  ConfirmToken: confirmTokenField().describe('From ConfirmationRequired or DryRun, once the user agreed.'),
  ApprovalId: approvalIdField(),
  ClientToken: clientTokenField().optional().describe('Omit: derived from the order. A new one orders again.'),
}).superRefine((v, ctx) => {
  if (v.AutoRenew && v.AutoRenewPeriod === undefined) ctx.addIssue({ code: 'custom', path: ['AutoRenewPeriod'], message: 'AutoRenewPeriod is required when AutoRenew is true (1, 3, 6, 12, 24 or 36 months)' });
  if (!v.AutoRenew && v.AutoRenewPeriod !== undefined) ctx.addIssue({ code: 'custom', path: ['AutoRenewPeriod'], message: 'AutoRenewPeriod is used only with AutoRenew true' });
}));

const costSchema = lazySchema(() => z.object({
  Total: z.number().describe('Paid now.'),
  MonthlyPrice: z.number(),
  Currency: z.string(),
  Months: z.number().int(),
  Servers: z.number().int(),
  Text: z.string(),
}));

const serverOut = lazySchema(() => z.object({
  InstanceId: z.string(),
  Status: z.string().optional(),
  ImageId: z.string().optional(),
  ImageName: z.string().optional(),
}));

export const createServersOutput = lazySchema(() => z.object({
  RegionId: z.string(),
  ImageId: z.string(),
  ImageName: z.string().optional(),
  PlanId: z.string(),
  Cost: costSchema().optional(),
  InstanceIds: z.array(z.string()).optional().describe('The new servers.'),
  Servers: z.array(serverOut()).optional(),
  Repeated: z.boolean().optional().describe('True: this exact order was placed before; nothing new was bought.'),
  RequestId: z.string().optional(),
  ClientToken: z.string().optional().describe('The same order repeated buys nothing more; a new ClientToken orders again.'),
  Request: plannedRequestSchema('CreateInstances', {
    RegionId: z.string(), ImageId: z.string(), PlanId: z.string(), Period: z.number(), Amount: z.number(), DataDiskSize: z.number().optional(),
    AutoRenew: z.boolean(), AutoRenewPeriod: z.number().optional(), ChargeType: z.string(),
  }).optional(),
  Checks: z.array(checkSchema()),
  Notes: z.array(z.string()),
  DryRun: z.boolean(),
  ...consentOutputFields(),
  Simulated: simulatedField(),
  Error: errorSchema().optional(),
}));

type Input = z.output<ReturnType<typeof createServersInput>>;
type Output = z.input<ReturnType<typeof createServersOutput>>;

/** The image, the plans of the region and its servers, read at once. */
async function gatherFacts(ctx: ToolContext, args: Input, signal: AbortSignal): Promise<PurchaseFacts & { existing: Set<string> }> {
  const [image, plans, servers] = await Promise.all([
    findImage(ctx.api, args.RegionId, args.ImageId, { signal }).then((found) => found.image),
    ctx.api.listPlans(args.RegionId, { signal }),
    ctx.api.listInstances(args.RegionId, {}, { signal, maxItems: 500 }),
  ]);
  const plan = plans.find((p) => p.PlanId === args.PlanId);
  return {
    ...(image ? { image } : {}), ...(plan ? { plan } : {}),
    serverCount: Math.max(servers.totalCount, servers.items.length),
    existing: new Set(servers.items.map((i) => i.InstanceId)),
  };
}

function planState(f: PurchaseFacts, cost: OrderCost | undefined) {
  return {
    image: f.image,
    plan: f.plan && { PlanId: f.plan.PlanId, DiskSize: f.plan.DiskSize, DiskType: f.plan.DiskType, SupportPlatform: f.plan.SupportPlatform, OriginPrice: f.plan.OriginPrice, Currency: f.plan.Currency },
    cost: cost?.totalUnits,
  };
}

async function readServers(ctx: ToolContext, region: string, ids: string[], signal: AbortSignal) {
  try {
    return (await ctx.api.listInstances(region, { InstanceIds: ids }, { signal })).items;
  } catch (err) {
    ctx.log.warn({ regionId: region, err: err instanceof Error ? err.message : String(err) }, 'could not read the new servers after CreateInstances');
    return undefined;
  }
}

async function createServers(args: Input, call: ToolCall, ctx: ToolContext) {
  const region = args.RegionId;
  const base: Output = { RegionId: region, ImageId: args.ImageId, PlanId: args.PlanId, DryRun: args.DryRun, Checks: [], Notes: [], Simulated: ctx.simulated };
  const errCtx = () => ({ action: 'CreateInstances', regionId: region, imageId: args.ImageId });
  const fail = (err: unknown, partial: Partial<Output> = {}) => failWith(createServersOutput(), { ...base, ...partial }, err, errCtx(), ctx);

  // 1. The image, the plan and the region's servers, read at once.
  let facts: Awaited<ReturnType<typeof gatherFacts>>;
  try {
    facts = await gatherFacts(ctx, args, call.signal);
  } catch (err) {
    return fail(err);
  }
  const { image, plan } = facts;
  if (image) base.ImageName = image.ImageName;

  // 2. Every rule, the cost and the ceiling, judged; nothing is sent on a failure.
  const verdict = judgeCreateServers({
    regionId: region, imageId: args.ImageId, planId: args.PlanId, period: args.Period, amount: args.Amount, dataDiskSize: args.DataDiskSize,
    maxOrderCost: ctx.config.maxOrderCost, consentMode: ctx.config.consentMode,
  }, facts);
  base.Checks = verdict.checks;
  const cost = verdict.cost;
  if (cost) base.Cost = costOut(cost);
  if (verdict.failure || !image || !plan || !cost) {
    const f = verdict.failure ?? { code: 'PreflightFailed', message: 'The image, the plan or its price could not be read.' };
    return fail(new SwasError({ code: f.code, stage: 'preflight', message: `${f.message} Nothing was bought.` }));
  }

  // 3. The exact order. Its derived ClientToken depends on the order alone, so a retry, a second
  //    replica or a repeat after a crash is the same order to the API and buys nothing more.
  const planned = planCreateInstances(ctx.api.hostFor(region), {
    regionId: region, imageId: image.ImageId, planId: plan.PlanId, period: args.Period, amount: args.Amount,
    dataDiskSize: args.DataDiskSize, autoRenew: args.AutoRenew, autoRenewPeriod: args.AutoRenewPeriod, clientToken: args.ClientToken,
  });
  base.ClientToken = planned.Parameters.ClientToken;
  base.Request = planned;
  base.Notes.push(NEW_SERVER_PASSWORD);

  // 4. Consent: a purchase is a person's decision (human); confirm asks for the round trip; off
  //    relies on the operator's ceiling, judged above.
  const purchasePlan = createServersPlan({
    regionId: region, amount: args.Amount, period: args.Period, dataDiskSize: args.DataDiskSize, autoRenew: args.AutoRenew,
    autoRenewPeriod: args.AutoRenewPeriod, image, plan, cost, request: planned,
  });
  if (ctx.config.consentMode !== 'off' || args.DryRun) {
    const consent = await consentStep(ctx, call, {
      tool: 'create_servers_from_image', args, state: planState(facts, cost), plan: purchasePlan, dryRun: args.DryRun,
      // In human mode a token the model holds never approves a purchase: only the person's own answer does.
      ...(ctx.config.consentMode === 'human' ? {} : { confirmToken: args.ConfirmToken }), schema: createServersOutput(), out: base,
    });
    if (!consent.go) return consent.result;
  }
  base.Request = undefined;

  // 5. The one call that spends money.
  let sent;
  try {
    sent = await sendWrite(ctx, call, {
      tool: 'create_servers_from_image', action: 'CreateInstances', regionId: region, resourceIds: [image.ImageId],
      clientToken: base.ClientToken, args, cost: { amount: moneyNumber(cost.totalUnits).toFixed(2), currency: cost.currency },
    }, (signal) => ctx.api.createInstances(planned.Parameters, { signal }), (r) => r.InstanceIds);
  } catch (err) {
    return fail(err);
  }
  const ids = sent.InstanceIds;
  ctx.log.info({ regionId: region, imageId: image.ImageId, planId: plan.PlanId, servers: ids.length, requestId: sent.RequestId }, 'servers ordered');
  const out: Output = { ...base, InstanceIds: ids, RequestId: sent.RequestId, Plan: purchasePlan };
  if (isRepeatedOrder(ids, facts.existing)) {
    out.Repeated = true;
    out.Notes.push(`The API answered with servers that already existed: ClientToken ${base.ClientToken} was used for this exact order before, so it was not bought again. To buy more servers like these on purpose, call again with a new ClientToken.`);
  }

  // 6. What the servers show now; then, if asked, the bounded wait until they are Running.
  const watch = ids.map((id) => ({ kind: 'instance' as const, id, until: 'Running' as const }));
  const show = (items: Awaited<ReturnType<typeof readServers>>) => {
    out.Servers = ids.map((id) => {
      const i = items?.find((x) => x.InstanceId === id);
      return { InstanceId: id, ...(i ? { Status: i.Status, ImageId: i.ImageId, ImageName: i.ImageName } : {}) };
    });
  };
  show(await readServers(ctx, region, ids, call.signal));
  const allRunning = () => (out.Servers ?? []).every((s) => sameWord(s.Status, 'Running'));
  if (ids.length && !allRunning()) {
    if (args.WaitForRunning) {
      const waited = await waitAfterWrite(ctx, call, region, watch, errCtx(), 'new servers usually take a few minutes to start');
      if (waited.outcome?.allDone) {
        show(await readServers(ctx, region, ids, call.signal));
      } else if (waited.outcome) {
        for (const st of waited.outcome.states) {
          const server = out.Servers?.find((x) => x.InstanceId === st.Id);
          if (server && st.State !== 'NotFound') server.Status = st.State;
        }
      }
      if (waited.outcome?.anyFailed) out.Notes.push('A new server ended in another state than Running; check it with list_instances or in the console.');
      if (waited.note) out.Notes.push(waited.note);
    } else {
      out.Notes.push(`New servers take a few minutes to start. Call ${keepWaitingArgs(region, watch)} to wait until they are Running; nothing needs to be bought again.`);
    }
  }
  return success(createServersOutput(), out, createServersText(out));
}

export const createServersFromImageTool = defineTool({
  name: 'create_servers_from_image',
  title: 'Buy new SWAS servers from an image',
  description: [
    'Buys subscription servers running an image ("two more like shop-prod"). SPENDS MONEY, paid now.',
    'Checks image, plan (list_plans), 50-server limit, cost vs ceiling. The user must approve the plan and its cost.',
    'No password (set in the console). A repeat never buys twice.',
  ].join(' '),
  inputSchema: createServersInput,
  outputSchema: createServersOutput,
  // Idempotent: the same call repeated is the same order to the API (derived ClientToken). Spending is what kind 'purchase' gates.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  kind: 'purchase',
  // Results that wait for a person's approval carry the plan the plan view shows.
  ui: { resourceUri: PLAN_VIEW_URI },
  ramActions: ['swas-open:CreateInstances', 'swas-open:ListPlans', 'swas-open:ListInstances', 'swas-open:ListImages', 'swas-open:ListCustomImages', 'swas-open:ListInstanceStatus'],
  handler: (args, call, ctx) => createServers(args, call, ctx),
});
