// Bundles the server (and the standalone simulator) with esbuild. The server's entry stays small:
// the Alibaba SDK and the simulator are split into chunks that load only when a call needs them.
import { build } from 'esbuild';
import { zodEnglishOnly } from './zod-english-only.mjs';
import { buildViews } from './build-views.mjs';
import { copyFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The v2 SDK's McpServer takes its default JSON Schema validator (Ajv, used here only to check an
// elicitation answer) from `@modelcontextprotocol/server/_shims`. It builds the Ajv *instance*
// lazily, but the shim imports ajv, ajv/2019, ajv/2020 and ajv-formats statically, so every start
// evaluated all of them (~20-35 ms here, about a tenth of start-up). This stand-in has the same
// exports; the real shim is require()d, and so evaluated, the first time a schema is validated
// (esbuild turns a require() of a bundled ES module into a lazy initialiser).
// The ES module build (import condition), as the rest of the SDK in the bundle.
const SDK_NODE_SHIMS = fileURLToPath(import.meta.resolve('@modelcontextprotocol/server/_shims'));
const lazyJsonSchemaValidator = {
  name: 'lazy-json-schema-validator',
  setup(b) {
    b.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, (args) => (
      args.namespace === 'lazy-shims' ? { path: SDK_NODE_SHIMS } : { path: 'lazy-shims', namespace: 'lazy-shims' }
    ));
    b.onLoad({ filter: /.*/, namespace: 'lazy-shims' }, () => ({
      resolveDir: dirname(SDK_NODE_SHIMS),
      loader: 'js',
      contents: `
        import process from 'node:process';
        export { process };
        export class DefaultJsonSchemaValidator {
          #args; #inner;
          constructor(...args) { this.#args = args; }
          getValidator(schema) {
            this.#inner ??= new (require(${JSON.stringify(SDK_NODE_SHIMS)}).DefaultJsonSchemaValidator)(...this.#args);
            return this.#inner.getValidator(schema);
          }
        }`,
    }));
  },
};

// Build beside dist/ and swap it in at the end, so a server started meanwhile never sees half a build.
const dist = new URL('../dist', import.meta.url);
const staging = new URL('../dist.building', import.meta.url);
await rm(staging, { recursive: true, force: true });
await build({
  entryPoints: { index: fileURLToPath(new URL('../src/index.ts', import.meta.url)), simulator: fileURLToPath(new URL('../src/simulator/cli.ts', import.meta.url)) },
  outdir: fileURLToPath(staging),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
  plugins: [zodEnglishOnly, lazyJsonSchemaValidator],
});
// The approval page's passkey button needs SimpleWebAuthn's browser bundle: served from beside the server.
await copyFile(fileURLToPath(new URL('../node_modules/@simplewebauthn/browser/dist/bundle/index.umd.min.js', import.meta.url)), join(fileURLToPath(staging), 'webauthn-browser.js'));
// The MCP App views: one self-contained page each, read by the server when a host asks for one.
await buildViews(join(fileURLToPath(staging), 'apps'));
await rm(dist, { recursive: true, force: true });
await rename(staging, dist);
