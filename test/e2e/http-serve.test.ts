// In-process tests of src/http/serve.ts: a tiny v2 McpServer behind the real node:http server,
// driven by the v2 client over Streamable HTTP (both protocol eras) and by raw HTTP requests.
// They need nothing from the server wiring (index.ts / buildServer), so they pass before the merge.
import { Writable } from 'node:stream';
import { Client, StreamableHTTPClientTransport, type Progress } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod/v4';
import { resolveAllowLists } from '../../src/http/guards.js';
import { startHttpServer, type HttpServerHandle, type HttpServerOptions } from '../../src/http/serve.js';
import { MCP_POST_HEADERS, rawRequest, toolsCallBody } from '../helpers/nginx.js';

const TOKEN = 'test-token-5f1c0d7e9a2b4c6d8e0f';

/** Lets a test hold a tool call open and release it when it chooses (no timers). */
class Gate {
  private waiting: (() => void)[] = [];
  private enteredWaiters: { n: number; resolve: () => void }[] = [];
  entered = 0;
  hold(): Promise<void> {
    this.entered += 1;
    this.enteredWaiters = this.enteredWaiters.filter((w) => (w.n <= this.entered ? (w.resolve(), false) : true));
    return new Promise((r) => this.waiting.push(r));
  }
  /** Resolves once `n` calls are inside the tool. */
  reached(n: number): Promise<void> {
    if (this.entered >= n) return Promise.resolve();
    return new Promise((resolve) => this.enteredWaiters.push({ n, resolve }));
  }
  releaseAll(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const r of w) r();
  }
}

function tinyServer(gate: Gate): McpServer {
  const server = new McpServer({ name: 'tiny', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echo with two progress steps', inputSchema: z.object({ text: z.string() }) }, async ({ text }, ctx) => {
    const progressToken = ctx.mcpReq._meta?.progressToken;
    if (progressToken !== undefined) {
      for (const step of [1, 2]) {
        await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress: step, total: 2, message: `step ${step}` } });
      }
    }
    return { content: [{ type: 'text', text: `echo: ${text}` }] };
  });
  server.registerTool('hold', { description: 'Waits until the test releases it', inputSchema: z.object({}) }, async () => {
    await gate.hold();
    return { content: [{ type: 'text', text: 'released' }] };
  });
  return server;
}

interface Running { http: HttpServerHandle; gate: Gate; logs: () => Record<string, unknown>[]; logText: () => string }

const started: Running[] = [];
afterEach(async () => {
  for (const r of started.splice(0)) { r.gate.releaseAll(); await r.http.close(); }
});

async function start(overrides: Partial<HttpServerOptions> = {}): Promise<Running> {
  let text = '';
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { text += chunk.toString(); cb(); } });
  const log = pino({ level: 'debug' }, sink);
  const gate = new Gate();
  const http = await startHttpServer({
    host: '127.0.0.1', port: 0, token: TOKEN, allowedHosts: [], allowedOrigins: [],
    maxBodyBytes: 64 * 1024, maxConcurrent: 8, shutdownMs: 10_000, log,
    buildServer: () => tinyServer(gate),
    ...overrides,
  });
  const r: Running = {
    http, gate,
    logText: () => text,
    logs: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
  started.push(r);
  return r;
}

/** Every response the client saw, so tests can check what headers came back. */
function recordingFetch(seen: Response[]): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    seen.push(res);
    return res;
  };
}

async function connect(url: string, era: 'legacy' | 'modern' | 'auto', token: string | null = TOKEN, seen: Response[] = []): Promise<Client> {
  const versionNegotiation = era === 'modern' ? { mode: { pin: '2026-07-28' as const } } : era === 'auto' ? { mode: 'auto' as const } : undefined;
  const client = new Client({ name: 'http-test', version: '1.0.0' }, versionNegotiation ? { versionNegotiation } : {});
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    ...(token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : {}),
    fetch: recordingFetch(seen),
  });
  await client.connect(transport);
  return client;
}

const mcpPost = (url: string, body: string, headers: Record<string, string> = {}) =>
  rawRequest(url, { method: 'POST', headers: { ...MCP_POST_HEADERS, Authorization: `Bearer ${TOKEN}`, ...headers }, body });

describe('HTTP transport: both protocol eras, statelessly', () => {
  for (const era of ['legacy', 'modern', 'auto'] as const) {
    it(`a ${era} client lists and calls tools with progress, and no session id is ever handed out`, async () => {
      const { http } = await start();
      const seen: Response[] = [];
      const client = await connect(http.url, era, TOKEN, seen);
      try {
        expect(client.getProtocolEra()).toBe(era === 'legacy' ? 'legacy' : 'modern');
        const tools = await client.listTools();
        expect(tools.tools.map((t) => t.name).sort()).toEqual(['echo', 'hold']);
        const progress: Progress[] = [];
        const result = await client.callTool({ name: 'echo', arguments: { text: 'hi' } }, { onprogress: (p) => progress.push(p) });
        expect(result.content).toEqual([{ type: 'text', text: 'echo: hi' }]);
        expect(progress.map((p) => p.progress)).toEqual([1, 2]);
        expect(seen.length).toBeGreaterThan(0);
        for (const res of seen) expect(res.headers.get('mcp-session-id')).toBeNull();
      } finally {
        await client.close();
      }
    });
  }

  it('answers a 2025-era tools/call with no initialize before it (any replica can take any request)', async () => {
    const { http } = await start();
    const res = await mcpPost(http.url, toolsCallBody('echo', { text: 'cold' }));
    expect(res.status).toBe(200);
    expect(res.body).toContain('echo: cold');
  });
});

describe('HTTP transport: the gates in front of MCP', () => {
  it('GET /healthz answers 200 without a token; other paths 404', async () => {
    const { http } = await start();
    const base = http.url.replace(/\/mcp$/, '');
    const health = await rawRequest(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(health.body.trim()).toBe('ok');
    expect((await rawRequest(`${base}/other`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('refuses a missing or wrong token with the same bare 401 and WWW-Authenticate: Bearer', async () => {
    const { http } = await start();
    const body = toolsCallBody('echo', { text: 'x' });
    const missing = await rawRequest(http.url, { method: 'POST', headers: MCP_POST_HEADERS, body });
    const wrong = await mcpPost(http.url, body, { Authorization: `Bearer ${TOKEN}x` });
    const prefix = await mcpPost(http.url, body, { Authorization: `Bearer ${TOKEN.slice(0, -1)}` });
    const notBearer = await mcpPost(http.url, body, { Authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` });
    for (const res of [missing, wrong, prefix, notBearer]) {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body).toBe(missing.body);
    }
    expect(missing.body).not.toContain('echo');
    // And the SDK client gets a typed refusal, not a hang.
    await expect(connect(http.url, 'legacy', null)).rejects.toThrow(/401|nauthori/);
    await expect(connect(http.url, 'modern', 'wrong')).rejects.toThrow(/401|nauthori/);
  });

  it('serves without a token only when bound to loopback and none is configured; refuses a non-loopback bind without one', async () => {
    const { http } = await start({ token: undefined });
    const res = await rawRequest(http.url, { method: 'POST', headers: MCP_POST_HEADERS, body: toolsCallBody('echo', { text: 'open' }) });
    expect(res.status).toBe(200);
    await expect(start({ host: '0.0.0.0', token: undefined })).rejects.toThrow(/without a bearer token/);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin with 403, before the token is even looked at', async () => {
    const { http } = await start();
    const port = new URL(http.url).port;
    const body = toolsCallBody('echo', { text: 'x' });
    expect((await mcpPost(http.url, body, { Host: `evil.example:${port}` })).status).toBe(403);
    expect((await rawRequest(http.url, { method: 'POST', headers: { ...MCP_POST_HEADERS, Host: `evil.example:${port}` }, body })).status).toBe(403);
    expect((await mcpPost(http.url, body, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await mcpPost(http.url, body, { Origin: 'null' })).status).toBe(403);
    // Loopback names and origins pass on a loopback bind.
    expect((await mcpPost(http.url, body, { Host: `localhost:${port}`, Origin: `http://localhost:${port}` })).status).toBe(200);
  });

  it('accepts the configured Host and Origin lists beside the bind address, and nothing else', async () => {
    const { http } = await start({ allowedHosts: ['mcp.example.com'], allowedOrigins: ['https://console.example.com'] });
    const body = toolsCallBody('echo', { text: 'x' });
    expect((await mcpPost(http.url, body)).status).toBe(200); // Host 127.0.0.1:port, the bind address
    expect((await mcpPost(http.url, body, { Host: 'mcp.example.com' })).status).toBe(200);
    expect((await mcpPost(http.url, body, { Host: 'other.example.com' })).status).toBe(403);
    expect((await mcpPost(http.url, body, { Host: 'mcp.example.com', Origin: 'https://console.example.com' })).status).toBe(200);
    expect((await mcpPost(http.url, body, { Host: 'mcp.example.com', Origin: 'https://evil.example.com' })).status).toBe(403);
  });

  it('on a wildcard bind with no list, checks no Host but still refuses any browser Origin (lists only: tests bind loopback)', () => {
    expect(resolveAllowLists('0.0.0.0', [], [])).toEqual({ hosts: undefined, origins: [] });
    expect(resolveAllowLists('::', ['Mcp.Example.com:443'], ['https://console.example.com:8443'])).toEqual({ hosts: ['mcp.example.com'], origins: ['console.example.com'] });
    expect(resolveAllowLists('10.0.0.5', [], []).hosts).toEqual(['10.0.0.5']);
    expect(resolveAllowLists('::1', [], []).hosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
  });

  it('leaves the SDK its own checks: 415 for a non-JSON Content-Type, a parse error for broken JSON', async () => {
    const { http } = await start();
    const text = await mcpPost(http.url, toolsCallBody('echo', { text: 'x' }), { 'Content-Type': 'text/plain' });
    expect(text.status).toBe(415);
    const broken = await mcpPost(http.url, '{"jsonrpc":');
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body)).toMatchObject({ error: { code: -32700 } });
  });

  it('answers 413 to a body over the cap, whether declared or streamed', async () => {
    const { http } = await start({ maxBodyBytes: 1024 });
    const big = toolsCallBody('echo', { text: 'x'.repeat(2000) });
    const declared = await mcpPost(http.url, big);
    expect(declared.status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      // No Content-Length: the server must count as it reads.
      void import('node:http').then(({ request }) => {
        const req = request(http.url, { method: 'POST', headers: { ...MCP_POST_HEADERS, Authorization: `Bearer ${TOKEN}`, 'Transfer-Encoding': 'chunked' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
        req.on('error', reject);
        req.write(big.slice(0, 1000));
        req.end(big.slice(1000));
      });
    });
    expect(chunked).toBe(413);
    expect((await mcpPost(http.url, toolsCallBody('echo', { text: 'small' }))).status).toBe(200);
  });
});

describe('HTTP transport: concurrency cap and graceful drain', () => {
  it('answers 503 with Retry-After past the concurrency cap, and serves again once a call finishes', async () => {
    const { http, gate } = await start({ maxConcurrent: 2 });
    const held = [mcpPost(http.url, toolsCallBody('hold', {}, 1)), mcpPost(http.url, toolsCallBody('hold', {}, 2))];
    await gate.reached(2);
    const refused = await mcpPost(http.url, toolsCallBody('echo', { text: 'third' }));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    gate.releaseAll();
    for (const r of await Promise.all(held)) {
      expect(r.status).toBe(200);
      expect(r.body).toContain('released');
    }
    expect((await mcpPost(http.url, toolsCallBody('echo', { text: 'again' }))).status).toBe(200);
  });

  it('drain(): new requests get 503 (health too), the call in flight finishes, then drain resolves', async () => {
    const { http, gate } = await start();
    const inFlight = mcpPost(http.url, toolsCallBody('hold', {}));
    await gate.reached(1);
    let drained = false;
    const draining = http.drain().then(() => { drained = true; });
    const refused = await mcpPost(http.url, toolsCallBody('echo', { text: 'late' }));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect((await rawRequest(http.url.replace(/\/mcp$/, '/healthz'))).status).toBe(503);
    expect(drained).toBe(false);
    gate.releaseAll();
    const done = await inFlight;
    expect(done.status).toBe(200);
    expect(done.body).toContain('released');
    await draining;
    expect(drained).toBe(true);
  });

  it('close() gives up on a call that outlives shutdownMs: it is answered with ServerShuttingDown, and close still resolves', async () => {
    const { http, gate } = await start({ shutdownMs: 50 });
    const inFlight = mcpPost(http.url, toolsCallBody('hold', {}));
    await gate.reached(1);
    await http.close();
    const outcome = await inFlight;
    expect(outcome.body).not.toContain('released');
    expect(outcome.body).toContain('ServerShuttingDown');
  });
});

describe('HTTP transport: one log line per request, never the token', () => {
  it('logs method, MCP method, tool, status, duration and request id; reuses an X-Request-Id', async () => {
    const r = await start();
    const res = await mcpPost(r.http.url, toolsCallBody('echo', { text: 'log me' }), { 'X-Request-Id': 'lb-req-42' });
    expect(res.headers['x-request-id']).toBe('lb-req-42');
    await mcpPost(r.http.url, toolsCallBody('echo', { text: 'x' }), { Authorization: `Bearer wrong-${TOKEN}` });
    const client = await connect(r.http.url, 'modern');
    await client.callTool({ name: 'echo', arguments: { text: 'modern' } });
    await client.close();
    await r.http.close();

    const lines = r.logs().filter((l) => l.msg === 'http request');
    expect(lines.find((l) => l.requestId === 'lb-req-42')).toMatchObject({ method: 'POST', path: '/mcp', mcpMethod: 'tools/call', tool: 'echo', status: 200 });
    expect(typeof lines.find((l) => l.requestId === 'lb-req-42')?.durationMs).toBe('number');
    expect(lines.some((l) => l.status === 401)).toBe(true);
    expect(lines.filter((l) => l.mcpMethod === 'tools/call' && l.tool === 'echo').length).toBe(2);
    for (const l of lines) expect(typeof l.requestId).toBe('string');
    expect(r.logText()).not.toContain(TOKEN);
    expect(r.logText()).not.toMatch(/bearer /i);
  });
});
