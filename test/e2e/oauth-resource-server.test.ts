// The HTTP server as an OAuth resource server, against a real OpenID provider (oidc-provider on
// loopback) and the simulator: the built server is spawned as an operator would run it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { exportSPKI, importJWK, SignJWT, type KeyObject } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { freePort, MCP_POST_HEADERS, rawRequest, toolsCallBody } from '../helpers/nginx.js';
import { cliConfig, homeWith, profilesSimulator } from '../helpers/profiles.js';
import { startOidcProvider, type OidcProvider } from '../helpers/oidc.js';
import { ledgerLines, SERVER_ENTRY, textOf, type ToolResult } from '../helpers/stack.js';
import { testClient } from '../helpers/test-client.js';

const READ_TOOLS = ['list_instances', 'list_snapshots', 'list_custom_images', 'list_images', 'list_plans', 'wait_for_resources'];
const ALL = ['swas:read', 'swas:write', 'swas:destructive'];

let sim: Simulator;
let op: OidcProvider;
let proc: ChildProcess;
let base: string;
let stderr = '';
let ledger: string;
const issued: string[] = [];

interface Replica { proc: ChildProcess; base: string; ledger: string; stderr: () => string }

/** The built server over HTTP with OAuth from the test provider, as an operator would start it. */
async function spawnReplica(port: number, env: Record<string, string>): Promise<Replica> {
  const dir = mkdtempSync(join(tmpdir(), 'swas-oauth-'));
  const replicaLedger = join(dir, 'audit.jsonl');
  const keyFile = join(dir, 'consent.key');
  writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [SERVER_ENTRY, '--http', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '', HOME: dir, USERPROFILE: dir,
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', ALIBABA_CLOUD_CREDENTIALS_URI: 'http://127.0.0.1:9/',
      SWAS_MCP_POLL_INTERVAL_MS: '50', SWAS_MCP_OAUTH_ISSUER: op.issuer, SWAS_MCP_PUBLIC_URL: `${url}/mcp`,
      SWAS_MCP_CONSENT_KEY_FILE: keyFile, SWAS_MCP_CONSENT: 'confirm', SWAS_MCP_AUDIT_LOG: replicaLedger,
      LOG_LEVEL: 'info', SWAS_MCP_RETRY_BASE_DELAY_MS: '5',
      ...env,
    },
  });
  let text = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((ready, fail) => {
    child.stderr!.on('data', (d: Buffer) => { text += d.toString(); if (text.includes('ready on HTTP')) ready(); });
    void exited.then(() => fail(new Error(`server exited before listening:\n${text}`)));
  });
  return { proc: child, base: url, ledger: replicaLedger, stderr: () => text };
}

beforeAll(async () => {
  sim = await startSimulator({ imageReadyMs: 0, snapshotReadyMs: 0, imageDeleteMs: 0 });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  op = await startOidcProvider({ resource: `${base}/mcp`, agents: ['ops-bot', 'reader-bot'], users: ['alice', 'bob'] });
  const r = await spawnReplica(port, {
    ALIBABA_CLOUD_ACCESS_KEY_ID: SIM_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SIM_ACCESS_KEY_SECRET,
    ALIBABA_CLOUD_REGION_ID: DEMO.region, SWAS_ENDPOINT: sim.url, SWAS_MCP_ALLOW_DESTRUCTIVE: 'true',
  });
  proc = r.proc;
  ledger = r.ledger;
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  stderr = r.stderr();
});

afterAll(async () => {
  proc?.kill('SIGKILL');
  await op?.stop();
  await sim?.stop();
  // No token ever reaches the log or the ledger.
  const ledgerText = existsSync(ledger) ? readFileSync(ledger, 'utf8') : '';
  for (const t of issued) {
    expect(stderr).not.toContain(t.split('.')[2]);
    expect(ledgerText).not.toContain(t.split('.')[2]);
  }
});

async function token(scopes: string[], clientId = 'ops-bot'): Promise<string> {
  const t = await op.token({ clientId, scopes });
  issued.push(t);
  return t;
}

async function login(user: string, scopes: string[], resource?: string): Promise<string> {
  const { accessToken } = await op.login(user, { scopes, ...(resource ? { resource } : {}) });
  issued.push(accessToken);
  return accessToken;
}

async function connect(bearer: string, at = base): Promise<Client> {
  const client = testClient('oauth-test');
  await client.connect(new StreamableHTTPClientTransport(new URL(`${at}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } }));
  return client;
}

const post = (body: string, bearer?: string) => rawRequest(`${base}/mcp`, {
  method: 'POST', body, headers: { ...MCP_POST_HEADERS, ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
});

const logLines = (): Record<string, unknown>[] => stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
/** Resolves once the server's log holds lines that satisfy `enough` (log lines are written when a response closes). */
function logsUntil(enough: (lines: Record<string, unknown>[]) => boolean): Promise<Record<string, unknown>[]> {
  return new Promise((resolve) => {
    const check = () => {
      const lines = logLines();
      if (!enough(lines)) return false;
      proc.stderr!.off('data', check);
      resolve(lines);
      return true;
    };
    if (!check()) proc.stderr!.on('data', check);
  });
}
const metadataUrl = () => `${base}/.well-known/oauth-protected-resource/mcp`;

describe('protected-resource metadata (RFC 9728)', () => {
  it('is served at the bare and the /mcp path-suffixed well-known paths, without a token', async () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const res = await rawRequest(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({
        resource: `${base}/mcp`,
        authorization_servers: [op.issuer],
        scopes_supported: ['swas:read', 'swas:write', 'swas:destructive', 'swas:approve'],
        bearer_methods_supported: ['header'],
      });
    }
  });

  it('a request without a token gets 401 pointing at the metadata, with no error code', async () => {
    const before = sim.stats.requests().length;
    const res = await post(toolsCallBody('list_instances', { RegionId: DEMO.region }));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(`Bearer resource_metadata="${metadataUrl()}"`);
    expect(sim.stats.requests().length).toBe(before);
  });
});

describe('tokens that are refused: 401 invalid_token, nothing read', () => {
  // Each is refused for its own reason (the description never quotes the token).
  const REASONS: Record<string, string> = {
    'wrong audience': 'token aud claim is not accepted',
    'wrong issuer': 'token iss claim is not accepted',
    expired: 'token expired',
    'not yet valid': 'token nbf claim is not accepted',
    'alg none': 'token algorithm is not accepted',
    'HS256 signed with the public key': 'token algorithm is not accepted',
    'unknown kid': 'token signing key is not among the issuer\'s keys',
    'no subject': 'token sub claim is not accepted',
    'a logout token type': 'token type is not an access token',
    'not a JWT': 'token is not a valid signed JWT',
  };

  async function forged(): Promise<Record<string, string>> {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'mallory', client_id: 'ops-bot', scope: ALL.join(' '), aud: `${base}/mcp`, iss: op.issuer, iat: now, exp: now + 300 };
    const publicKey = await importJWK(op.publicJwk, 'RS256') as KeyObject;
    const pem = await exportSPKI(publicKey);
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const foreign = await op.foreignKey();
    return {
      'wrong audience': await op.token({ clientId: 'ops-bot', scopes: ALL, resource: 'http://127.0.0.1:1/other' }),
      'wrong issuer': await op.sign({ ...claims, iss: 'http://127.0.0.1:2/evil' }),
      expired: await op.sign({ ...claims, iat: now - 7200, exp: now - 3600 }),
      'not yet valid': await op.sign({ ...claims, nbf: now + 3600 }),
      'alg none': `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`,
      'HS256 signed with the public key': await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: op.publicJwk.kid! }).sign(new TextEncoder().encode(pem)),
      'unknown kid': await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: foreign.kid }).sign(foreign.privateKey),
      'no subject': await op.sign({ ...claims, sub: undefined }),
      'a logout token type': await op.sign(claims, { typ: 'logout+jwt' }),
      'not a JWT': 'abc.def',
    };
  }

  it('each one: 401 with error="invalid_token" and resource_metadata, and the simulator sees no request', async () => {
    const tokens = await forged();
    issued.push(...Object.values(tokens).filter((t) => t.split('.').length === 3 && t.split('.')[2] !== ''));
    const before = sim.stats.requests().length;
    for (const [what, t] of Object.entries(tokens)) {
      const res = await post(toolsCallBody('list_instances', { RegionId: DEMO.region }), t);
      expect(res.status, what).toBe(401);
      expect(res.headers['www-authenticate'], what).toMatch(/^Bearer error="invalid_token", error_description="[^"]+", resource_metadata="/);
      expect(res.headers['www-authenticate'], what).toContain(`resource_metadata="${metadataUrl()}"`);
      expect(/error_description="([^"]*)"/.exec(String(res.headers['www-authenticate']))?.[1], what).toBe(REASONS[what]);
    }
    expect(sim.stats.requests().length).toBe(before);
    const isRefusal = (l: Record<string, unknown>) => l.msg === 'http request' && l.status === 401 && String(l.refused).startsWith('invalid_token');
    const lines = await logsUntil((ls) => ls.filter(isRefusal).length >= Object.keys(tokens).length);
    expect(lines.filter(isRefusal).every((l) => l.subject === undefined)).toBe(true);
  });
});

describe('scopes', () => {
  it('a read-scoped token lists the read tools only, and a delete answers 403 insufficient_scope naming swas:destructive', async () => {
    const reader = await token(['swas:read'], 'reader-bot');
    const client = await connect(reader);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...READ_TOOLS].sort());
    const listed = await client.callTool({ name: 'list_custom_images', arguments: { RegionId: DEMO.region } }) as ToolResult;
    expect(listed.isError, textOf(listed)).toBeFalsy();
    await client.close();

    const deletes = () => sim.stats.count('DeleteCustomImages');
    const before = deletes();
    const res = await post(toolsCallBody('delete_custom_images', { RegionId: DEMO.region, ImageIds: [DEMO.blogOldImageId] }), reader);
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(res.headers['www-authenticate']).toContain('scope="swas:destructive"');
    expect(res.headers['www-authenticate']).toContain(`resource_metadata="${metadataUrl()}"`);
    expect(deletes()).toBe(before);
    // The issuer's keys were fetched once and cached across these requests.
    expect(op.jwksFetches()).toBe(1);
  });

  it('a write-scoped token sees the write tools, not the destructive ones; a tag call needs swas:write', async () => {
    const writer = await token(['swas:write']);
    const client = await connect(writer);
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(['create_custom_image', 'create_snapshot', 'share_custom_image', 'tag_custom_images']);
    await client.close();
    const res = await post(toolsCallBody('tag_custom_images', { RegionId: DEMO.region, ImageIds: [DEMO.blogImageId], Tags: [{ Key: 'a', Value: 'b' }] }), await token(['swas:read']));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toContain('scope="swas:write"');
  });
});

describe('identity everywhere', () => {
  it('the plan says who asked, the ledger lines record requestedBy, every request log line names the subject and client', async () => {
    const alice = await login('alice', ALL);
    const client = await connect(alice);
    const args = { RegionId: DEMO.region, ImageIds: [DEMO.blogOldImageId] };
    const first = await client.callTool({ name: 'delete_custom_images', arguments: args }) as ToolResult;
    expect(first.structuredContent?.Error).toMatchObject({ Code: 'ConfirmationRequired' });
    expect(textOf(first)).toContain(`Requested by alice (client ${op.approverClientId}).`);
    expect(first.structuredContent?.Plan.Summary).toContain('Requested by alice');
    const confirmToken = first.structuredContent!.ConfirmToken as string;

    // Another user cannot use alice's consent: the token is bound to who asked.
    const bob = await connect(await login('bob', ALL));
    const stolen = await bob.callTool({ name: 'delete_custom_images', arguments: { ...args, ConfirmToken: confirmToken } }) as ToolResult;
    expect(stolen.isError).toBe(true);
    expect(sim.stats.count('DeleteCustomImages')).toBe(0);
    await bob.close();

    const done = await client.callTool({ name: 'delete_custom_images', arguments: { ...args, ConfirmToken: confirmToken } }) as ToolResult;
    expect(done.isError, textOf(done)).toBeFalsy();
    expect(sim.stats.count('DeleteCustomImages')).toBe(1);
    await client.close();

    const lines = ledgerLines(ledger).filter((l) => l.action === 'DeleteCustomImages');
    expect(lines.map((l) => l.phase)).toEqual(['intent', 'outcome']);
    for (const l of lines) expect(l.requestedBy).toEqual({ subject: 'alice', clientId: op.approverClientId });

    const calls = (ls: Record<string, unknown>[], who: string) => ls.filter((l) => l.msg === 'http request' && l.tool === 'delete_custom_images' && l.subject === who);
    const logged = await logsUntil((ls) => calls(ls, 'alice').length >= 2 && calls(ls, 'bob').length >= 1);
    for (const l of logged.filter((x) => x.msg === 'http request' && (x.subject === 'alice' || x.subject === 'bob'))) expect(l.clientId).toBe(op.approverClientId);
  });
});

describe('profiles and users (SWAS_MCP_PROFILE_USERS)', () => {
  it('a user outside a profile\'s list is refused in our error shape, naming the profile and the rule; nothing is read', async () => {
    const psim = await profilesSimulator();
    const port = await freePort();
    const home = homeWith(cliConfig(psim));
    const r = await spawnReplica(port, {
      HOME: home, USERPROFILE: home, SWAS_ENDPOINT: psim.url, SWAS_MCP_STS_ENDPOINT: psim.url,
      SWAS_MCP_PROFILES: 'prod,staging', SWAS_MCP_PROFILE_USERS: 'prod=alice;staging=*',
    });
    try {
      const resource = `${r.base}/mcp`;
      const bob = await connect(await login('bob', ['swas:read'], resource), r.base);
      const listed = await bob.callTool({ name: 'list_profiles', arguments: {} }) as ToolResult;
      expect(listed.structuredContent?.Caller).toEqual({ Subject: 'bob', ClientId: op.approverClientId });
      expect(listed.structuredContent?.Profiles.map((p: { Profile: string; Allowed: boolean }) => [p.Profile, p.Allowed])).toEqual([['prod', false], ['staging', true]]);
      expect(textOf(listed)).toContain(`Caller: bob (client ${op.approverClientId}).`);

      const before = psim.stats.requests().length;
      const res = await bob.callTool({ name: 'list_custom_images', arguments: { Profile: 'prod', RegionId: 'cn-hangzhou' } }) as ToolResult;
      expect(res.isError).toBe(true);
      expect(res.structuredContent?.Error).toMatchObject({ Code: 'ProfileNotAllowedForUser', Stage: 'config', Retryable: false });
      expect(res.structuredContent?.Error.Message).toContain('User bob');
      expect(res.structuredContent?.Error.Message).toContain('profile "prod" (SWAS_MCP_PROFILE_USERS prod=alice)');
      expect(psim.stats.requests().length).toBe(before);
      // Profile "all" is the profiles this user may use.
      const all = await bob.callTool({ name: 'list_custom_images', arguments: { Profile: 'all', RegionId: 'cn-hangzhou' } }) as ToolResult;
      expect(all.isError, textOf(all)).toBeFalsy();
      expect(all.structuredContent?.Profiles.map((p: { Profile: string }) => p.Profile)).toEqual(['staging']);
      await bob.close();

      const alice = await connect(await login('alice', ['swas:read'], resource), r.base);
      const ok = await alice.callTool({ name: 'list_custom_images', arguments: { Profile: 'prod', RegionId: 'cn-hangzhou' } }) as ToolResult;
      expect(ok.isError, textOf(ok)).toBeFalsy();
      await alice.close();
    } finally {
      r.proc.kill('SIGKILL');
      await psim.stop();
    }
  });
});
