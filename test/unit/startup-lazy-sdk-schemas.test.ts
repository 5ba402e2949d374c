// The build makes the MCP SDK's zod schemas (the core package's protocol and OAuth schemas, the
// server's per-era wire schemas) build on first use instead of at every start
// (scripts/lazy-sdk-schemas.mjs). Each must be the schema the SDK itself makes: every schema of a
// transformed copy of the installed SDK is compared with the same schema of an untouched copy.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LAZY_SCHEMA_FILES, lazySchemaSource, SERVER_WIRE_FILE, WIRE_BUILDERS } from '../../scripts/lazy-sdk-schemas.mjs';

const ROOT = resolve(__dirname, '../..');
const MCP = join(ROOT, 'node_modules', '@modelcontextprotocol');

type Schemas = Record<string, unknown>;

/**
 * Copies of the SDK's dist/ modules as the build makes them (lazy), and of the server's as installed
 * (eager: its wire schemas' builders are not exported, the copies export them for this test).
 */
const dir = mkdtempSync(join(tmpdir(), 'swas-lazy-schemas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Under a node_modules folder, so that vitest imports them as they are (as it does the SDK itself),
// and they resolve zod and the SDK's packages from the project's.
const copies = join(dir, 'node_modules', 'swas-lazy-copies');
mkdirSync(join(dir, 'node_modules', '@modelcontextprotocol'), { recursive: true });
symlinkSync(join(ROOT, 'node_modules', 'zod'), join(dir, 'node_modules', 'zod'), 'dir');
for (const pkg of ['core', 'server']) symlinkSync(join(MCP, pkg), join(dir, 'node_modules', '@modelcontextprotocol', pkg), 'dir');
let transformed = 0;
for (const [kind, pkg] of [['lazy', 'core'], ['lazy', 'server'], ['eager', 'server']] as const) {
  {
    const to = join(copies, kind, pkg);
    cpSync(join(MCP, pkg, 'dist'), to, { recursive: true, filter: (from) => !/\.(map|ts|cts|cjs)$/.test(from) });
    for (const name of readdirSync(to)) {
      const file = join(to, name);
      const installed = join(MCP, pkg, 'dist', name);
      if (!LAZY_SCHEMA_FILES.test(installed)) continue;
      let source = readFileSync(file, 'utf8');
      if (kind === 'lazy') {
        const lazy = lazySchemaSource(source, file, SERVER_WIRE_FILE.test(installed) ? WIRE_BUILDERS : undefined);
        expect(lazy.count).toBeGreaterThan(10);
        transformed += lazy.count;
        source = lazy.contents;
      }
      if (pkg === 'server') source += '\nexport { buildSchemas2025 as __wire2025, buildSchemas2026 as __wire2026 };\n';
      writeFileSync(file, source);
    }
  }
}
const load = (kind: string, file: string) => import(pathToFileURL(join(copies, kind, file)).href) as Promise<Schemas>;
const serverFile = readdirSync(join(copies, 'eager', 'server')).find((f) => /^src-[\w-]+\.mjs$/.test(f))!;

/**
 * What a schema is: its definition, walked through the schemas it holds (a few levels deep, with
 * z.lazy's getter followed), so that two schemas built apart compare equal when they are alike.
 * (Not zod's JSON Schema conversion: it keys its work by object identity, and a stand-in is not the
 * schema it stands for. The SDK converts only the tools' and prompts' schemas, never its own.)
 */
function described(value: unknown, depth = 0, path: unknown[] = []): unknown {
  if (typeof value === 'function') return 'function';
  if (value instanceof RegExp) return value.source;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => described(v, depth, path));
  const zod = (value as { _zod?: { def: Record<string, unknown> } })._zod;
  if (!zod) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, described(v, depth, path)]));
  const def = zod.def;
  if (depth > 3 || path.includes(def)) return `${String(def.type)}…`;
  const inner = [...path, def];
  // Members zod caches on a definition as it is used (z.lazy's `_cachedInner`) say nothing of the schema.
  return Object.fromEntries(Object.entries(def).filter(([k]) => !k.startsWith('_')).map(([k, v]) => [
    k, k === 'getter' && typeof v === 'function' ? described((v as () => unknown)(), depth + 1, inner) : described(v, depth + 1, inner),
  ]));
}

function expectSameSchemas(eager: Schemas, lazy: Schemas): number {
  let n = 0;
  for (const [name, schema] of Object.entries(eager)) {
    if (!name.endsWith('Schema') || typeof schema !== 'object' || schema === null || !('_zod' in schema)) continue;
    expect(lazy[name], name).toBeInstanceOf(z.ZodType);
    expect(described(lazy[name]), name).toEqual(described(schema));
    n++;
  }
  return n;
}

describe('the SDK schemas built on first use', () => {
  it('wraps only the schema-building calls, at the top level or inside the named builders', () => {
    const source = [
      'const VERSION = "1";',
      'const FooSchema = z.object({ a: z.string() });',
      'const AliasSchema = FooSchema;',
      'let LetSchema = z.string();',
      'function build$1() { const BarSchema$1 = z.number(); const n = f(); return { BarSchema$1, n }; }',
      'function other() { const BazSchema = z.number(); return BazSchema; }',
    ].join('\n');
    const top = lazySchemaSource(source, 'a.mjs');
    expect(top.count).toBe(1);
    expect(top.contents).toContain('const FooSchema = __lazySchema(() => (z.object({ a: z.string() })));');
    expect(top.contents).toContain('const AliasSchema = FooSchema;');
    expect(top.contents).toContain('let LetSchema = z.string();');
    const inBuilders = lazySchemaSource(source, 'a.mjs', WIRE_BUILDERS);
    expect(inBuilders.count).toBe(1);
    expect(inBuilders.contents).toContain('const BarSchema$1 = __lazySchema(() => (z.number()));');
    expect(inBuilders.contents).toContain('const BazSchema = z.number();');
  });

  it('builds a schema once, when it is first touched, and forwards to it', async () => {
    const source = [
      'let built = 0;',
      'export const ThingSchema = make();',
      'export const builtCount = () => built;',
      'function make() { built++; return { kind: "thing" }; }',
    ].join('\n');
    const file = join(copies, 'thing.mjs');
    writeFileSync(file, lazySchemaSource(source, file).contents);
    const mod = await import(pathToFileURL(file).href) as { ThingSchema: { kind: string }; builtCount(): number };
    expect(mod.builtCount()).toBe(0);
    expect(mod.ThingSchema.kind).toBe('thing');
    expect('kind' in mod.ThingSchema).toBe(true);
    expect(Object.keys(mod.ThingSchema)).toEqual(['kind']);
    expect(mod.builtCount()).toBe(1);
  });

  it('the core package\'s protocol and OAuth schemas are the SDK\'s own', async () => {
    expect(transformed).toBeGreaterThan(400);
    const [eager, lazy] = await Promise.all([import('@modelcontextprotocol/core/internal') as Promise<Schemas>, load('lazy', 'core/internal.mjs')]);
    // They parse alike, what they accept and what they refuse (parsing also fills zod's caches, as
    // the other files of a worker's run may have done in the installed copy).
    const messages = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } } },
      { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'hi' }], structuredContent: { a: 1 } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '1.0', id: 3, method: 'x' },
      { id: 4 },
    ];
    for (const name of ['JSONRPCMessageSchema', 'InitializeRequestSchema', 'CallToolResultSchema', 'OAuthMetadataSchema']) {
      for (const m of messages) {
        const parse = (s: unknown) => (s as z.ZodType).safeParse(m);
        expect(parse(lazy[name]).success, `${name} ${JSON.stringify(m)}`).toBe(parse(eager[name]).success);
        expect(parse(lazy[name]).data).toEqual(parse(eager[name]).data);
      }
    }
    expect(expectSameSchemas(eager, lazy)).toBeGreaterThan(150);
  });

  it('the server\'s wire schemas of both protocol eras are the SDK\'s own', async () => {
    const [eager, lazy] = await Promise.all([load('eager', `server/${serverFile}`), load('lazy', `server/${serverFile}`)]);
    for (const era of ['__wire2025', '__wire2026']) {
      const build = (m: Schemas) => (m[era] as () => Schemas)();
      expect(expectSameSchemas(build(eager), build(lazy)), era).toBeGreaterThan(100);
    }
  });
});
