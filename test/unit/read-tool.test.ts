import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorSchema } from '../../src/tools/common.js';
import { readAnswer } from '../../src/tools/read-tool.js';
import type { ToolContext } from '../../src/tools/common.js';
import { SwasError } from '../../src/swas/errors.js';

const schema = z.object({ RegionId: z.string().optional(), N: z.number().optional(), Simulated: z.boolean(), Error: errorSchema().optional() });
const ctx = (regionId?: string) => ({ config: { regionId }, log: pino({ level: 'silent' }), simulated: true }) as unknown as ToolContext;

describe('readAnswer: the frame of every read tool', () => {
  it('reads in the given region, else the configured one, and answers the read\'s result and text', async () => {
    const seen: string[] = [];
    const read = async (region: string) => { seen.push(region); return { out: { RegionId: region, N: 1, Simulated: true }, text: `one in ${region}` }; };
    const given = await readAnswer(schema, ctx('cn-beijing'), 'cn-hangzhou', { action: 'ListInstances' }, read);
    const fallback = await readAnswer(schema, ctx('cn-beijing'), undefined, { action: 'ListInstances' }, read);
    expect(seen).toEqual(['cn-hangzhou', 'cn-beijing']);
    expect(given).toEqual({ content: [{ type: 'text', text: 'one in cn-hangzhou' }], structuredContent: { RegionId: 'cn-hangzhou', N: 1, Simulated: true } });
    expect(fallback.isError).toBeUndefined();
  });

  it('without a region to use, answers MissingRegionId and reads nothing', async () => {
    let reads = 0;
    const r = await readAnswer(schema, ctx(), undefined, { action: 'ListInstances' }, async () => { reads++; return { out: { Simulated: true }, text: '' }; });
    expect(reads).toBe(0);
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toMatchObject({ Simulated: true, Error: { Code: 'MissingRegionId', Stage: 'input' } });
  });

  it('explains a failed read with its region and the action the error names', async () => {
    const r = await readAnswer(schema, ctx(), 'cn-hangzhou', (err) => ({ action: (err as SwasError).code === 'Throttling' ? 'ListSnapshots' : 'X' }), async () => {
      throw new SwasError({ code: 'Throttling', stage: 'api', message: 'slow down', httpStatus: 400 });
    });
    expect(r.structuredContent).toMatchObject({ RegionId: 'cn-hangzhou', Error: { Code: 'Throttling', Stage: 'api', Retryable: true } });
    expect((r.content as { text: string }[])[0]!.text).toMatch(/^Throttling/);
  });
});
