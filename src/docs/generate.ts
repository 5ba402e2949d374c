import { SETTINGS, type Setting } from '../settings.js';
import { appOnly, type ToolDefinition } from '../tools/registry.js';

/**
 * The parts of the README and docs that are generated from the code (`npm run docs`), so they can
 * never drift from it: the tools table, the least-privilege RAM policy and the configuration table.
 * A test regenerates them and fails when the committed text differs.
 */

const KIND_WORDS: Record<string, string> = { read: 'read', write: 'write', destructive: 'destructive (opt-in)', purchase: 'purchase (opt-in)' };

function apiActions(t: ToolDefinition): string {
  return t.ramActions.map((a) => a.replace(/^[a-z-]+:/, '')).join(', ');
}

export function toolsTable(tools: readonly ToolDefinition[]): string {
  // A tool only a view calls is no tool of the model's: it is not in the table.
  const rows = tools.filter((t) => !appOnly(t)).map((t) => `| \`${t.name}\` | ${KIND_WORDS[t.kind] ?? t.kind} | ${t.title} | ${apiActions(t)} |`);
  return ['| tool | kind | what it does | API actions it calls |', '|---|---|---|---|', ...rows].join('\n');
}

/** The union of every tool's RAM actions as a RAM policy document. */
export function ramPolicy(tools: readonly ToolDefinition[]): string {
  const actions = [...new Set(tools.flatMap((t) => t.ramActions))].sort();
  const policy = { Version: '1', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] };
  return ['```json', JSON.stringify(policy, null, 2), '```'].join('\n');
}

/** The actions a read-only deployment needs: those of the tools that read. */
export function readActions(tools: readonly ToolDefinition[]): string {
  const actions = [...new Set(tools.filter((t) => t.kind === 'read').flatMap((t) => t.ramActions))].sort();
  return ['```text', ...actions, '```'].join('\n');
}

function settingCell(s: Setting): string {
  const names = s.env.split(',').map((v) => `\`${v.trim()}\``).join(', ');
  return s.flag ? `${names} / \`${s.flag}\`` : names;
}

export function configTable(settings: readonly Setting[] = SETTINGS): string {
  const rows = settings.map((s) => `| ${settingCell(s)} | ${s.value} | ${s.meaning} |`);
  return ['| variable / flag | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** Replaces what stands between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`. */
export function replaceGenerated(text: string, name: string, content: string): string {
  const open = `<!-- generated:${name} (npm run docs) -->`;
  const close = `<!-- /generated:${name} -->`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`no generated:${name} block`);
  return `${text.slice(0, start + open.length)}\n${content}\n${text.slice(end)}`;
}

/** The generated blocks of each file, by file (relative to the repository). */
export function generatedBlocks(tools: readonly ToolDefinition[]): Record<string, Record<string, string>> {
  return {
    'README.md': { tools: toolsTable(tools), configuration: configTable() },
    'docs/security.md': { 'ram-policy': ramPolicy(tools), 'ram-read-actions': readActions(tools) },
  };
}

/** Applies every generated block to the files' texts. */
export function regenerate(files: Record<string, string>, tools: readonly ToolDefinition[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, blocks] of Object.entries(generatedBlocks(tools))) {
    let text = files[file] ?? '';
    for (const [name, content] of Object.entries(blocks)) text = replaceGenerated(text, name, content);
    out[file] = text;
  }
  return out;
}

/** manifest.json with its `tools` list taken from the registry (name and title). */
export function regenerateManifest(manifestText: string, tools: readonly ToolDefinition[]): string {
  const manifest = JSON.parse(manifestText) as Record<string, unknown>;
  manifest.tools = tools.map((t) => ({ name: t.name, description: t.title }));
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
