import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configTable, generatedBlocks, ramPolicy, regenerate, regenerateManifest, replaceGenerated, toolsTable } from '../../src/docs/generate.js';
import { settingVariables } from '../../src/settings.js';
import { ALL_TOOLS } from '../../src/tools/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');

describe('generated documentation (npm run docs)', () => {
  it('the committed README, docs and manifest.json are what `npm run docs` writes', () => {
    const files = Object.fromEntries(Object.keys(generatedBlocks(ALL_TOOLS)).map((f) => [f, read(f)]));
    const fresh = regenerate(files, ALL_TOOLS);
    for (const [file, text] of Object.entries(fresh)) expect(files[file], `${file} is stale: run npm run docs`).toBe(text);
    expect(read('manifest.json'), 'manifest.json is stale: run npm run docs').toBe(regenerateManifest(read('manifest.json'), ALL_TOOLS));
  });

  it('the tools table has one row per registered tool with its API actions', () => {
    const table = toolsTable(ALL_TOOLS);
    for (const t of ALL_TOOLS) expect(table).toContain(`| \`${t.name}\` |`);
    expect(table.split('\n')).toHaveLength(ALL_TOOLS.length + 2);
  });

  it('the RAM policy is exactly the union of the tools\' RAM actions', () => {
    const policy = JSON.parse(ramPolicy(ALL_TOOLS).replace(/^```json\n|\n```$/g, '')) as { Statement: { Action: string[] }[] };
    expect(policy.Statement[0]!.Action).toEqual([...new Set(ALL_TOOLS.flatMap((t) => t.ramActions))].sort());
  });

  it('the settings list names exactly the variables config.ts reads', () => {
    const source = read('src/config.ts') + read('src/swas/credentials.ts');
    const read_ = new Set([...source.matchAll(/env\.((?:SWAS|ALIBABA_CLOUD|LOG)_[A-Z0-9_]*)/g)].map((m) => m[1]!));
    const declared = new Set(settingVariables());
    expect([...read_].filter((v) => !declared.has(v)), 'read by config.ts but not in src/settings.ts').toEqual([]);
    const configOnly = [...declared].filter((v) => !read_.has(v) && !v.startsWith('ALIBABA_CLOUD_'));
    expect(configOnly, 'in src/settings.ts but read nowhere').toEqual([]);
    expect(configTable()).toContain('`SWAS_MCP_AUDIT_LOG`');
  });

  it('refuses a file that lost its markers instead of writing the block elsewhere', () => {
    expect(() => replaceGenerated('no markers here', 'tools', 'x')).toThrow(/generated:tools/);
  });
});
