import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { apiText } from '../untrusted.js';
import { planMisfit, planWords } from '../preflight/create-servers.js';
import { formatMoney, moneyNumber, parseMoney } from '../preflight/money.js';
import type { ResetImage } from '../preflight/reset-system.js';
import { SwasError } from '../swas/errors.js';
import type { SwasPlan } from '../swas/types.js';
import { compareText } from '../text-order.js';
import {
  errorSchema, optionalRegionField, READ_ONLY_ANNOTATIONS, type ToolContext, SIMULATED_NOTE, simulatedField,
} from './common.js';
import { ANY_IMAGE_ID_PATTERN, ANY_IMAGE_ID_RULE } from '../swas/shapes.js';
import { readAnswer } from './read-tool.js';
import { defineTool } from './registry.js';
import { findImage } from './images.js';

export const listPlansInput = lazySchema(() => z.strictObject({
  RegionId: optionalRegionField().describe('Region, e.g. "cn-hangzhou"; default region if omitted.'),
  ImageId: z.string().regex(ANY_IMAGE_ID_PATTERN, { message: `ImageId must be ${ANY_IMAGE_ID_RULE}` }).optional()
    .describe('Only plans that can run this image.'),
}));

const planOut = lazySchema(() => z.object({
  PlanId: z.string(),
  Core: z.number().optional(),
  Memory: z.number().optional().describe('GB.'),
  DiskSize: z.number().optional().describe('GB, system disk.'),
  DiskType: z.string().optional().describe('SSD (standard; needs a data disk of at least 20 GB) or ESSD.'),
  Bandwidth: z.number().optional().describe('Mbit/s.'),
  Flow: z.number().optional().describe('GB of traffic a month.'),
  SupportPlatform: z.array(z.string()),
  MonthlyPrice: z.number().optional(),
  Currency: z.string().optional(),
}));

export const listPlansOutput = lazySchema(() => z.object({
  RegionId: z.string().optional(),
  Image: z.object({ ImageId: z.string(), ImageName: z.string(), Platform: z.string().optional(), RequiredSystemDiskSize: z.number().optional() }).optional(),
  Plans: z.array(planOut()).optional().describe('Cheapest first.'),
  LeftOut: z.number().int().optional().describe('Plans that cannot run the image.'),
  Simulated: simulatedField(),
  Error: errorSchema().optional(),
}));

type Input = z.output<ReturnType<typeof listPlansInput>>;
type Output = z.input<ReturnType<typeof listPlansOutput>>;

const price = (p: SwasPlan) => parseMoney(p.OriginPrice) ?? Number.POSITIVE_INFINITY;

function compact(p: SwasPlan): z.input<ReturnType<typeof planOut>> {
  const units = parseMoney(p.OriginPrice);
  return {
    PlanId: p.PlanId, Core: p.Core, Memory: p.Memory, DiskSize: p.DiskSize, DiskType: p.DiskType, Bandwidth: p.Bandwidth, Flow: p.Flow,
    SupportPlatform: p.SupportPlatform, ...(units !== undefined ? { MonthlyPrice: moneyNumber(units) } : {}), Currency: p.Currency,
  };
}

function text(out: Output, plans: SwasPlan[], image: ResetImage | undefined): string {
  const fit = image ? ` that can run image ${image.ImageId} ("${apiText(image.ImageName, 128)}"${image.Platform ? `, ${apiText(image.Platform, 32)}` : ''}${image.RequiredSystemDiskSize ? `, needs ${image.RequiredSystemDiskSize} GB` : ''})` : '';
  const lines = [plans.length === 0
    ? `No plan in ${out.RegionId}${fit}.`
    : `${plans.length} plan(s) in ${out.RegionId}${fit}, cheapest first (list price a month; orders are paid up front):`];
  for (const p of plans) {
    const units = parseMoney(p.OriginPrice);
    lines.push(`- ${apiText(p.PlanId, 64)}: ${units !== undefined ? `${formatMoney(units, p.Currency)} a month` : 'price not stated'}; ${planWords(p)}`);
  }
  if (out.LeftOut) lines.push(`${out.LeftOut} other plan(s) cannot run the image (smaller disk or another platform).`);
  if (plans.length) lines.push('Next: create_servers_from_image with RegionId, ImageId, PlanId, Period and Amount (DryRun true shows the cost first).');
  if (out.Simulated) lines.push(`${SIMULATED_NOTE} Simulated prices are examples.`);
  return lines.join('\n');
}

async function listPlans(args: Input, signal: AbortSignal, ctx: ToolContext) {
  return readAnswer(listPlansOutput(), ctx, args.RegionId, { action: 'ListPlans', ...(args.ImageId ? { imageId: args.ImageId } : {}) }, async (region) => {
    const [all, image] = await Promise.all([
      ctx.api.listPlans(region, { signal }),
      args.ImageId ? findImage(ctx.api, region, args.ImageId, { signal }).then((found) => found.image) : undefined,
    ]);
    const out: Output = { RegionId: region, Simulated: ctx.simulated };
    if (args.ImageId && !image) {
      throw new SwasError({ code: 'InvalidImageId.NotFound', stage: 'preflight', message: `No image ${args.ImageId} in region ${region}; list_images shows the images there.` });
    }
    const sorted = [...all].sort((a, b) => price(a) - price(b) || compareText(a.PlanId, b.PlanId));
    const plans = image ? sorted.filter((p) => planMisfit(p, image) === undefined) : sorted;
    if (image) {
      out.Image = { ImageId: image.ImageId, ImageName: image.ImageName, Platform: image.Platform, RequiredSystemDiskSize: image.RequiredSystemDiskSize };
      out.LeftOut = sorted.length - plans.length;
    }
    out.Plans = plans.map(compact);
    return { out, text: text(out, plans, image) };
  });
}

export const listPlansTool = defineTool({
  name: 'list_plans',
  title: 'List SWAS plans with prices',
  description: [
    'Lists the plans of a region for new servers, cheapest first: PlanId, vCPU, memory, disk, bandwidth, traffic, platforms and monthly price. Read-only; create_servers_from_image buys.',
  ].join(' '),
  inputSchema: listPlansInput,
  outputSchema: listPlansOutput,
  annotations: READ_ONLY_ANNOTATIONS,
  kind: 'read',
  ramActions: ['swas-open:ListPlans', 'swas-open:ListImages', 'swas-open:ListCustomImages'],
  handler: (args, call, ctx) => listPlans(args, call.signal, ctx),
});
