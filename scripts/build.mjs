// Bundles the server (and the standalone simulator) with esbuild. The server's entry stays small:
// the Alibaba SDK and the simulator are split into chunks that load only when a call needs them.
import { build } from 'esbuild';
import { zodEnglishOnly } from './zod-english-only.mjs';
import { pinoLean } from './pino-lean.mjs';
import { lazySdkSchemas } from './lazy-sdk-schemas.mjs';
import { buildViews } from './build-views.mjs';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The v2 SDK's McpServer takes its default JSON Schema validator (Ajv, used here only to check an
// elicitation answer) from `@modelcontextprotocol/server/_shims`. It builds the Ajv *instance*
// lazily, but the shim imports ajv, ajv/2019, ajv/2020 and ajv-formats statically, so every start
// evaluated all of them (~20-35 ms here, about a tenth of start-up); and even when only required on
// first use, bundled into a start-up chunk they were still read and parsed at every start (~150 kB,
// 40% of the SDK's chunk). So the real shim is bundled on its own, as dist/json-schema-validator.cjs,
// and this stand-in (same exports) require()s that file the first time a schema is validated.
// The ES module build (import condition), as the rest of the SDK in the bundle.
const SDK_NODE_SHIMS = fileURLToPath(import.meta.resolve('@modelcontextprotocol/server/_shims'));
const VALIDATOR_FILE = 'json-schema-validator.cjs';
const SERVER_SCRIPT = 'server.script.js';
const lazyJsonSchemaValidator = {
  name: 'lazy-json-schema-validator',
  setup(b) {
    b.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, () => ({ path: 'lazy-shims', namespace: 'lazy-shims' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-shims' }, () => ({
      resolveDir: dirname(SDK_NODE_SHIMS),
      loader: 'js',
      contents: `
        import process from 'node:process';
        import { existsSync } from 'node:fs';
        import { fileURLToPath } from 'node:url';
        export { process };
        // This code lands in dist/server.script.js (or in a chunk under dist/chunks/): the file is in dist/.
        function validatorModule() {
          for (const rel of ['./${VALIDATOR_FILE}', '../${VALIDATOR_FILE}']) {
            const file = fileURLToPath(new URL(rel, import.meta.url));
            if (existsSync(file)) return require(file);
          }
          throw new Error('${VALIDATOR_FILE} is missing beside the server');
        }
        export class DefaultJsonSchemaValidator {
          #args; #inner;
          constructor(...args) { this.#args = args; }
          getValidator(schema) {
            this.#inner ??= new (validatorModule().DefaultJsonSchemaValidator)(...this.#args);
            return this.#inner.getValidator(schema);
          }
        }`,
    }));
  },
};

// What only some starts or calls need and that shares no state with the rest of the server: each
// group bundled apart as dist/lazy/<group>.cjs, required on the first import() of one of its
// modules. Left in the server's script they would be compiled (not run) at every start without a
// code cache. The key is the specifier as the server's source imports it.
const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const ON_DEMAND = new Map(Object.entries({
  sdk: ['@alicloud/swas-open20200601', '@alicloud/sts20150401', '@alicloud/credentials', '@alicloud/openapi-core', '@darabonba/typescript', 'httpx'],
  passkeys: ['@simplewebauthn/server'],
  pg: ['pg'],
  simulator: ['./simulator/index.js'],
}).flatMap(([group, specs]) => specs.map((spec) => [spec, group])));
const onDemandGroups = [...new Set(ON_DEMAND.values())];
const onDemand = {
  name: 'on-demand',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import' || !ON_DEMAND.has(args.path)) return undefined;
      // The simulator's import is relative: only src/index.ts's counts.
      if (args.path.startsWith('.') && args.importer !== join(SRC, 'index.ts')) return undefined;
      return { path: args.path, namespace: 'on-demand' };
    });
    b.onResolve({ filter: /^\.\/lazy\// }, (args) => (args.namespace === 'on-demand' ? { path: args.path, external: true } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'on-demand' }, (args) => ({
      loader: 'js',
      contents: `module.exports = require(${JSON.stringify(`./lazy/${ON_DEMAND.get(args.path)}.cjs`)})[${JSON.stringify(args.path)}]();`,
    }));
  },
};

// In a script, a dynamic import() of a Node module stays an import() (esbuild keeps it as it is for an
// external); a require() needs no ES module loader.
const builtinImportAsRequire = {
  name: 'builtin-import-as-require',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'builtin-require' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({ loader: 'js', contents: `module.exports = require(${JSON.stringify(args.path)});` }));
  },
};

// Build beside dist/ and swap it in at the end, so a server started meanwhile never sees half a build.
const dist = new URL('../dist', import.meta.url);
const staging = new URL('../dist.building', import.meta.url);
await rm(staging, { recursive: true, force: true });
// dist/ is CommonJS (dist/package.json): Node starts a CommonJS entry a few milliseconds sooner than
// an ES module one (no module loader to set up, no asynchronous read of the entry).
await mkdir(staging, { recursive: true });
await writeFile(join(fileURLToPath(staging), 'package.json'), `${JSON.stringify({ '//': 'dist/ is CommonJS: Node starts it sooner than an ES module', type: 'commonjs' }, null, 2)}\n`);
// Every file in dist/ is a minified CommonJS bundle for Node 20.
const NODE_CJS = { bundle: true, format: 'cjs', platform: 'node', target: 'node20', minify: true, legalComments: 'none', logLevel: 'warning' };

// The standalone simulator.
await build({
  entryPoints: [fileURLToPath(new URL('../src/simulator/cli.ts', import.meta.url))],
  outfile: join(fileURLToPath(staging), 'simulator.js'),
  ...NODE_CJS,
  plugins: [zodEnglishOnly],
});

// The server: one script that dist/index.js (src/boot.ts) compiles with vm.Script and a V8 code
// cache. Node 20 caches no compiled code for modules, and compiling the bundle's start-up modules
// was the largest part of a start. Our modules that only some starts or calls need (the HTTP side,
// OAuth, the approval pages) are in the same file, wrapped by esbuild in functions that run on first
// import: V8 compiles a function only when it first runs, so that code is read, not compiled, and not
// in the cache. The on-demand groups above are in files of their own.
// How the server's sources are bundled: for the server's script, and for the published schemas' generator.
const SERVER_SOURCES = {
  ...NODE_CJS,
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: 'var __importMetaUrl=require("node:url").pathToFileURL(__filename).href;' },
  plugins: [zodEnglishOnly, pinoLean, lazySdkSchemas, lazyJsonSchemaValidator, onDemand, builtinImportAsRequire],
};
const server = await build({
  entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
  write: false,
  outfile: join(fileURLToPath(staging), SERVER_SCRIPT),
  ...SERVER_SOURCES,
  charset: 'ascii',
});
// Each on-demand group: an object of loaders, one per specifier, so a group's modules run only when imported.
// dist/index.js loads them through a code cache too, keyed by a hash of each file.
const lazyBuildIds = {};
for (const group of onDemandGroups) {
  const specs = [...ON_DEMAND].filter(([, g]) => g === group).map(([spec]) => spec);
  await build({
    stdin: {
      contents: `module.exports = {${specs.map((spec) => `${JSON.stringify(spec)}: () => require(${JSON.stringify(spec.startsWith('.') ? join(SRC, spec.replace(/\.js$/, '.ts')) : spec)})`).join(',\n')}};`,
      resolveDir: SRC, loader: 'js', sourcefile: `${group}.cjs`,
    },
    outfile: join(fileURLToPath(staging), 'lazy', `${group}.cjs`),
    ...NODE_CJS,
    // Read as latin1 by the loader, like the server's script.
    charset: 'ascii',
    plugins: [zodEnglishOnly],
    // pg's optional native binding: never installed, never loaded (pg loads it only when asked for).
    external: ['pg-native'],
  });
  lazyBuildIds[group] = createHash('sha256').update(await readFile(join(fileURLToPath(staging), 'lazy', `${group}.cjs`))).digest('hex').slice(0, 16);
}
// A function expression taking CommonJS's arguments (the shebang of src/index.ts has no place in it).
const serverScript = `(function (exports, require, module, __filename, __dirname) {${server.outputFiles[0].text.replace(/^#!.*\n/, '')}\n})`;
await writeFile(join(fileURLToPath(staging), SERVER_SCRIPT), serverScript, 'latin1');
await build({
  entryPoints: [fileURLToPath(new URL('../src/boot.ts', import.meta.url))],
  outfile: join(fileURLToPath(staging), 'index.js'),
  ...NODE_CJS,
  define: {
    SERVER_BUILD_ID: JSON.stringify(createHash('sha256').update(serverScript).digest('hex').slice(0, 16)),
    LAZY_BUILD_IDS: JSON.stringify(lazyBuildIds),
    'import.meta.url': '__bootUrl',
  },
  banner: { js: 'var __bootUrl=require("node:url").pathToFileURL(__filename).href;' },
});
await build({
  entryPoints: [SDK_NODE_SHIMS], outfile: join(fileURLToPath(staging), VALIDATOR_FILE),
  ...NODE_CJS,
});
// The approval page's passkey button needs SimpleWebAuthn's browser bundle: served from beside the server.
await copyFile(fileURLToPath(new URL('../node_modules/@simplewebauthn/browser/dist/bundle/index.umd.min.js', import.meta.url)), join(fileURLToPath(staging), 'webauthn-browser.js'));
// The MCP App views: one self-contained page each, read by the server when a host asks for one.
await buildViews(join(fileURLToPath(staging), 'apps'));
await writePublishedSchemas(join(fileURLToPath(staging), 'published-schemas.json'));
await writeCodeCache(join(fileURLToPath(staging), 'index.js'));
await rm(dist, { recursive: true, force: true });
await rename(staging, dist);

/**
 * Every tool's published input and output schema, converted from zod here, once, instead of at
 * every start's first tools/list (src/tools/publish.ts reads them): run from a bundle of the same
 * sources, so they are the ones the server would make itself (test/e2e/published-schemas.test.ts).
 */
async function writePublishedSchemas(file) {
  const dir = mkdtempSync(join(os.tmpdir(), 'swas-build-'));
  try {
    const generator = join(dir, 'published-schemas.cjs');
    await build({
      stdin: {
        contents: `const { ALL_TOOLS } = require('./tools/index.ts'); const { publishedSchemasOf } = require('./tools/publish.ts');
          process.stdout.write(JSON.stringify(publishedSchemasOf(ALL_TOOLS)));`,
        resolveDir: SRC, loader: 'js', sourcefile: 'published-schemas.cjs',
      },
      outfile: generator,
      ...SERVER_SOURCES,
    });
    const json = await new Promise((resolveP, reject) => {
      const child = spawn(process.execPath, [generator], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolveP(out) : reject(new Error(`the published schemas' generator exited with ${code}`))));
    });
    await writeFile(file, `${JSON.stringify(JSON.parse(json))}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts the built server as a client would, so that its loader writes the code caches for this Node
 * version into dist/code-cache/: once as a default start (initialize, then stdin closed), for the
 * server's script; then with the embedded simulator and one list_instances call, for the Alibaba SDK
 * and the simulator (the server's own cache, accepted then, is left as the first start made it).
 * Without them the server still works (and writes them itself where dist/ is writable): a failure
 * here is only reported.
 */
async function writeCodeCache(entry) {
  const home = mkdtempSync(join(os.tmpdir(), 'swas-build-'));
  const call = (id, method, params) => ({ jsonrpc: '2.0', id, method, params });
  const initialize = call(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'build', version: '0' } });
  try {
    await answerAll(entry, [], home, [initialize]);
    await answerAll(entry, ['--simulate'], home, [initialize, { jsonrpc: '2.0', method: 'notifications/initialized' }, call(2, 'tools/call', { name: 'list_instances', arguments: {} })]);
    const made = await readdir(join(dirname(entry), 'code-cache')).catch(() => []);
    if (!made.some((f) => /^[0-9a-f]+-.*\.bin$/.test(f))) console.warn('build: no code cache was written; the server will start without one');
    if (!made.some((f) => f.startsWith('lazy-sdk-'))) console.warn('build: no code cache was written for the Alibaba SDK; its first call will compile it');
  } catch (err) {
    console.warn(`build: code cache not written (${err.message}); the server will start without one`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Sends `messages` to a start of the server and closes its stdin once every request among them is answered. */
function answerAll(entry, args, home, messages) {
  return new Promise((resolveP, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      stdio: ['pipe', 'pipe', 'ignore'],
      // A default start (ledger in the empty HOME), so that the cache holds what such a start compiles.
      env: { PATH: process.env.PATH ?? '', HOME: home, USERPROFILE: home, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' },
    });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('no answer in 20 s')); }, 20_000);
    const waiting = new Set(messages.filter((m) => m.id !== undefined).map((m) => m.id));
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (waiting.size > 0) reject(new Error(`the server exited (${code}) before answering`)); else resolveP(code);
    });
    child.stdout.on('data', (d) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop();
      for (const line of lines) {
        try { waiting.delete(JSON.parse(line).id); } catch { /* not ours */ }
      }
      if (waiting.size === 0) child.stdin.end();
    });
    child.stdin.write(messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
  });
}
