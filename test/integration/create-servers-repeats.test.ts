// create_servers_from_image never buys twice, in this process: a lost answer retried with the same
// ClientToken, and the person's form (accepted or declined) before anything is bought. A crashed
// server process and its successor are in test/e2e/create-servers-repeats.test.ts.
import { Client } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { call, textOf, type ToolResult } from '../helpers/stack.js';
import { ORDER as order, purchaseFixture } from '../helpers/purchase.js';
import { serveInProcess } from '../helpers/in-process.js';
import { testClient } from '../helpers/test-client.js';

const R = DEMO.region;
const fixture = purchaseFixture();

/** The server from `env`, in this process, reached by `client`. */
async function server(client: Client, extra: Record<string, string> = {}): Promise<Client> {
  fixture.keep(await serveInProcess(client, fixture.env(extra)));
  return client;
}

describe('create_servers_from_image never buys twice', () => {
  it('an answer lost on the wire: the retry carries the same ClientToken and the order is bought once', async () => {
    const sim = await fixture.simulator();
    const before = sim.state.instances(R).length;
    sim.faults.dropNext('CreateInstances', 1, { after: true });
    const client = await server(testClient('purchase-test'), { SWAS_MCP_CONSENT: 'off', SWAS_MCP_MAX_ORDER_COST: '2000' });
    const r = await call(client, 'create_servers_from_image', order);
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(sim.stats.count('CreateInstances')).toBe(2);
    const tokens = sim.stats.requests('CreateInstances').map((q) => q.params.ClientToken);
    expect(new Set(tokens).size).toBe(1);
    expect(r.structuredContent!.InstanceIds).toHaveLength(2);
    expect(sim.state.instances(R).length).toBe(before + 2);
  });

  it('human mode with form elicitation: the person sees the cost, accepts, and exactly one CreateInstances is sent with the right parameters', async () => {
    const sim = await fixture.simulator();
    const asked: string[] = [];
    const c = testClient('purchase-e2e', { capabilities: { elicitation: { form: {} } } });
    c.setRequestHandler('elicitation/create', async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { confirm: true } };
    });
    await server(c);
    const r = (await c.callTool({ name: 'create_servers_from_image', arguments: order })) as ToolResult;
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('2 servers × 12 months × ¥60.00 = ¥1,440.00');
    expect(asked[0]).toMatch(/not refunded in full/);
    expect(sim.stats.count('CreateInstances')).toBe(1);
    expect(sim.stats.requests('CreateInstances')[0]!.params).toMatchObject({
      ImageId: DEMO.blogOldImageId, PlanId: 'swas.s2.c2m2s50b4t08', Period: '12', Amount: '2', ChargeType: 'PrePaid', AutoRenew: 'false',
    });
    expect(r.structuredContent!.InstanceIds).toHaveLength(2);
  });

  it('human mode with form elicitation declined: nothing is bought', async () => {
    const sim = await fixture.simulator();
    const c = testClient('purchase-e2e', { capabilities: { elicitation: { form: {} } } });
    c.setRequestHandler('elicitation/create', async () => ({ action: 'decline' }));
    await server(c);
    const r = (await c.callTool({ name: 'create_servers_from_image', arguments: order })) as ToolResult;
    expect(r.structuredContent!.Error).toMatchObject({ Code: 'DeclinedByUser' });
    expect(sim.stats.count('CreateInstances')).toBe(0);
  });
});
