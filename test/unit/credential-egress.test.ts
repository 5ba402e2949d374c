// Issue 8 item 16: with no credentials configured, nothing may leave the machine (no DNS, no connect).
import dns from 'node:dns';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SdkSwasApi } from '../../src/swas/client.js';
import { configuredSources } from '../../src/swas/credentials.js';

const CREDENTIAL_VARS = [
  'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALIBABA_CLOUD_PROFILE',
  'ALIBABA_CLOUD_CREDENTIALS_FILE', 'ALIBABA_CLOUD_CREDENTIALS_URI', 'ALIBABA_CLOUD_ECS_METADATA', 'ALIBABA_CLOUD_ECS_METADATA_DISABLED',
  'ALIBABA_CLOUD_ROLE_ARN', 'ALIBABA_CLOUD_OIDC_PROVIDER_ARN', 'ALIBABA_CLOUD_OIDC_TOKEN_FILE', 'HOME',
];

const isLoopback = (host: string | undefined) => host === undefined || host === 'localhost' || host === '::1' || /^127\./.test(host);

let saved: Record<string, string | undefined>;
const attempts: string[] = [];
// eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back, never called detached
const originalConnect = net.Socket.prototype.connect;
const originalLookup = dns.lookup;

// Every connection and lookup in this worker is recorded; one to a non-loopback host is stopped
// before it leaves the machine and fails like an unreachable network.
function hookEgress(): void {
  net.Socket.prototype.connect = function connect(this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const host = typeof first === 'object' && first !== null
      ? ((first as { host?: string; path?: string }).path ? 'localhost' : (first as { host?: string }).host ?? 'localhost')
      : typeof args[1] === 'string' ? args[1] : 'localhost';
    if (!isLoopback(host)) {
      attempts.push(`connect ${host}`);
      process.nextTick(() => this.destroy(Object.assign(new Error('egress blocked by the test'), { code: 'ENETUNREACH' })));
      return this;
    }
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
  (dns as { lookup: unknown }).lookup = ((hostname: string, ...rest: unknown[]) => {
    const cb = rest[rest.length - 1] as (err: Error | null) => void;
    if (!isLoopback(hostname)) {
      attempts.push(`lookup ${hostname}`);
      process.nextTick(() => cb(Object.assign(new Error('lookup blocked by the test'), { code: 'ENOTFOUND' })));
      return;
    }
    return (originalLookup as (...a: unknown[]) => void)(hostname, ...rest);
  });
}

let server: Server;
let endpoint: URL;
let requests = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ RequestId: 'r', Instances: [], TotalCount: 0 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  saved = Object.fromEntries(CREDENTIAL_VARS.map((k) => [k, process.env[k]]));
  for (const k of CREDENTIAL_VARS) delete process.env[k];
  // An empty home: no ~/.aliyun/config.json, no ~/.alibabacloud/credentials.
  process.env.HOME = mkdtempSync(join(tmpdir(), 'swas-home-'));
  attempts.length = 0;
  requests = 0;
  hookEgress();
});
afterEach(() => {
  net.Socket.prototype.connect = originalConnect;
  (dns as { lookup: unknown }).lookup = originalLookup;
  for (const k of CREDENTIAL_VARS) {
    if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
  }
});

function api(ecsMetadata?: boolean): SdkSwasApi {
  return new SdkSwasApi({
    endpoint,
    credentials: { kind: 'default-chain', ecsMetadata },
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 5_000, attemptTimeoutMs: 5_000 },
    log: pino({ level: 'silent' }),
  });
}

describe('the credential chain consults only configured sources', () => {
  it('with nothing configured (ECS metadata not disabled either), a call fails locally: no lookup, no connection', async () => {
    await expect(api().listInstances('cn-hangzhou', {})).rejects.toMatchObject({ code: 'CredentialsNotFound', stage: 'config' });
    expect(attempts).toEqual([]);
    expect(requests).toBe(0);
  });
  it('AccessKey variables are found and signed with, still with no outside traffic', async () => {
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'AKIDtest';
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'secret';
    await expect(api().listInstances('cn-hangzhou', {})).resolves.toMatchObject({ items: [] });
    expect(requests).toBe(1);
    expect(attempts).toEqual([]);
  });
  it('the ECS metadata service is asked only when a role is named or the operator enables it', async () => {
    expect(configuredSources({})).toEqual(['env', 'oidc_role_arn', 'cli_profile', 'profile']);
    expect(configuredSources({ ALIBABA_CLOUD_ECS_METADATA: 'my-role' })).toContain('ecs_ram_role');
    expect(configuredSources({}, { ecsMetadata: true })).toContain('ecs_ram_role');
    expect(configuredSources({ ALIBABA_CLOUD_ECS_METADATA: 'r', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' })).not.toContain('ecs_ram_role');
    expect(configuredSources({ ALIBABA_CLOUD_CREDENTIALS_URI: 'http://127.0.0.1:9/creds' })).toContain('credential_uri');
    // Enabled, the metadata address is contacted (and the test stops it at the door).
    await expect(api(true).listInstances('cn-hangzhou', {})).rejects.toMatchObject({ code: 'CredentialsNotFound' });
    expect(attempts.some((a) => a.includes('100.100.100.200'))).toBe(true);
  });
});
