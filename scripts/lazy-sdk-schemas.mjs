import { readFile } from 'node:fs/promises';
import ts from 'typescript';

// @modelcontextprotocol/core builds every protocol and OAuth schema with zod when its module loads
// (about 230 of them, in dist/schemas-*.mjs and dist/auth-*.mjs), and the server SDK imports that
// module, so each start built them all: about a third of the server script's top-level run, though
// a stdio start parses with a handful of them (the SDK's per-era wire schemas, built on first use,
// do the request validation). This plugin makes each such `const XSchema = <call>` a stand-in that
// builds its schema the first time anything touches it and then forwards every operation to it.
// Each schema is still built by the same expression, once; only the moment changes.
const CORE_SCHEMA_FILES = /[\\/]@modelcontextprotocol[\\/]core[\\/]dist[\\/](schemas|auth)-[\w-]+\.mjs$/;

// The stand-in is a Proxy over an empty object. Every read goes to the built schema with the schema
// itself as receiver, so zod's lazily bound methods and caches land on the schema, never on the
// stand-in; descriptors are reported configurable, which the Proxy invariants require of properties
// the empty target does not have (zod's `_zod` is non-configurable on the schema).
const RUNTIME = `
const __lazySchemaTraps = {
  get: (t, k) => Reflect.get(t.s ??= t.b(), k),
  set: (t, k, v) => Reflect.set(t.s ??= t.b(), k, v),
  has: (t, k) => Reflect.has(t.s ??= t.b(), k),
  ownKeys: (t) => Reflect.ownKeys(t.s ??= t.b()),
  getOwnPropertyDescriptor: (t, k) => { const d = Reflect.getOwnPropertyDescriptor(t.s ??= t.b(), k); if (d) d.configurable = true; return d; },
  defineProperty: (t, k, d) => Reflect.defineProperty(t.s ??= t.b(), k, d),
  deleteProperty: (t, k) => Reflect.deleteProperty(t.s ??= t.b(), k),
  getPrototypeOf: (t) => Reflect.getPrototypeOf(t.s ??= t.b()),
};
function __lazySchema(build) { return new Proxy({ b: build, s: undefined }, __lazySchemaTraps); }
`;

/** The module's source with each top-level `const XSchema = f(...)` built on first use. */
export function lazySchemaSource(source, file) {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const spans = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st) || !(st.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.name.text.endsWith('Schema') && d.initializer && ts.isCallExpression(d.initializer)) {
        spans.push([d.initializer.getStart(sf), d.initializer.end]);
      }
    }
  }
  let out = source;
  for (const [start, end] of spans.reverse()) out = `${out.slice(0, start)}__lazySchema(() => (${out.slice(start, end)}))${out.slice(end)}`;
  // Before the schemas: they are made at the module's top level (import declarations are hoisted anyway).
  return { contents: `${RUNTIME}\n${out}`, count: spans.length };
}

export const lazySdkSchemas = {
  name: 'lazy-sdk-schemas',
  setup(b) {
    b.onLoad({ filter: CORE_SCHEMA_FILES }, async (args) => {
      const { contents, count } = lazySchemaSource(await readFile(args.path, 'utf8'), args.path);
      // A new SDK that no longer builds its schemas this way should be noticed, not silently kept eager.
      if (count === 0) throw new Error(`lazy-sdk-schemas: no schema found in ${args.path}`);
      return { contents, loader: 'js' };
    });
  },
};
