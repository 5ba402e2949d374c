// Shutdown past the drain bound over HTTP: a call still open gets a JSON-RPC error that says the
// server is shutting down and what may have been applied (not an empty 200 stream), and the real
// tools, run by a replica, are stopped by the same call lifecycle stdio uses, answering with what
// they know. In-process here; a spawned replica (dist/) stopped by SIGTERM past its drain bound is
// the last test of replicas-postgres.test.ts, whose replicas it shares.
import { Writable } from 'node:stream';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod/v4';
import { startHttpServer, type HttpServerHandle } from '../../src/http/serve.js';
import { shuttingDownError } from '../../src/shutdown.js';
import { MCP_POST_HEADERS, rawRequest, toolsCallBody } from '../helpers/nginx.js';

const TOKEN = 'shutdown-token-3a9c1e0d7b2f4a6c8e0d';

describe('shuttingDownError', () => {
  it('says a read changed nothing, and a write may have been applied, naming where to check', () => {
    const read = shuttingDownError('list_instances', { kind: 'read' });
    expect(read.message).toContain('stopped list_instances before it could answer');
    expect(read.message).toContain('nothing was changed');
    expect(read.data).toMatchObject({ Code: 'ServerShuttingDown', MayHaveBeenApplied: false, Retryable: true });
    const write = shuttingDownError('delete_snapshots', { kind: 'destructive', checkWith: 'list_snapshots' });
    expect(write.message).toContain('the change may have been applied; call list_snapshots');
    expect(write.data).toMatchObject({ MayHaveBeenApplied: true, NextSteps: expect.arrayContaining(['Call list_snapshots to see whether the change was made.']) });
    // An unknown tool is treated as one that may have changed something.
    expect(shuttingDownError(undefined, undefined).data).toMatchObject({ MayHaveBeenApplied: true });
  });
});

describe('HTTP: a call still open past the drain bound', () => {
  let http: HttpServerHandle | undefined;
  let release: (() => void) | undefined;
  afterEach(async () => { release?.(); await http?.close(); http = undefined; });

  async function start(): Promise<{ entered: Promise<void> }> {
    let entered!: () => void;
    const enteredP = new Promise<void>((r) => { entered = r; });
    const sink = new Writable({ write(_c, _e, cb) { cb(); } });
    http = await startHttpServer({
      host: '127.0.0.1', port: 0, token: TOKEN, allowedHosts: [], allowedOrigins: [],
      maxBodyBytes: 64 * 1024, maxConcurrent: 4, shutdownMs: 50, log: pino({ level: 'debug' }, sink),
      describeTool: (name) => (name === 'hold' ? { kind: 'write', checkWith: 'list_things' } : undefined),
      buildServer: () => {
        const server = new McpServer({ name: 'tiny', version: '1.0.0' });
        // Ignores every signal: only the shutdown can answer for it.
        server.registerTool('hold', { description: 'Holds', inputSchema: z.object({}) }, async () => {
          entered();
          await new Promise<void>((r) => { release = r; });
          return { content: [{ type: 'text', text: 'released' }] };
        });
        return server;
      },
    });
    return { entered: enteredP };
  }

  it('gets a JSON-RPC error on its SSE stream saying the server is shutting down and what may have been applied', async () => {
    const { entered } = await start();
    const pending = rawRequest(http!.url, { method: 'POST', headers: { ...MCP_POST_HEADERS, Authorization: `Bearer ${TOKEN}` }, body: toolsCallBody('hold', {}, 7) });
    await entered;
    await http!.close();
    const res = await pending;
    expect(res.status).toBe(200);
    const events = res.body.split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>);
    const answer = events.find((e) => e.id === 7);
    expect(answer).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32000, data: { Code: 'ServerShuttingDown', MayHaveBeenApplied: true } } });
    expect((answer!.error as { message: string }).message).toMatch(/shutting down and stopped hold before it could answer.*may have been applied; call list_things/);
    expect(res.body).not.toContain('released');
  });

  it('reaches an SDK client as an error it can show, not a hang or an empty stream', async () => {
    const { entered } = await start();
    const client = new Client({ name: 'shutdown-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(http!.url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
    const call = client.callTool({ name: 'hold', arguments: {} }).then(() => 'answered', (err: Error) => err.message);
    await entered;
    await http!.close();
    expect(await call).toMatch(/shutting down/);
    await client.close().catch(() => undefined);
  });
});
