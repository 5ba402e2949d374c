// A change whose answer never came back (the client cancelled, the server was stopped) is
// recorded as `unknown`, not as failed; the answer says it may have been applied; and the ledger
// is reconciled by reading back, at the next call on the same resource or at the next start.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { call, isolatedEnv, SERVER_ENTRY, SIM_CREDENTIALS, startStack, textOf, type ToolResult } from '../helpers/stack.js';

const R = DEMO.region;
interface Line { action: string; phase: string; clientToken?: string; ok?: boolean; outcome?: string; found?: string; errorCode?: string }
const read = (path: string): Line[] => {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
  } catch {
    return [];
  }
};
const newLedger = () => join(mkdtempSync(join(tmpdir(), 'swas-unknown-')), 'audit.jsonl');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined); });


describe('the client cancels after the request reached the API (notifications/cancelled)', () => {
  it('outcome unknown, not failed; the next call on the image reads it back and records it reconciled (applied)', async () => {
    const ledger = newLedger();
    const stack = await startStack({ env: { SWAS_MCP_AUDIT_LOG: ledger, SWAS_MCP_CONSENT: 'confirm' } });
    cleanups.push(() => stack.close());
    const id = stack.sim.state.addImage({ name: 'cancelled-share', instanceId: DEMO.shopServerId }).imageId;
    const args = { RegionId: R, ImageId: id, Operation: 'Share', Ecs: true };
    // Sharing to ECS in the same account needs no consent: the call goes straight to the API.
    // The API carries the share out, and its answer never comes back.
    stack.sim.faults.add({ action: 'ModifyImageShareStatus', kind: 'hang', after: true });
    const stop = new AbortController();
    const pending = stack.client.callTool({ name: 'share_custom_image', arguments: args }, { signal: stop.signal });
    await vi.waitFor(() => expect(stack.sim.state.image(id)!.inShare).toBe(true), { timeout: 10_000 });
    stop.abort('user cancelled');
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(read(ledger).filter((l) => l.phase === 'outcome')).toHaveLength(1), { timeout: 10_000 });
    const [intent, outcome] = read(ledger);
    expect(outcome).toMatchObject({ outcome: 'unknown', ok: false, errorCode: 'Cancelled', clientToken: intent!.clientToken });
    expect(outcome).not.toMatchObject({ outcome: 'failed' });

    // The next change of the same image settles the unknown one first.
    const unshare = { ...args, Operation: 'UnShare' };
    const res = await call(stack.client, 'share_custom_image', unshare);
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(read(ledger).map((l) => [l.phase, l.outcome, l.found])).toEqual([
      ['intent', undefined, undefined], ['outcome', 'unknown', undefined],
      ['outcome', 'reconciled', 'applied'],
      ['intent', undefined, undefined], ['outcome', 'ok', undefined],
    ]);
    expect(read(ledger)[2]).toMatchObject({ clientToken: intent!.clientToken, ok: true });
  });
});

describe('the server is stopped (SIGTERM) while the answer is awaited', () => {
  it('answers "may have been applied; check with list_custom_images", records unknown, and the next start reconciles it', async () => {
    const ledger = newLedger();
    const sim: Simulator = await startSimulator({ imageReadyMs: 400, snapshotReadyMs: 400 });
    cleanups.push(() => sim.stop());
    const env = isolatedEnv({
      ...SIM_CREDENTIALS, SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: R, SWAS_MCP_AUDIT_LOG: ledger, SWAS_MCP_CONSENT: 'confirm',
    });
    const start = async () => {
      const transport = new StdioClientTransport({ command: process.execPath, args: [SERVER_ENTRY], env, stderr: 'pipe' });
      const client = new Client({ name: 'unknown-e2e', version: '1.0.0' });
      await client.connect(transport);
      cleanups.push(() => client.close());
      return { client, transport };
    };
    const id = sim.state.addImage({ name: 'stopped-share', instanceId: DEMO.shopServerId }).imageId;
    const args = { RegionId: R, ImageId: id, Operation: 'Share', Ecs: true };
    const first = await start();
    sim.faults.add({ action: 'ModifyImageShareStatus', kind: 'hang', after: true });
    const pending = first.client.callTool({ name: 'share_custom_image', arguments: args }) as Promise<ToolResult>;
    await vi.waitFor(() => expect(sim.state.image(id)!.inShare).toBe(true), { timeout: 10_000 });
    process.kill(first.transport.pid!, 'SIGTERM');
    const res = await pending;
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'OutcomeUnknown' });
    expect(textOf(res)).toMatch(/^OutcomeUnknown: ModifyImageShareStatus was sent, but the call was stopped before its answer came back/);
    expect(textOf(res)).toContain('may have been applied; check with list_custom_images');
    expect(read(ledger).map((l) => l.outcome)).toEqual([undefined, 'unknown']);

    // A new process reads the unknown change back at start and records what it found.
    await start();
    await vi.waitFor(() => expect(read(ledger)).toHaveLength(3), { timeout: 10_000 });
    expect(read(ledger)[2]).toMatchObject({ phase: 'outcome', outcome: 'reconciled', found: 'applied', ok: true, clientToken: read(ledger)[0]!.clientToken });
  });
});
