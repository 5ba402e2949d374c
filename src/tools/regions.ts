import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { REGION_ID_PATTERN } from '../swas/shapes.js';
import { REGION_DESCRIPTION, toFailure, type ToolContext } from './common.js';

/** `RegionId: "all"`: every region the account can use, listed at once. */
export const ALL_REGIONS = 'all';

const REGION_OR_ALL = new RegExp(`^(?:${ALL_REGIONS}|${REGION_ID_PATTERN.source.slice(1, -1)})$`);

export const regionOrAllField = lazySchema(() => z.string()
  .max(40, { message: 'RegionId is at most 40 characters' })
  .regex(REGION_OR_ALL, { message: 'RegionId must be a region ID such as cn-hangzhou, or "all"' })
  .optional()
  .describe(`${REGION_DESCRIPTION} "all": every region. Default: the configured one.`));

/** How one region's part of an "all" listing went. */
export const regionOutcomeSchema = lazySchema(() => z.object({
  RegionId: z.string(),
  Count: z.number().int().describe('Items listed from this region.'),
  ErrorCode: z.string().optional().describe('This region could not be listed (the others still were).'),
}));
export type RegionOutcome = z.infer<ReturnType<typeof regionOutcomeSchema>>;

export interface RegionPart<T> { items: T[]; totalCount: number; truncated: boolean }

export interface AllRegions<T> { items: T[]; totalCount: number; truncated: boolean; regions: RegionOutcome[] }

/**
 * ListRegions, then every region in parallel: two waves of round trips, however many regions.
 * A region that fails is reported in `regions`, not fatal; ListRegions failing is.
 */
export async function acrossRegions<T>(ctx: ToolContext, signal: AbortSignal, action: string, maxItems: number,
  listOne: (regionId: string) => Promise<RegionPart<T>>): Promise<AllRegions<T>> {
  let regions;
  try {
    regions = await ctx.api.listRegions({ signal });
  } finally {
    await ctx.regionsListed?.();
  }
  const parts = await Promise.allSettled(regions.map((r) => listOne(r.RegionId)));
  const items: T[] = [];
  const outcomes: RegionOutcome[] = [];
  let totalCount = 0;
  let truncated = false;
  parts.forEach((p, i) => {
    const regionId = regions[i]!.RegionId;
    if (p.status === 'fulfilled') {
      items.push(...p.value.items);
      totalCount += p.value.totalCount;
      truncated ||= p.value.truncated;
      outcomes.push({ RegionId: regionId, Count: p.value.items.length });
    } else {
      const { error } = toFailure(p.reason, { action, regionId }, ctx.log);
      outcomes.push({ RegionId: regionId, Count: 0, ErrorCode: error.Code });
    }
  });
  const kept = items.slice(0, maxItems);
  return { items: kept, totalCount, truncated: truncated || kept.length < items.length, regions: outcomes };
}

/** The line an "all" answer adds about regions that failed. */
export function failedRegionsLine(regions: RegionOutcome[] | undefined): string | undefined {
  const failed = (regions ?? []).filter((r) => r.ErrorCode);
  if (!failed.length) return undefined;
  return `Could not list ${failed.length} region(s): ${failed.map((r) => `${r.RegionId} (${r.ErrorCode})`).join(', ')}; the others are complete. Try those regions again on their own.`;
}

/** Where a listing looked, for "No … match {where}." and "N … {where}:". */
export function whereWords(regionId: string | undefined, regions: readonly RegionOutcome[] | undefined, found: boolean): string {
  if (regionId !== ALL_REGIONS) return `in ${regionId ?? 'the region'}`;
  const n = regions?.length ?? 0;
  return found ? `across ${n} region${n === 1 ? '' : 's'}` : `in any region (${n} searched)`;
}

/** After an empty listing of one region: the call that searches them all. */
export function searchEveryRegionStep(tool: string, regionId: string | undefined): string | undefined {
  return regionId === ALL_REGIONS ? undefined : `Not in ${regionId ?? 'this region'}? Call ${tool} with RegionId "all" to search every region.`;
}
