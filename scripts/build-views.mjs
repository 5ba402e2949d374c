// Builds each MCP App view (views/<name>/main.ts, plus the CSS it imports) into ONE self-contained
// HTML file: the script and the styles are inlined, nothing is fetched. The page carries its own
// Content-Security-Policy that allows exactly the inlined script and style (by hash) and no network,
// so the view stays closed even in a host that applies no policy of its own.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readdir, mkdir, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const VIEWS_DIR = fileURLToPath(new URL('../views', import.meta.url));

/** Every folder of views/ with a main.ts is a view (views/shared holds their common code). */
export async function viewNames() {
  const names = [];
  for (const entry of await readdir(VIEWS_DIR, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    if (await stat(join(VIEWS_DIR, entry.name, 'main.ts')).then(() => true, () => false)) names.push(entry.name);
  }
  return names.sort();
}

const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The page around a bundle. Nothing in it loads from anywhere. */
export function viewHtml(name, js, css) {
  if (/<\/script/i.test(js) || /<\/style/i.test(css)) throw new Error(`view ${name}: the bundle contains a closing tag and cannot be inlined`);
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(js)}`,
    `style-src ${sha256(css)}`,
    'img-src data:',
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>swas-image-mcp ${name}</title>
<style>${css}</style>
</head><body><main id="app" aria-live="polite"></main>
<script>${js}</script>
</body></html>
`;
}

/** Bundles every view into outDir/<name>.html; returns each one's size. */
export async function buildViews(outDir) {
  await mkdir(outDir, { recursive: true });
  const sizes = [];
  for (const name of await viewNames()) {
    const result = await build({
      entryPoints: [join(VIEWS_DIR, name, 'main.ts')],
      bundle: true,
      write: false,
      outdir: join(outDir, `${name}.tmp`),
      format: 'iife',
      platform: 'browser',
      target: ['chrome110', 'firefox115', 'safari16'],
      minify: true,
      legalComments: 'none',
      charset: 'utf8',
      logLevel: 'warning',
      metafile: true,
    });
    // A view speaks the MCP Apps protocol itself (views/shared/host.ts) and takes only types from
    // ext-apps: a package's code in the bundle (ext-apps' App brings the MCP SDK and zod, ~400 kB a
    // page, most of a view's start-up in the browser) is a mistake, not a choice.
    const packages = Object.keys(result.metafile.inputs).filter((f) => f.includes('node_modules/'));
    if (packages.length) throw new Error(`view ${name} bundles package code (import types only): ${packages.slice(0, 5).join(', ')}`);
    const js = result.outputFiles.filter((f) => f.path.endsWith('.js')).map((f) => f.text).join('\n');
    const css = result.outputFiles.filter((f) => f.path.endsWith('.css')).map((f) => f.text).join('\n');
    const html = viewHtml(name, js, css);
    await writeFile(join(outDir, `${name}.html`), html);
    sizes.push({ name, bytes: Buffer.byteLength(html), gzipBytes: gzipSync(html).length });
  }
  return sizes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? fileURLToPath(new URL('../dist/apps', import.meta.url));
  for (const s of await buildViews(out)) console.log(`${s.name}: ${s.bytes} B, ${s.gzipBytes} B gzip`);
}
