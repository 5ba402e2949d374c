import { Client, type CallToolResult, type ElicitResult } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { serveInProcess } from '../helpers/in-process.js';
import { testClient } from '../helpers/test-client.js';
import { isolatedEnv, SIM_CREDENTIALS, type ToolResult, ledgerLines, newLedgerPath } from '../helpers/stack.js';

/**
 * Consent in confirm mode: the server composed from its environment as a start would (in this
 * process, over the in-memory transport), a real consent tool (share_custom_image with another
 * account), and a client that declares form elicitation, of both spec eras. What the person
 * answers decides what reaches the simulator; the ledger shows only what was sent. (Both eras
 * over stdio, with a form, are in test/e2e/consent-human.test.ts.)
 */
type Era = 'legacy' | 'modern';
type Answer = ElicitResult;

let sim: Simulator;
let ledgerPath: string;
let server: { close(): Promise<void> } | undefined;
const asked: string[] = [];

beforeEach(async () => {
  sim = await startSimulator({ imageReadyMs: 100, snapshotReadyMs: 100 });
  ledgerPath = newLedgerPath();
  asked.length = 0;
});
afterEach(async () => { await server?.close(); server = undefined; await sim?.stop(); });

async function connect(era: Era, answer: Answer | undefined): Promise<Client> {
  const c = testClient('consent-e2e', {
    capabilities: answer ? { elicitation: { form: {} } } : {},
    ...(era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' as const } } } : {}),
  });
  if (answer) {
    c.setRequestHandler('elicitation/create', async (request) => {
      asked.push(request.params.message);
      return answer;
    });
  }
  server = await serveInProcess(c, isolatedEnv({
    ...SIM_CREDENTIALS, SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: DEMO.region, SWAS_MCP_AUDIT_LOG: ledgerPath, SWAS_MCP_ALLOW_DESTRUCTIVE: 'true', LOG_LEVEL: 'warn', SWAS_MCP_CONSENT: 'confirm',
  }), [], { eras: true });
  return c;
}

const shareToEcs = { RegionId: DEMO.region, ImageId: DEMO.blogImageId, Operation: 'Share', Accounts: ['1111222233334444'] };
const share = async (c: Client, args: Record<string, unknown> = shareToEcs) => (await c.callTool({ name: 'share_custom_image', arguments: args })) as ToolResult;
const ledger = () => (ledgerLines(ledgerPath));
const sent = () => sim.stats.count('AddCustomImageShareAccount');

describe.each<Era>(['legacy', 'modern'])('consent by elicitation, %s era', (era) => {
  it('asks the person with the exact plan; accepted and ticked, it is sent once and recorded', async () => {
    const c = await connect(era, { action: 'accept', content: { confirm: true } });
    const res = await share(c);
    expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
    expect(asked).toHaveLength(1);
    expect(asked[0].split('\n')[0]).toBe(`Share the custom image "${DEMO.blogImageName}" (${DEMO.blogImageId}) with account 1111222233334444 (another Alibaba Cloud account) in ${DEMO.region}.`);
    expect(sent()).toBe(1);
    expect(ledger().map((l) => `${l.action as string}:${l.phase as string}`)).toEqual(['AddCustomImageShareAccount:intent', 'AddCustomImageShareAccount:outcome']);
  });

  it('declined: DeclinedByUser, nothing sent, nothing in the ledger', async () => {
    const c = await connect(era, { action: 'decline' });
    const res = await share(c);
    expect(res.isError).toBe(true);
    expect(res.structuredContent?.Error).toMatchObject({ Code: 'DeclinedByUser', Stage: 'consent' });
    expect(sent()).toBe(0);
    expect(ledger()).toEqual([]);
  });

  it('cancelled: DeclinedByUser, nothing sent', async () => {
    const c = await connect(era, { action: 'cancel' });
    const res = await share(c);
    expect(res.structuredContent?.Error).toMatchObject({ Code: 'DeclinedByUser' });
    expect(sent()).toBe(0);
  });

  it('accepted without ticking the box: nothing sent', async () => {
    const c = await connect(era, { action: 'accept', content: { confirm: false } });
    const res = await share(c);
    expect(res.structuredContent?.Error).toMatchObject({ Code: 'DeclinedByUser' });
    expect(sent()).toBe(0);
  });
});

describe('the question a person reads', () => {
  it('a delete names the image by name, date and source server; the API action only in the details', async () => {
    const c = await connect('legacy', { action: 'decline' });
    const res = await c.callTool({ name: 'delete_custom_images', arguments: { RegionId: DEMO.region, ImageIds: [DEMO.blogOldImageId] } }) as CallToolResult;
    expect(res.isError).toBe(true);
    expect(asked).toHaveLength(1);
    const message = asked[0]!;
    expect(message.split('\n')[0]).toBe(`Delete the custom image "blog-base-2025" (${DEMO.blogOldImageId}) in ${DEMO.region} for good.`);
    expect(message).toMatch(/made \d+ (days|months|years?) ago, 2025-12-20 00:00 UTC, from server "blog-server" \(/);
    expect(message).toContain(`"blog-base-2025" (${DEMO.blogOldImageId}) is gone for good`);
    const [words, details] = message.split('Details (the exact requests, in order):');
    expect(words).not.toMatch(/delete_custom_images|DeleteCustomImages|image\(s\)/);
    expect(details).toContain(`DeleteCustomImages ${DEMO.blogOldImageId}: RegionId=${DEMO.region}, ImageIds=[${DEMO.blogOldImageId}]`);
    expect(sim.stats.count('DeleteCustomImages')).toBe(0);
  });
});

describe('a client without elicitation', () => {
  it('gets ConfirmationRequired with the plan and a token; the token carries it out once', async () => {
    const c = await connect('legacy', undefined);
    const first = await share(c);
    expect(first.isError).toBe(true);
    expect(first.structuredContent).toMatchObject({ Error: { Code: 'ConfirmationRequired', Stage: 'consent' }, Plan: expect.any(Object), ConfirmToken: expect.any(String) });
    expect(sent()).toBe(0);
    const second = await share(c, { ...shareToEcs, ConfirmToken: first.structuredContent!.ConfirmToken });
    expect(second.isError, JSON.stringify(second.content)).toBeFalsy();
    expect(sent()).toBe(1);
  });
});
