import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Client, JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { call, isolatedEnv, SERVER_ENTRY } from '../helpers/stack.js';
import { testClient } from '../helpers/test-client.js';

const R = DEMO.region;
const SECRET = 'SeCrEt-zq8Xv-never-log-me';
const TOKEN = 'StsToKeN-zq8Xv-never-log-me';
const FORBIDDEN = [SECRET, TOKEN, 'ACS3-HMAC-SHA256', 'Signature='];
const KEY_ID = 'test-sts-key-id';
const createArgs = (name: string) => ({ RegionId: R, InstanceId: DEMO.blogServerId, SystemSnapshotId: DEMO.blogSystemSnapshotId, ImageName: name });

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ keys: [{ accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN }], imageReadyMs: 200 });
});
afterAll(async () => { await sim?.stop(); });

const stsEnv = () => isolatedEnv({
  SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: R, LOG_LEVEL: 'trace',
  ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET, ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN,
  // The hung call below ends after the budget: short, as it only has to end in RequestTimeout.
  SWAS_MCP_RETRY_BUDGET_MS: '1500', SWAS_MCP_REQUEST_TIMEOUT_MS: '600',
});

/**
 * The built server as a raw process whose stdout lines are all kept: the SDK client talks to it
 * through this transport (its requests have numeric IDs), and a test can also write any line to
 * stdin and wait for the answer to its own request (string IDs), which the client never sees.
 */
class RecordedStdio implements Transport {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every line the server wrote to stdout, as written. */
  readonly lines: string[] = [];
  stderr = '';
  private readonly waiters = new Set<() => void>();
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [SERVER_ENTRY], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); for (const w of this.waiters) w(); });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.lines.push(line);
      for (const w of this.waiters) w();
      let msg: { id?: unknown; method?: unknown };
      try { msg = JSON.parse(line) as typeof msg; } catch { return; } // stays in `lines`, where the test finds it
      if (typeof msg.id === 'number' || typeof msg.method === 'string') this.onmessage?.(msg as JSONRPCMessage);
    });
    this.child.on('exit', () => this.onclose?.());
  }

  async start(): Promise<void> {}
  async send(message: JSONRPCMessage): Promise<void> { this.sendLine(JSON.stringify(message)); }
  async close(): Promise<void> { this.child.stdin.end(); }
  sendLine(line: string): void { this.child.stdin.write(`${line}\n`); }

  /** Waits (on the server's output, not a timer) for the first line from index `from` on that `pick` takes; returns it parsed. */
  async answer(pick: (m: Record<string, unknown>) => boolean, from = 0): Promise<Record<string, unknown>> {
    for (;;) {
      for (const line of this.lines.slice(from)) {
        const m = JSON.parse(line) as Record<string, unknown>;
        if (pick(m)) return m;
      }
      await this.next();
    }
  }

  /** Waits until the server's stderr says `text` (its log is written apart from stdout, so it may come after an answer). */
  async logged(text: string): Promise<string> {
    while (!this.stderr.includes(text)) await this.next();
    return this.stderr;
  }

  private next(): Promise<void> {
    return new Promise<void>((resolve) => {
      const w = () => { this.waiters.delete(w); resolve(); };
      this.waiters.add(w);
    });
  }

  /** Waits (on the server's output, not a timer) until it has answered the request with this ID. */
  async answered(id: string): Promise<void> {
    const has = () => this.lines.some((l) => l.includes(`"id":${JSON.stringify(id)}`));
    while (!has()) await this.next();
  }
}

// One process with STS credentials and trace logging serves the three describes below: the calls
// that must leak no secret, stdin that is not good JSON-RPC (each test its own request IDs and
// answers: that the process keeps serving through all of it is part of what they prove), then the
// garbage that must not bring anything but protocol onto stdout, and the end when stdin closes.
let raw: RecordedStdio;
let client: Client;
beforeAll(async () => {
  raw = new RecordedStdio(stsEnv());
  client = testClient('e2e-test');
  await client.connect(raw);
});
afterAll(async () => {
  if (raw.child.exitCode === null && raw.child.signalCode === null) {
    const exited = once(raw.child, 'exit');
    raw.child.kill('SIGKILL');
    await exited;
  }
});

describe('secrets never leave the process', () => {
  it('keeps the AccessKey secret, STS token and signatures out of results and logs', async () => {
    const texts: string[] = [];
    const record = (r: Awaited<ReturnType<typeof call>>) => { texts.push(JSON.stringify(r)); return r; };
    const ok = record(await call(client, 'create_custom_image', createArgs('secret-check')));
    expect(ok.isError).toBeFalsy();
    record(await call(client, 'create_custom_image', { ...createArgs('secret-check-2'), DryRun: true }));
    record(await call(client, 'create_custom_image', createArgs(DEMO.blogImageName + 'x')));
    record(await call(client, 'create_custom_image', { ...createArgs('x-notfound'), InstanceId: 'ffffffffffffffffffffffffffffffff' }));
    sim.faults.failNext('CreateCustomImage', 1, { status: 400, code: 'Brand.NewCode', message: 'odd' });
    record(await call(client, 'create_custom_image', createArgs('secret-check-3')));
    sim.faults.dropNext('ListInstances', 10);
    const dropped = record(await call(client, 'create_custom_image', createArgs('secret-check-4')));
    expect(dropped.structuredContent!.Error.Stage).toBe('network');
    sim.faults.clear();
    sim.faults.hangNext('ListInstances', 10);
    const hung = record(await call(client, 'create_custom_image', createArgs('secret-check-5')));
    expect(hung.structuredContent!.Error.Code).toBe('RequestTimeout');
    sim.faults.clear();
    const everything = [...texts, raw.stderr].join('\n');
    expect(raw.stderr).toContain('SWAS call');
    for (const forbidden of FORBIDDEN) expect(everything).not.toContain(forbidden);
    // The STS calls really were authenticated with the token (the simulator checks it).
    expect(sim.stats.requests().some((r) => r.accessKeyId === KEY_ID && r.status === 200)).toBe(true);
  });
});

describe('stdin that is not good JSON-RPC', () => {
  /** An error answer (taken from the lines written from `from` on) whose code or message says this. */
  const errorSaying = (from: number, what: { code?: number; message?: string }) => raw.answer((m) => {
    const error = m.error as { code?: number; message?: string } | undefined;
    return error !== undefined && (what.code === undefined || error.code === what.code) && (what.message === undefined || error.message?.includes(what.message) === true);
  }, from);

  it('answers bad JSON with -32700 and a batch or wrong jsonrpc with -32600, and keeps serving', async () => {
    const send = (msg: unknown) => raw.sendLine(typeof msg === 'string' ? msg : JSON.stringify(msg));
    let from = raw.lines.length;
    send('{"jsonrpc": "2.0", "id": "g5", "method": ');
    expect(await errorSaying(from, { code: -32700 })).toMatchObject({ id: null, error: { code: -32700 } });
    from = raw.lines.length;
    send([{ jsonrpc: '2.0', id: 'g6', method: 'tools/list' }]);
    expect(await errorSaying(from, { message: 'batches' })).toMatchObject({ error: { code: -32600 } });
    send({ jsonrpc: '1.0', id: 'g7', method: 'tools/list' });
    expect(await raw.answer((m) => m.id === 'g7')).toMatchObject({ error: { code: -32600 } });
    send({ jsonrpc: '2.0', id: 'g8', method: 'tools/list' });
    expect(((await raw.answer((m) => m.id === 'g8')).result as { tools: unknown[] }).tools.length).toBeGreaterThan(0);
  });

  it('skips a line over 10 MiB with -32600 instead of going deaf, then answers the next request', async () => {
    const from = raw.lines.length;
    raw.sendLine(JSON.stringify({ jsonrpc: '2.0', id: 'g9', method: 'tools/call', params: { name: 'list_instances', arguments: { InstanceName: 'x'.repeat(11 * 1024 * 1024) } } }));
    expect(await errorSaying(from, { message: 'too large' })).toMatchObject({ error: { code: -32600 } });
    raw.sendLine(JSON.stringify({ jsonrpc: '2.0', id: 'g10', method: 'tools/list' }));
    expect((await raw.answer((m) => m.id === 'g10')).result).toBeDefined();
    expect(await raw.logged('over the size limit')).toContain('over the size limit');
  });
});

// Last: it ends the process that served everything above.
describe('stdout carries only the protocol', () => {
  it('writes nothing but valid JSON-RPC lines, through successes, failures and garbage input, and exits cleanly (code 0, its log flushed) when stdin closes', async () => {
    const send = (msg: unknown) => raw.sendLine(typeof msg === 'string' ? msg : JSON.stringify(msg));
    send({ jsonrpc: '2.0', id: 'r2', method: 'tools/list' });
    send('this is not json');
    send({ jsonrpc: '2.0', id: 'r3', method: 'tools/call', params: { name: 'create_custom_image', arguments: createArgs('stdout-check') } });
    send({ jsonrpc: '2.0', id: 'r4', method: 'tools/call', params: { name: 'create_custom_image', arguments: { RegionId: 'x..y' } } });
    send({ jsonrpc: '2.0', id: 'r5', method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } });
    send({ jsonrpc: '2.0', id: 'r6', method: 'no/such/method' });
    send('{"jsonrpc":"2.0","id":"r7","method":"ping"');
    send({ jsonrpc: '2.0', id: 'r8', method: 'ping' });
    await raw.answered('r8');
    await raw.answered('r3');
    const exited = once(raw.child, 'close');
    raw.child.stdin.end();
    const [code] = await exited;

    // Every line of the whole run (the client's calls above too).
    expect(raw.lines.length).toBeGreaterThanOrEqual(7);
    for (const line of raw.lines) {
      const msg = JSON.parse(line) as Record<string, unknown>;
      expect(msg.jsonrpc).toBe('2.0');
      expect('result' in msg || 'error' in msg || 'method' in msg).toBe(true);
    }
    const ids = raw.lines.map((l) => (JSON.parse(l) as { id?: unknown }).id).filter((id) => typeof id === 'string');
    expect(ids).toEqual(expect.arrayContaining(['r2', 'r3', 'r4', 'r5', 'r6', 'r8']));
    expect(raw.stderr).toContain('swas-image-mcp ready on stdio');
    expect(raw.stderr).toMatch(/"reason":"stdin closed".*"msg":"shutting down"/);
    for (const forbidden of FORBIDDEN) expect(raw.lines.join('\n') + raw.stderr).not.toContain(forbidden);
    expect(code).toBe(0);
  });
});

// What the API answers to a wrong secret or an unknown key ID is explained in-process: test/integration/credential-explanations.test.ts.
// A start without credentials (its first call says what to set) is the start with unfilled MCPB
// placeholders, which the process drops before anything reads them: test/mcpb.test.ts.
