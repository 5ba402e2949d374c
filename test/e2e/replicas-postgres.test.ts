// Two built replicas (`dist/index.js --http`) behind nginx, and two more started later, sharing one
// PostgreSQL (Debian's, started on a temporary data directory) and one simulator: the record every
// replica shares.
// An approval decided on one replica is used by a call on another; two concurrent uses of one
// approval make one change; a replica killed between intent and outcome is reconciled by the
// start of another, once.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport, type CallToolResult } from '@modelcontextprotocol/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { personDecides } from '../helpers/human.js';
import { findNginx, freePort, startNginx, type Nginx } from '../helpers/nginx.js';
import { startOidcProvider } from '../helpers/oidc.js';
import { findPostgres, POSTGRES_MISSING, startPostgres, type Postgres } from '../helpers/postgres.js';
import { runProcess } from '../helpers/process.js';
import { isolatedEnv, SERVER_ENTRY, SIM_CREDENTIALS } from '../helpers/stack.js';
import { haveSystemPackage } from '../helpers/system.js';

// Missing under CI is an error (npm test installs both first), not a silent skip.
const have = haveSystemPackage('postgresql', findPostgres() !== undefined) && haveSystemPackage('nginx', findNginx() !== undefined);
if (!have) process.stderr.write(`${findPostgres() ? 'nginx is not installed' : POSTGRES_MISSING}; the replicas test is skipped ("npm run setup:system" installs it).\n`);

type Result = CallToolResult & { structuredContent?: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * A pass-through proxy in front of the simulator that can hold one request of an action before it
 * reaches the simulator, until the test releases it: "the change is slow to land", for exactly as
 * long as the test needs, instead of a delay guessed long enough.
 */
interface Gate { url: string; hold(action: string): { arrived: Promise<void>; release(): void }; close(): Promise<void> }
async function gateFor(target: string): Promise<Gate> {
  let held: { action: string; arrive(): void; released: Promise<void> } | undefined;
  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const up = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    up.end(body);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const gate = held;
      if (gate && req.headers['x-acs-action'] === gate.action) {
        held = undefined;
        gate.arrive();
        void gate.released.then(() => forward(req, body, res));
      } else {
        forward(req, body, res);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    hold(action) {
      let arrive!: () => void;
      let release!: () => void;
      const arrived = new Promise<void>((r) => { arrive = r; });
      held = { action, arrive, released: new Promise<void>((r) => { release = r; }) };
      return { arrived, release };
    },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
interface Replica { url: string; port: number; proc: ChildProcess; stderr(): string; exited: Promise<void> }
const R = DEMO.region;
const ACCOUNT = '5555666677778888';

describe.skipIf(!have)('replicas behind nginx sharing one PostgreSQL record', () => {
  let db: Postgres;
  let sim: Simulator;
  let nginx: Nginx;
  let keyFile: string;
  let sql: pg.Pool;
  const replicas: Replica[] = [];
  const spawned: Replica[] = [];

  async function spawnReplica(extra: Record<string, string> = {}): Promise<Replica> {
    const port = await freePort();
    const proc = spawn(process.execPath, [SERVER_ENTRY, '--http', `127.0.0.1:${port}`, '--allow-destructive'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: isolatedEnv({
        ...SIM_CREDENTIALS, SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: R, SWAS_MCP_POLL_INTERVAL_MS: '100',
        SWAS_MCP_CONSENT_KEY_FILE: keyFile, SWAS_MCP_DATABASE_URL: dbUrl(), SWAS_MCP_WAIT_TIMEOUT_MS: '200', LOG_LEVEL: 'info',
        // Were the file ledger used, it would be here: the test checks it never is.
        SWAS_MCP_AUDIT_LOG: join(keyFile, '..', `never-${port}.jsonl`), ...extra,
      }),
    });
    let stderr = '';
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    await new Promise<void>((ready, fail) => {
      proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); if (stderr.includes('ready on HTTP')) ready(); });
      void exited.then(() => fail(new Error(`replica exited before listening:\n${stderr}`)));
    });
    const r = { url: `http://localhost:${port}/mcp`, port, proc, stderr: () => stderr, exited };
    spawned.push(r);
    return r;
  }

  async function connect(url: string, bearer?: string): Promise<Client> {
    const client = new Client({ name: 'replicas-e2e', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), bearer ? { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } } : {}));
    return client;
  }
  // Trust authentication ignores the password: it is there to prove it is never logged.
  const PASSWORD = 'pw-never-logged-7f3a';
  const dbUrl = () => db.url.replace('postgres@', `postgres:${PASSWORD}@`);
  const mutations = (action: string) => sim.stats.requests().filter((r) => r.action === action).length;
  const ledgerRows = async (where: string, params: unknown[] = []) =>
    (await sql.query<{ phase: string; outcome: string | null; requested_by: string | null; entry: Record<string, unknown>; replica: string }>(
      `SELECT phase, outcome, requested_by, entry, replica FROM swas_ledger WHERE ${where} ORDER BY id`, params)).rows;

  beforeAll(async () => {
    sim = await startSimulator({ imageReadyMs: 100, snapshotReadyMs: 100 });
    // The pair's OpenID provider and gate (in this process) come up while PostgreSQL starts.
    providerAndGate().catch(() => undefined);
    db = await startPostgres();
    keyFile = join(mkdtempSync(join(tmpdir(), 'swas-replicas-')), 'consent.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'));
    chmodSync(keyFile, 0o600);
    // Started together: the migrations queue on their lock, one schema results.
    replicas.push(...await Promise.all([spawnReplica(), spawnReplica()]));
    nginx = await startNginx(replicas.map((r) => `127.0.0.1:${r.port}`));
    sql = new pg.Pool({ connectionString: db.url, max: 2 });
  }, 90_000);
  afterAll(async () => {
    await nginx?.stop();
    for (const r of spawned) { r.proc.kill('SIGTERM'); await r.exited; }
    await sql?.end();
    await sim?.stop();
    await db?.stop();
  });

  it('replicas started together migrated one schema; none opened a ledger file; the password-free URL is logged redacted', async () => {
    const { rows } = await sql.query<{ version: number }>('SELECT version FROM swas_schema_version');
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
    expect(replicas.filter((r) => r.stderr().includes('"migrated":[1,2]'))).toHaveLength(1);
    for (const r of replicas) {
      expect(r.stderr()).toContain('"msg":"shared record: PostgreSQL"');
      expect(r.stderr()).not.toContain(PASSWORD);
    }
    const { existsSync } = await import('node:fs');
    for (const r of replicas) expect(existsSync(join(keyFile, '..', `never-${r.port}.jsonl`))).toBe(false);
  });

  it('approved on one replica, carried out by a call on another; two concurrent uses of one approval make one change', async () => {
    const args = { RegionId: R, ImageId: DEMO.blogImageId, Operation: 'Share', Accounts: [ACCOUNT] };
    const [a, b] = await Promise.all(replicas.map((r) => connect(r.url)));
    try {
      const asked = await a.callTool({ name: 'share_custom_image', arguments: args }).then(() => undefined, (e: unknown) => e as { code?: number; data?: { elicitations?: { url: string }[] } });
      expect(asked?.code).toBe(-32042);
      const onA = new URL(asked!.data!.elicitations![0]!.url);
      expect(onA.port).toBe(String(replicas[0]!.port));
      // The person opens the same page on replica B: the approval and its secret are in the shared store.
      const onB = new URL(onA.pathname, `http://localhost:${replicas[1]!.port}`);
      expect((await personDecides(onB.href, 'approve')).status).toBe(200);
      expect(mutations('AddCustomImageShareAccount')).toBe(0);

      // Two retries at once, on A and on B: one consumes the approval; the other is asked again.
      // Either way the approval crossed replicas: asked on A, decided on B, used on A (or on B).
      const tries = await Promise.all([a, b].map((cl) => cl.callTool({ name: 'share_custom_image', arguments: args }).then((r) => r as Result, (e: unknown) => e as { code?: number })));
      const changed = tries.filter((t) => (t as Result).structuredContent?.Changed === true);
      expect(changed, JSON.stringify(tries)).toHaveLength(1);
      // The other either planned before the change (its approval is gone: asked again) or after it (nothing left to do).
      const other = tries.find((t) => t !== changed[0]) as Result & { code?: number };
      expect(other.code === -32042 || (other.isError !== true && other.structuredContent?.Changed === false), JSON.stringify(other)).toBe(true);
      expect(mutations('AddCustomImageShareAccount')).toBe(1);
      expect(sim.state.image(DEMO.blogImageId)!.shareAccounts.map((x) => x.userId)).toEqual([ACCOUNT]);
      const rows = await ledgerRows("action = 'AddCustomImageShareAccount'");
      expect(rows.map((r) => [r.phase, r.outcome])).toEqual([['intent', null], ['outcome', 'ok']]);
      expect(rows[0]!.entry.consent).toEqual({ channel: 'url' });
      // Static bearer token mode: no identity to record.
      expect(rows.every((r) => r.requested_by === null)).toBe(true);
    } finally {
      for (const cl of [a, b]) await cl.close();
    }
  }, 60_000);

  it('calls through nginx are recorded once in the one ledger, whichever replica answered', async () => {
    const lb = await connect(`${nginx.url}/mcp`);
    try {
      for (const op of ['Share', 'UnShare', 'Share']) {
        const r = (await lb.callTool({ name: 'share_custom_image', arguments: { RegionId: R, ImageId: DEMO.blogImageId, Ecs: true, Operation: op } })) as Result;
        expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
      }
    } finally {
      await lb.close();
    }
    const rows = await ledgerRows("action = 'ModifyImageShareStatus'");
    expect(rows.map((r) => r.phase)).toEqual(['intent', 'outcome', 'intent', 'outcome', 'intent', 'outcome']);
    expect(new Set(rows.map((r) => r.replica)).size).toBeGreaterThan(1);
    expect(mutations('ModifyImageShareStatus')).toBe(3);
  }, 60_000);

  it('"ledger export" writes the shared ledger as the file ledger\'s JSON lines, oldest first', async () => {
    const exported = await runProcess(process.execPath, [SERVER_ENTRY, 'ledger', 'export'], { env: isolatedEnv({ SWAS_MCP_DATABASE_URL: dbUrl(), LOG_LEVEL: 'warn' }) });
    expect(exported.status, exported.stderr).toBe(0);
    const out = exported.stdout;
    const { rows } = await sql.query<{ line: string }>('SELECT line FROM swas_ledger ORDER BY id');
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(out).toBe(rows.map((r) => `${r.line}\n`).join(''));
    expect(out.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { phase: string }).phase)).toContain('intent');
    expect(out).not.toContain(PASSWORD);
  });

  /**
   * Two more replicas, started together once a replica was killed between intent and outcome: they
   * are the ones whose start reconciles that change (the kill test), then serve the confirm-mode and
   * OAuth tests (confirm mode, OAuth against a real OpenID provider). Sharing an image with ECS, all
   * the OAuth test does, needs no consent in any mode. Started by whichever test asks first.
   */
  const AUDIENCE = 'https://swas.team.test/mcp';
  let provider: Promise<{ op: Awaited<ReturnType<typeof startOidcProvider>>; gate: Gate }> | undefined;
  // The first replica reaches the simulator through a gate the confirm-mode test holds.
  const providerAndGate = () => (provider ??= (async () => ({
    op: await startOidcProvider({ resource: AUDIENCE, users: ['alice', 'bob'] }), gate: await gateFor(sim.url),
  }))());
  let oauthPair: Promise<{ op: Awaited<ReturnType<typeof startOidcProvider>>; gate: Gate; pair: Replica[] }> | undefined;
  const confirmOauthPair = () => (oauthPair ??= (async () => {
    const { op, gate } = await providerAndGate();
    const env = { SWAS_MCP_CONSENT: 'confirm', SWAS_MCP_OAUTH_ISSUER: op.issuer, SWAS_MCP_OAUTH_AUDIENCE: AUDIENCE, SWAS_MCP_PUBLIC_URL: AUDIENCE };
    return { op, gate, pair: await Promise.all([spawnReplica({ ...env, SWAS_ENDPOINT: gate.url }), spawnReplica(env)]) };
  })());
  afterAll(async () => {
    const started = await provider?.catch(() => undefined);
    await started?.op.stop();
    await started?.gate.close();
  });

  // After the cases that use the first two replicas: it kills one.
  it('a replica SIGKILLed after its intent is reconciled at the start of others, recorded once', async () => {
    const inst = sim.state.addInstance({ regionId: R, instanceName: 'kill-me' });
    const image = sim.state.addImage({ instanceId: inst.instanceId, name: 'kill-image' });
    const victim = replicas[1]!;
    sim.faults.add({ action: 'ModifyImageShareStatus', kind: 'hang', after: true, times: 1 });
    const client = await connect(victim.url);
    const giveUp = new AbortController();
    const call = client.callTool({ name: 'share_custom_image', arguments: { RegionId: R, ImageId: image.imageId, Ecs: true, Operation: 'Share' } }, { signal: giveUp.signal }).catch((e: unknown) => e);
    // The simulator applied the change and holds the answer: the intent is committed, no outcome will come.
    await vi.waitFor(() => expect(sim.state.image(image.imageId)!.inShare).toBe(true), { timeout: 10_000 });
    victim.proc.kill('SIGKILL');
    await victim.exited;
    giveUp.abort(); // the agent gives up on the dead connection, as on a timeout
    await call;
    await client.close().catch(() => undefined);
    const tokenOf = async () => (await ledgerRows('$1 = ANY(resource_ids)', [image.imageId]));
    expect((await tokenOf()).map((r) => r.phase)).toEqual(['intent']);

    // Two new replicas (the confirm-mode and OAuth pair) start together: one reads the change back
    // and records it; the other finds it settled.
    const { pair: [d, e] } = await confirmOauthPair();
    await vi.waitFor(async () => {
      const rows = await tokenOf();
      expect(rows.map((r) => [r.phase, r.outcome, r.entry.found])).toEqual([['intent', null, undefined], ['outcome', 'reconciled', 'applied']]);
    }, { timeout: 20_000 });
    // The log line follows the row: waited for, then the row count above is the proof of "once".
    await vi.waitFor(() => expect([d!, e!].some((r) => r.stderr().includes('reconciled a change of unknown outcome'))).toBe(true), { timeout: 10_000 });
    expect((await tokenOf()).filter((r) => r.outcome === 'reconciled')).toHaveLength(1);
  }, 90_000);

  it('confirm mode: one ConfirmToken used on a second replica while its first use is in flight is used once (the used-token set is shared)', async () => {
    const { op, gate, pair: [x, y] } = await confirmOauthPair();
    const { accessToken } = await op.login('alice', { scopes: ['swas:read', 'swas:write'] });
    const [cx, cy] = await Promise.all([connect(x!.url, accessToken), connect(y!.url, accessToken)]);
    try {
      const args = { RegionId: R, ImageId: DEMO.blogImageId, Operation: 'Share', Accounts: ['1111222233334444'] };
      const first = (await cx.callTool({ name: 'share_custom_image', arguments: args })) as Result;
      expect(first.structuredContent?.Error).toMatchObject({ Code: 'ConfirmationRequired' });
      const token = first.structuredContent!.ConfirmToken as string;
      const before = mutations('AddCustomImageShareAccount');
      // The change is slow to land: X has claimed the token and sent its request, which the gate
      // holds before the simulator applies it, so Y still plans against the unshared image and
      // passes its own process's check: only the shared used-token set can stop it.
      const slow = gate.hold('AddCustomImageShareAccount');
      const onX = cx.callTool({ name: 'share_custom_image', arguments: { ...args, ConfirmToken: token } }) as Promise<Result>;
      await slow.arrived;
      const refused = (await cy.callTool({ name: 'share_custom_image', arguments: { ...args, ConfirmToken: token } })) as Result;
      expect((sim.state.image(DEMO.blogImageId)?.shareAccounts ?? []).map((a) => a.userId), 'Y answered after X\'s change landed: the race was not made').not.toContain('1111222233334444');
      slow.release();
      expect(refused.isError, JSON.stringify(refused.structuredContent)).toBe(true);
      expect(refused.structuredContent?.Error).toMatchObject({ Code: 'ConfirmationRequired' });
      expect(JSON.stringify(refused.content)).toMatch(/used/i);
      const done = await onX;
      expect(done.isError, JSON.stringify(done.structuredContent)).toBeFalsy();
      expect(mutations('AddCustomImageShareAccount')).toBe(before + 1);
    } finally {
      await cx.close();
      await cy.close();
    }
  }, 60_000);

  it('with OAuth, the rows name the user whose token made the call, whichever replica behind nginx took it', async () => {
    const { op, pair } = await confirmOauthPair();
    const front = await startNginx(pair.map((r) => `127.0.0.1:${r.port}`));
    try {
      const inst = sim.state.addInstance({ regionId: R, instanceName: 'who-did-it' });
      const image = sim.state.addImage({ instanceId: inst.instanceId, name: 'who-image' });
      for (const [user, op2] of [['alice', 'Share'], ['bob', 'UnShare']] as const) {
        const { accessToken } = await op.login(user, { scopes: ['swas:read', 'swas:write'] });
        const client = await connect(`${front.url}/mcp`, accessToken);
        try {
          const r = (await client.callTool({ name: 'share_custom_image', arguments: { RegionId: R, ImageId: image.imageId, Ecs: true, Operation: op2 } })) as Result;
          expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
        } finally {
          await client.close();
        }
      }
      const rows = await ledgerRows('$1 = ANY(resource_ids)', [image.imageId]);
      expect(rows.map((r) => [r.phase, r.requested_by])).toEqual([['intent', 'alice'], ['outcome', 'alice'], ['intent', 'bob'], ['outcome', 'bob']]);
      expect(rows[0]!.entry.requestedBy).toMatchObject({ subject: 'alice' });
      const byUser = await sql.query<{ n: string }>("SELECT count(*) AS n FROM swas_ledger WHERE requested_by = 'bob'");
      expect(Number(byUser.rows[0]!.n)).toBe(2);
    } finally {
      await front.stop();
    }
  }, 60_000);
});
