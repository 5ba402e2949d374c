import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_TOOLS } from '../tools/index.js';
import { generatedBlocks, regenerate, regenerateManifest } from './generate.js';

/** `npm run docs`: rewrites the generated blocks of the README, the docs and manifest.json. */
export function writeDocs(root: string): string[] {
  const files = Object.fromEntries(Object.keys(generatedBlocks(ALL_TOOLS)).map((f) => [f, readFileSync(join(root, f), 'utf8')]));
  const changed: string[] = [];
  for (const [file, text] of Object.entries(regenerate(files, ALL_TOOLS))) {
    if (text !== files[file]) { writeFileSync(join(root, file), text); changed.push(file); }
  }
  const manifestPath = join(root, 'manifest.json');
  const manifest = readFileSync(manifestPath, 'utf8');
  const next = regenerateManifest(manifest, ALL_TOOLS);
  if (next !== manifest) { writeFileSync(manifestPath, next); changed.push('manifest.json'); }
  return changed;
}
