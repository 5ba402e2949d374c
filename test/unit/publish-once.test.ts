import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { publish, publishInput } from '../../src/tools/publish.js';

/** Stateless HTTP builds a server per request: a tool's published JSON Schema must be computed once, not per server. */
describe('published schemas are computed once per process', () => {
  it('every wrapper of one tool schema publishes the same JSON Schema, converted once', () => {
    let built = 0;
    const schema = () => { built += 1; return z.object({ Name: z.string().describe('the name'), Token: z.string().optional() }); };
    const first = publish(schema, 'output')['~standard'].jsonSchema.output({ target: 'draft-2020-12' });
    const second = publish(schema, 'output')['~standard'].jsonSchema.output({ target: 'draft-2020-12' });
    expect(second).toBe(first);
    expect(built).toBe(1);

    const inputA = publishInput(schema, ['Token']).sdk['~standard'].jsonSchema.input({ target: 'draft-2020-12' });
    const inputB = publishInput(schema, ['Token']).sdk['~standard'].jsonSchema.input({ target: 'draft-2020-12' });
    expect(inputB).toBe(inputA);
    expect(Object.keys(inputA.properties as object)).toEqual(['Name']);
    // Another set of unpublished arguments is another schema.
    const full = publishInput(schema).sdk['~standard'].jsonSchema.input({ target: 'draft-2020-12' });
    expect(Object.keys(full.properties as object)).toEqual(['Name', 'Token']);
    expect(built).toBe(3);
  });
});
