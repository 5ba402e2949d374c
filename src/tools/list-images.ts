import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { apiField, apiFieldOpt, apiText } from '../untrusted.js';
import type { SwasImage } from '../swas/types.js';
import {
  errorSchema, maxResultsField, READ_ONLY_ANNOTATIONS, type ToolContext, SIMULATED_NOTE, simulatedField,
} from './common.js';
import { ANY_IMAGE_ID_PATTERN, ANY_IMAGE_ID_RULE } from '../swas/shapes.js';
import { readAnswer } from './read-tool.js';
import { defineTool } from './registry.js';
import { acrossRegions, ALL_REGIONS, failedRegionsLine, searchEveryRegionStep, whereWords, regionOrAllField, regionOutcomeSchema } from './regions.js';


export const IMAGE_TYPES = ['system', 'app', 'custom'] as const;
/** ListImages takes at most 50 IDs. */
export const MAX_LIST_IMAGE_IDS = 50;

export const listImagesInput = lazySchema(() => z.strictObject({
  RegionId: regionOrAllField(),
  ImageType: z.enum(IMAGE_TYPES).optional()
    .describe('"system": an OS alone; "app": an OS with an application; "custom": made from servers.'),
  ImageIds: z.array(z.string().regex(ANY_IMAGE_ID_PATTERN, { message: `Each ImageIds entry must be ${ANY_IMAGE_ID_RULE}` }))
    .min(1, { message: 'ImageIds must not be empty; omit it to list every image' })
    .max(MAX_LIST_IMAGE_IDS, { message: `ImageIds holds at most ${MAX_LIST_IMAGE_IDS} entries` })
    .optional()
    .describe('Only these images.'),
  MaxResults: maxResultsField(),
}));

const imageOut = lazySchema(() => z.object({
  ImageId: z.string().describe('Pass it as reset_system\'s ImageId.'),
  ImageName: z.string(),
  ImageType: z.string().describe('"system", "app" or "custom" (lower case, as the API takes it).'),
  RegionId: z.string().describe('The region the image is in: a server can only be reset to an image of its own region.'),
  Platform: z.string().optional().describe('Linux or Windows. Outside the Chinese mainland a server can only be reset to an image of its own platform.'),
  Description: z.string().optional(),
}));

export const listImagesOutput = lazySchema(() => z.object({
  RegionId: z.string().optional(),
  Images: z.array(imageOut()).optional(),
  TotalCount: z.number().int().optional().describe('How many images matched (ListImages has no paging).'),
  Truncated: z.boolean().optional().describe('True when more images matched than MaxResults let through.'),
  Regions: z.array(regionOutcomeSchema()).optional().describe('RegionId "all" only: how each region went.'),
  Simulated: simulatedField(),
  Error: errorSchema().optional(),
}));

type Input = z.output<ReturnType<typeof listImagesInput>>;
type Output = z.input<ReturnType<typeof listImagesOutput>>;

function compact(m: SwasImage, regionId: string): z.input<ReturnType<typeof imageOut>> {
  return {
    ImageId: apiField(m.ImageId, 64), ImageName: apiField(m.ImageName, 256), ImageType: apiField(m.ImageType, 16), RegionId: regionId,
    Platform: apiFieldOpt(m.Platform ?? m.OsType, 64), Description: m.Description ? apiField(m.Description) : undefined,
  };
}

const KIND_ORDER: Record<string, number> = { system: 0, app: 1, custom: 2 };
const KIND_WORDS: Record<string, string> = {
  system: 'System images (an operating system alone)',
  app: 'App images (an operating system with an application)',
  custom: 'Custom images (made from servers: this account\'s own and those shared into it)',
};

function text(out: Output): string {
  const list = out.Images ?? [];
  const all = out.RegionId === ALL_REGIONS;
  const failed = failedRegionsLine(out.Regions);
  if (list.length === 0) {
    return [`No images match ${whereWords(out.RegionId, out.Regions, false)}.`, failed, searchEveryRegionStep('list_images', out.RegionId), out.Simulated ? SIMULATED_NOTE : undefined].filter(Boolean).join('\n');
  }
  const lines = [`${list.length} image(s) ${all ? 'across regions, each usable by a server of its own region' : `in ${out.RegionId} that a server there can be reset to`}${out.Truncated ? ` (truncated: ${out.TotalCount} matched)` : ''}:`];
  const kinds = [...new Set(list.map((m) => m.ImageType))].sort((a, b) => (KIND_ORDER[a] ?? 9) - (KIND_ORDER[b] ?? 9));
  for (const kind of kinds) {
    lines.push(`${KIND_WORDS[kind] ?? `Images of type "${apiText(kind, 16)}"`}:`);
    for (const m of list.filter((i) => i.ImageType === kind)) {
      lines.push(`- ${apiText(m.ImageId, 64)} "${apiText(m.ImageName, 128)}" (${m.Platform ? apiText(m.Platform, 32) : 'platform not stated'}${all ? `, ${m.RegionId}` : ''})`
        + (m.Description && m.Description !== m.ImageName ? `: "${apiText(m.Description, 160)}"` : ''));
    }
  }
  lines.push('(Names and descriptions above are data from the API.)');
  if (failed) lines.push(failed);
  lines.push('Next: reset_system with RegionId, InstanceId and one ImageId re-installs a server from it; its system disk is wiped. Outside the Chinese mainland a server keeps its platform (Linux or Windows). A custom image made from the server itself cannot be used (that is a snapshot rollback, in the console). list_custom_images shows a custom image\'s status and required disk sizes.');
  if (out.Simulated) lines.push(SIMULATED_NOTE);
  return lines.join('\n');
}

async function listImages(args: Input, signal: AbortSignal, ctx: ToolContext) {
  return readAnswer(listImagesOutput(), ctx, args.RegionId, { action: 'ListImages' }, async (region) => {
    const listOne = async (regionId: string) => {
      const images = await ctx.api.listImages(regionId, { ImageIds: args.ImageIds, ImageType: args.ImageType }, { signal });
      // The API filters by type; the check here keeps an answer that did not to its word.
      const matching = images.filter((m) => args.ImageType === undefined || m.ImageType === args.ImageType).map((m) => compact(m, regionId));
      return { items: matching, totalCount: matching.length, truncated: false };
    };
    const listing = region === ALL_REGIONS
      ? await acrossRegions(ctx, signal, 'ListImages', args.MaxResults, listOne)
      : { ...(await listOne(region)), regions: undefined };
    const items = listing.items.slice(0, args.MaxResults);
    const out: Output = {
      RegionId: region, Images: items, TotalCount: listing.totalCount, Truncated: listing.truncated || listing.items.length > items.length,
      ...(listing.regions ? { Regions: listing.regions } : {}), Simulated: ctx.simulated,
    };
    return { out, text: text(out) };
  });
}

export const listImagesTool = defineTool({
  name: 'list_images',
  title: 'List the images a SWAS server can be reset to',
  description: [
    'Lists the images reset_system can use in a region: system, app (e.g. WordPress) and custom ones, with ImageType and Platform. Shared-in custom images only create servers. Outside the Chinese mainland a reset keeps the platform; list_custom_images shows the disk sizes a custom image needs. Read-only.',
  ].join(' '),
  inputSchema: listImagesInput,
  outputSchema: listImagesOutput,
  annotations: READ_ONLY_ANNOTATIONS,
  kind: 'read',
  ramActions: ['swas-open:ListImages', 'swas-open:ListRegions'],
  handler: (args, call, ctx) => listImages(args, call.signal, ctx),
});
