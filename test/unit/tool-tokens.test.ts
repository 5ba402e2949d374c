import { describe, expect, it } from 'vitest';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { publishedJsonSchema, withoutArguments } from '../../src/tools/publish.js';
import { unpublishedInputs, unpublishedOutputs } from '../../src/tools/registry.js';

import { countTokens as tokens, TOKEN_TARGET } from '../../bench/tokens.mjs';

// The bench's targets, checked here so that a longer description fails `npm test`.
const PER_TOOL_AVERAGE = TOKEN_TARGET.perToolAverage;
const OUTPUT_SCHEMAS_TOTAL = TOKEN_TARGET.outputSchemasTotal;

/** Every value of `key` anywhere in a JSON Schema. */
function all(node: unknown, key: string, depth = 0, out: { depth: number; value: unknown }[] = []) {
  if (Array.isArray(node)) for (const n of node) all(n, key, depth, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) out.push({ depth, value: v });
      all(v, key, k === 'properties' ? depth + 1 : depth, out);
    }
  }
  return out;
}

describe('what a model reads of tools/list (o200k_base, default consent mode)', () => {
  const tools = ALL_TOOLS.map((t) => ({
    name: t.name, description: t.description,
    input: withoutArguments(publishedJsonSchema(t.inputSchema(), 'input'), unpublishedInputs(t)),
    output: withoutArguments(publishedJsonSchema(t.outputSchema(), 'output'), unpublishedOutputs()),
  }));

  it(`averages at most ${PER_TOOL_AVERAGE} tokens a tool (name, description, input schema)`, () => {
    const total = tools.reduce((s, t) => s + tokens(t.name) + tokens(t.description) + tokens(t.input), 0);
    expect(total / tools.length).toBeLessThanOrEqual(PER_TOOL_AVERAGE);
  });

  it(`spends at most ${OUTPUT_SCHEMAS_TOTAL} tokens on output schemas in all`, () => {
    expect(tools.reduce((s, t) => s + tokens(t.output), 0)).toBeLessThanOrEqual(OUTPUT_SCHEMAS_TOTAL);
  });

  it('publishes output schemas as shapes: no prose or limits, required only at the top, Error a plain object', () => {
    for (const t of tools) {
      for (const key of ['description', 'pattern', 'maxLength', 'additionalProperties']) expect(all(t.output, key), `${t.name} ${key}`).toEqual([]);
      expect(all(t.output, 'required').every((r) => r.depth === 0), t.name).toBe(true);
      expect((t.output.properties as Record<string, unknown>).Error, t.name).toEqual({ type: 'object' });
    }
    // Nested deeper than a field's own members: a plain object (a dry run's exact request).
    const create = tools.find((t) => t.name === 'create_custom_image')!.output.properties as Record<string, { properties?: Record<string, unknown> }>;
    expect(create.Request?.properties?.Parameters).toEqual({ type: 'object' });
    expect(Object.keys(create.Checks ? (create.Checks as { items: { properties: object } }).items.properties : {})).toEqual(['Name', 'Outcome', 'Detail', 'Code']);
  });

  it('keeps ClientToken published where the API page has it (create_custom_image) and nowhere else', () => {
    const withToken = tools.filter((t) => 'ClientToken' in (t.input.properties as object)).map((t) => t.name);
    expect(withToken).toEqual(['create_custom_image']);
  });
});
