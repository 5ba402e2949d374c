// Bundles the server (and the standalone simulator) with esbuild. The server's entry stays small:
// the Alibaba SDK and the simulator are split into chunks that load only when a call needs them.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

// zod re-exports every locale as `z.locales`, so none can be tree-shaken; the server speaks English
// only. Keeping just `en` takes about 300 kB of code out of the start-up path.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /locales\/index\.js$/ }, (args) => (
      args.importer.includes(`${'node_modules'}/zod/`) ? { path: join(dirname(args.importer), args.path), namespace: 'zod-locales' } : undefined
    ));
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), 'en.js'))};`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { index: 'src/index.ts', simulator: 'src/simulator/cli.ts' },
  outdir: 'dist',
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
  plugins: [zodEnglishOnly],
});
