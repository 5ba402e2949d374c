// A change whose answer never came back because the server process was stopped is recorded as
// `unknown`, not as failed; the answer says it may have been applied; and the next start reconciles
// the ledger by reading back. The client's cancel is in test/integration/outcome-unknown.test.ts.
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { isolatedEnv, SERVER_ENTRY, SIM_CREDENTIALS, textOf, type ToolResult, ledgerLines, newLedgerPath } from '../helpers/stack.js';

const R = DEMO.region;
interface Line { action: string; phase: string; clientToken?: string; ok?: boolean; outcome?: string; found?: string; errorCode?: string }
const read = (path: string): Line[] => ledgerLines<Line>(path);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined); });

describe('the server is stopped (SIGTERM) while the answer is awaited', () => {
  it('answers "may have been applied; check with list_custom_images", records unknown, and the next start reconciles it', async () => {
    const ledger = newLedgerPath();
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
