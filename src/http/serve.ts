import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createMcpHandler, type McpServer } from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import { Admission } from './admission.js';
import { isLoopbackHost } from '../loopback.js';
import { BearerToken, hostOrOriginRefusal, resolveAllowLists } from './guards.js';
import type { CallLifecycle } from '../server.js';
import { shutDown, shuttingDownError, STOP_BOUND_MS, type ShutdownToolInfo } from '../shutdown.js';
import { readBody, sendWebResponse, toWebRequest } from './node-bridge.js';
import { describeMcpRequest, requestIdOf, requestIdsOf, type McpRequestLabel } from './request-log.js';
import { APPROVAL_PATH, serveApprovalPage, type ApprovalPageDeps } from '../consent/page.js';
import type { Identity } from '../auth/identity.js';
import { identityFromAuthInfo, type ResourceServer } from '../auth/resource-server.js';

export interface HttpServerOptions {
  /** Interface to bind, e.g. `127.0.0.1` or `0.0.0.0`. */
  host: string;
  /** 0 picks a free port (the returned `url` names it). */
  port: number;
  /** Bearer token every `/mcp` request must carry (one operator). Required unless `host` is loopback or `oauth` is set. */
  token?: string;
  /** OAuth resource server: every `/mcp` request carries an access token naming its user. Never with `token`. */
  oauth?: ResourceServer;
  /** With `oauth`: the scope a tools/call of this tool needs (undefined: the tool is not known here). */
  requiredScope?: (tool: string) => string | undefined;
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
  /** A fresh MCP server per request (stateless serving: nothing survives between requests); with `oauth`, for the request's user. */
  buildServer: (identity?: Identity) => McpServer;
  /** The approval page (consent by a person) under /approve/; it needs no bearer token (its link carries a secret). */
  approvalPage?: Omit<ApprovalPageDeps, 'log' | 'origin'> & { publicOrigin?: string };
  /**
   * The calls the servers from `buildServer` run (the same lifecycle stdio uses): past the drain bound
   * they are stopped and answer with what they know. Without it, calls still open are only answered for.
   */
  lifecycle?: CallLifecycle;
  /** What the shutdown answer says about a tool (does it change anything, where to check). */
  describeTool?: (name: string) => ShutdownToolInfo | undefined;
  /** The whole body must arrive within this many ms of the headers, else 408. Default 10 s. */
  bodyTimeoutMs?: number;
  /** After a 413, how long (ms) and how many bytes of the rest of the body are read and dropped before the connection closes. */
  lingerMs?: number;
  lingerBytes?: number;
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
/** A body that has not fully arrived this long after its headers is refused: a trickling client holds nothing else. */
const BODY_TIMEOUT_MS = 10_000;
/** Node's own backstops: headers within 20 s, the whole request within 30 s (Node's default is 300 s). */
const HEADERS_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** nginx's lingering close, bounded: after a 413, the rest of the body is read and dropped for at most this long and this much. */
const LINGER_MS = 5_000;
const LINGER_BYTES = 8 * 1024 * 1024;

/** One MCP exchange whose answer is still being written: the shutdown answers what it has not. */
interface OpenExchange {
  res: ServerResponse;
  /** Ids of the JSON-RPC requests in the body (notifications have none). */
  ids: (string | number)[];
  tool?: string;
  answered: Set<string | number>;
  /** Fired when the shutdown takes the response over: the SDK's relay stops, its late answer is dropped. */
  takeover: AbortController;
  /** Resolves once the exchange is over, answered or not. */
  done: Promise<void>;
}

/** After stopping the calls, how long exchanges get to write the answers those calls gave before the shutdown answers for them. */
const ANSWER_FLUSH_MS = 1_000;

/**
 * Serves MCP over Streamable HTTP at `/mcp`, statelessly: every request gets a fresh server from
 * `buildServer`, both protocol eras (2025-11-25 `initialize` clients and 2026-07-28 clients) from
 * the same factory, so any replica behind a load balancer answers any request. In front of the
 * SDK's handler sit, in order: Host/Origin validation (403), the bearer token (401), drain (503),
 * the body, read whole under a deadline (408) and a cap (413) before it may take a slot, then the
 * concurrency cap (503). `GET /healthz` answers before all of them.
 */
export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServerHandle> {
  const { log } = opts;
  if (opts.token && opts.oauth) throw new Error('an OAuth resource server and a static bearer token are never mixed: configure one');
  if (!opts.token && !opts.oauth && !isLoopbackHost(opts.host)) {
    throw new Error(`refusing to serve HTTP on ${opts.host} without a bearer token (set SWAS_MCP_OAUTH_ISSUER, or SWAS_MCP_HTTP_TOKEN / SWAS_MCP_HTTP_TOKEN_FILE)`);
  }
  const { oauth } = opts;
  const token = opts.token ? new BearerToken(opts.token) : undefined;
  const lists = resolveAllowLists(opts.host, opts.allowedHosts, opts.allowedOrigins);
  if (!lists.hosts) log.warn({ host: opts.host }, 'HTTP: no allowed hosts configured on a non-loopback bind, so the Host header is not checked (set SWAS_MCP_HTTP_ALLOWED_HOSTS)');
  const admission = new Admission(opts.maxConcurrent);
  const handler = createMcpHandler(({ authInfo }) => opts.buildServer(authInfo ? identityFromAuthInfo(authInfo) : undefined), {
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
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  const bodyTimeoutMs = opts.bodyTimeoutMs ?? BODY_TIMEOUT_MS;
  const linger = { ms: opts.lingerMs ?? LINGER_MS, bytes: opts.lingerBytes ?? LINGER_BYTES };
  const open = new Set<OpenExchange>();
  let slowBodies = 0;

  async function serveOne(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = requestIdOf(req.headers);
    const path = new URL(req.url ?? '/', base).pathname;
    let label: McpRequestLabel = {};
    let refused: string | undefined;
    let who: Identity | undefined;
    res.setHeader('X-Request-Id', requestId);
    res.once('close', () => {
      log.info({
        requestId, method: req.method, path, ...label, ...(refused ? { refused } : {}),
        ...(who ? { subject: who.subject, ...(who.clientId ? { clientId: who.clientId } : {}) } : {}),
        ...(refused === 'slow-body' ? { slowBodyRefusals: slowBodies } : {}), status: res.statusCode,
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
    const metadata = oauth?.metadataFor(path);
    if (metadata) {
      req.resume();
      // A public document: any origin may read it (browser-based clients discover the issuer here).
      if (req.method !== 'GET' && req.method !== 'HEAD') { plain(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' }); return; }
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=300', 'Access-Control-Allow-Origin': '*' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(metadata));
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
    let authInfo: Awaited<ReturnType<ResourceServer['authenticate']>> | undefined;
    if (oauth) {
      authInfo = await oauth.authenticate(req.headers.authorization);
      if (!authInfo.ok) {
        refused = authInfo.refusal.reason;
        send(res, authInfo.refusal.status, authInfo.refusal.body, { ...authInfo.refusal.headers, ...hangUp });
        return;
      }
      who = authInfo.identity;
    }
    if (token && !token.matches(req.headers.authorization)) {
      // The same answer for a missing and a wrong token: nothing to learn from it.
      plain(res, 401, 'Unauthorized', { 'WWW-Authenticate': 'Bearer', ...hangUp });
      return;
    }
    if (admission.isDraining) {
      req.resume();
      jsonRpcError(res, 503, 'Server is shutting down', { 'Retry-After': RETRY_AFTER_S, Connection: 'close' });
      return;
    }
    // The whole body first, under a deadline and a cap, and only then a slot: a client that sends
    // headers and trickles its body holds its own connection, never a slot other clients need.
    const read = await readBody(req, opts.maxBodyBytes, bodyTimeoutMs);
    if (!read.ok) {
      if (read.reason === 'too-large') {
        refused = 'body-too-large';
        refuseAndLinger(req, res, opts.maxBodyBytes, linger);
      } else if (read.reason === 'timeout') {
        refused = 'slow-body';
        slowBodies += 1;
        jsonRpcError(res, 408, `Request body not received within ${bodyTimeoutMs} ms`, { Connection: 'close' });
      } else {
        res.destroy();
      }
      return;
    }
    const admit = admission.tryEnter();
    if (admit !== 'ok') {
      jsonRpcError(res, 503, admit === 'draining' ? 'Server is shutting down' : 'Server busy',
        { 'Retry-After': RETRY_AFTER_S, ...(admit === 'draining' ? { Connection: 'close' } : {}) });
      return;
    }
    let exchange: OpenExchange | undefined;
    try {
      let parsedBody: unknown;
      if (read.body.length > 0) {
        try { parsedBody = JSON.parse(read.body.toString('utf8')); } catch { parsedBody = undefined; }
      }
      label = describeMcpRequest(parsedBody, req.headers);
      if (who && opts.requiredScope && oauth) {
        const missing = missingScope(parsedBody, req.headers, who.scopes, opts.requiredScope);
        if (missing) {
          const refusal = await oauth.insufficientScope(missing);
          refused = `insufficient_scope: ${missing}`;
          send(res, refusal.status, refusal.body, refusal.headers);
          return;
        }
      }
      let over = (): void => undefined;
      const done = new Promise<void>((resolve) => { over = resolve; });
      exchange = { res, ids: requestIdsOf(parsedBody), ...(label.tool ? { tool: label.tool } : {}), answered: new Set(), takeover: new AbortController(), done };
      res.once('close', over);
      open.add(exchange);
      const ex = exchange;
      // Client gone before the answer was complete: abort the exchange (for 2026-07-28 clients
      // that is how a call is cancelled).
      const aborter = new AbortController();
      res.once('close', () => { if (!res.writableFinished) aborter.abort(); });
      const request = toWebRequest(req, read.body, aborter.signal, base);
      const response = await handler.fetch(request, {
        ...(parsedBody === undefined ? {} : { parsedBody }),
        ...(authInfo?.ok ? { authInfo: authInfo.authInfo } : {}),
      });
      if (ex.takeover.signal.aborted) return; // the shutdown already answered for it
      await sendWebResponse(res, response, admission.isDraining ? { Connection: 'close' } : {}, {
        onAnswered: (id) => ex.answered.add(id), stop: ex.takeover.signal,
      });
    } finally {
      if (exchange) open.delete(exchange);
      admission.leave();
    }
  }

  /** Answers, for each exchange still open, every request it has not answered, with the shutting-down error. */
  async function answerOpenExchanges(): Promise<void> {
    if (open.size === 0) return;
    // Calls just stopped may have answered: let those answers through first. Without a lifecycle
    // no call was stopped, so no answer is on its way (the drain already waited for calls to finish
    // on their own): those still open are answered for at once.
    if (opts.lifecycle) await boundedWait([...open].map((ex) => ex.done), ANSWER_FLUSH_MS);
    const flushed: Promise<void>[] = [];
    for (const ex of open) {
      ex.takeover.abort();
      const { res } = ex;
      if (res.writableEnded || res.destroyed) continue;
      const errors = ex.ids.filter((id) => !ex.answered.has(id)).map((id) => ({
        jsonrpc: '2.0' as const, id, error: shuttingDownError(ex.tool, ex.tool ? opts.describeTool?.(ex.tool) : undefined),
      }));
      log.warn({ tool: ex.tool, ids: errors.map((e) => e.id) }, 'HTTP: answering a call still open at shutdown with ServerShuttingDown');
      flushed.push(new Promise<void>((resolve) => { res.once('finish', resolve); res.once('close', resolve); }));
      if (res.headersSent) {
        // An SSE stream is open: the answers go on it as events.
        for (const e of errors) res.write(`event: message\ndata: ${JSON.stringify(e)}\n\n`);
        res.end();
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Connection: 'close' });
        res.end(errors.length === 1 ? JSON.stringify(errors[0]) : JSON.stringify(errors));
      }
    }
    // Written before the sockets are closed under them.
    await boundedWait(flushed, ANSWER_FLUSH_MS);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve(); });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  base = `http://${hostForUrl}:${address.port}`;
  const url = `${base}/mcp`;
  log.info({ url, auth: oauth ? 'oauth' : token ? 'bearer' : 'none', ...(oauth ? { issuer: oauth.settings.issuer, resource: oauth.settings.resource } : {}), allowedHosts: lists.hosts ?? 'any', maxConcurrent: opts.maxConcurrent, maxBodyBytes: opts.maxBodyBytes }, 'swas-image-mcp ready on HTTP');

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
  const stopServing = async (): Promise<void> => {
    await answerOpenExchanges();
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    await handler.close().catch(() => undefined);
    server.closeAllConnections();
    await stopped;
  };
  let closed: Promise<void> | undefined;
  // The same sequence as stdio's: drain, stop what still runs, answer what is still open, close.
  const close = (): Promise<void> => {
    closed ??= shutDown({ drain, close: stopServing }, opts.lifecycle, STOP_BOUND_MS);
    return closed;
  };
  return { url, drain, close };
}

/** Resolves when every promise has, or after `ms`, whichever comes first. */
async function boundedWait(all: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(all), new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); })]);
  clearTimeout(timer);
}

/**
 * 413, then nginx's lingering close: our side of the connection closes once the answer is written,
 * but the rest of the body is still read and dropped, for at most `linger.ms` and `linger.bytes`, so
 * a client still writing reads the 413 instead of a connection reset.
 */
function refuseAndLinger(req: IncomingMessage, res: ServerResponse, maxBytes: number, linger: { ms: number; bytes: number }): void {
  const socket: Socket = req.socket;
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  const hangUp = (): void => { clearTimeout(timer); req.off('data', count); socket.destroy(); };
  const count = (chunk: Buffer): void => { dropped += chunk.length; if (dropped > linger.bytes) hangUp(); };
  req.on('data', count);
  socket.once('close', () => clearTimeout(timer));
  // node:http destroys a `Connection: close` socket as soon as the answer is flushed: data the client
  // is still sending then meets a reset, and the client may never read the answer. Send FIN instead
  // (http sockets are half-open capable) and keep reading until the client closes or a bound hits.
  socket.destroySoon = function lingeringClose(this: Socket) {
    if (req.complete) { this.end(); this.once('finish', () => this.destroy()); return; }
    this.end();
    timer = setTimeout(hangUp, linger.ms);
  };
  jsonRpcError(res, 413, `Request body larger than ${maxBytes} bytes`, { Connection: 'close' });
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

/** The first scope a tools/call in the body (or named by the 2026 headers) needs and the token lacks. */
function missingScope(body: unknown, headers: IncomingMessage['headers'], scopes: readonly string[], requiredScope: (tool: string) => string | undefined): string | undefined {
  const messages: unknown[] = Array.isArray(body) ? body : body === undefined ? [] : [body];
  const tools: string[] = [];
  for (const m of messages) {
    if (m === null || typeof m !== 'object') continue;
    const { method, params } = m as { method?: unknown; params?: { name?: unknown } };
    if (method === 'tools/call' && typeof params?.name === 'string') tools.push(params.name);
  }
  const headerName = headers['mcp-name'];
  if (headers['mcp-method'] === 'tools/call' && typeof headerName === 'string') tools.push(headerName);
  for (const tool of tools) {
    const scope = requiredScope(tool);
    if (scope && !scopes.includes(scope)) return scope;
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(`${text}\n`);
}

function jsonRpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}
