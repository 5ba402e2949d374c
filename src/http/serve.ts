import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createMcpHandler, type McpServer } from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import { Admission } from './admission.js';
import { BearerToken, hostOrOriginRefusal, isLoopbackHost, resolveAllowLists } from './guards.js';
import { readBody, sendWebResponse, toWebRequest } from './node-bridge.js';
import { describeMcpRequest, requestIdOf, type McpRequestLabel } from './request-log.js';
import { APPROVAL_PATH, serveApprovalPage, type ApprovalPageDeps } from '../consent/page.js';

export interface HttpServerOptions {
  /** Interface to bind, e.g. `127.0.0.1` or `0.0.0.0`. */
  host: string;
  /** 0 picks a free port (the returned `url` names it). */
  port: number;
  /** Bearer token every `/mcp` request must carry. Required unless `host` is loopback. */
  token?: string;
  /** Accepted `Host` names (ports ignored). Empty: loopback names on a loopback bind, no Host check otherwise. */
  allowedHosts: readonly string[];
  /** Accepted `Origin`s (URLs or host names). Empty: loopback origins on a loopback bind, none otherwise. */
  allowedOrigins: readonly string[];
  /** Request bodies above this many bytes get 413. */
  maxBodyBytes: number;
  /** MCP requests in flight at once on this replica; past it, 503 with Retry-After. */
  maxConcurrent: number;
  /** How long `drain()` waits for in-flight requests. */
  shutdownMs: number;
  log: Logger;
  /** A fresh MCP server per request (stateless serving: nothing survives between requests). */
  buildServer: () => McpServer;
  /** The approval page (consent by a person) under /approve/; it needs no bearer token (its link carries a secret). */
  approvalPage?: Omit<ApprovalPageDeps, 'log' | 'origin'> & { publicOrigin?: string };
}

export interface HttpServerHandle {
  /** e.g. `http://127.0.0.1:8080/mcp` */
  url: string;
  /** Refuses new requests with 503 from now on and waits (at most `shutdownMs`) for in-flight ones. */
  drain(): Promise<void>;
  /** `drain()`, then aborts whatever is still running and stops listening. */
  close(): Promise<void>;
}

/** Seconds a refused client should wait before trying again (this replica or, via the balancer, another). */
const RETRY_AFTER_S = '1';

/**
 * Serves MCP over Streamable HTTP at `/mcp`, statelessly: every request gets a fresh server from
 * `buildServer`, both protocol eras (2025-11-25 `initialize` clients and 2026-07-28 clients) from
 * the same factory, so any replica behind a load balancer answers any request. In front of the
 * SDK's handler sit, in order: Host/Origin validation (403), the bearer token (401), drain and the
 * concurrency cap (503), the body cap (413). `GET /healthz` answers before all of them.
 */
export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServerHandle> {
  const { log } = opts;
  if (!opts.token && !isLoopbackHost(opts.host)) {
    throw new Error(`refusing to serve HTTP on ${opts.host} without a bearer token (set SWAS_MCP_HTTP_TOKEN or SWAS_MCP_HTTP_TOKEN_FILE)`);
  }
  const token = opts.token ? new BearerToken(opts.token) : undefined;
  const lists = resolveAllowLists(opts.host, opts.allowedHosts, opts.allowedOrigins);
  if (!lists.hosts) log.warn({ host: opts.host }, 'HTTP: no allowed hosts configured on a non-loopback bind, so the Host header is not checked (set SWAS_MCP_HTTP_ALLOWED_HOSTS)');
  const admission = new Admission(opts.maxConcurrent);
  const handler = createMcpHandler(() => opts.buildServer(), {
    legacy: 'stateless',
    maxRequestBodySize: opts.maxBodyBytes,
    onerror: (err) => log.debug({ err: { name: err.name, message: err.message } }, 'MCP handler reported an error'),
  });

  let base = 'http://127.0.0.1';
  const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    void serveOne(req, res).catch((err: unknown) => {
      log.error({ err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) }, 'HTTP request failed');
      if (!res.headersSent) plain(res, 500, 'Internal server error');
      else if (!res.writableEnded) res.destroy();
    });
  });
  // Longer than a balancer's upstream keep-alive (nginx: 60 s), so it never reuses a socket we are closing.
  server.keepAliveTimeout = 75_000;
  server.headersTimeout = 76_000;

  async function serveOne(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = requestIdOf(req.headers);
    const path = new URL(req.url ?? '/', base).pathname;
    let label: McpRequestLabel = {};
    let refused: string | undefined;
    res.setHeader('X-Request-Id', requestId);
    res.once('close', () => {
      log.info({
        requestId, method: req.method, path, ...label, ...(refused ? { refused } : {}), status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...(res.writableFinished ? {} : { aborted: true }),
      }, 'http request');
    });

    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      req.resume();
      if (admission.isDraining) plain(res, 503, 'draining', { 'Retry-After': RETRY_AFTER_S, Connection: 'close' });
      else plain(res, 200, 'ok');
      return;
    }
    if (path.startsWith(APPROVAL_PATH) && opts.approvalPage) {
      const refusal = hostOrOriginRefusal(req.headers, lists);
      if (refusal) { refused = refusal; req.resume(); plain(res, 403, 'Forbidden'); return; }
      const page = opts.approvalPage;
      await serveApprovalPage(req, res, { ...page, log, origin: (r) => page.publicOrigin ?? `http://${r.headers.host ?? 'localhost'}` });
      return;
    }
    if (path !== '/mcp') { req.resume(); plain(res, 404, 'Not found'); return; }

    // A refused request's body is not read: the connection closes instead of draining it.
    const hangUp: Record<string, string> = hasBody(req) ? { Connection: 'close' } : {};
    const refusal = hostOrOriginRefusal(req.headers, lists);
    if (refusal) {
      refused = refusal;
      jsonRpcError(res, 403, 'Forbidden', hangUp);
      return;
    }
    if (token && !token.matches(req.headers.authorization)) {
      // The same answer for a missing and a wrong token: nothing to learn from it.
      plain(res, 401, 'Unauthorized', { 'WWW-Authenticate': 'Bearer', ...hangUp });
      return;
    }
    const admit = admission.tryEnter();
    if (admit !== 'ok') {
      req.resume();
      jsonRpcError(res, 503, admit === 'draining' ? 'Server is shutting down' : 'Server busy',
        { 'Retry-After': RETRY_AFTER_S, ...(admit === 'draining' ? { Connection: 'close' } : {}) });
      return;
    }
    try {
      const read = await readBody(req, opts.maxBodyBytes);
      if (!read.ok) {
        if (read.reason === 'too-large') jsonRpcError(res, 413, `Request body larger than ${opts.maxBodyBytes} bytes`, { Connection: 'close' });
        else res.destroy();
        return;
      }
      let parsedBody: unknown;
      if (read.body.length > 0) {
        try { parsedBody = JSON.parse(read.body.toString('utf8')); } catch { parsedBody = undefined; }
      }
      label = describeMcpRequest(parsedBody, req.headers);
      // Client gone before the answer was complete: abort the exchange (for 2026-07-28 clients
      // that is how a call is cancelled).
      const aborter = new AbortController();
      res.once('close', () => { if (!res.writableFinished) aborter.abort(); });
      const request = toWebRequest(req, read.body, aborter.signal, base);
      const response = await handler.fetch(request, parsedBody === undefined ? {} : { parsedBody });
      await sendWebResponse(res, response, admission.isDraining ? { Connection: 'close' } : {});
    } finally {
      admission.leave();
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve(); });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  base = `http://${hostForUrl}:${address.port}`;
  const url = `${base}/mcp`;
  log.info({ url, auth: token ? 'bearer' : 'none', allowedHosts: lists.hosts ?? 'any', maxConcurrent: opts.maxConcurrent, maxBodyBytes: opts.maxBodyBytes }, 'swas-image-mcp ready on HTTP');

  let drained: Promise<void> | undefined;
  const drain = (): Promise<void> => {
    drained ??= (async () => {
      const inFlight = admission.active;
      const clean = await admission.drain(opts.shutdownMs);
      server.closeIdleConnections();
      if (clean) log.info({ inFlight }, 'HTTP drained');
      else log.warn({ stillRunning: admission.active, shutdownMs: opts.shutdownMs }, 'HTTP drain timed out; aborting the calls still running');
    })();
    return drained;
  };
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      await drain();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await handler.close().catch(() => undefined);
      server.closeAllConnections();
      await stopped;
    })();
    return closed;
  };
  return { url, drain, close };
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(`${text}\n`);
}

function jsonRpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}
