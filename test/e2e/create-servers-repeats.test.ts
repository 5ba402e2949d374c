// A server process that ended while its order was in flight, and the next server given the same
// call: nothing more is bought. The process that ends is a real one; its successor is composed in
// this process, as src/index.ts composes it. The other purchase repeats are all in-process, in
// test/integration/create-servers-repeats.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { call, spawnServer, textOf, type ServerHandle } from '../helpers/stack.js';
import { ORDER as order, purchaseFixture } from '../helpers/purchase.js';
import { serveInProcess } from '../helpers/in-process.js';
import { testClient } from '../helpers/test-client.js';

const R = DEMO.region;
const fixture = purchaseFixture();

async function server(extra: Record<string, string> = {}): Promise<ServerHandle> {
  return fixture.keep(await spawnServer(fixture.env(extra)));
}

describe('create_servers_from_image never buys twice', () => {
  it('a crash after the order was sent: the same call on a fresh server buys nothing more and says so', async () => {
    const sim = await fixture.simulator();
    const before = sim.state.instances(R).length;
    const automation = { SWAS_MCP_CONSENT: 'off', SWAS_MCP_MAX_ORDER_COST: '2000' };
    // The order is carried out, then its answer never comes; the server process dies meanwhile.
    sim.faults.hangNext('CreateInstances', 1, { after: true });
    const first = await server(automation);
    const lost = call(first.client, 'create_servers_from_image', order).catch((err: unknown) => err);
    await vi.waitFor(() => expect(sim.stats.count('CreateInstances')).toBe(1), { timeout: 10_000 });
    await first.close();
    await lost;
    expect(sim.state.instances(R).length).toBe(before + 2);
    const made = sim.state.instances(R).filter((i) => i.imageId === DEMO.blogOldImageId).map((i) => i.instanceId).sort();

    // The fresh server knows nothing of the dead one: the server composed in this process, from the same environment.
    const second = testClient('purchase-next');
    fixture.keep(await serveInProcess(second, fixture.env(automation)));
    const again = await call(second, 'create_servers_from_image', order);
    expect(again.isError, textOf(again)).toBeFalsy();
    expect(again.structuredContent).toMatchObject({ Repeated: true });
    expect([...(again.structuredContent!.InstanceIds as string[])].sort()).toEqual(made);
    expect(textOf(again).split('\n')[0]).toContain('nothing new was bought');
    expect(sim.state.instances(R).length).toBe(before + 2);
  });
});
