// The built server's stdio as a host meets it: told to end (SIGTERM) with calls in flight, it
// answers each and ends cleanly, its log flushed; a change whose answer never came back is
// recorded as `unknown`, not as failed, the answer says it may have been applied, and the next
// start reconciles the ledger by reading back (the client's cancel:
// test/integration/outcome-unknown.test.ts). Later in that next process's life, SIGHUP reopens the
// ledger's path. Stdin that is not good JSON-RPC, and the end when its client goes (stdin closes),
// are heard by the one process of test/e2e/protocol-and-secrets.test.ts. The API's and the
// arguments' faults are in test/integration/reliability.test.ts.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, renameSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { isolatedEnv, ledgerLines, newLedgerPath, SERVER_ENTRY, SIM_CREDENTIALS, spawnServer, textOf, type ServerHandle, type ToolResult } from '../helpers/stack.js';

/** The built server as a raw process: lines in, JSON lines out, as a host sees it. */
class RawServer {
  readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: unknown[] = [];
  private waiters: (() => void)[] = [];
  stderr = '';

  constructor(env: Record<string, string>) {
    this.proc = spawn(process.execPath, [SERVER_ENTRY], { env, stdio: 'pipe' });
    this.proc.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      this.lines.push(JSON.parse(line));
      for (const w of this.waiters.splice(0)) w();
    });
  }

  send(raw: string): void { this.proc.stdin.write(raw.endsWith('\n') ? raw : `${raw}\n`); }
  request(id: number, method: string, params: Record<string, unknown> = {}): void { this.send(JSON.stringify({ jsonrpc: '2.0', id, method, params })); }

  /** Waits for the answer with this id (events, not sleeps). */
  async answer(id: number | null, pick: (m: Record<string, unknown>) => boolean = (m) => m.id === id): Promise<Record<string, unknown>> {
    for (;;) {
      const found = this.lines.find((m) => pick(m as Record<string, unknown>));
      if (found) return found as Record<string, unknown>;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async initialize(): Promise<void> {
    this.request(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
    await this.answer(1);
    this.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  }
}

const R = DEMO.region;
interface Line { action: string; phase: string; clientToken?: string; ok?: boolean; outcome?: string; found?: string }

let server: RawServer | undefined;
let sim: Simulator | undefined;
/** The process started after the stopped one: the ledger's successor, which also hears SIGHUP. */
let next: ServerHandle | undefined;
let ledger: string;
afterEach(() => {
  if (server && server.proc.exitCode === null) server.proc.kill('SIGKILL');
  server = undefined;
});
afterAll(async () => {
  await next?.close();
  await sim?.stop();
});

// One process is stopped with two calls in flight: a wait, and a change whose answer never comes.
describe('SIGTERM while answers are awaited', () => {
  it('answers each call in flight before exiting cleanly (code 0, its log flushed): the wait with the image ID it knows; the change as "may have been applied", recorded unknown, which the next start reconciles', async () => {
    sim = await startSimulator({ imageReadyMs: 120_000 });
    ledger = newLedgerPath();
    const shares = () => ledgerLines<Line>(ledger).filter((l) => l.action === 'ModifyImageShareStatus');
    const env = isolatedEnv({
      ...SIM_CREDENTIALS, SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: R, SWAS_MCP_AUDIT_LOG: ledger, SWAS_MCP_CONSENT: 'confirm', LOG_LEVEL: 'info', SWAS_MCP_POLL_INTERVAL_MS: '50',
    });
    server = new RawServer(env);
    await server.initialize();
    server.request(20, 'tools/call', {
      name: 'create_custom_image', _meta: { progressToken: 'p1' },
      arguments: { RegionId: R, InstanceId: DEMO.blogServerId, ImageName: 'sigterm-image', Source: 'latest-snapshot', WaitForAvailable: true },
    });
    // The share is carried out at the API, but its answer never comes.
    const id = sim.state.addImage({ name: 'stopped-share', instanceId: DEMO.shopServerId }).imageId;
    sim.faults.add({ action: 'ModifyImageShareStatus', kind: 'hang', after: true });
    server.request(21, 'tools/call', { name: 'share_custom_image', arguments: { RegionId: R, ImageId: id, Operation: 'Share', Ecs: true } });
    // The first progress notification means the image exists and the wait has begun.
    await server.answer(null, (m) => m.method === 'notifications/progress');
    await vi.waitFor(() => expect(sim!.state.image(id)!.inShare).toBe(true), { timeout: 10_000 });
    server.proc.kill('SIGTERM');

    const answer = await server.answer(20);
    const result = answer.result as { isError?: boolean; structuredContent: { ImageId: string; Status: string; Notes: string[] } };
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.ImageId).toMatch(/^m-/);
    expect(result.structuredContent.Status).toBe('Creating');
    expect(result.structuredContent.Notes.join(' ')).toContain('because the server is shutting down');
    expect(result.structuredContent.Notes.join(' ')).toContain('wait_for_resources');

    const res = (await server.answer(21)).result as ToolResult;
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'OutcomeUnknown' });
    expect(textOf(res)).toMatch(/^OutcomeUnknown: ModifyImageShareStatus was sent, but the call was stopped before its answer came back/);
    expect(textOf(res)).toContain('may have been applied; check with list_custom_images');

    const [code] = await once(server.proc, 'close');
    expect(code).toBe(0);
    expect(server.stderr).toMatch(/"reason":"SIGTERM".*"msg":"shutting down"/);
    expect(shares().map((l) => l.outcome)).toEqual([undefined, 'unknown']);

    // A new process reads the unknown change back at start and records what it found.
    next = await spawnServer(env);
    await vi.waitFor(() => expect(shares()).toHaveLength(3), { timeout: 10_000 });
    expect(shares()[2]).toMatchObject({ phase: 'outcome', outcome: 'reconciled', found: 'applied', ok: true, clientToken: shares()[0]!.clientToken });
  });
});

describe('SIGHUP', () => {
  // The process started above, its ledger read back and written: log rotation comes later in its life.
  it('reopens the ledger path: after logrotate moved the file away, a new 0600 file is there at once', async () => {
    const handle = next!;
    renameSync(ledger, `${ledger}.1`);
    expect(existsSync(ledger)).toBe(false);
    process.kill(handle.pid!, 'SIGHUP');
    await vi.waitFor(() => expect(handle.stderr()).toContain('audit ledger reopened'), { timeout: 10_000 });
    expect(statSync(ledger).mode & 0o777).toBe(0o600);
  });
});
