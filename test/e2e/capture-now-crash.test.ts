import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { serveInProcess } from '../helpers/in-process.js';
import { isolatedEnv, SERVER_ENTRY, SIM_CREDENTIALS, type ToolResult } from '../helpers/stack.js';
import { testClient } from '../helpers/test-client.js';

/**
 * The capture's state lives at the API only: a server process killed while its request is in flight
 * leaves the next server to find the snapshots (by their names) and the image (by its name), so
 * nothing is taken or made twice. Both kills are of real processes.
 */
let sim: Simulator;
let offsetMs = 0;
const procs: { transport: StdioClientTransport; client: Client }[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) await p.client.close().catch(() => undefined);
  for (const close of closers.splice(0)) await close().catch(() => undefined);
  await sim?.stop();
});

const env = () => isolatedEnv({ ...SIM_CREDENTIALS, SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: DEMO.region, SWAS_MCP_AUDIT_LOG: 'off', SWAS_MCP_REQUEST_TIMEOUT_MS: '60000' });

async function spawnOne(): Promise<{ transport: StdioClientTransport; client: Client }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [SERVER_ENTRY], stderr: 'ignore', env: env() });
  const client = new Client({ name: 'crash-test', version: '1.0.0' });
  await client.connect(transport);
  const p = { transport, client };
  procs.push(p);
  return p;
}

/**
 * The next server: nothing of the killed ones but what the API holds. Only the process that is
 * killed has to be a real one; its successor is the server composed in this process, as
 * src/index.ts composes it from the same environment.
 */
async function freshServer(): Promise<Client> {
  const client = testClient('crash-test-next');
  const server = await serveInProcess(client, env());
  closers.push(() => server.close());
  return client;
}

const SHOP_ID = 'c0ffee00000000000000000000005b0b';
const args = { RegionId: DEMO.region, InstanceId: SHOP_ID, ImageName: 'shop-crash' };
const call = (c: Client) => c.callTool({ name: 'create_custom_image', arguments: args }) as Promise<ToolResult>;

/** Kills the process while its call waits for an answer the simulator holds back. */
async function killDuring(p: { transport: StdioClientTransport; client: Client }, sent: () => boolean): Promise<void> {
  const pending = call(p.client).catch(() => undefined);
  await vi.waitFor(() => expect(sent()).toBe(true), { timeout: 10_000, interval: 20 });
  process.kill(p.transport.pid!, 'SIGKILL');
  await pending;
}

describe('capture now survives a killed server process', () => {
  it('after the snapshots were requested and after the image was requested: one image, no extra snapshot', async () => {
    offsetMs = 0;
    sim = await startSimulator({ snapshotReadyMs: 60_000, imageReadyMs: 60_000, now: () => Date.now() + offsetMs });
    sim.state.addInstance({ instanceId: SHOP_ID, instanceName: 'shop-prod', regionId: DEMO.region, systemDisk: { size: 50 }, dataDisks: [{ size: 100 }] });
    const ours = () => sim.state.snapshots().filter((s) => s.snapshotName.startsWith('img-shop-crash-'));

    // 1. The snapshots are taken at the API, but their answers never arrive: the process dies.
    sim.faults.add({ action: 'CreateSnapshot', kind: 'hang', after: true, times: 2 });
    await killDuring(await spawnOne(), () => ours().length === 2);
    sim.faults.clear();

    // 2. A new process continues the same operation: it takes no snapshot and waits for them.
    const second = await spawnOne();
    const waiting = await call(second.client);
    expect(waiting.isError).toBeFalsy();
    expect(waiting.structuredContent!.Operation.State).toBe('SnapshotsInProgress');
    expect(ours()).toHaveLength(2);

    // 3. The snapshots finish; the image is requested, and the process dies before the answer.
    offsetMs = 60_000;
    sim.faults.add({ action: 'CreateCustomImage', kind: 'hang', after: true, times: 1 });
    await killDuring(second, () => sim.state.images(DEMO.region).some((m) => m.name === 'shop-crash'));
    sim.faults.clear();

    // 4. The next server finds the image by its name and sends nothing.
    const found = await call(await freshServer());
    expect(found.isError).toBeFalsy();
    const images = sim.state.images(DEMO.region).filter((m) => m.name === 'shop-crash');
    expect(images).toHaveLength(1);
    expect(found.structuredContent).toMatchObject({ ImageId: images[0]!.imageId, Operation: { State: 'ImageCreating' } });
    expect(images[0]!.systemSnapshotId).toBe(ours().find((s) => s.sourceDiskType === 'system')!.snapshotId);
    expect(images[0]!.dataSnapshotId).toBe(ours().find((s) => s.sourceDiskType === 'data')!.snapshotId);
    expect(ours()).toHaveLength(2);
    expect(sim.stats.requests().filter((r) => r.action === 'CreateSnapshot')).toHaveLength(2);
    expect(sim.stats.requests().filter((r) => r.action === 'CreateCustomImage')).toHaveLength(1);
  }, 60_000);
});
