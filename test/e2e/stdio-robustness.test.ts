// The built server's stdio as a host meets it: told to end (SIGTERM) during a wait, it answers the
// call in flight and ends cleanly, its log flushed. Stdin that is not good JSON-RPC, and the end
// when its client goes (stdin closes), are heard by the one process of
// test/e2e/protocol-and-secrets.test.ts. The API's and the arguments' faults are in
// test/integration/reliability.test.ts.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { isolatedEnv, SERVER_ENTRY, SIM_CREDENTIALS } from '../helpers/stack.js';

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

let server: RawServer | undefined;
let sim: Simulator | undefined;
afterEach(async () => {
  if (server && server.proc.exitCode === null) server.proc.kill('SIGKILL');
  await sim?.stop();
  server = undefined; sim = undefined;
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
    const [code] = await once(server.proc, 'close');
    expect(code).toBe(0);
    expect(server.stderr).toMatch(/"reason":"SIGTERM".*"msg":"shutting down"/);
  });
});
