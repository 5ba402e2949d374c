// The built server's stdio as a host meets it: stdin that is not good JSON-RPC, and the ends of the
// process: it ends cleanly when told to (SIGTERM) or when its client goes (stdin closes), its log
// flushed. The API's and the arguments' faults are in test/integration/reliability.test.ts.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { isolatedEnv, SERVER_ENTRY, SIM_CREDENTIALS } from '../helpers/stack.js';

/** The built server as a raw process: lines in, JSON lines out, as a host sees it. */
class RawServer {
  readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: unknown[] = [];
  private waiters: (() => void)[] = [];
  private stderrWaiters: (() => void)[] = [];
  stderr = '';

  constructor(env: Record<string, string>) {
    this.proc = spawn(process.execPath, [SERVER_ENTRY], { env, stdio: 'pipe' });
    this.proc.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); for (const w of this.stderrWaiters.splice(0)) w(); });
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

  /** Waits until the server's stderr says `text` (its log is written apart from stdout, so it may come after an answer). */
  async logged(text: string): Promise<string> {
    while (!this.stderr.includes(text)) await new Promise<void>((resolve) => this.stderrWaiters.push(resolve));
    return this.stderr;
  }

  async initialize(): Promise<void> {
    this.request(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
    await this.answer(1);
    this.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  }
}

let server: RawServer | undefined;
let sim: Simulator | undefined;
afterEach(async () => {
  if (server && server.proc.exitCode === null) server.proc.kill('SIGKILL');
  await sim?.stop();
  server = undefined; sim = undefined;
});

// Info, not debug: the shutdown's own line ("shutting down") is what shows that the log is flushed on exit.
const env = (extra: Record<string, string> = {}) => isolatedEnv({ SWAS_MCP_SIMULATE: 'true', SWAS_MCP_AUDIT_LOG: 'off', LOG_LEVEL: 'info', ...extra });

describe('stdin that is not good JSON-RPC', () => {
  // One process hears every bad line below (each test its own request IDs and answers): that it
  // keeps serving through all of them is part of what they prove.
  let shared: RawServer;
  beforeAll(async () => { shared = new RawServer(env()); await shared.initialize(); });
  afterAll(async () => {
    if (shared.proc.exitCode !== null) return;
    const exited = once(shared.proc, 'exit');
    shared.proc.kill('SIGKILL');
    await exited;
  });

  it('answers bad JSON with -32700 and a batch or wrong jsonrpc with -32600, and keeps serving', async () => {
    const server = shared;
    server.send('{"jsonrpc": "2.0", "id": 5, "method": ');
    expect(await server.answer(null, (m) => (m.error as { code?: number } | undefined)?.code === -32700)).toMatchObject({ id: null, error: { code: -32700 } });
    server.send(JSON.stringify([{ jsonrpc: '2.0', id: 6, method: 'tools/list' }]));
    expect(await server.answer(null, (m) => (m.error as { message?: string } | undefined)?.message?.includes('batches') === true)).toMatchObject({ error: { code: -32600 } });
    server.send(JSON.stringify({ jsonrpc: '1.0', id: 7, method: 'tools/list' }));
    expect(await server.answer(7)).toMatchObject({ error: { code: -32600 } });
    server.request(8, 'tools/list');
    expect(((await server.answer(8)).result as { tools: unknown[] }).tools.length).toBeGreaterThan(0);
  });

  it('skips a line over 10 MiB with -32600 instead of going deaf, then answers the next request', async () => {
    const server = shared;
    const huge = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'list_instances', arguments: { InstanceName: 'x'.repeat(11 * 1024 * 1024) } } });
    server.send(huge);
    expect(await server.answer(null, (m) => (m.error as { message?: string } | undefined)?.message?.includes('too large') === true)).toMatchObject({ error: { code: -32600 } });
    server.request(10, 'tools/list');
    expect((await server.answer(10)).result).toBeDefined();
    expect(await server.logged('over the size limit')).toContain('over the size limit');
  });

  // Last: it ends the process that heard everything above.
  it('exits cleanly (code 0, its log flushed) when its client goes away', async () => {
    const server = shared;
    const exited = once(server.proc, 'exit');
    server.proc.stdin.end();
    const [code] = await exited;
    expect(code).toBe(0);
    expect(server.stderr).toMatch(/"reason":"stdin closed".*"msg":"shutting down"/);
  });
});

describe('SIGTERM during a wait', () => {
  it('answers the call in flight, with the image ID it knows, before exiting cleanly (code 0, its log flushed)', async () => {
    sim = await startSimulator({ imageReadyMs: 120_000 });
    server = new RawServer(isolatedEnv({
      ...SIM_CREDENTIALS, SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: DEMO.region, SWAS_MCP_AUDIT_LOG: 'off', LOG_LEVEL: 'info', SWAS_MCP_POLL_INTERVAL_MS: '50',
    }));
    await server.initialize();
    server.request(20, 'tools/call', {
      name: 'create_custom_image', _meta: { progressToken: 'p1' },
      arguments: { RegionId: DEMO.region, InstanceId: DEMO.blogServerId, ImageName: 'sigterm-image', Source: 'latest-snapshot', WaitForAvailable: true },
    });
    // The first progress notification means the image exists and the wait has begun.
    await server.answer(null, (m) => m.method === 'notifications/progress');
    server.proc.kill('SIGTERM');
    const answer = await server.answer(20);
    const result = answer.result as { isError?: boolean; structuredContent: { ImageId: string; Status: string; Notes: string[] } };
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.ImageId).toMatch(/^m-/);
    expect(result.structuredContent.Status).toBe('Creating');
    expect(result.structuredContent.Notes.join(' ')).toContain('because the server is shutting down');
    expect(result.structuredContent.Notes.join(' ')).toContain('wait_for_resources');
    const [code] = await once(server.proc, 'exit');
    expect(code).toBe(0);
    expect(server.stderr).toMatch(/"reason":"SIGTERM".*"msg":"shutting down"/);
  });
});
