import { readFile } from 'node:fs/promises';
import ts from 'typescript';

// @modelcontextprotocol/core builds every protocol and OAuth schema with zod when its module loads
// (about 230 of them, in dist/schemas-*.mjs and dist/auth-*.mjs), and the server SDK imports that
// module, so each start built them all: about a third of the server script's top-level run, though
// a stdio start parses with a handful of them. This plugin makes each such `const XSchema = <call>`
// a stand-in that builds its schema the first time anything touches it and then forwards every
// operation to it. Each schema is still built by the same expression, once; only the moment
// changes (test/unit/startup-lazy-sdk-schemas.test.ts compares every one with the SDK's own).
// One thing a stand-in is not: the same object as its schema. zod's JSON Schema conversion keys its
// work by identity and fails on a stand-in of a wrapping type (optional, lazy…); the SDK converts
// only the tools' and prompts' schemas (ours, not stand-ins), never these.
const CORE_SCHEMA_FILES = String.raw`[\\/]@modelcontextprotocol[\\/]core[\\/]dist[\\/](schemas|auth)-[\w-]+\.mjs$`;
// The server SDK builds each protocol era's wire schemas (~200 of them) in one function, on the
// first message it validates, though a start needs those of a few messages: they too are built on
// first use (build$1 for 2025-11-25, build for 2026-07-28).
const SERVER_WIRE_FILES = String.raw`[\\/]@modelcontextprotocol[\\/]server[\\/]dist[\\/]src-[\w-]+\.mjs$`;
export const SERVER_WIRE_FILE = new RegExp(SERVER_WIRE_FILES);
export const WIRE_BUILDERS = /^build(\$\d+)?$/;
export const LAZY_SCHEMA_FILES = new RegExp(`${CORE_SCHEMA_FILES}|${SERVER_WIRE_FILES}`);

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

/** A `const XSchema = f(...)` (or `XSchema$1`, as the SDK's bundler renames a second copy). */
function schemaSpans(statements, sf, spans) {
  for (const st of statements) {
    if (!ts.isVariableStatement(st) || !(st.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && /Schema(\$\d+)?$/.test(d.name.text) && d.initializer && ts.isCallExpression(d.initializer)) {
        spans.push([d.initializer.getStart(sf), d.initializer.end]);
      }
    }
  }
}

/**
 * The module's source with each schema built on first use: those at its top level, and with
 * `inFunctions`, those inside the top-level functions of that name.
 */
export function lazySchemaSource(source, file, inFunctions) {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const spans = [];
  if (inFunctions) {
    for (const st of sf.statements) {
      if (ts.isFunctionDeclaration(st) && st.name && inFunctions.test(st.name.text) && st.body) schemaSpans(st.body.statements, sf, spans);
    }
  } else {
    schemaSpans(sf.statements, sf, spans);
  }
  // Pieces joined once: splicing each span into the whole text copied the server's 330 kB ~260 times.
  // Before the schemas, the runtime: they are made at the module's top level (import declarations are hoisted anyway).
  const pieces = [RUNTIME, '\n'];
  let at = 0;
  for (const [start, end] of spans.sort((a, b) => a[0] - b[0])) {
    pieces.push(source.slice(at, start), '__lazySchema(() => (', source.slice(start, end), '))');
    at = end;
  }
  pieces.push(source.slice(at));
  return { contents: pieces.join(''), count: spans.length };
}

export const lazySdkSchemas = {
  name: 'lazy-sdk-schemas',
  setup(b) {
    b.onLoad({ filter: LAZY_SCHEMA_FILES }, async (args) => {
      const inFunctions = SERVER_WIRE_FILE.test(args.path) ? WIRE_BUILDERS : undefined;
      const { contents, count } = lazySchemaSource(await readFile(args.path, 'utf8'), args.path, inFunctions);
      // A new SDK that no longer builds its schemas this way should be noticed, not silently kept eager.
      if (count === 0) throw new Error(`lazy-sdk-schemas: no schema found in ${args.path}`);
      return { contents, loader: 'js' };
    });
  },
};
