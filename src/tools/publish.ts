import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import { z } from 'zod';

type Json = Record<string, unknown>;

/**
 * The JSON Schema a client and its model provider read. zod's own output starts with "$schema",
 * which Gemini has rejected, so it is left out. Output schemas are published as shapes only: some
 * clients hand them to the model with the tools, and their prose (which the text of every result
 * already says in context) cost more tokens than all the input schemas together. Nothing that
 * validates is changed, so what is published is what zod checks.
 */
export function publishedJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io }) as Json;
  delete json.$schema;
  return io === 'output' ? withoutProse(json) as Json : json;
}

/** The schema without `description` and `title` members (property names stay, even one called so). */
function withoutProse(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutProse);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'description' || k === 'title') continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([name, s]) => [name, withoutProse(s)])) : withoutProse(v);
  }
  return out;
}

/**
 * OpenAI's strict mode makes a model send null for every optional field it leaves out. A null
 * member means "not given": it becomes undefined, in nested objects too, before validation. The
 * key stays, so a strict object still refuses a key it does not know, null or not.
 */
export function nullMembersAsUnset(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(nullMembersAsUnset);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // defineProperty keeps a "__proto__" member an own key (the strict schema then refuses it).
    Object.defineProperty(out, k, { value: v === null ? undefined : nullMembersAsUnset(v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Wraps a tool's lazily built zod schema for the SDK: zod validates (after nulls are dropped from
 * input), and the published JSON Schema is computed once and reused for every tools/list.
 */
export function publish<S extends z.ZodType>(schema: () => S, io: 'input' | 'output'): StandardSchemaWithJSON<z.input<S>, z.output<S>> {
  const cache: Partial<Record<'input' | 'output', Json>> = {};
  const json = (which: 'input' | 'output') => (cache[which] ??= publishedJsonSchema(schema(), which));
  return {
    '~standard': {
      version: 1,
      vendor: 'swas-image-mcp',
      validate: (value) => schema()['~standard'].validate(io === 'input' ? nullMembersAsUnset(value) : value),
      jsonSchema: { input: () => json('input'), output: () => json('output') },
    },
  } as StandardSchemaWithJSON<z.input<S>, z.output<S>>;
}
