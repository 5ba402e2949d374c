import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, InMemoryTransport, StreamableHTTPClientTransport, type ClientCapabilities } from '@modelcontextprotocol/client';
import { createMcpHandler } from '@modelcontextprotocol/server';
import pino from 'pino';
import { openLedger, type OpenedLedger } from '../../src/audit/index.js';
import { loadConfig, type Config } from '../../src/config.js';
import { ConsentSigner, LoopbackPortal, MemoryApprovalStore, type PasskeyAuthority } from '../../src/consent/index.js';
import { buildServer } from '../../src/server.js';
import { SdkSwasApi } from '../../src/swas/client.js';
import { retryPolicyFor } from '../../src/swas/retry.js';
import { SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { ToolContext } from '../../src/tools/common.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { selectTools } from '../../src/tools/registry.js';
import { testClient } from './test-client.js';
import { ledgerLines } from './stack.js';

/**
 * The real tools in this process, against the simulator over loopback HTTP, with a clock the test
 * moves and the approval page on its loopback server: a person and a model can be played apart.
 */
export interface HumanHarness {
  sim: Simulator;
  ctx: ToolContext;
  portal: LoopbackPortal;
  ledgerPath: string;
  clock: { now: number };
  /** Mutating requests that reached the simulator. */
  mutations(): string[];
  ledger(): Record<string, unknown>[];
  connect(kind: ClientKind, caps?: ClientCapabilities, onElicit?: ElicitHandler): Promise<Client>;
  close(): Promise<void>;
}

/** legacy: a 2025-11-25 session (like stdio); modern: 2026-07-28 over HTTP; stateless: 2025 over stateless HTTP. */
export type ClientKind = 'legacy' | 'modern' | 'stateless';
export type ElicitHandler = (params: Record<string, unknown>) => Promise<{ action: 'accept' | 'decline' | 'cancel'; content?: Record<string, string | number | boolean | string[]> }>;

const READS = /^(List|Describe)/;

export async function humanHarness(env: Record<string, string> = {}, passkeys?: PasskeyAuthority): Promise<HumanHarness> {
  const sim = await startSimulator({ imageReadyMs: 100, snapshotReadyMs: 100 });
  const dir = mkdtempSync(join(tmpdir(), 'swas-human-'));
  const ledgerPath = join(dir, 'audit.jsonl');
  const config: Config = loadConfig(['--allow-destructive'], {
    HOME: dir, SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', SWAS_MCP_AUDIT_LOG: ledgerPath,
    SWAS_MCP_POLL_INTERVAL_MS: '50', SWAS_MCP_RETRY_BASE_DELAY_MS: '5', SWAS_MCP_PASSKEY_FILE: join(dir, 'passkeys.json'), ...env,
  });
  const log = pino({ level: 'silent' });
  const clock = { now: Date.now() };
  const now = () => clock.now;
  const api = new SdkSwasApi({
    endpoint: new URL(sim.url), credentials: { kind: 'static', accessKeyId: SIM_ACCESS_KEY_ID, accessKeySecret: SIM_ACCESS_KEY_SECRET },
    retry: retryPolicyFor(config), log, defaultRegionId: 'cn-hangzhou',
  });
  const ledger: OpenedLedger = await openLedger(ledgerPath);
  const portal = new LoopbackPortal({ store: new MemoryApprovalStore(), log, now, ...(passkeys ? { passkeys } : {}) });
  const ctx: ToolContext = { api, config, log, simulated: false, ledger, consent: ConsentSigner.random(), approvals: portal, now };
  const tools = selectTools(ALL_TOOLS, { readOnly: false, allowDestructive: true, allowPurchase: config.allowPurchase });
  const cleanups: (() => Promise<void>)[] = [];

  async function connect(kind: ClientKind, caps: ClientCapabilities = {}, onElicit?: ElicitHandler): Promise<Client> {
    const client = testClient(`model-${kind}`, {
      capabilities: caps,
      ...(kind === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' as const } } } : {}),
    });
    if (onElicit) client.setRequestHandler('elicitation/create', async (r) => onElicit(r.params as Record<string, unknown>));
    if (kind === 'legacy') {
      const [c, s] = InMemoryTransport.createLinkedPair();
      const server = buildServer(ctx, tools);
      await server.connect(s);
      await client.connect(c);
      cleanups.push(async () => { await client.close(); await server.close(); });
    } else {
      const handler = createMcpHandler(() => buildServer(ctx, tools), { legacy: 'stateless' });
      await client.connect(new StreamableHTTPClientTransport(new URL('http://localhost:9/mcp'), {
        fetch: (url, init) => handler.fetch(new Request(url, init)),
      }));
      cleanups.push(async () => { await client.close(); });
    }
    return client;
  }

  return {
    sim, ctx, portal, ledgerPath, clock, connect,
    mutations: () => sim.stats.requests().map((r) => r.action).filter((a) => !READS.test(a)),
    ledger: () => (ledgerLines(ledgerPath)),
    close: async () => {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
      await portal.close();
      await ledger.close();
      await sim.stop();
    },
  };
}

/** What a person does on the approval page: read it, then press a button (a form POST, as the browser sends it). */
export async function personDecides(url: string, decision: 'approve' | 'decline'): Promise<{ page: string; status: number; answer: string }> {
  const page = await (await fetch(url)).text();
  const digest = /name="digest" value="([0-9a-f]{64})"/.exec(page)?.[1] ?? '';
  const res = await fetch(url, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: new URL(url).origin },
    body: new URLSearchParams({ decision, digest }).toString(),
  });
  return { page, status: res.status, answer: await res.text() };
}
