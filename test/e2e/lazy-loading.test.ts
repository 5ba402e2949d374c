import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The built entry (test/helpers/stack.ts names it too; not imported from there, which loads the SDK's client and the simulator). */
const SERVER_ENTRY = resolve(__dirname, '../../dist/index.js');
const DIST = dirname(SERVER_ENTRY);
/** The server's script: dist/index.js compiles it (with the code cache) at every start. */
const SERVER_SCRIPT = join(DIST, 'server.script.js');

const read = new Map<string, string>();
/** A file of the bundle, read once (the server's script is most of a megabyte, and several tests scan it). */
function source(file: string): string {
  let code = read.get(file);
  if (code === undefined) read.set(file, code = readFileSync(file, 'utf8'));
  return code;
}

const loads = new Map<string, { relative: string[]; bare: string[] }>();
/** What a file of the bundle loads: ES module imports, and require() of files beside it. */
function loadsOf(file: string): { relative: string[]; bare: string[] } {
  const known = loads.get(file);
  if (known) return known;
  const code = source(file);
  const specs = [
    ...[...code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w${},\s*]+from\s*)?["']([^"']+)["']/g)].map((m) => m[1]!),
    ...[...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!),
  ];
  const found = {
    relative: specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s)),
    bare: specs.filter((s) => !s.startsWith('.')),
  };
  loads.set(file, found);
  return found;
}

// Strings that only the official Alibaba SDK stack and only the simulator contain.
const SDK_MARK = 'TeaDSL';
const SIMULATOR_MARK = 'InvalidAction.NotFound';

describe('what the server loads at start-up', () => {
  const entry = source(SERVER_ENTRY);
  const startupCode = `${entry}\n${source(SERVER_SCRIPT)}`;
  const onDemand = loadsOf(SERVER_SCRIPT).relative.filter((f) => f.startsWith(join(DIST, 'lazy')));
  const onDemandCode = onDemand.map(source).join('\n');

  it('the server script imports nothing through the ES module loader: every import() became a require()', () => {
    expect(source(SERVER_SCRIPT)).not.toMatch(/[^\w$.]import\s*\(/);
  });

  it('starts the server script and nothing else', () => {
    expect(entry).toContain('server.script.js');
    expect(loadsOf(SERVER_ENTRY).relative).toEqual([]);
  });

  it('leaves the Alibaba SDK and the simulator out of the start-up path', () => {
    expect(startupCode).not.toContain(SDK_MARK);
    expect(startupCode).not.toContain(SIMULATOR_MARK);
  });

  it('still ships both, required on demand (so the markers above are meaningful)', () => {
    expect(new Set(onDemand)).toEqual(new Set(readdirSync(join(DIST, 'lazy')).map((f) => join(DIST, 'lazy', f))));
    expect(onDemand.length).toBeGreaterThanOrEqual(2);
    expect(onDemandCode).toContain(SDK_MARK);
    expect(onDemandCode).toContain(SIMULATOR_MARK);
  });

  it('leaves out what pino loads for features the server does not use: worker-thread transports, node:assert', () => {
    const loads = loadsOf(SERVER_SCRIPT).bare.map((spec) => spec.replace(/^node:/, ''));
    expect(loads).toContain('fs');
    expect(loads.filter((spec) => ['worker_threads', 'assert'].includes(spec))).toEqual([]);
    expect(startupCode).not.toContain('thread-stream');
  });

  it('is one bundle that needs no node_modules', () => {
    const builtin = (spec: string) => spec.startsWith('node:') || builtinModules.includes(spec);
    const atStartup = [SERVER_ENTRY, SERVER_SCRIPT].flatMap((f) => loadsOf(f).bare);
    expect(atStartup.length).toBeGreaterThan(0);
    expect(atStartup.filter((spec) => !builtin(spec))).toEqual([]);
    // Optional dependencies that their packages require inside try/catch: never installed, never needed.
    const optional = ['pg-native', 'supports-color', 'bufferutil', 'utf-8-validate'];
    expect(onDemand.flatMap((f) => loadsOf(f).bare).filter((spec) => !builtin(spec) && !optional.includes(spec))).toEqual([]);
  });
});
