#!/usr/bin/env node
// Packs the MCPB bundle for Claude Desktop: manifest.json + a trimmed package.json + README/LICENSE
// + dist/. The esbuild bundle is self-contained, so no node_modules go into the bundle.
//
//   node scripts/pack.mjs [out.mcpb]      (default: swas-image-mcp.mcpb at the repo root)
//
// Builds first when dist/index.js is missing. Exit code 0 on success, 1 on any failure.
// `packBundle` is the packing alone, for a caller that already built (test/mcpb.test.ts).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Packs what dist/ holds now (it does not build) into `out`: its size in bytes. Throws, saying why,
 * when the bundle cannot be made. `silent` leaves out mcpb's listing of what it packed.
 */
export async function packBundle(out, { silent = false } = {}) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
  if (manifest.version !== pkg.version) {
    throw new Error(`manifest.json version ${manifest.version} differs from package.json version ${pkg.version}`);
  }

  const stage = mkdtempSync(join(tmpdir(), 'swas-mcpb-stage-'));
  try {
    cpSync(join(root, 'manifest.json'), join(stage, 'manifest.json'));
    // Only what Node needs to load dist/ as ESM; no dependencies (they are bundled).
    const trimmed = {
      name: pkg.name,
      version: pkg.version,
      description: pkg.description,
      type: 'module',
      license: pkg.license,
      main: 'dist/index.js',
      engines: pkg.engines,
    };
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify(trimmed, null, 2)}\n`);
    for (const f of ['README.md', 'LICENSE']) {
      if (existsSync(join(root, f))) cpSync(join(root, f), join(stage, f));
    }
    cpSync(join(root, 'dist'), join(stage, 'dist'), {
      recursive: true,
      // The code cache is for the Node that built it; the host's Node writes its own on first start.
      filter: (src) => !src.endsWith('.map') && !src.split(/[\\/]/).includes('code-cache'),
    });

    rmSync(out, { force: true });
    // What `mcpb pack <dir> <out>` runs, without a second Node process to run it.
    const { packExtension } = await import('@anthropic-ai/mcpb');
    if (!(await packExtension({ extensionPath: stage, outputPath: out, silent }))) throw new Error('mcpb pack failed');
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return statSync(out).size;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32', ...opts });
  if (r.status !== 0) {
    console.error(`pack: ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? join(root, 'swas-image-mcp.mcpb'));
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    console.log('pack: dist/index.js missing, building');
    run(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root });
  }
  let size;
  try {
    size = await packBundle(out);
  } catch (err) {
    console.error(`pack: ${err.message}`);
    process.exit(1);
  }
  console.log(`pack: wrote ${out} (${(size / 1024).toFixed(1)} KiB, ${size} bytes)`);
}
