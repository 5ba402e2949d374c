// The tests every kind of client passes against the server, whichever way it reaches it (a spawned
// server over stdio, or the server composed in this process): test/e2e/client-eras.test.ts and
// test/integration/client-eras.test.ts.
import type { CallToolResult, Progress } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { addServer, finishSnapshot, isolatedEnv, SIM_CREDENTIALS, ledgerLines, newLedgerPath } from './stack.js';

export type EraResult = CallToolResult & { structuredContent?: Record<string, unknown> };
export interface EraClient {
  /** Questions the client's form was asked (the v2 clients answer each with a ticked yes). */
  asked: string[];
  /** What the server wrote to stderr so far. */
  stderr(): string;
  tools(): Promise<string[]>;
  call(name: string, args: Record<string, unknown>, opts?: { onprogress?: (p: Progress) => void; signal?: AbortSignal }): Promise<EraResult>;
  protocolVersion(): string | undefined;
  close(): Promise<void>;
}

/**
 * Lists and calls tools, gets progress, cancels, reads structured results and explained errors;
 * with `expectedVersion` (a client that declares form elicitation), a person approves a change by
 * the client's form in the default consent mode (human).
 */
export function describeEra(label: string, connect: (env: Record<string, string>) => Promise<EraClient>, expectedVersion: string | undefined): void {
  describe(label, () => {
    let sim: Simulator;
    let client: EraClient;
    let ledgerPath: string;
    beforeAll(async () => {
      // Nothing becomes ready on its own: the progress test finishes its snapshot once the wait has begun.
      sim = await startSimulator({ imageReadyMs: 3_600_000, snapshotReadyMs: 3_600_000 });
      ledgerPath = newLedgerPath();
      client = await connect(isolatedEnv({
        ...SIM_CREDENTIALS, SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: DEMO.region,
        SWAS_MCP_POLL_INTERVAL_MS: '50', SWAS_MCP_AUDIT_LOG: ledgerPath, LOG_LEVEL: 'info',
      }));
    });
    afterAll(async () => { await client?.close(); await sim?.stop(); });

    it('lists every tool and reads a structured result', async () => {
      if (expectedVersion) expect(client.protocolVersion()).toBe(expectedVersion);
      expect(await client.tools()).toEqual(expect.arrayContaining(['list_instances', 'list_snapshots', 'list_custom_images', 'create_snapshot', 'create_custom_image']));
      const res = await client.call('list_instances', { InstanceName: DEMO.shopServerName });
      expect(res.isError).toBeFalsy();
      expect(res.structuredContent).toMatchObject({ RegionId: DEMO.region, Instances: [expect.objectContaining({ InstanceId: DEMO.shopServerId })] });
    });

    it('gets progress notifications during a wait', async () => {
      const server = addServer({ sim } as never, DEMO.region, `era-progress-${Math.random().toString(36).slice(2, 8)}`);
      const progress: Progress[] = [];
      const res = await client.call('create_snapshot', {
        RegionId: DEMO.region, InstanceId: server.id, SnapshotName: 'era-snap', WaitForAccomplished: true,
      }, {
        onprogress: (p) => { progress.push(p); finishSnapshot(sim, DEMO.region, 'era-snap'); },
      });
      expect(res.isError).toBeFalsy();
      expect(res.structuredContent).toMatchObject({ Status: 'accomplished' });
      expect(progress.length).toBeGreaterThanOrEqual(1);
    });

    it('reads an explained error with the API code', async () => {
      const res = await client.call('create_custom_image', {
        RegionId: DEMO.region, InstanceId: DEMO.blogServerId, ImageName: DEMO.blogImageName, SystemSnapshotId: DEMO.blogSystemSnapshotId,
      });
      expect(res.isError).toBe(true);
      expect(res.structuredContent).toMatchObject({ Error: { Code: 'ImageNameAlreadyExist', Stage: 'preflight' } });
    });

    it('cancels a wait, and the server keeps serving', async () => {
      const server = addServer({ sim } as never, DEMO.region, `era-cancel-${Math.random().toString(36).slice(2, 8)}`);
      const ctrl = new AbortController();
      const pending = client.call('create_snapshot', {
        RegionId: DEMO.region, InstanceId: server.id, SnapshotName: 'era-cancel', WaitForAccomplished: true,
      }, { signal: ctrl.signal, onprogress: () => ctrl.abort('user changed their mind') });
      await expect(pending).rejects.toThrow();
      const after = await client.call('list_instances', { InstanceIds: [server.id] });
      expect(after.structuredContent).toMatchObject({ Instances: [expect.objectContaining({ InstanceId: server.id })] });
    });

    // The v2 clients declare form elicitation; the v1 client declares none (another file covers that case).
    if (expectedVersion !== undefined) it('logs the consent mode; a form approves a change; it is sent once and the ledger says form', async () => {
      const share = { RegionId: DEMO.region, ImageId: DEMO.blogImageId, Operation: 'Share', Accounts: ['5555666677778888'] };
      const from = sim.stats.requests().length;
      const res = await client.call('share_custom_image', share);
      expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
      expect(client.stderr()).toContain('consent mode human');
      expect(client.asked).toHaveLength(1);
      expect(sim.stats.requests().slice(from).map((r) => r.action).filter((a) => !/^(List|Describe)/.test(a))).toEqual(['AddCustomImageShareAccount']);
      const ledger = ledgerLines(ledgerPath);
      expect(ledger.filter((l) => l.action === 'AddCustomImageShareAccount' && l.phase === 'intent').map((l) => l.consent)).toEqual([{ channel: 'form' }]);
    });
  });
}
