// src/http/serve.ts against clients that misbehave on purpose: bodies that trickle in (they must not
// hold the admission slots other clients need) and bodies over the cap (the client still writing
// must read the 413, not a connection reset). Raw node:http / node:net clients on loopback; every
// wait is on an event (a response, a socket closing), with short deadlines injected.
import { request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/server';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod/v4';
import { startHttpServer, type HttpServerHandle, type HttpServerOptions } from '../../src/http/serve.js';
import { MCP_POST_HEADERS, rawRequest, toolsCallBody } from '../helpers/nginx.js';

const TOKEN = 'hostile-token-7c1e0d9a2b4c6d8e0f1a';
const AUTH = { ...MCP_POST_HEADERS, Authorization: `Bearer ${TOKEN}` };

function echoServer(): McpServer {
  const server = new McpServer({ name: 'echo', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echo', inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({ content: [{ type: 'text', text: `echo: ${text}` }] }));
  return server;
}

const running: HttpServerHandle[] = [];
afterEach(async () => { for (const h of running.splice(0)) await h.close(); });

async function start(overrides: Partial<HttpServerOptions> = {}): Promise<{ http: HttpServerHandle; logs: () => Record<string, unknown>[] }> {
  let text = '';
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { text += chunk.toString(); cb(); } });
  const http = await startHttpServer({
    host: '127.0.0.1', port: 0, token: TOKEN, allowedHosts: [], allowedOrigins: [],
    maxBodyBytes: 64 * 1024, maxConcurrent: 4, shutdownMs: 1_000, log: pino({ level: 'debug' }, sink),
    buildServer: echoServer, ...overrides,
  });
  running.push(http);
  return { http, logs: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

interface Outcome { status?: number; body: string; error?: string; closed: Promise<void> }

/**
 * A POST that declares `declared` bytes, waits for the server's `100 Continue` (proof that the server
 * has taken the request up), then sends only `sent` bytes and stalls.
 */
function trickle(url: string, declared: number, sent: number): { ready: Promise<void>; outcome: Promise<Outcome> } {
  let ready!: () => void;
  const readyP = new Promise<void>((r) => { ready = r; });
  const outcome = new Promise<Outcome>((resolve) => {
    const req = request(url, { method: 'POST', agent: false, headers: { ...AUTH, 'Content-Length': String(declared), Expect: '100-continue' } });
    const closed = new Promise<void>((r) => req.once('close', () => r()));
    req.once('continue', () => { req.write('x'.repeat(sent)); ready(); });
    req.once('response', (res: IncomingMessage) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.once('end', () => resolve({ status: res.statusCode, body, closed }));
      res.once('error', () => resolve({ status: res.statusCode, body, closed }));
    });
    req.once('error', (err: Error) => resolve({ body: '', error: err.message, closed }));
  });
  return { ready: readyP, outcome };
}

describe('slow bodies cannot lock out other clients', () => {
  it('four connections trickling their bodies hold no admission slot: another client is served, and each trickler gets 408 and is closed', async () => {
    // First with a body deadline no trickler reaches while the test runs: the other client is
    // served while all four are provably still mid-body.
    const held = await start({ maxConcurrent: 4, bodyTimeoutMs: 30_000 });
    const waiting = Array.from({ length: 4 }, () => trickle(held.http.url, 1_000, 1));
    await Promise.all(waiting.map((s) => s.ready));
    // Every admission slot would be held by now if bodies were read after admission.
    const other = await rawRequest(held.http.url, { method: 'POST', headers: AUTH, body: toolsCallBody('echo', { text: 'still served' }) });
    expect(other.status).toBe(200);
    expect(other.body).toContain('still served');
    expect(held.logs().filter((l) => l.refused === 'slow-body')).toEqual([]);

    // Then with a short deadline: each trickler is refused with 408 and its connection closed.
    const { http, logs } = await start({ maxConcurrent: 4, bodyTimeoutMs: 150 });
    const slow = Array.from({ length: 4 }, () => trickle(http.url, 1_000, 1));
    await Promise.all(slow.map((s) => s.ready));
    for (const s of slow) {
      const o = await s.outcome;
      expect(o.status).toBe(408);
      expect(JSON.parse(o.body)).toMatchObject({ error: { code: -32000, message: expect.stringContaining('not received within 150 ms') } });
      await o.closed;
    }
    const refusals = logs().filter((l) => l.msg === 'http request' && l.refused === 'slow-body');
    expect(refusals).toHaveLength(4);
    expect(refusals.map((l) => l.slowBodyRefusals).sort()).toEqual([1, 2, 3, 4]);
  });
});

/**
 * A client that sends its whole request before it reads the answer (as curl and most libraries do):
 * the socket is paused until the last byte is written, so an answer the server sent and then reset
 * the connection under is lost, as it is for such clients.
 */
function sendAllThenRead(url: string, total: number, how: 'declared' | 'chunked'): Promise<{ response: string; error?: string; wrote: number }> {
  return new Promise((resolve) => {
    const { hostname, port, pathname } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.pause();
    let response = '';
    let error: string | undefined;
    let wrote = 0;
    socket.on('error', (e: NodeJS.ErrnoException) => { error ??= e.code ?? e.message; });
    socket.on('data', (d: Buffer) => { response += d.toString('latin1'); });
    socket.once('close', () => resolve({ response, ...(error ? { error } : {}), wrote }));
    const headers = Object.entries(AUTH).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    const length = how === 'chunked' ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${total}\r\n`;
    socket.write(`POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n${headers}${length}\r\n`);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const piece = how === 'chunked' ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk;
    const pump = (): void => {
      while (wrote < total) {
        if (socket.destroyed) return;
        wrote += chunk.length;
        if (!socket.write(piece)) { socket.once('drain', pump); return; }
      }
      socket.write(how === 'chunked' ? '0\r\n\r\n' : '', () => socket.resume());
    };
    pump();
  });
}

describe('a body over the cap: the client still writing reads the 413', () => {
  for (const how of ['declared', 'chunked'] as const) {
    it(`answers 413 and keeps reading and dropping the rest (${how}), so a client that writes before it reads gets the 413, not EPIPE or ECONNRESET`, async () => {
      const { http, logs } = await start({ maxBodyBytes: 1024 });
      const got = await sendAllThenRead(http.url, 4 * 1024 * 1024, how);
      expect(got.error).toBeUndefined();
      expect(got.response).toMatch(/^HTTP\/1\.1 413 /);
      expect(got.response).toContain('Request body larger than 1024 bytes');
      expect(logs().find((l) => l.msg === 'http request')).toMatchObject({ status: 413, refused: 'body-too-large' });
    });
  }

  it('stops lingering after its time bound: a client that stalls mid-body is closed once the 413 has been sent', async () => {
    const { http } = await start({ maxBodyBytes: 1024, lingerMs: 200 });
    const t = trickle(http.url, 10 * 1024 * 1024, 2048);
    const o = await t.outcome;
    expect(o.status).toBe(413);
    await o.closed;
  });

  it('stops lingering after its byte bound: a client that keeps writing is cut off before its body is through', async () => {
    const { http } = await start({ maxBodyBytes: 1024, lingerBytes: 256 * 1024, lingerMs: 30_000 });
    const total = 64 * 1024 * 1024;
    const got = await sendAllThenRead(http.url, total, 'declared');
    expect(got.error).toBeDefined();
    expect(got.wrote).toBeLessThan(total);
  });
});
