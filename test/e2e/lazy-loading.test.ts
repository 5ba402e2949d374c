import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_ENTRY } from '../helpers/stack.js';

/** The files of the bundle and what they import, statically (at start-up) or dynamically (on demand). */
function importsOf(file: string): { statics: string[]; dynamics: string[] } {
  const code = readFileSync(file, 'utf8');
  const rel = (p: string) => resolve(dirname(file), p);
  const statics = [...code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w${},\s*]+from\s*)?["'](\.{1,2}\/[^"']+)["']/g)].map((m) => rel(m[1]!));
  const dynamics = [...code.matchAll(/import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)].map((m) => rel(m[1]!));
  return { statics, dynamics };
}

function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    todo.push(...importsOf(f).statics);
  }
  return seen;
}

// Strings that only the official Alibaba SDK stack and only the simulator contain.
const SDK_MARK = 'TeaDSL';
const SIMULATOR_MARK = 'InvalidAction.NotFound';

describe('what the server loads at start-up', () => {
  const atStartup = staticClosure(SERVER_ENTRY);
  const startupCode = [...atStartup].map((f) => readFileSync(f, 'utf8')).join('\n');
  const onDemand = [...atStartup].flatMap((f) => importsOf(f).dynamics);
  const everything = [...new Set([...atStartup, ...onDemand.flatMap((f) => [...staticClosure(f)])])].map((f) => readFileSync(f, 'utf8')).join('\n');

  it('leaves the Alibaba SDK and the simulator out of the start-up path', () => {
    expect(atStartup.size).toBeGreaterThanOrEqual(2); // the entry and the chunks it shares
    expect(startupCode).not.toContain(SDK_MARK);
    expect(startupCode).not.toContain(SIMULATOR_MARK);
  });

  it('still ships both, loaded on demand (so the markers above are meaningful)', () => {
    expect(onDemand.length).toBeGreaterThanOrEqual(2);
    expect(everything).toContain(SDK_MARK);
    expect(everything).toContain(SIMULATOR_MARK);
  });

  it('is one bundle that needs no node_modules', () => {
    const bare = [...atStartup].flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w${},\s*]+from\s*)?["']([^./][^"']*)["']/g)].map((m) => m[1]!));
    expect(bare.every((spec) => spec.startsWith('node:'))).toBe(true);
    expect(bare.length).toBeGreaterThan(0);
  });
});
