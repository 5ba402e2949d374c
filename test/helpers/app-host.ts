import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type CallToolResult, type ClientCapabilities, type Tool } from '@modelcontextprotocol/client';
import { getToolUiResourceUri, isToolVisibilityAppOnly, isToolVisibilityModelOnly } from '@modelcontextprotocol/ext-apps/app-bridge';
import { build, type Plugin } from 'esbuild';
import type { BrowserContext, FrameLocator, Page } from 'playwright-core';
import { newChromiumContext, takeScreenshots } from './browser.js';
import { serveInProcess } from './in-process.js';
import { testClient } from './test-client.js';
import { isolatedEnv, SIM_CREDENTIALS, startStack, type Stack, type ToolResult } from './stack.js';
import { startSimulator, type SimulatorOptions } from '../../src/simulator/index.js';
// @ts-expect-error the build script is plain JavaScript
import { zodEnglishOnly } from '../../scripts/zod-english-only.mjs';

export { haveChromium } from './browser.js';

/**
 * A test MCP Apps host: the server (MCP client in this process) and a page in Debian's Chromium
 * whose AppBridge renders each view in a sandboxed iframe. The page is set from memory and every
 * view is a srcdoc: a request of any kind is a leak (see `requests`). The server is composed in
 * this process (the views and the browser are what these tests are about); `process: true` spawns
 * the built server over stdio instead, as a host would run it.
 */
/** Screenshots of the views, with SWAS_TEST_SCREENSHOTS=1 (gitignored with the rest of test-output/). */
export const SCREENSHOTS = resolve(__dirname, '../../test-output/apps');

/** The client capability of a host that renders MCP App views. */
export const UI_HOST_CAPABILITIES = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } } as ClientCapabilities;

export interface AppHost {
  stack: Stack;
  page: Page;
  /** Every URL the page or a view requested: expected to stay empty. */
  requests: string[];
  /** Console errors and uncaught exceptions of the page and the views (CSP refusals land here). */
  errors: string[];
  /** The tools the host would hand a model: app-only tools left out. */
  modelTools(): Tool[];
  /** The tools a view asked the host to call, in order (refused ones included). */
  viewCalls: Array<{ view: string; name: string; arguments: Record<string, unknown>; refused?: string }>;
  /** Makes the model's call, then renders the view the tool names with that call's input and result. */
  show(view: string, call: { name: string; arguments: Record<string, unknown> }, ctx?: HostLook): Promise<{ frame: FrameLocator; result: ToolResult }>;
  setLook(view: string, ctx: HostLook): Promise<void>;
  closeView(view: string): Promise<void>;
  /** The view's answers to a host's `ping` and to a request of a method it does not know. */
  probeView(view: string): Promise<{ ping: unknown; unknown: unknown }>;
  /** Saves the view as test-output/apps/<view>-<theme>.png with SWAS_TEST_SCREENSHOTS=1 (returns its path); else does nothing. */
  screenshot(view: string, theme: 'light' | 'dark'): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface HostLook { theme: 'light' | 'dark'; locale?: string }

/** The view's page background as Chromium computed it: the look, checked without a screenshot. */
export function backgroundOf(frame: FrameLocator): Promise<string> {
  return frame.locator('body').evaluate((b) => b.ownerDocument.defaultView!.getComputedStyle(b).backgroundColor);
}

/** The views' own page background in the light and the dark theme (views/shared/base.css), when the host sets no style variables. */
export const LIGHT_BACKGROUND = 'rgb(255, 255, 255)';
export const DARK_BACKGROUND = 'rgb(23, 25, 29)';

/** What test/apps/host-page.ts puts on its window (that file is compiled for the browser). */
interface HostWindow {
  renderView(o: { view: string; html: string; toolArgs: Record<string, unknown>; toolResult: unknown; hostContext: { theme: string; locale: string; toolInfo?: { tool: unknown } } }): Promise<void>;
  setViewContext(view: string, ctx: { theme: string; locale: string }): void;
  closeView(view: string): Promise<void>;
  closeAllViews(): Promise<void>;
  probeView(view: string): Promise<{ ping: unknown; unknown: unknown }>;
}

const HOST_PAGE = resolve(__dirname, '../apps/host-page.ts');
const ZOD_ENGLISH_ONLY = resolve(__dirname, '../../scripts/zod-english-only.mjs');
let hostScript: Promise<string> | undefined;
/**
 * The host page for the browser, bundled once and kept under node_modules/.cache (esbuild costs
 * ~0.3 s of CPU a worker), named by the hash of its source, of the lockfile (its dependencies) and
 * of the build's options. Minified and with zod's English messages only, as the server is built
 * (scripts/build.mjs): 0.4 MB instead of 1.2 MB, which saves each host page ~0.2 s of
 * Chromium CPU to parse and compile it.
 */
function bundleHostPage(): Promise<string> {
  hostScript ??= (async () => {
    const options = { bundle: true, write: false, format: 'iife', platform: 'browser', target: 'chrome110', minify: true, legalComments: 'none', logLevel: 'warning' } as const;
    const hash = createHash('sha256').update(readFileSync(HOST_PAGE)).update(readFileSync(resolve(__dirname, '../../package-lock.json')))
      .update(JSON.stringify(options)).update(readFileSync(ZOD_ENGLISH_ONLY)).digest('hex').slice(0, 16);
    const cached = resolve(__dirname, `../../node_modules/.cache/swas-test-host/host-page-${hash}.js`);
    if (existsSync(cached)) return readFileSync(cached, 'utf8');
    const r = await build({ entryPoints: [HOST_PAGE], ...options, plugins: [zodEnglishOnly as Plugin] });
    const text = r.outputFiles[0]!.text;
    mkdirSync(dirname(cached), { recursive: true });
    // Written aside and renamed: a worker reading it meanwhile sees all of it or nothing.
    const part = `${cached}.${process.pid}.part`;
    writeFileSync(part, text);
    renameSync(part, cached);
    return text;
  })();
  return hostScript;
}

/** The server in this process, reached over the in-memory transport, by a client declaring UI hosting. */
async function startInProcessStack(opts: { sim?: SimulatorOptions; env?: Record<string, string> }): Promise<Stack> {
  const sim = await startSimulator({ imageReadyMs: 400, snapshotReadyMs: 400, ...opts.sim });
  try {
    const client = testClient('apps-test-host', { capabilities: UI_HOST_CAPABILITIES });
    const server = await serveInProcess(client, isolatedEnv({
      ...SIM_CREDENTIALS, SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', SWAS_MCP_POLL_INTERVAL_MS: '100', ...opts.env,
    }));
    return { client, sim, stderr: () => server.stderr(), close: async () => { await server.close(); await sim.stop(); } };
  } catch (err) {
    await sim.stop();
    throw err;
  }
}

/** A view's call to a tool, as the host page passes it to the Node half. */
interface ViewCall { name: string; arguments?: Record<string, unknown> }

/** The host that has the page now: where the page's tool calls, requests and errors go. */
interface Tenant {
  callTool(view: string, params: ViewCall): Promise<CallToolResult>;
  requests: string[];
  errors: string[];
}

/**
 * A page of Chromium with the host page loaded; `claimed` from the moment a host takes it (before its
 * server has started), `tenant` once that host routes the page's calls, requests and errors.
 */
interface HostPage { context: BrowserContext; page: Page; claimed: boolean; tenant?: Tenant }

const VIEWPORT = { width: 940, height: 700 };

async function openHostPage(): Promise<HostPage> {
  const context = await newChromiumContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    const hp: HostPage = { context, page, claimed: false };
    page.on('request', (r) => { hp.tenant?.requests.push(r.url()); });
    page.on('console', (m) => { if (m.type() === 'error') hp.tenant?.errors.push(m.text()); });
    page.on('pageerror', (e) => { hp.tenant?.errors.push(e.message); });
    await page.exposeFunction('hostCallTool', async (view: string, params: ViewCall) => {
      if (!hp.tenant) throw new Error('no host has this page');
      return hp.tenant.callTool(view, params);
    });
    await page.setContent(`<!doctype html><html><head><title>test host</title></head><body style="margin:8px"><script>${await bundleHostPage()}</script></body></html>`);
    return hp;
  } catch (err) {
    await context.close();
    throw err;
  }
}

let sharedPage: Promise<HostPage> | undefined;

/**
 * The worker's host page, kept from one host to the next (the suite runs with isolate: false), or a
 * page of its own for a host started while another has it. A host page costs Chromium ~0.6 s of
 * CPU (a context, a page, the host script parsed and run); a host closes its views when it is done,
 * so the next one starts from the same empty page as a new one would.
 */
async function claimHostPage(): Promise<{ hp: HostPage; shared: boolean }> {
  const hp = await (sharedPage ??= openHostPage()).catch((err: unknown) => { sharedPage = undefined; throw err; });
  if (hp.page.isClosed() || !hp.context.browser()?.isConnected()) {
    sharedPage = undefined;
    return claimHostPage();
  }
  if (hp.claimed) return { hp: await openHostPage(), shared: false };
  hp.claimed = true;
  return { hp, shared: true };
}

/** Gives the page back, emptied of views; a page that cannot be emptied is closed, not kept. */
async function releaseHostPage(hp: HostPage, shared: boolean): Promise<void> {
  const emptied = shared && await hp.page.evaluate(() => (globalThis as unknown as HostWindow).closeAllViews()).then(() => true, () => false);
  hp.tenant = undefined;
  hp.claimed = false;
  if (emptied) return;
  if (shared) sharedPage = undefined;
  await hp.context.close();
}

export async function startAppHost(opts: { sim?: SimulatorOptions; env?: Record<string, string>; process?: boolean } = {}): Promise<AppHost> {
  // The server and the page start side by side: neither needs the other until a view is shown.
  // As a host that renders MCP Apps declares it (ext-apps' getUiCapability reads this).
  const [stackStarted, pageClaimed] = await Promise.allSettled([
    opts.process ? startStack({ ...opts, capabilities: UI_HOST_CAPABILITIES }) : startInProcessStack(opts),
    claimHostPage(),
  ]);
  if (stackStarted.status === 'rejected' || pageClaimed.status === 'rejected') {
    if (stackStarted.status === 'fulfilled') await stackStarted.value.close();
    if (pageClaimed.status === 'fulfilled') await releaseHostPage(pageClaimed.value.hp, pageClaimed.value.shared);
    throw stackStarted.status === 'rejected' ? stackStarted.reason : (pageClaimed as PromiseRejectedResult).reason;
  }
  const stack = stackStarted.value;
  const { hp, shared } = pageClaimed.value;
  const { page } = hp;
  try {
    const tools = (await stack.client.listTools()).tools;
    const byName = new Map(tools.map((t) => [t.name, t]));
    const requests: string[] = [];
    const errors: string[] = [];
    const viewCalls: AppHost['viewCalls'] = [];
    hp.tenant = {
      requests, errors,
      async callTool(view, params) {
        const args = params.arguments ?? {};
        const tool = byName.get(params.name);
        // As a host must: a view calls only tools the server lists, and not those meant for the model alone.
        const refused = !tool ? 'not a tool of this server' : isToolVisibilityModelOnly(tool) ? 'visible to the model only' : undefined;
        viewCalls.push({ view, name: params.name, arguments: args, ...(refused ? { refused } : {}) });
        if (refused) return { content: [{ type: 'text', text: `Refused: ${params.name} is ${refused}.` }], isError: true };
        return stack.client.callTool({ name: params.name, arguments: args }) as Promise<CallToolResult>;
      },
    };

    const host: AppHost = {
      stack, page, requests, errors, viewCalls,
      modelTools: () => tools.filter((t) => !isToolVisibilityAppOnly(t)),
      async show(view, call, look = { theme: 'light' }) {
        const tool = byName.get(call.name);
        const uri = tool && getToolUiResourceUri(tool);
        if (uri !== `ui://swas-image-mcp/${view}`) throw new Error(`${call.name} names view ${uri ?? 'none'}, not ${view}`);
        const result = (await stack.client.callTool(call)) as ToolResult;
        const read = await stack.client.readResource({ uri });
        const content = read.contents[0];
        if (!content || !('text' in content)) throw new Error(`${uri} has no text`);
        // Serialized by hand: Playwright's argument types recurse too deep on the SDK's result types.
        const render = JSON.stringify({
          view, html: content.text, toolArgs: call.arguments, toolResult: result,
          hostContext: { theme: look.theme, locale: look.locale ?? 'en-US', toolInfo: { tool } },
        });
        await page.evaluate((o) => (globalThis as unknown as HostWindow).renderView(JSON.parse(o)), render);
        return { frame: page.frameLocator(`#view-${view}`), result };
      },
      async setLook(view, look) {
        await page.evaluate(([v, l]) => (globalThis as unknown as HostWindow).setViewContext(v, { theme: l.theme, locale: l.locale ?? 'en-US' }), [view, look] as const);
      },
      async closeView(view) { await page.evaluate((v) => (globalThis as unknown as HostWindow).closeView(v), view); },
      probeView: (view) => page.evaluate((v) => (globalThis as unknown as HostWindow).probeView(v), view),
      async screenshot(view, theme) {
        if (!takeScreenshots) return undefined;
        mkdirSync(SCREENSHOTS, { recursive: true });
        const path = join(SCREENSHOTS, `${view}-${theme}.png`);
        await page.locator(`#view-${view}`).screenshot({ path });
        return path;
      },
      async close() { await releaseHostPage(hp, shared); await stack.close(); },
    };
    return host;
  } catch (err) {
    await releaseHostPage(hp, shared);
    await stack.close();
    throw err;
  }
}
