import { Client, StreamableHTTPClientTransport, InMemoryTransport, isInputRequiredResult, type CallToolResult } from '@modelcontextprotocol/client';
import { createMcpHandler, McpServer, type InputRequiredResult } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { argsDigest } from '../../src/audit/index.js';
import { ConsentSigner, confirmationRequiredText, consentRequestStateVerify, planSchema, declinedText, obtainConsent, type Plan } from '../../src/consent/index.js';
import { testClient } from '../helpers/test-client.js';

/**
 * One consent tool on a real v2 McpServer, driven by a real v2 Client in both protocol eras.
 * `world.sends` counts what would have gone to the cloud; `world.state` is what preflight reads.
 */
interface World { sends: number; state: string; now: number; signer: ConsentSigner; noLegacyCaps?: boolean; verifyState?: boolean }

const T0 = Date.UTC(2026, 10, 29, 18, 0, 0);

function planFor(name: string, state: string): Plan {
  return {
    Summary: `Delete image ${name} (state ${state}).`,
    Steps: [`Delete ${name}.`],
    Irreversible: [`Image ${name} is gone for good.`],
    Warnings: [],
    Details: [{ Action: 'DeleteCustomImages', Target: name, Parameters: `ImageIds=[${name}]` }],
  };
}

function buildServer(world: World): McpServer {
  const server = new McpServer(
    { name: 'consent-test', version: '0.0.0' },
    world.verifyState ? { requestState: { verify: consentRequestStateVerify(world.signer) } } : {},
  );
  server.registerTool(
    'delete_thing',
    {
      description: 'Deletes a thing after consent',
      inputSchema: z.object({ Name: z.string(), ConfirmToken: z.string().optional() }),
      // Like the real tools: an outputSchema, which an input_required return must get past.
      outputSchema: z.object({
        Code: z.string(), Via: z.string().optional(), Answer: z.string().optional(), Reason: z.string().optional(),
        ConfirmToken: z.string().optional(), ExpiresAt: z.string().optional(), Plan: planSchema().optional(),
      }),
    },
    async ({ Name, ConfirmToken }, ctx): Promise<CallToolResult | InputRequiredResult> => {
      const plan = planFor(Name, world.state);
      const outcome = obtainConsent({
        tool: 'delete_thing',
        argsDigest: argsDigest({ Name }),
        stateDigest: argsDigest({ state: world.state }),
        plan,
        confirmToken: ConfirmToken,
        call: { mcp: ctx },
        signer: world.signer,
        now: world.now,
        clientCapabilities: world.noLegacyCaps ? undefined : server.server.getClientCapabilities(),
      });
      switch (outcome.kind) {
        case 'input_required':
          return outcome.result;
        case 'declined':
          return { isError: true, content: [{ type: 'text', text: `DeclinedByUser: ${declinedText(outcome)}` }], structuredContent: { Code: 'DeclinedByUser', Answer: outcome.answer } };
        case 'required':
          return {
            isError: true,
            content: [{ type: 'text', text: `ConfirmationRequired: ${confirmationRequiredText(plan, outcome)}` }],
            structuredContent: { Code: 'ConfirmationRequired', Reason: outcome.reason, ConfirmToken: outcome.token, ExpiresAt: outcome.expiresAt, Plan: plan },
          };
        case 'granted':
          world.sends += 1;
          return { content: [{ type: 'text', text: `deleted ${Name}` }], structuredContent: { Code: 'OK', Via: outcome.via } };
      }
    },
  );
  return server;
}

type Era = 'legacy' | 'modern';
type Answer = (message: string) => { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, boolean> };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A connected client. `answer` given: it declares form elicitation and answers with it. */
async function connect(era: Era, world: World, answer?: Answer): Promise<{ client: Client; asked: string[] }> {
  const asked: string[] = [];
  const client = testClient('consent-test-client', {
    capabilities: answer ? { elicitation: { form: {} } } : {},
    ...(era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' as const } } } : {}),
  });
  if (answer) {
    client.setRequestHandler('elicitation/create', async (request) => {
      const message = request.params.message;
      asked.push(message);
      return answer(message);
    });
  }
  if (era === 'legacy') {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const server = buildServer(world);
    await server.connect(serverSide);
    await client.connect(clientSide);
    cleanups.push(async () => { await client.close(); await server.close(); });
  } else {
    const handler = createMcpHandler(() => buildServer(world));
    await client.connect(new StreamableHTTPClientTransport(new URL('http://consent.test/mcp'), {
      fetch: (url, init) => handler.fetch(new Request(url, init)),
    }));
    cleanups.push(async () => { await client.close(); });
  }
  expect(client.getProtocolEra()).toBe(era);
  return { client, asked };
}

function newWorld(): World {
  return { sends: 0, state: 'Available', now: T0, signer: ConsentSigner.random() };
}

async function call(client: Client, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name: 'delete_thing', arguments: args })) as CallToolResult;
}

function code(r: CallToolResult): unknown {
  return (r.structuredContent as Record<string, unknown> | undefined)?.Code;
}

describe.each<Era>(['legacy', 'modern'])('consent over the %s era', (era) => {
  describe('a client that declares elicitation', () => {
    it('asks with the exact plan and what cannot be undone; accept sends once', async () => {
      const world = newWorld();
      const { client, asked } = await connect(era, world, () => ({ action: 'accept', content: { confirm: true } }));
      const r = await call(client, { Name: 'm-1' });
      expect(r.isError).toBeFalsy();
      expect(r.structuredContent).toEqual({ Code: 'OK', Via: 'elicitation' });
      expect(world.sends).toBe(1);
      expect(asked).toHaveLength(1);
      expect(asked[0].split('\n')[0]).toBe('Delete image m-1 (state Available).');
      expect(asked[0]).toContain('1. Delete m-1.');
      expect(asked[0]).toContain('- DeleteCustomImages m-1: ImageIds=[m-1]');
      expect(asked[0]).toContain('Cannot be undone:\n- Image m-1 is gone for good.');
    });

    it.each(['decline', 'cancel'] as const)('%s sends nothing and answers DeclinedByUser', async (action) => {
      const world = newWorld();
      const { client, asked } = await connect(era, world, () => ({ action }));
      const r = await call(client, { Name: 'm-1' });
      expect(r.isError).toBe(true);
      expect(r.structuredContent).toEqual({ Code: 'DeclinedByUser', Answer: action });
      expect(world.sends).toBe(0);
      expect(asked).toHaveLength(1);
    });

    it('accept with the box unticked sends nothing', async () => {
      const world = newWorld();
      const { client } = await connect(era, world, () => ({ action: 'accept', content: { confirm: false } }));
      const r = await call(client, { Name: 'm-1' });
      expect(r.structuredContent).toEqual({ Code: 'DeclinedByUser', Answer: 'unconfirmed' });
      expect(world.sends).toBe(0);
    });

    it('asks again with the fresh plan when the state changed while the person read the first', async () => {
      const world = newWorld();
      const { client, asked } = await connect(era, world, () => {
        if (world.state === 'Available') world.state = 'Shared'; // changes once, under the question
        return { action: 'accept', content: { confirm: true } };
      });
      const r = await call(client, { Name: 'm-1' });
      expect(r.structuredContent).toEqual({ Code: 'OK', Via: 'elicitation' });
      expect(asked).toHaveLength(2);
      expect(asked[0]).toContain('state Available');
      expect(asked[1]).toContain('state Shared');
      expect(world.sends).toBe(1);
    });

    it('asks again when the question was answered after 10 minutes', async () => {
      const world = newWorld();
      const { client, asked } = await connect(era, world, () => {
        if (asked.length === 1) world.now += 10 * 60_000 + 1;
        return { action: 'accept', content: { confirm: true } };
      });
      const r = await call(client, { Name: 'm-1' });
      expect(r.structuredContent).toEqual({ Code: 'OK', Via: 'elicitation' });
      expect(asked).toHaveLength(2);
      expect(world.sends).toBe(1);
    });

    it('a client whose form fails to answer sends nothing', async () => {
      const world = newWorld();
      const { client } = await connect(era, world, () => { throw new Error('the form could not be shown'); });
      const outcome: unknown = await call(client, { Name: 'm-1' }).then((r) => r, (e: unknown) => e);
      // 2025: the SDK's shim answers isError; 2026: the client's own fulfilment throws locally.
      if (era === 'legacy') expect(outcome).toMatchObject({ isError: true });
      else expect(outcome).toBeInstanceOf(Error);
      expect(world.sends).toBe(0);
    });

    it('asks the person even when a valid ConfirmToken comes along (a DryRun token cannot skip them)', async () => {
      const world = newWorld();
      const token = world.signer.issue({ tool: 'delete_thing', argsDigest: argsDigest({ Name: 'm-1' }), stateDigest: argsDigest({ state: 'Available' }) }, T0).token;
      const { client, asked } = await connect(era, world, () => ({ action: 'decline' }));
      const r = await call(client, { Name: 'm-1', ConfirmToken: token });
      expect(code(r)).toBe('DeclinedByUser');
      expect(asked).toHaveLength(1);
      expect(world.sends).toBe(0);
    });
  });

  describe('a client without elicitation', () => {
    async function required(client: Client, args: Record<string, unknown>): Promise<{ reason: unknown; token: string; text: string }> {
      const r = await call(client, args);
      expect(r.isError).toBe(true);
      const sc = r.structuredContent as Record<string, unknown>;
      expect(sc.Code).toBe('ConfirmationRequired');
      const text = (r.content[0] as { text: string }).text;
      expect(text).toContain('Cannot be undone:');
      return { reason: sc.Reason, token: sc.ConfirmToken as string, text };
    }

    it('no token: ConfirmationRequired with the plan and a token; that token sends once', async () => {
      const world = newWorld();
      const { client } = await connect(era, world);
      const first = await required(client, { Name: 'm-1' });
      expect(first.reason).toBe('no_token');
      expect(first.text).toContain(first.token);
      expect(world.sends).toBe(0);
      const r = await call(client, { Name: 'm-1', ConfirmToken: first.token });
      expect(r.structuredContent).toEqual({ Code: 'OK', Via: 'token' });
      expect(world.sends).toBe(1);
    });

    it('a token for other arguments: required again, nothing sent', async () => {
      const world = newWorld();
      const { client } = await connect(era, world);
      const { token } = await required(client, { Name: 'm-1' });
      const again = await required(client, { Name: 'm-2', ConfirmToken: token });
      expect(again.reason).toBe('mismatch');
      expect(again.text).toContain('m-2');
      expect(world.sends).toBe(0);
    });

    it('stale state: required again with the fresh plan, nothing sent', async () => {
      const world = newWorld();
      const { client } = await connect(era, world);
      const { token } = await required(client, { Name: 'm-1' });
      world.state = 'Shared';
      const again = await required(client, { Name: 'm-1', ConfirmToken: token });
      expect(again.reason).toBe('mismatch');
      expect(again.text).toContain('state Shared');
      expect(world.sends).toBe(0);
      await call(client, { Name: 'm-1', ConfirmToken: again.token });
      expect(world.sends).toBe(1);
    });

    it('expired (clock moved 10 minutes): required again, nothing sent', async () => {
      const world = newWorld();
      const { client } = await connect(era, world);
      const { token } = await required(client, { Name: 'm-1' });
      world.now += 10 * 60_000;
      expect((await required(client, { Name: 'm-1', ConfirmToken: token })).reason).toBe('expired');
      expect(world.sends).toBe(0);
    });

    it('a token from another process key or garbage: malformed, nothing sent', async () => {
      const world = newWorld();
      const { client } = await connect(era, world);
      const { token } = await required(client, { Name: 'm-1' });
      world.signer = ConsentSigner.random(); // a restarted stdio server
      expect((await required(client, { Name: 'm-1', ConfirmToken: token })).reason).toBe('malformed');
      expect((await required(client, { Name: 'm-1', ConfirmToken: 'nonsense' })).reason).toBe('malformed');
      expect(world.sends).toBe(0);
    });
  });
});

/** A 2026-07-28 client over HTTP that drives the input_required rounds itself (no auto-fulfil). */
async function manualClient(world: World): Promise<Client> {
  const client = testClient('manual', { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } }, inputRequired: { autoFulfill: false } });
  const handler = createMcpHandler(() => buildServer(world));
  await client.connect(new StreamableHTTPClientTransport(new URL('http://consent.test/mcp'), {
    fetch: (url, init) => handler.fetch(new Request(url, init)),
  }));
  cleanups.push(async () => { await client.close(); });
  return client;
}

describe('the wire, seen by a 2026-07-28 client that drives the rounds itself', () => {
  async function raw(client: Client, params: Record<string, unknown>): Promise<CallToolResult | InputRequiredResult> {
    return (await client.request(
      { method: 'tools/call', params: { name: 'delete_thing', ...params } },
      { allowInputRequired: true },
    )) as CallToolResult | InputRequiredResult;
  }

  it('is an input_required result: one yes/no form with the plan, and a signed requestState', async () => {
    const world = newWorld();
    const client = await manualClient(world);
    const first = await raw(client, { arguments: { Name: 'm-1' } });
    expect(isInputRequiredResult(first)).toBe(true);
    const ir = first as InputRequiredResult;
    const req = ir.inputRequests?.swas_consent as { method: string; params: { message: string; requestedSchema: Record<string, unknown> } };
    expect(req.method).toBe('elicitation/create');
    expect(req.params.message).toContain('Cannot be undone:');
    expect(req.params.requestedSchema).toMatchObject({ type: 'object', properties: { confirm: { type: 'boolean' } }, required: ['confirm'] });
    expect(typeof ir.requestState).toBe('string');
    expect(world.sends).toBe(0);

    // The requestState proves only that the server asked: it is no ConfirmToken for a client that stops eliciting.
    const plain = await connect('modern', world);
    const r = await call(plain.client, { Name: 'm-1', ConfirmToken: ir.requestState });
    expect((r.structuredContent as Record<string, unknown>).Reason).toBe('malformed');

    // An accept with a forged requestState is asked again; with the real one it is granted.
    const accept = { swas_consent: { action: 'accept', content: { confirm: true } } };
    const forged = await raw(client, { arguments: { Name: 'm-1' }, inputResponses: accept, requestState: 'x.y' });
    expect(isInputRequiredResult(forged)).toBe(true);
    const other = await raw(client, { arguments: { Name: 'm-2' }, inputResponses: accept, requestState: ir.requestState });
    expect(isInputRequiredResult(other)).toBe(true);
    expect(world.sends).toBe(0);
    const done = await raw(client, { arguments: { Name: 'm-1' }, inputResponses: accept, requestState: ir.requestState });
    expect(done).toMatchObject({ structuredContent: { Code: 'OK', Via: 'elicitation' } });
    expect(world.sends).toBe(1);
  });
});

describe('a 2026-07-28 request', () => {
  it('is read for its own declared capabilities (the _meta envelope), without initialize-era state', async () => {
    const world = { ...newWorld(), noLegacyCaps: true };
    const { client, asked } = await connect('modern', world, () => ({ action: 'accept', content: { confirm: true } }));
    expect(code(await call(client, { Name: 'm-1' }))).toBe('OK');
    expect(asked).toHaveLength(1);
    const plain = await connect('modern', world);
    expect(code(await call(plain.client, { Name: 'm-1' }))).toBe('ConfirmationRequired');
    expect(world.sends).toBe(1);
  });
});

describe('with consentRequestStateVerify as the server\'s requestState hook', () => {
  it.each<Era>(['legacy', 'modern'])('%s: the consent round still works', async (era) => {
    const world = { ...newWorld(), verifyState: true };
    const { client, asked } = await connect(era, world, () => ({ action: 'accept', content: { confirm: true } }));
    expect(code(await call(client, { Name: 'm-1' }))).toBe('OK');
    expect(asked).toHaveLength(1);
    expect(world.sends).toBe(1);
  });

  it('a requestState this server did not sign is refused on the wire (-32602), nothing sent', async () => {
    const world = { ...newWorld(), verifyState: true };
    const client = await manualClient(world);
    const forged = world.signer.issue({ tool: 'delete_thing', argsDigest: argsDigest({ Name: 'm-1' }), stateDigest: argsDigest({ state: 'Available' }) }, T0).token;
    for (const requestState of ['x.y', forged]) {
      const err = await client.request(
        { method: 'tools/call', params: { name: 'delete_thing', arguments: { Name: 'm-1' }, inputResponses: { swas_consent: { action: 'accept', content: { confirm: true } } }, requestState } },
        { allowInputRequired: true },
      ).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: -32602 });
    }
    expect(world.sends).toBe(0);
  });
});

describe('a 2025-era client over stateless HTTP', () => {
  it('cannot be asked (no session to carry elicitation/create), so it gets the ConfirmToken path', async () => {
    const world = newWorld();
    const asked: string[] = [];
    const client = testClient('old-http', { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { confirm: true } };
    });
    const handler = createMcpHandler(() => buildServer(world), { legacy: 'stateless' });
    await client.connect(new StreamableHTTPClientTransport(new URL('http://consent.test/mcp'), {
      fetch: (url, init) => handler.fetch(new Request(url, init)),
    }));
    cleanups.push(async () => { await client.close(); });
    expect(client.getProtocolEra()).toBe('legacy');
    const r = await call(client, { Name: 'm-1' });
    expect(code(r)).toBe('ConfirmationRequired');
    expect(asked).toHaveLength(0);
    const token = (r.structuredContent as Record<string, unknown>).ConfirmToken as string;
    expect(code(await call(client, { Name: 'm-1', ConfirmToken: token }))).toBe('OK');
    expect(world.sends).toBe(1);
  });
});
