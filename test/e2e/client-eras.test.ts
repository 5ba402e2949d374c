import { Client as V2Client, type CallToolResult, type Progress } from '@modelcontextprotocol/client';
import { StdioClientTransport as V2Stdio } from '@modelcontextprotocol/client/stdio';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as V1Stdio } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema as V1CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { addServer, finishSnapshot, isolatedEnv, SERVER_ENTRY, SIM_CREDENTIALS, ledgerLines, newLedgerPath } from '../helpers/stack.js';

/**
 * The same server, three kinds of client: a 2026-07-28 client (no initialize: server/discover and
 * per-request _meta), a 2025-11-25 client (initialize), and the v1 SDK's client. Each lists and
 * calls tools, gets progress, cancels, and reads structured results and explained errors. The two
 * v2 clients declare form elicitation: in the default consent mode (human) a person approves a
 * change by the client's form, in either era, over stdio.
 */
type EraResult = CallToolResult & { structuredContent?: Record<string, unknown> };
interface EraClient {
  /** Questions the client's form was asked (the v2 clients answer each with a ticked yes). */
  asked: string[];
  /** What the server wrote to stderr so far. */
  stderr(): string;
  tools(): Promise<string[]>;
  call(name: string, args: Record<string, unknown>, opts?: { onprogress?: (p: Progress) => void; signal?: AbortSignal }): Promise<EraResult>;
  protocolVersion(): string | undefined;
  close(): Promise<void>;
}

async function connectV2(env: Record<string, string>, mode: 'legacy' | { pin: string }): Promise<EraClient> {
  const client = new V2Client({ name: 'era-test', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode } });
  const asked: string[] = [];
  client.setRequestHandler('elicitation/create', async (request) => {
    asked.push(request.params.message);
    return { action: 'accept', content: { confirm: true } };
  });
  const transport = new V2Stdio({ command: process.execPath, args: [SERVER_ENTRY], env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  await client.connect(transport);
  return {
    asked,
    stderr: () => stderr,
    tools: async () => (await client.listTools()).tools.map((t) => t.name),
    call: async (name, args, opts) => (await client.callTool({ name, arguments: args }, opts ?? {})) as EraResult,
    protocolVersion: () => client.getNegotiatedProtocolVersion(),
    close: () => client.close(),
  };
}

async function connectV1(env: Record<string, string>): Promise<EraClient> {
  const client = new V1Client({ name: 'era-test-v1', version: '1.0.0' });
  const transport = new V1Stdio({ command: process.execPath, args: [SERVER_ENTRY], env, stderr: 'ignore' });
  await client.connect(transport);
  return {
    asked: [],
    stderr: () => '',
    tools: async () => (await client.listTools()).tools.map((t) => t.name),
    call: async (name, args, opts) => (await client.callTool({ name, arguments: args }, V1CallToolResultSchema, opts ?? {})) as unknown as EraResult,
    protocolVersion: () => undefined,
    close: () => client.close(),
  };
}

const eras: [string, (env: Record<string, string>) => Promise<EraClient>, string | undefined][] = [
  ['2026-07-28 client (v2, pinned)', (env) => connectV2(env, { pin: '2026-07-28' }), '2026-07-28'],
  ['2025-11-25 client (v2, legacy)', (env) => connectV2(env, 'legacy'), '2025-11-25'],
  ['v1 SDK client', connectV1, undefined],
];

describe.each(eras)('%s', (_label, connect, expectedVersion) => {
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

  // The v2 clients declare form elicitation; the v1 client here declares none (another file covers that case).
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
