import { dirname, join } from 'node:path';

// zod re-exports every locale as `z.locales`, so none can be tree-shaken; the server speaks English
// only. Keeping just `en` takes about 300 kB of code out of the start-up path.
export const zodEnglishOnly = {
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
