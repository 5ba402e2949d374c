// `npm run docs`: regenerates the parts of README.md, docs/ and manifest.json that come from the
// code (tools table, RAM policy, configuration table, the bundle's tool list). `npm test` fails
// when the committed text differs from what this writes.
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = await build({
  entryPoints: [join(root, 'src/docs/write.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20',
  write: false, packages: 'external', logLevel: 'warning',
});
const dir = mkdtempSync(join(os.tmpdir(), 'swas-docs-'));
const file = join(dir, 'write.mjs');
// Resolve the bundle's bare imports from the project's node_modules.
writeFileSync(file, out.outputFiles[0].text.replaceAll(/from "([^".][^"]*)"/g, (m, spec) => (
  spec.startsWith('node:') ? m : `from ${JSON.stringify(import.meta.resolve(spec))}`)));
try {
  const { writeDocs } = await import(pathToFileURL(file).href);
  const changed = writeDocs(root);
  process.stdout.write(changed.length ? `updated: ${changed.join(', ')}\n` : 'docs are up to date\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
