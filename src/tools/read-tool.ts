import type { CallToolResult } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { ErrorContext } from '../explain/catalog.js';
import { failure, regionOrDefault, success, toFailure, type ToolContext } from './common.js';

/** What a read failed at, besides its region: fixed, or read off the error (a wait knows which list failed). */
type ReadErrorContext = Omit<ErrorContext, 'regionId'> | ((err: unknown) => Omit<ErrorContext, 'regionId'>);

/**
 * The frame of every read tool: the region (given, or the configured default), then the read,
 * answered with its result and text; anything thrown becomes the explained error of the region it
 * was for. Each tool keeps only its read and its words.
 */
export async function readAnswer<S extends z.ZodType>(schema: S, ctx: ToolContext, regionId: string | undefined, errCtx: ReadErrorContext,
  read: (region: string) => Promise<{ out: z.input<S>; text: string }>): Promise<CallToolResult> {
  let region: string | undefined;
  try {
    region = regionOrDefault(regionId, ctx.config);
    const { out, text } = await read(region);
    return success(schema, out, text);
  } catch (err) {
    const context = typeof errCtx === 'function' ? errCtx(err) : errCtx;
    const { error, text } = toFailure(err, { ...context, regionId: region }, ctx.log);
    return failure(schema, { RegionId: region, Simulated: ctx.simulated, Error: error } as z.input<S>, text);
  }
}
