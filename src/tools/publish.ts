import { readFileSync } from 'node:fs';
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

const PROSE_AND_LIMITS = new Set(['description', 'title', 'additionalProperties', 'minLength', 'maxLength', 'pattern', 'format', 'minItems', 'maxItems', 'minimum', 'maximum']);

/**
 * An output schema as a shape: no prose, no limits; the result's own fields with their types (and
 * enums), and one level inside each (a Check's, a Plan's, a listed item's field names and types).
 * Anything deeper (the exact requests of a dry run, a plan's details) and a union of objects is a
 * plain object; `required` stays at the top only. Error, the same in every tool (Code, Message,
 * Stage, Retryable, NextSteps: docs and the failure's own text say it), is a plain object too: its
 * fields cost ~60 tokens in each of the tools. It still validates every result (it only accepts
 * more), and the model reads the rest in the result's text.
 */
function withoutProse(node: unknown, depth = 0, name?: string): unknown {
  if (Array.isArray(node)) return node.map((n) => withoutProse(n, depth));
  if (node === null || typeof node !== 'object') return node;
  const schema = node as Json;
  if (depth === 1 && name === 'Error') return { type: 'object' };
  const union = Array.isArray(schema.anyOf) ? schema.anyOf as Json[] : undefined;
  if (union?.every((s) => s.type === 'object')) return { type: 'object' };
  if ((schema.type === 'object' || union) && depth >= 2) return { type: 'object' };
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (PROSE_AND_LIMITS.has(k)) continue;
    if ((k === 'required' && depth >= 1) || (k === 'enum' && depth >= 2)) continue;
    out[k] = k === 'properties'
      ? Object.fromEntries(Object.entries(v as Json).map(([key, s]) => [key, withoutProse(s, depth + 1, key)]))
      : withoutProse(v, depth);
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

/** Beside the server's script, written by the build: every tool's published schemas (`publishedSchemasOf`). */
export const PUBLISHED_SCHEMAS_FILE = 'published-schemas.json';
type PublishedSchemas = Record<string, Partial<Record<'input' | 'output', Json>>>;
let prebuilt: PublishedSchemas | null | undefined;

/**
 * Every tool's published input and output schema, as `publishedJsonSchema` makes them: the build
 * writes them beside the server, so that a tools/list does not build every tool's zod schemas (which
 * stayed in memory, 2.3 MB of an idle server's own 16 MB, until a call needed them, if ever).
 */
export function publishedSchemasOf(tools: readonly { name: string; inputSchema: () => z.ZodType; outputSchema: () => z.ZodType }[]): PublishedSchemas {
  return Object.fromEntries(tools.map((t) => [t.name, { input: publishedJsonSchema(t.inputSchema(), 'input'), output: publishedJsonSchema(t.outputSchema(), 'output') }]));
}

/** The build's schema for this tool, if there is one (not when running from source). */
function prebuiltSchema(tool: string | undefined, io: 'input' | 'output'): Json | undefined {
  if (tool === undefined) return undefined;
  if (prebuilt === undefined) {
    try {
      prebuilt = JSON.parse(readFileSync(new URL(`./${PUBLISHED_SCHEMAS_FILE}`, import.meta.url), 'utf8')) as PublishedSchemas;
    } catch {
      prebuilt = null;
    }
  }
  return prebuilt?.[tool]?.[io];
}

const publishedBySchema = new WeakMap<() => z.ZodType, Map<string, Json>>();

/**
 * A tool's published JSON Schema, computed once per process: every server instance gets the same
 * one (stateless HTTP builds a server for each request, and converting every tool's schemas each
 * time cost more than the call).
 */
function publishedOnce(schema: () => z.ZodType, io: 'input' | 'output', unpublished: readonly string[], tool?: string): Json {
  let byKey = publishedBySchema.get(schema);
  if (!byKey) publishedBySchema.set(schema, byKey = new Map<string, Json>());
  const key = `${io}:${unpublished.join(',')}`;
  let json = byKey.get(key);
  if (!json) byKey.set(key, json = withoutArguments(prebuiltSchema(tool, io) ?? publishedJsonSchema(schema(), io), unpublished));
  return json;
}

/**
 * Wraps a tool's lazily built zod schema for the SDK: zod validates (after nulls are dropped from
 * input), and the published JSON Schema is computed once and reused for every tools/list.
 */
export function publish<S extends z.ZodType>(schema: () => S, io: 'input' | 'output', unpublished: readonly string[] = [], tool?: string): StandardSchemaWithJSON<z.input<S>, z.output<S>> {
  const json = (which: 'input' | 'output') => publishedOnce(schema, which, unpublished, which === io ? tool : undefined);
  return {
    '~standard': {
      version: 1,
      vendor: 'swas-image-mcp',
      validate: (value) => schema()['~standard'].validate(io === 'input' ? nullMembersAsUnset(value) : value),
      jsonSchema: { input: () => json('input'), output: () => json('output') },
    },
  } as StandardSchemaWithJSON<z.input<S>, z.output<S>>;
}

/** A tool's input: the schema the SDK publishes, and the parse the tool's own wrapper runs. */
export interface PublishedInput<S extends z.ZodType> {
  /** Published as `publish` does; lets every value through (nulls dropped), so that a refusal is ours. */
  sdk: StandardSchemaWithJSON<unknown, unknown>;
  parse(value: unknown): z.ZodSafeParseResult<z.output<S>>;
  /** The top-level argument names, as published. */
  argumentNames(): string[];
}

/**
 * The SDK answers input its schema refuses with bare text ("Input validation error: …") and no
 * structuredContent, so the tool wrapper validates instead: the SDK sees a schema that takes every
 * value, and publishes the same JSON Schema as `publish` (the zod schema's own).
 */
export function publishInput<S extends z.ZodType>(schema: () => S, unpublished: readonly string[] = [], tool?: string): PublishedInput<S> {
  const published = () => publishedOnce(schema, 'input', unpublished, tool);
  return {
    sdk: {
      '~standard': {
        version: 1,
        vendor: 'swas-image-mcp',
        validate: (value: unknown) => ({ value: nullMembersAsUnset(value) }),
        jsonSchema: { input: published, output: published },
      },
    },
    parse: (value) => schema().safeParse(value, { reportInput: true }),
    argumentNames: () => Object.keys((published().properties ?? {}) as Json),
  };
}

/**
 * The published schema without some members: arguments the server still accepts (a ClientToken the
 * server derives itself costs every model ~60 tokens a tool and is needed only by a script that
 * carries its own; create_custom_image keeps it published: its API page has it), and the consent
 * arguments and result fields of the consent modes not in use (see unpublishedInputs).
 */
export function withoutArguments(json: Json, names: readonly string[]): Json {
  if (names.length === 0) return json;
  const properties = Object.fromEntries(Object.entries((json.properties ?? {}) as Json).filter(([k]) => !names.includes(k)));
  const required = Array.isArray(json.required) ? (json.required as string[]).filter((k) => !names.includes(k)) : undefined;
  return { ...json, properties, ...(required ? { required } : {}) };
}
