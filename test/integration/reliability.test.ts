// Faults of the API and of the arguments, against the server composed in this process. How the
// process itself ends is in test/e2e/stdio-robustness.test.ts (SIGTERM) and test/e2e/protocol-and-secrets.test.ts (stdin closing).
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { call, textOf, type Stack } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';

const R = DEMO.region;
let stack: Stack;

beforeAll(async () => {
  stack = await startToolStack({ env: { SWAS_MCP_REQUEST_TIMEOUT_MS: '800', SWAS_MCP_RETRY_BUDGET_MS: '2500' } });
  // Two more servers so that the quota (3 per server, at most 15) leaves room for the series below.
  for (const n of [1, 2]) {
    stack.sim.state.addInstance({ regionId: R, instanceName: `extra-${n}`, status: 'Running' });
  }
});
afterAll(async () => { await stack?.close(); });
beforeEach(() => { stack.sim.faults.clear(); stack.sim.stats.reset(); });

const createArgs = (name: string) => ({ RegionId: R, InstanceId: DEMO.blogServerId, SystemSnapshotId: DEMO.blogSystemSnapshotId, ImageName: name });

describe('faults against the simulator', () => {
  it('ends a series of creates under throttling, 5xx and lost answers with exactly one image per request', async () => {
    const f = stack.sim.faults;
    // About a third of all calls fail: throttled, unavailable, or (creates only) created but the answer lost.
    f.add({ action: '*', status: 400, code: 'Throttling.User', retryAfterMs: 30, fraction: 0.12, seed: 7 });
    f.add({ action: '*', status: 503, code: 'ServiceUnavailable', fraction: 0.12, seed: 11 });
    f.add({ action: '*', status: 500, code: 'InternalError', fraction: 0.1, seed: 13 });
    f.add({ action: 'CreateCustomImage', kind: 'drop', after: true, fraction: 0.3, seed: 17 });

    const names = Array.from({ length: 6 }, (_, i) => `series-${i}`);
    const imageIdsByName = new Map<string, Set<string>>();
    for (const name of names) {
      // Each request is made twice, as a model that did not see the first answer would, and is
      // repeated while it fails with a retryable error, as an agent would.
      for (let round = 0; round < 2; round++) {
        for (let attempt = 0; attempt < 6; attempt++) {
          const res = await call(stack.client, 'create_custom_image', createArgs(name));
          if (!res.isError) {
            const ids = imageIdsByName.get(name) ?? new Set<string>();
            ids.add(res.structuredContent!.ImageId);
            imageIdsByName.set(name, ids);
            break;
          }
          expect(res.structuredContent!.Error.Retryable).toBe(true);
        }
      }
    }
    const fired = f.list().reduce((sum, x) => sum + x.fired, 0);
    expect(fired).toBeGreaterThan(10);
    const images = stack.sim.state.images(R);
    for (const name of names) {
      expect(images.filter((m) => m.name === name)).toHaveLength(1);
      expect([...(imageIdsByName.get(name) ?? [])]).toEqual([images.find((m) => m.name === name)!.imageId]);
    }
    // More CreateCustomImage requests arrived than images were made: the retries were replays.
    expect(stack.sim.stats.count('CreateCustomImage')).toBeGreaterThan(names.length);
  });

  it('stops retrying at once when the client cancels', async () => {
    // The API asks for 300 ms between attempts; the server logs the retry it schedules, and the
    // client cancels during that back-off.
    stack.sim.faults.throttle('CreateCustomImage', 100, 300);
    const logged = stack.stderr().length;
    const ctrl = new AbortController();
    const pending = stack.client.callTool({ name: 'create_custom_image', arguments: createArgs('cancelled') }, { signal: ctrl.signal });
    const retryLine = async (): Promise<{ delayMs: number }> => {
      for (;;) {
        const line = stack.stderr().slice(logged).split('\n').find((l) => l.includes('"msg":"retrying SWAS call"') && l.includes('"action":"CreateCustomImage"'));
        if (line) return JSON.parse(line) as { delayMs: number };
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const { delayMs } = await retryLine();
    const retryDueAt = Date.now() + delayMs;
    ctrl.abort('user cancelled');
    await expect(pending).rejects.toThrow();
    // Past the moment the scheduled retry was due (with room for a busy machine), nothing more came.
    await new Promise((r) => setTimeout(r, Math.max(0, retryDueAt - Date.now()) + 500));
    expect(stack.sim.stats.count('CreateCustomImage')).toBe(1);
    // The server is still there for the next call.
    const next = await call(stack.client, 'create_custom_image', { ...createArgs('after-cancel'), DryRun: true });
    expect(next.isError).toBeFalsy();
  });

  it('refuses huge and deeply nested arguments without sending anything, and stays up', async () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 3_000; i++) deep = { n: deep };
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const wide = Array.from({ length: 50_000 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    for (const args of [{ ...createArgs('deep'), Description: deep }, { ...createArgs('huge'), ImageName: huge }, { ...createArgs('wide'), Tag: wide }]) {
      const res = await call(stack.client, 'create_custom_image', args);
      expect(res.isError).toBe(true);
    }
    expect(stack.sim.stats.requests()).toHaveLength(0);
    const after = await call(stack.client, 'create_custom_image', { ...createArgs('after-huge'), DryRun: true });
    expect(after.isError).toBeFalsy();
  });

  it('refuses arguments of more than 1,000 elements before validating them', async () => {
    const res = await call(stack.client, 'create_custom_image', { ...createArgs('many'), Description: Array.from({ length: 1_500 }, () => 'x') });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toContain('more than the maximum of 1000 elements');
    expect(stack.sim.stats.requests()).toHaveLength(0);
  });

  it('answers concurrent calls independently', async () => {
    const results = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => call(stack.client, 'create_custom_image', { ...createArgs(`concurrent-${i}`), DryRun: true })),
      call(stack.client, 'create_custom_image', { ...createArgs('bad name') }),
      stack.client.callTool({ name: 'no_such_tool', arguments: {} }).then(
        () => ({ isError: false }),
        (err: Error) => ({ isError: err.message.includes('Tool no_such_tool not found') }),
      ),
    ]);
    for (const r of results.slice(0, 8)) expect(r.isError).toBeFalsy();
    expect(results[8]!.isError).toBe(true);
    expect(results[9]!.isError).toBe(true);
    expect(results.slice(0, 8).map((r) => ((r as { structuredContent?: { ImageName: string } }).structuredContent)!.ImageName)).toEqual(Array.from({ length: 8 }, (_, i) => `concurrent-${i}`));
  });
});

describe('a hung request', () => {
  // Its own server with short deadlines: 300 ms an attempt within a 900 ms budget (the same three
  // attempts as 800 ms within 2.5 s), retried 5 ms apart, so the test holds no second of real time.
  let hung: Stack;
  beforeAll(async () => {
    hung = await startToolStack({ env: { SWAS_MCP_REQUEST_TIMEOUT_MS: '300', SWAS_MCP_RETRY_BUDGET_MS: '900', SWAS_MCP_RETRY_BASE_DELAY_MS: '5' } });
  });
  afterAll(async () => { await hung?.close(); });

  it('turns a hung request into an explained network error within its deadline, and keeps serving', async () => {
    hung.sim.faults.hangNext('ListInstances', 100);
    const res = (await hung.client.callTool({ name: 'create_custom_image', arguments: createArgs('hung') }, { timeout: 15_000 })) as CallToolResult;
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/^RequestTimeout: /);
    const err = (res.structuredContent as { Error: { Stage: string; Retryable: boolean } }).Error;
    expect(err).toMatchObject({ Stage: 'network', Retryable: true });
    // A bounded number of attempts within the budget, then an answer.
    const attempts = hung.sim.stats.count('ListInstances');
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(4);
    expect(hung.sim.stats.count('CreateCustomImage')).toBe(0);
    hung.sim.faults.clear();
    const after = await call(hung.client, 'create_custom_image', { ...createArgs('after-hang'), DryRun: true });
    expect(after.isError).toBeFalsy();
  });
});
