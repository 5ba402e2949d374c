#!/usr/bin/env node
// Context cost of the tool list: what a model reads of `tools/list`, counted with a real tokenizer
// (o200k_base, js-tiktoken). Per tool: name + description + input schema as the client serialises
// them (JSON), and the output schema separately (some clients hand it to the model too).
// Usage: node bench/tokens.mjs [--json]   (spawns dist/index.js --simulate with every tool offered)
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TOKEN_TARGET = { perToolAverage: 400, outputSchemasTotal: 4500 };
/** GitHub's MCP server, as measured by the same tokenizer over its published tool list (~630 a tool). */
export const GITHUB_PER_TOOL = 630;

/** A tool only an MCP App view may call (`_meta.ui.visibility` without "model"): hosts keep it from the model. */
export const appOnlyTool = (t) => Array.isArray(t._meta?.ui?.visibility) && !t._meta.ui.visibility.includes('model');

// Building the tokenizer from its ranks costs ~2 s of CPU: once per process is enough.
let o200k;

/**
 * The o200k_base tokenizer, with its rank table read lazily: Tiktoken's constructor decodes all
 * 200k ranks into a map keyed by their bytes (~0.7 s of CPU), while a count looks up only the
 * pieces its texts hold. Same ranks, same BPE; a known text's tokens check the substitution.
 */
function o200kEncoding() {
  const enc = new Tiktoken({ ...o200kBase, bpe_ranks: '' });
  const byBase64 = new Map();
  for (const line of o200kBase.bpe_ranks.split('\n')) {
    const [, offset, ...tokens] = line.split(' ');
    tokens.forEach((token, i) => byBase64.set(token, Number.parseInt(offset, 10) + i));
  }
  const byBytes = new Map();
  // The BPE asks for the rank of "b1,b2,…" (a piece's bytes): the ranks file keys them in base64.
  enc.rankMap = {
    get(key) {
      if (!byBytes.has(key)) byBytes.set(key, byBase64.get(Buffer.from(key.split(',').map(Number)).toString('base64')));
      return byBytes.get(key);
    },
  };
  const known = enc.encode('Creates a custom image — 你好');
  if (known.join(',') !== '126467,261,2602,3621,2733,220,177519') throw new Error(`o200k_base lookup mismatch: ${known.join(',')}`);
  return enc;
}

/** o200k_base tokens of a text, or of a value as JSON. */
export function countTokens(v) {
  o200k ??= o200kEncoding();
  return o200k.encode(typeof v === 'string' ? v : JSON.stringify(v)).length;
}

/** Counts the tokens of a tools/list answer, model-facing tools only (`count`: the tokenizer's count unless given). */
export function countTools(tools, count = countTokens) {
  const rows = tools.filter((t) => !appOnlyTool(t)).map((t) => ({
    name: t.name,
    model: count(t.name) + count(t.description ?? '') + count(t.inputSchema ?? {}),
    output: t.outputSchema ? count(t.outputSchema) : 0,
  }));
  const model = rows.reduce((s, r) => s + r.model, 0);
  const output = rows.reduce((s, r) => s + r.output, 0);
  return { rows, model, output, perTool: Math.round(model / Math.max(rows.length, 1)) };
}

/** tools/list of the built server with every tool offered (simulate, destructive and purchase allowed). */
export async function listTools(extraEnv = {}) {
  const home = mkdtempSync(join(os.tmpdir(), 'swas-tokens-'));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(ROOT, 'dist', 'index.js'), '--simulate', '--allow-destructive'],
    env: {
      PATH: process.env.PATH ?? '', HOME: home, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
      SWAS_MCP_AUDIT_LOG: 'off', SWAS_MCP_ALLOW_PURCHASE: 'true', LOG_LEVEL: 'silent', ...extraEnv,
    },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'tokens', version: '0' });
  await client.connect(transport);
  try {
    return (await client.listTools()).tools;
  } finally {
    await client.close();
  }
}

export function report(c) {
  const lines = ['Context cost of tools/list (o200k_base tokens; model-facing = name + description + input schema):'];
  for (const r of [...c.rows].sort((a, b) => b.model - a.model)) {
    lines.push(`  ${r.name.padEnd(28)} ${String(r.model).padStart(6)}   output schema ${String(r.output).padStart(6)}`);
  }
  const okTool = c.perTool <= TOKEN_TARGET.perToolAverage;
  const okOut = c.output <= TOKEN_TARGET.outputSchemasTotal;
  lines.push(`  ${c.rows.length} tools: ${c.model} model-facing tokens, ${c.perTool} a tool (GitHub MCP server ~${GITHUB_PER_TOOL});` +
    ` target <= ${TOKEN_TARGET.perToolAverage} a tool: ${okTool ? 'met' : 'MISS'}`);
  lines.push(`  output schemas: ${c.output} tokens in all; target <= ${TOKEN_TARGET.outputSchemasTotal}: ${okOut ? 'met' : 'MISS'}`);
  return { text: lines.join('\n'), ok: okTool && okOut };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const c = countTools(await listTools());
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
  else {
    const r = report(c);
    process.stdout.write(`${r.text}\n`);
    process.exitCode = r.ok ? 0 : 1;
  }
}
