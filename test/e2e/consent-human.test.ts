import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport, type CallToolResult } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { personDecides } from '../helpers/human.js';
import { isolatedEnv, SERVER_ENTRY, SIM_CREDENTIALS, ledgerLines } from '../helpers/stack.js';

/**
 * The built server in its default consent mode (human) over HTTP, in both eras: a person approves
 * on the approval page the HTTP server serves at /approve/, or by the client's form; the ledger
 * names the channel. (A form over stdio in both eras: test/e2e/client-eras.test.ts. The loopback
 * page of stdio mode, and every other consent path, are proven in-process:
 * test/integration/consent-human.test.ts.)
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Result = CallToolResult & { structuredContent?: Record<string, any> };
const ACCOUNT = '5555666677778888';
const share = { RegionId: DEMO.region, ImageId: DEMO.blogImageId, Operation: 'Share', Accounts: [ACCOUNT] };

let sim: Simulator | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  await sim?.stop();
  sim = undefined;
});

function ledgerAt(path: string): Record<string, unknown>[] {
  return ledgerLines(path);
}
const mutations = () => sim!.stats.requests().map((r) => r.action).filter((a) => !/^(List|Describe)/.test(a));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address() as { port: number }; srv.close(() => resolve(port)); });
  });
}

describe('HTTP mode', () => {
  it('a 2025 client over stateless HTTP gets -32042 naming /approve/ on the same server; after approval its retry completes; a 2026 form client approves too', async () => {
    sim = await startSimulator({ imageReadyMs: 100, snapshotReadyMs: 100 });
    const dir = mkdtempSync(join(tmpdir(), 'swas-human-http-'));
    const keyFile = join(dir, 'consent.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'));
    chmodSync(keyFile, 0o600);
    const ledger = join(dir, 'audit.jsonl');
    const port = await freePort();
    const proc: ChildProcess = spawn(process.execPath, [SERVER_ENTRY, '--http', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: isolatedEnv({ ...SIM_CREDENTIALS, SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: DEMO.region, SWAS_MCP_AUDIT_LOG: ledger, SWAS_MCP_CONSENT_KEY_FILE: keyFile, SWAS_MCP_WAIT_TIMEOUT_MS: '200' }),
    });
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    cleanups.push(async () => { proc.kill('SIGTERM'); await exited; });
    await new Promise<void>((resolve) => {
      let err = '';
      proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); if (err.includes('ready on HTTP')) resolve(); });
    });
    const mcp = new URL(`http://localhost:${port}/mcp`);

    const old = new Client({ name: 'old-http', version: '0' });
    await old.connect(new StreamableHTTPClientTransport(mcp));
    cleanups.push(() => old.close());
    const err = await old.callTool({ name: 'share_custom_image', arguments: share }).then(() => undefined, (e: unknown) => e as { code?: number; data?: { elicitations?: { url: string }[] } });
    expect(err?.code).toBe(-32042);
    const url = err!.data!.elicitations![0]!.url;
    expect(url.startsWith(`http://localhost:${port}/approve/`)).toBe(true);
    expect(mutations()).toEqual([]);
    expect((await personDecides(url, 'approve')).status).toBe(200);
    const r = (await old.callTool({ name: 'share_custom_image', arguments: share })) as Result;
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    expect(mutations()).toEqual(['AddCustomImageShareAccount']);
    expect(ledgerAt(ledger).find((l) => l.phase === 'intent')?.consent).toEqual({ channel: 'url' });

    const modern = new Client({ name: 'new-http', version: '0' }, { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    modern.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { confirm: true } }));
    await modern.connect(new StreamableHTTPClientTransport(mcp));
    cleanups.push(() => modern.close());
    const unshare = (await modern.callTool({ name: 'share_custom_image', arguments: { ...share, Operation: 'UnShare' } })) as Result;
    expect(unshare.isError, JSON.stringify(unshare.content)).toBeFalsy();
    expect(ledgerAt(ledger).filter((l) => l.phase === 'intent').map((l) => l.consent)).toEqual([{ channel: 'url' }, { channel: 'form' }]);
  }, 60_000);
});

describe('swas-image-mcp passkey add', () => {
  it('serves the enrollment page on localhost and names it on stderr; nothing else answers there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swas-passkey-cli-'));
    const proc = spawn(process.execPath, [SERVER_ENTRY, 'passkey', 'add'], {
      stdio: ['ignore', 'ignore', 'pipe'], env: isolatedEnv({ SWAS_MCP_PASSKEY_FILE: join(dir, 'passkeys.json') }),
    });
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    cleanups.push(async () => { proc.kill('SIGTERM'); await exited; });
    const url = await new Promise<string>((resolve) => {
      let err = '';
      proc.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /http:\/\/localhost:\d+\/passkey\/[A-Za-z0-9_-]+/.exec(err);
        if (m) resolve(m[0]);
      });
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Add a passkey');
    expect((await fetch(`${new URL(url).origin}/passkey/wrong-secret`)).status).toBe(404);
    expect(existsSync(join(dir, 'passkeys.json'))).toBe(false);
  });
});
