import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { publishedJsonSchema, withoutArguments } from '../../src/tools/publish.js';
import { selectTools, unknownToolNames, unpublishedInputs, unpublishedOutputs } from '../../src/tools/registry.js';
import { providerSchemaProblems } from '../helpers/provider-schema.js';
import { checkToolsnap } from '../helpers/toolsnaps.js';

const ROOT = resolve(__dirname, '../..');
const SNAPS = join(ROOT, 'test/__toolsnaps__');

/** What a model and a client see of a tool: the model-facing contract (default consent mode, human). */
function published(t: (typeof ALL_TOOLS)[number]) {
  return {
    name: t.name, title: t.title, description: t.description, annotations: t.annotations,
    inputSchema: withoutArguments(publishedJsonSchema(t.inputSchema(), 'input'), unpublishedInputs(t)), outputSchema: withoutArguments(publishedJsonSchema(t.outputSchema(), 'output'), unpublishedOutputs()),
  };
}

describe('the tool registry', () => {
  it('has unique snake_case names, and every tool says its kind and RAM actions', () => {
    const names = ALL_TOOLS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const t of ALL_TOOLS) {
      expect(t.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(t.ramActions.length).toBeGreaterThan(0);
      for (const a of t.ramActions) expect(a).toMatch(/^swas-open:[A-Z][A-Za-z]+$/);
      // The kind and the annotations agree: read tools are read-only, destructive ones say so.
      expect(t.annotations.readOnlyHint === true).toBe(t.kind === 'read');
      if (t.kind === 'destructive') expect(t.annotations.destructiveHint).toBe(true);
    }
  });

  it('selects by mode: read-only keeps readOnlyHint tools, destructive and purchase ones need their opt-in, read-only wins, --tools narrows', () => {
    const names = (sel: Parameters<typeof selectTools>[1]) => selectTools(ALL_TOOLS, sel).map((t) => t.name);
    const reads = ALL_TOOLS.filter((t) => t.annotations.readOnlyHint === true).map((t) => t.name);
    const destructive = ALL_TOOLS.filter((t) => t.kind === 'destructive').map((t) => t.name);
    const optIn = (t: (typeof ALL_TOOLS)[number]) => t.kind === 'destructive' || t.kind === 'purchase';
    expect(names({ readOnly: true, allowDestructive: true, allowPurchase: true })).toEqual(reads);
    expect(names({ readOnly: false, allowDestructive: false })).toEqual(ALL_TOOLS.filter((t) => !optIn(t)).map((t) => t.name));
    expect(names({ readOnly: false, allowDestructive: true })).toEqual(ALL_TOOLS.filter((t) => t.kind !== 'purchase').map((t) => t.name));
    expect(names({ readOnly: false, allowDestructive: false, allowPurchase: true })).toEqual(ALL_TOOLS.filter((t) => t.kind !== 'destructive').map((t) => t.name));
    expect(names({ readOnly: false, allowDestructive: true, allowPurchase: true })).toEqual(ALL_TOOLS.map((t) => t.name));
    expect(names({ readOnly: false, allowDestructive: true })).not.toContain('create_servers_from_image');
    for (const d of destructive) expect(names({ readOnly: false, allowDestructive: false })).not.toContain(d);
    expect(names({ readOnly: false, allowDestructive: false, only: ['list_instances', 'create_snapshot'] })).toEqual(['list_instances', 'create_snapshot']);
    expect(names({ readOnly: true, allowDestructive: false, only: ['list_instances', 'create_snapshot'] })).toEqual(['list_instances']);
    expect(unknownToolNames(ALL_TOOLS, ['list_instances', 'delete_everything'])).toEqual(['delete_everything']);
  });

  it("manifest.json's tool list is the registry's", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8')) as { tools: { name: string }[] };
    expect(manifest.tools.map((t) => t.name).sort()).toEqual(ALL_TOOLS.map((t) => t.name).sort());
  });

  it('publishes every schema inside what OpenAI, Gemini and Anthropic accept', () => {
    const problems = ALL_TOOLS.flatMap((t) => [
      ...providerSchemaProblems(publishedJsonSchema(t.inputSchema(), 'input'), `${t.name}.inputSchema`),
      ...providerSchemaProblems(publishedJsonSchema(t.outputSchema(), 'output'), `${t.name}.outputSchema`),
    ]);
    expect(problems).toEqual([]);
  });

  // A change to what the model reads (an SDK, zod or wording change) shows in review as a change
  // to these files. After an intended change: UPDATE_TOOLSNAPS=1 npx vitest run test/unit/registry.test.ts
  it.each(ALL_TOOLS.map((t) => [t.name, t] as const))('%s matches its snapshot in test/__toolsnaps__', (name, t) => {
    checkToolsnap(join(SNAPS, `${name}.json`), published(t), process.env.UPDATE_TOOLSNAPS === '1');
  });

  it('has a toolsnap only for tools that exist', () => {
    const names = new Set(ALL_TOOLS.map((t) => `${t.name}.json`));
    expect(readdirSync(SNAPS).filter((f) => !names.has(f))).toEqual([]);
  });
});
