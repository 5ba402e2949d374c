import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { isLoopbackHost } from '../loopback.js';
import type { ApprovalStore } from './approvals.js';
import { APPROVAL_PATH, serveApprovalPage, type PasskeyAuthority } from './page.js';

/**
 * Where a person approves: the store, the passkeys, and the base URL of the approval page. In
 * stdio mode the page is served by a loopback server of its own, opened on first need and closed
 * when nothing waits any more; in HTTP mode by the HTTP server under /approve/.
 */
export interface ApprovalPortal {
  store: ApprovalStore;
  passkeys?: PasskeyAuthority;
  /** HTTP mode with OAuth: the page lets an approver log in at the issuer (and requires it to approve). */
  approverLogin?: boolean;
  /** scheme://host:port of the page, for this request (HTTP mode may read the request's Host). */
  pageBase(request?: Request): Promise<string>;
  /** Called when a call stops waiting: the loopback page may close. */
  idle(): void;
  close(): Promise<void>;
}

export interface LoopbackPortalOptions { store: ApprovalStore; passkeys?: PasskeyAuthority; log: Logger; now: () => number }

/**
 * The stdio mode's portal: a server on 127.0.0.1, reached as `localhost` (a passkey's relying
 * party must be a domain name; 127.0.0.1 is refused by browsers), on an ephemeral port.
 */
export class LoopbackPortal implements ApprovalPortal {
  readonly store: ApprovalStore;
  readonly passkeys?: PasskeyAuthority;
  private server: Server | undefined;
  private starting: Promise<string> | undefined;

  constructor(private readonly opts: LoopbackPortalOptions) {
    this.store = opts.store;
    if (opts.passkeys) this.passkeys = opts.passkeys;
  }

  pageBase(): Promise<string> {
    this.starting ??= this.start();
    return this.starting;
  }

  private async start(): Promise<string> {
    const { log } = this.opts;
    // node:http is loaded here, on the first approval, not at every start.
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (!path.startsWith(APPROVAL_PATH) || !isLocalHost(req)) { req.resume(); res.writeHead(404).end(); return; }
      void serveApprovalPage(req, res, { ...this.deps(), origin: (r) => `http://${r.headers.host ?? 'localhost'}` }).catch((err: unknown) => {
        log.error({ err: err instanceof Error ? { name: err.name, message: err.message } : String(err) }, 'approval page failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
    // It must never keep the process alive on its own.
    server.unref();
    this.server = server;
    const base = `http://localhost:${(server.address() as AddressInfo).port}`;
    log.info({ base }, 'approval page listening on loopback');
    return base;
  }

  private deps() {
    return { store: this.store, ...(this.passkeys ? { passkeys: this.passkeys } : {}), now: this.opts.now, log: this.opts.log };
  }

  idle(): void {
    void this.store.pendingCount(this.opts.now()).then((n) => { if (n === 0) void this.close(); });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.starting = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.opts.log.info('approval page closed (nothing waits for a person)');
  }
}

/** Only `localhost[:port]` or a loopback address: a DNS-rebinding page cannot reach the approval page. */
function isLocalHost(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  return host !== '' && isLoopbackHost(host);
}

/** The HTTP mode's portal: the HTTP server serves the page; the base is configured or the request's own. */
export class HttpPortal implements ApprovalPortal {
  readonly approverLogin?: boolean;

  constructor(readonly store: ApprovalStore, private readonly fixedBase: string | undefined, private readonly fallbackBase: () => string, readonly passkeys?: PasskeyAuthority, approverLogin?: boolean) {
    if (approverLogin) this.approverLogin = true;
  }

  async pageBase(request?: Request): Promise<string> {
    if (this.fixedBase) return this.fixedBase;
    const host = request?.headers.get('host');
    if (host && /^[A-Za-z0-9.[\]:-]+$/.test(host)) {
      return `http://${host.replace(/^127\.0\.0\.1(?=:|$)/, 'localhost')}`;
    }
    return this.fallbackBase();
  }

  idle(): void { /* the HTTP server stays up */ }
  async close(): Promise<void> { /* closed with the HTTP server */ }
}
