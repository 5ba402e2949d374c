// MCP App views: the size of each self-contained page the build wrote to dist/apps (what a host
// downloads with resources/read), raw and gzipped.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const APPS = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'dist', 'apps');

export function appViewSizes() {
  return readdirSync(APPS).filter((f) => f.endsWith('.html')).sort().map((f) => {
    const html = readFileSync(join(APPS, f));
    return { view: f.slice(0, -'.html'.length), bytes: html.length, gzipBytes: gzipSync(html, { level: 9 }).length };
  });
}

export function runAppViews() {
  console.log('\nMCP App views (dist/apps, one self-contained page each):');
  for (const s of appViewSizes()) {
    console.log(`  ${s.view.padEnd(12)} ${(s.bytes / 1024).toFixed(1).padStart(7)} kB  ${(s.gzipBytes / 1024).toFixed(1).padStart(6)} kB gzip`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runAppViews();
