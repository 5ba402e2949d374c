import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { call, textOf, type Stack } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';

/** mulberry32: a seeded generator, so every run sends the same 1,000+ argument sets. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(20261128);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (n: number) => Math.floor(rand() * n);

const WEIRD_STRINGS = [
  '', ' ', '\u0000', '\u202Eevil', 'zero\u200Bwidth', '😀'.repeat(40), 'ｃｎ-hangzhou', 'cn-hangzhоu', '../../etc/passwd',
  '%2e%2e', 'cn-hangzhou.evil.com', 'http://x', "'; DROP TABLE images; --", '${user_config.x}', 'A'.repeat(100_000),
  '\n'.repeat(50), 'a\r\nb', '-'.repeat(200), 'x'.repeat(129),
];

function randomValue(depth = 0): unknown {
  switch (int(depth > 3 ? 6 : 9)) {
    case 0: return int(2) === 0 ? -1 : Number.MAX_SAFE_INTEGER;
    case 1: return rand() < 0.5;
    case 2: return null;
    case 3: return pick(WEIRD_STRINGS);
    case 4: return 1.5;
    case 5: return String.fromCodePoint(...Array.from({ length: 1 + int(30) }, () => 0x20 + int(0x2fff)));
    case 6: return Array.from({ length: int(5) }, () => randomValue(depth + 1));
    case 7: return { [pick(['a', 'Key', 'Value', 'RegionId'])]: randomValue(depth + 1) };
    default: return nested(5 + int(40));
  }
}

function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = int(2) ? [v] : { n: v };
  return v;
}

const validBase = () => ({
  RegionId: DEMO.region, InstanceId: DEMO.blogServerId, SystemSnapshotId: DEMO.blogSystemSnapshotId, ImageName: `fuzz-${int(1e6)}`,
});

/**
 * One violation that no schema of ours accepts, so the call must send nothing. null is no violation
 * of an optional field: it means "not given" (OpenAI strict mode sends it for every optional one).
 */
function violate(args: Record<string, unknown>, tool: string): Record<string, unknown> {
  switch (int(tool === 'create_custom_image' ? 9 : 3)) {
    // The SDK's message parsing turns a "__proto__" member into the arguments object's prototype,
    // so it is no violation by itself: pair it with one.
    case 0: return JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify({ ...args, RegionId: 'CN_HANGZHOU' }).slice(1)}`) as Record<string, unknown>;
    case 1: return { ...args, [pick(['constructor', 'prototype', 'toString', 'imagename', 'Extra', 'DryRunn'])]: randomValue() };
    case 2: return { ...args, RegionId: pick([42, true, [], {}, 'CN-HANGZHOU', 'cn-hangzhou.evil.com', 'cn-hangzhou:80', '%2e', 'ｃｎ-hangzhou', 'x'.repeat(5000)]) };
    case 3: return { ...args, ImageName: pick([null, 7, [], '', 'a', '-x', 'a b', 'x'.repeat(129), 'x'.repeat(100_000), '图像名', '😀😀']) };
    case 4: { const { ImageName: _n, ...rest } = args; return rest; }
    case 5: return { ...args, Tag: pick([
      Array.from({ length: 21 + int(3000) }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
      [{ Key: '' }], [{ Key: 'acs:x' }], [{ Key: 'aliyun-x' }], [{ Key: 'k', Value: 'https://x' }], [{ Key: 'k'.repeat(65) }],
      [{ Key: 'k', Extra: 1 }], 'not-an-array', [nested(200)],
    ]) };
    case 6: return { ...args, DryRun: pick(['true', 1, [], {}]) };
    case 7: return { ...args, ClientToken: pick(['', 'x'.repeat(65), 'tøken', '\u0000', 5]) };
    default: return { ...args, SystemSnapshotId: pick(['s-', 'snap-1', '../s-1', 's-abc/def', 42, 's-' + 'a'.repeat(70)]) };
  }
}

function noise(args: Record<string, unknown>): Record<string, unknown> {
  const out = { ...args };
  for (let i = int(3); i > 0; i--) out[pick(['Description', 'DataSnapshotId', 'ResourceGroupId', 'WaitForAvailable'])] = randomValue();
  return out;
}

let stack: Stack;
beforeAll(async () => { stack = await startToolStack(); });
afterAll(async () => { await stack?.close(); });

describe('fuzzing the tool arguments', () => {
  it('answers 1,200 invalid argument sets, sends no API request for any, and stays up', async () => {
    const tools = (await stack.client.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('create_custom_image');
    stack.sim.stats.reset();
    let answered = 0;
    for (let i = 0; i < 1_200; i++) {
      const tool = i % 6 === 5 ? pick(tools) : 'create_custom_image';
      const args = violate(noise(tool === 'create_custom_image' ? validBase() : { RegionId: DEMO.region }), tool);
      const res = await call(stack.client, tool, args);
      // The message is built only for a set that was accepted: serialising every set (100,000-character
      // strings, 3,000 tags) cost a tenth of the test.
      if (res.isError !== true) expect.fail(`set ${i} for ${tool} was accepted: ${JSON.stringify(args).slice(0, 300)}`);
      expect(textOf(res).length).toBeGreaterThan(0);
      answered++;
    }
    expect(answered).toBe(1_200);
    expect(stack.sim.stats.requests()).toHaveLength(0);

    // Still serving, and serving correctly.
    const ok = await call(stack.client, 'create_custom_image', { ...validBase(), DryRun: true });
    expect(ok.isError).toBeFalsy();
    expect(ok.structuredContent!.DryRun).toBe(true);
    expect(stack.sim.stats.count('CreateCustomImage')).toBe(0);
  }, 120_000);
});
