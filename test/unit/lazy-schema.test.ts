import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lazySchema } from '../../src/lazy-schema.js';
import { ALL_TOOLS } from '../../src/tools/index.js';

describe('lazySchema', () => {
  it('builds nothing until first used, then builds once and keeps the same schema', () => {
    let builds = 0;
    const schema = lazySchema(() => { builds += 1; return z.strictObject({ Name: z.string() }); });
    expect(builds).toBe(0);
    const first = schema();
    expect(schema()).toBe(first);
    expect(builds).toBe(1);
    expect(first.safeParse({ Name: 'x', Extra: 1 }).success).toBe(false);
  });

  it('gives every tool one input and one output schema instance, whatever asks for it', () => {
    for (const t of ALL_TOOLS) {
      expect(t.inputSchema(), t.name).toBe(t.inputSchema());
      expect(t.outputSchema(), t.name).toBe(t.outputSchema());
    }
  });
});
