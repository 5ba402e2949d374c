import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport, type CallToolResult } from '@modelcontextprotocol/client';
import type { BrowserContext, Page } from 'playwright-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger, type OpenedLedger } from '../../../src/audit/index.js';
import { scopeFor, toolsForScopes } from '../../../src/auth/identity.js';
import { ResourceServer } from '../../../src/auth/resource-server.js';
import { loadConfig } from '../../../src/config.js';
import { ApproverLogin } from '../../../src/consent/approver-login.js';
import { HttpPortal, MemoryApprovalStore } from '../../../src/consent/index.js';
import { CookieSealer, randomToken } from '../../../src/consent/login-cookies.js';
import type { ApprovalLoginDeps } from '../../../src/consent/login-page.js';
import { ConsentSigner } from '../../../src/consent/token.js';
import { startHttpServer, type HttpServerHandle } from '../../../src/http/serve.js';
import { buildServer } from '../../../src/server.js';
import { SdkSwasApi } from '../../../src/swas/client.js';
import { retryPolicyFor } from '../../../src/swas/retry.js';
import { DEMO, SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, startSimulator, type Simulator } from '../../../src/simulator/index.js';
import type { ToolContext } from '../../../src/tools/common.js';
import { ALL_TOOLS } from '../../../src/tools/index.js';
import { selectTools } from '../../../src/tools/registry.js';
import { haveChromium, newChromiumContext } from '../../helpers/browser.js';
import { startOidcProvider, type OidcProvider } from '../../helpers/oidc.js';
import { ledgerLines } from '../../helpers/stack.js';

/**
 * Approvers log in: the approval page in HTTP mode sends the person to a real OpenID provider
 * (authorization code + PKCE, state, nonce) and lets them approve only with `swas:approve` on the
 * access token it gets for this server. The model's calls carry a person's access token to the
 * real resource server (the requester); the person approving is played in Debian's Chromium.
 * Each person gets a fresh cookie jar (`person()`): to this server and the issuer, a browser is its
 * cookies, and a new BrowserContext per person would start a new page and renderer each time.
 *
 * The first test walks the whole login in the browser: the page's link, the issuer's form, the way
 * back. The others are about what the server does with the issuer's answer, so the person's way to
 * the issuer and through its form is walked in the same cookie jar without rendering those pages
 * (`issuerAnswer`), and Chromium opens the answer (the callback) and the pages it leads to: each
 * page Chromium renders and Playwright reads costs it ~0.15-0.2 s of CPU, and a login through the
 * form three pages.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Result = CallToolResult & { structuredContent?: Record<string, any> };
const READS = /^(List|Describe)/;
const share = (account: string) => ({ RegionId: DEMO.region, ImageId: DEMO.blogImageId, Operation: 'Share', Accounts: [account] });

/*
 * What a page shows, read by a script in the page, for the pages a test only reads. A locator
 * has Playwright inject its selector engine (~0.3 MB of script) into each new page first, which
 * costs Chromium about as much CPU as loading one of these pages (measured: ~0.065 s against
 * ~0.07 s); a page the test clicks on pays that anyway, and is read with locators.
 */
/** The little of the page's DOM these reads use (the tests compile without the DOM library). */
type InPage = { document: { querySelector(s: string): { innerText: string; value?: string } | null; querySelectorAll(s: string): { length: number } } };
/** The rendered text of the first element `selector` matches, or null when none does. */
const textOf = (page: Page, selector: string) => page.evaluate((s) => (globalThis as unknown as InPage).document.querySelector(s)?.innerText ?? null, selector);
/** How many elements `selector` matches. */
const countOf = (page: Page, selector: string) => page.evaluate((s) => (globalThis as unknown as InPage).document.querySelectorAll(s).length, selector);
/** The approval form's digest, as the page shows it. */
const digestOf = (page: Page) => page.evaluate(() => (globalThis as unknown as InPage).document.querySelector('input[name=digest]')?.value ?? null);

describe.skipIf(!haveChromium)('approvers log in at the issuer (Chromium, oidc-provider)', () => {
  let context: BrowserContext;
  let page: Page;
  let sim: Simulator;
  let op: OidcProvider;
  let http: HttpServerHandle;
  let ledger: OpenedLedger;
  let ledgerPath: string;
  let login: ApprovalLoginDeps;
  let authority: ApproverLogin;
  let resource: string;
  /** The model of every test: acting for alice, with one login at the issuer for all of them (its token lasts the file). */
  let model: Client;
  const store = new MemoryApprovalStore();

  beforeAll(async () => {
    // The browser opens while the servers start (the worker's first browser file starts Chromium).
    const opening = newChromiumContext().then(async (c) => { context = c; page = await c.newPage(); });
    opening.catch(() => undefined); // awaited below; afterAll closes what opened if a start fails first
    sim = await startSimulator({ imageReadyMs: 100, snapshotReadyMs: 100 });
    const dir = mkdtempSync(join(tmpdir(), 'swas-approver-'));
    ledgerPath = join(dir, 'audit.jsonl');
    ledger = await openLedger(ledgerPath);
    const config = loadConfig(['--allow-destructive'], {
      HOME: dir, SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', SWAS_MCP_AUDIT_LOG: ledgerPath,
      SWAS_MCP_POLL_INTERVAL_MS: '50', SWAS_MCP_RETRY_BASE_DELAY_MS: '5', SWAS_MCP_WAIT_TIMEOUT_MS: '100',
    });
    const log = pino({ level: 'silent' });
    const api = new SdkSwasApi({
      endpoint: new URL(sim.url), credentials: { kind: 'static', accessKeyId: SIM_ACCESS_KEY_ID, accessKeySecret: SIM_ACCESS_KEY_SECRET },
      retry: retryPolicyFor(config), log, defaultRegionId: 'cn-hangzhou',
    });
    const signer = ConsentSigner.random();
    const tools = selectTools(ALL_TOOLS, { readOnly: false, allowDestructive: true });
    const ctx: ToolContext = { api, config, log, simulated: false, ledger, consent: signer, now: Date.now };
    // The resource (this server's public MCP URL) names the port before the server listens on it.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => { const p = (probe.address() as { port: number }).port; probe.close(() => resolve(p)); });
    });
    resource = `http://127.0.0.1:${port}/mcp`;
    op = await startOidcProvider({
      resource, users: ['alice', 'bob', 'carol'], userScopes: { carol: ['swas:read', 'swas:write'] },
      approverRedirectUris: ['http://127.0.0.1/approve/callback'],
    });
    const oauth = { issuer: op.issuer, resource, audience: resource };
    authority = new ApproverLogin({ oauth, clientId: op.approverClientId });
    login = { authority, sealer: new CookieSealer(signer.derive('approver-cookies')), separate: false };
    const origin = new URL(resource).origin;
    ctx.approvals = new HttpPortal(store, origin, () => origin, undefined, true);
    http = await startHttpServer({
      host: '127.0.0.1', port, allowedHosts: [], allowedOrigins: [], maxBodyBytes: 1 << 20, maxConcurrent: 8, shutdownMs: 1000, log,
      oauth: new ResourceServer(oauth), requiredScope: (name) => { const t = tools.find((x) => x.name === name); return t ? scopeFor(t) : undefined; },
      buildServer: (who) => (who ? buildServer({ ...ctx, requestedBy: who }, toolsForScopes(tools, who.scopes)) : buildServer(ctx, tools)),
      approvalPage: { store, now: Date.now, publicOrigin: origin, login },
    });
    await opening;
    model = await modelFor('alice');
  }, 60_000);
  afterAll(async () => {
    await model?.close();
    await context?.close();
    await http?.close();
    await op?.stop();
    await ledger?.close();
    await sim?.stop();
  });

  const mutations = () => sim.stats.requests().map((r) => r.action).filter((a) => !READS.test(a));
  const intents = () => (ledgerLines(ledgerPath))
    .filter((l) => l.phase === 'intent');

  /** The browser of a person who has not been here before: no cookies (of this server or the issuer). Each test opens its first page itself. */
  async function person(): Promise<Page> {
    await context.clearCookies();
    return page;
  }

  /** A model acting for `user`: its calls carry that person's access token to the resource server. */
  async function modelFor(user: string): Promise<Client> {
    const { accessToken } = await op.login(user, { scopes: ['swas:read', 'swas:write'], redirectUri: 'http://127.0.0.1/approve/callback' });
    const client = new Client({ name: `model-of-${user}`, version: '0.0.0' }, { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' as const } } });
    await client.connect(new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: { Authorization: `Bearer ${accessToken}` } } }));
    return client;
  }

  /** The model asks; it gets a link (which needs a login) and an ApprovalId; nothing is sent. */
  async function ask(model: Client, account: string): Promise<{ url: string; approvalId: string }> {
    const before = mutations().length;
    const first = (await model.callTool({ name: 'share_custom_image', arguments: share(account) })) as Result;
    expect(first.structuredContent?.Error?.Code, JSON.stringify(first.content)).toBe('AwaitingApproval');
    expect(JSON.stringify(first.content)).toContain('an approver to log in');
    expect(mutations().length).toBe(before);
    return { url: first.structuredContent?.ApprovalUrl as string, approvalId: first.structuredContent?.ApprovalId as string };
  }

  /** The person opens the link (unless the page shows it already), logs in at the issuer as `user`, and lands back on the page. */
  async function logIn(page: Page, url: string, user: string): Promise<void> {
    if (page.url() !== url) await page.goto(url);
    await page.click('#login');
    await page.waitForSelector('input#login');
    expect(new URL(page.url()).origin).toBe(op.issuer);
    await page.fill('input#login', user);
    await page.click('button#submit');
    await page.waitForURL((u) => u.origin !== op.issuer);
  }

  /**
   * What the browser would do from the page's "Log in" link until the issuer sends it back: the
   * requests the link starts (this server's redirect with its login cookie, the issuer's redirects,
   * its login form posted as `user` when it asks), made in the browser's own cookie jar
   * (context.request shares it). Returns the callback URL the issuer redirects to, not yet opened.
   */
  async function issuerAnswer(url: string, user: string): Promise<URL> {
    let res = await context.request.get(`${url}/login`, { maxRedirects: 0 });
    for (let hop = 0; hop < 10; hop += 1) {
      const location = res.headers().location;
      if (!location) throw new Error(`the login stopped at HTTP ${res.status()} (${res.url()})`);
      const next = new URL(location, res.url());
      if (next.pathname === '/approve/callback') return next;
      res = await context.request.get(next.href, { maxRedirects: 0 });
      // The issuer's login form (its consent is granted by redirects alone).
      if (res.status() === 200 && /^\/interaction\/[\w-]+$/.test(next.pathname)) {
        res = await context.request.post(`${next.href}/login`, { form: { login: user }, maxRedirects: 0 });
      }
    }
    throw new Error('the issuer did not send the browser back');
  }

  /** Logs `user` in (see `issuerAnswer`) and opens the issuer's answer in Chromium, which lands on the page or a refusal. */
  async function loggedIn(page: Page, url: string, user: string): Promise<void> {
    await page.goto((await issuerAnswer(url, user)).href);
  }

  /** The page's own Approve form posted from the page (as a script on it could), with the digest the page showed. */
  function postApprove(page: Page, url: string, digest: string | null): Promise<{ status: number; text: string }> {
    return page.evaluate(async ({ action, digest }) => {
      const r = await fetch(action, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `decision=approve&digest=${digest}` });
      return { status: r.status, text: await r.text() };
    }, { action: new URL(url).pathname, digest });
  }

  it('an approver logs in (code + PKCE), approves, and the call goes ahead once; the ledger names the login and the approver', async () => {
    const { url, approvalId } = await ask(model, '5555666600000001');
    expect(url.startsWith(`${new URL(resource).origin}/approve/`)).toBe(true);
    expect((await store.get(approvalId, Date.now()))?.requestedBy?.subject).toBe('alice');

    const page = await person();
    await page.goto(url);
    expect(await page.locator('#approve').count()).toBe(0); // no approving before logging in
    await logIn(page, url, 'bob');
    expect(await page.locator('#approver').innerText()).toContain('bob');
    expect(await page.locator('#plan').innerText()).toContain(DEMO.blogImageId);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'swas_approver');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/approve/', secure: false });
    expect(cookies.find((c) => c.name === 'swas_approval_login')).toBeUndefined();
    expect(mutations()).toEqual([]);
    await page.click('#approve');
    await page.waitForSelector('#result');
    expect(await page.locator('#result').innerText()).toBe('Approved');

    const done = (await model.callTool({ name: 'share_custom_image', arguments: { ...share('5555666600000001'), ApprovalId: approvalId } })) as Result;
    expect(done.isError, JSON.stringify(done.content)).toBeFalsy();
    expect(mutations()).toEqual(['AddCustomImageShareAccount']);
    const again = (await model.callTool({ name: 'share_custom_image', arguments: { ...share('5555666600000001'), ApprovalId: approvalId } })) as Result;
    expect(mutations()).toEqual(['AddCustomImageShareAccount']);
    expect(again.structuredContent?.Error?.Code ?? 'no change needed').not.toBe(undefined);
    const intent = intents().at(-1);
    expect(intent?.consent).toEqual({ channel: 'login', approver: 'bob' });
    expect(intent?.requestedBy).toEqual({ subject: 'alice', clientId: op.approverClientId });
  }, 60_000);

  it('a person without swas:approve is refused after logging in, and approving without a login is refused', async () => {
    const { url } = await ask(model, '5555666600000002');
    const page = await person();
    await page.goto(url);
    const digest = await digestOf(page);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    await loggedIn(page, url, 'carol');
    expect(await textOf(page, '#result')).toBe('Not logged in');
    expect(await textOf(page, 'body')).toContain('did not grant swas:approve');
    expect((await context.cookies()).find((c) => c.name === 'swas_approver')).toBeUndefined();
    // Posting Approve anyway (the page's own form and digest, from this origin, no session): refused.
    const posted = await postApprove(page, url, digest);
    expect(posted.status).toBe(403);
    expect(posted.text).toContain('log in first');
    expect(mutations()).toEqual(['AddCustomImageShareAccount']); // only the first test's change
  }, 60_000);

  it('with SEPARATE, the requester cannot approve their own request, and a second person can', async () => {
    login.separate = true;
    try {
      const { url, approvalId } = await ask(model, '5555666600000003');
      const page = await person();
      await loggedIn(page, url, 'alice');
      expect(page.url()).toBe(url);
      expect(await textOf(page, '#refused')).toContain('You (alice) asked for this change');
      expect(await countOf(page, '#approve')).toBe(0);
      const digest = await digestOf(page);
      expect(digest).toMatch(/^[0-9a-f]{64}$/);
      const posted = await postApprove(page, url, digest);
      expect(posted.status).toBe(403);
      expect(posted.text).toContain('another person to approve it');
      expect((await store.get(approvalId, Date.now()))?.status).toBe('pending');

      const page2 = await person();
      await loggedIn(page2, url, 'bob');
      expect(await page2.locator('#approver').innerText()).toContain('bob');
      await page2.click('#approve');
      await page2.waitForSelector('#result');
      expect(await page2.locator('#result').innerText()).toBe('Approved');
      const done = (await model.callTool({ name: 'share_custom_image', arguments: { ...share('5555666600000003'), ApprovalId: approvalId } })) as Result;
      expect(done.isError, JSON.stringify(done.content)).toBeFalsy();
      expect(intents().at(-1)?.consent).toEqual({ channel: 'login', approver: 'bob' });
      expect(intents().at(-1)?.requestedBy).toMatchObject({ subject: 'alice' });
    } finally {
      login.separate = false;
    }
  }, 60_000);

  it('a tampered state, a lost login cookie, or a code exchanged without its PKCE verifier logs nobody in', async () => {
    const { url, approvalId } = await ask(model, '5555666600000004');
    const page = await person();
    const session = async () => (await context.cookies()).find((c) => c.name === 'swas_approver');
    // 1. The state coming back is not the one sent.
    const tampered = await issuerAnswer(url, 'bob');
    tampered.searchParams.set('state', randomToken());
    await page.goto(tampered.href);
    expect(await textOf(page, '#result')).toBe('Not logged in');
    expect(await textOf(page, 'body')).toContain('does not belong to the login started here (state)');
    expect(await session()).toBeUndefined();

    // 2. The login cookie (state, nonce, verifier) is gone: the code is never exchanged.
    const orphan = await issuerAnswer(url, 'bob');
    await context.clearCookies({ name: 'swas_approval_login' });
    await page.goto(orphan.href);
    expect(await textOf(page, '#result')).toBe('Not logged in');
    expect(await textOf(page, 'body')).toContain('was not started on this browser');
    expect(await session()).toBeUndefined();

    // 3. The code alone, without the verifier its challenge was made from: the issuer refuses it.
    const code = (await issuerAnswer(url, 'bob')).searchParams.get('code');
    expect(code).toBeTruthy();
    const stolen = await authority.finish(code!, { nonce: randomToken(), verifier: randomToken() });
    expect(stolen).toMatchObject({ kind: 'refused' });
    expect((stolen as { reason: string }).reason).toContain('invalid_grant');

    // The same flow, untouched, logs bob in: the failures above were the tampering's.
    await loggedIn(page, url, 'bob');
    expect(await textOf(page, '#approver')).toContain('bob');
    expect(await session()).toBeDefined();

    expect((await store.get(approvalId, Date.now()))?.status).toBe('pending');
  }, 60_000);
});
