import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { call, isolatedEnv, SERVER_ENTRY, spawnServer, textOf } from '../helpers/stack.js';

const R = DEMO.region;
const SECRET = 'SeCrEt-zq8Xv-never-log-me';
const TOKEN = 'StsToKeN-zq8Xv-never-log-me';
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

describe('stdout carries only the protocol', () => {
  it('writes nothing but valid JSON-RPC lines, through successes, failures and garbage input', async () => {
    const child = spawn(process.execPath, [SERVER_ENTRY], { env: stsEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const send = (msg: unknown) => child.stdin.write(`${typeof msg === 'string' ? msg : JSON.stringify(msg)}\n`);
    const answered = (id: number) => new Promise<void>((resolve) => {
      const check = () => (stdout.split('\n').some((l) => l.includes(`"id":${id}`)) ? resolve() : setTimeout(check, 20));
      check();
    });

    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    await answered(1);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    send('this is not json');
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'create_custom_image', arguments: createArgs('stdout-check') } });
    send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'create_custom_image', arguments: { RegionId: 'x..y' } } });
    send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } });
    send({ jsonrpc: '2.0', id: 6, method: 'no/such/method' });
    send('{"jsonrpc":"2.0","id":7,"method":"ping"');
    send({ jsonrpc: '2.0', id: 8, method: 'ping' });
    await answered(8);
    await answered(3);
    child.stdin.end();
    await new Promise((resolve) => child.on('exit', resolve));

    const lines = stdout.split('\n').filter((l) => l.length > 0);
    expect(lines.length).toBeGreaterThanOrEqual(7);
    for (const line of lines) {
      const msg = JSON.parse(line) as Record<string, unknown>;
      expect(msg.jsonrpc).toBe('2.0');
      expect('result' in msg || 'error' in msg || 'method' in msg).toBe(true);
    }
    const ids = lines.map((l) => (JSON.parse(l) as { id?: number }).id).filter((id) => id !== undefined);
    expect(ids).toEqual(expect.arrayContaining([1, 2, 3, 4, 5, 6, 8]));
    expect(stderr).toContain('swas-image-mcp ready on stdio');
    expect(child.exitCode).toBe(0);
  });
});

describe('secrets never leave the process', () => {
  it('keeps the AccessKey secret, STS token and signatures out of results and logs', async () => {
    const server = await spawnServer(stsEnv());
    const texts: string[] = [];
    const record = (r: Awaited<ReturnType<typeof call>>) => { texts.push(JSON.stringify(r)); return r; };
    try {
      const ok = record(await call(server.client, 'create_custom_image', createArgs('secret-check')));
      expect(ok.isError).toBeFalsy();
      record(await call(server.client, 'create_custom_image', { ...createArgs('secret-check-2'), DryRun: true }));
      record(await call(server.client, 'create_custom_image', createArgs(DEMO.blogImageName + 'x')));
      record(await call(server.client, 'create_custom_image', { ...createArgs('x-notfound'), InstanceId: 'ffffffffffffffffffffffffffffffff' }));
      sim.faults.failNext('CreateCustomImage', 1, { status: 400, code: 'Brand.NewCode', message: 'odd' });
      record(await call(server.client, 'create_custom_image', createArgs('secret-check-3')));
      sim.faults.dropNext('ListInstances', 10);
      const dropped = record(await call(server.client, 'create_custom_image', createArgs('secret-check-4')));
      expect(dropped.structuredContent!.Error.Stage).toBe('network');
      sim.faults.clear();
      sim.faults.hangNext('ListInstances', 10);
      const hung = record(await call(server.client, 'create_custom_image', createArgs('secret-check-5')));
      expect(hung.structuredContent!.Error.Code).toBe('RequestTimeout');
      sim.faults.clear();
    } finally {
      await server.close();
    }
    const everything = [...texts, server.stderr()].join('\n');
    expect(server.stderr()).toContain('SWAS call');
    for (const forbidden of [SECRET, TOKEN, 'ACS3-HMAC-SHA256', 'Signature=']) {
      expect(everything).not.toContain(forbidden);
    }
    // The STS calls really were authenticated with the token (the simulator checks it).
    expect(sim.stats.requests().some((r) => r.accessKeyId === KEY_ID && r.status === 200)).toBe(true);
  });
});

// What the API answers to a wrong secret or an unknown key ID is explained in-process: test/integration/credential-explanations.test.ts.
describe('credential problems are explained', () => {
  it('starts and lists tools without credentials, then explains what to set on the first call', async () => {
    const server = await spawnServer(isolatedEnv({ SWAS_ENDPOINT: sim.url }));
    try {
      const tools = await server.client.listTools();
      expect(tools.tools.map((t) => t.name)).toContain('create_custom_image');
      const before = sim.stats.requests().length;
      const res = await call(server.client, 'create_custom_image', createArgs('no-creds'));
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/^CredentialsNotFound: /);
      expect(textOf(res)).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
      expect(textOf(res)).toContain('--simulate');
      expect(res.structuredContent!.Error.Stage).toBe('config');
      expect(sim.stats.requests().length).toBe(before);
    } finally {
      await server.close();
    }
  });

  it('treats credentials left as unfilled MCPB placeholders as missing, not as a key to sign with', async () => {
    const server = await spawnServer(isolatedEnv({
      SWAS_ENDPOINT: sim.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: '${user_config.access_key_id}', ALIBABA_CLOUD_ACCESS_KEY_SECRET: '${user_config.access_key_secret}',
    }));
    try {
      const before = sim.stats.requests().length;
      const res = await call(server.client, 'create_custom_image', createArgs('placeholder-creds'));
      expect(textOf(res)).toMatch(/^CredentialsNotFound: /);
      expect(sim.stats.requests().length).toBe(before);
    } finally {
      await server.close();
    }
  });
});
