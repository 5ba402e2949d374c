// Built replicas (`dist/index.js --http`) behind nginx, sharing one PostgreSQL (Debian's, started on
// a temporary data directory) and one simulator, driven by the v2 MCP client: the agent story
// through the balancer in both protocol eras, one image from one request sent through three
// replicas at once, the bearer token refused everywhere, and the record every replica shares. An
// approval decided on one replica is used by a call on another; two concurrent uses of one
// approval make one change; a ConfirmToken issued by one is accepted by another, and used once.
// Their ends: one drained by SIGTERM, one killed mid-call (the client repeats through nginx), one
// killed between intent and outcome, which the start of two more reconciles, once; the last is
// stopped by a SIGTERM whose drain bound its call outlives. The nginx configuration alone, with
// in-process replicas: http-nginx.test.ts; the in-process side of the shutdown: http-shutdown.test.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CallToolResult, type Client, type Progress } from '@modelcontextprotocol/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { personDecides } from '../helpers/human.js';
import { findNginx, freePort, MCP_POST_HEADERS, rawRequest, startNginx, toolsCallBody, type Nginx } from '../helpers/nginx.js';
import { connect, refusedEverywhere, TOKEN } from '../helpers/nginx-clients.js';
import { startOidcProvider } from '../helpers/oidc.js';
import { findPostgres, POSTGRES_MISSING, startPostgres, type Postgres } from '../helpers/postgres.js';
import { runProcess } from '../helpers/process.js';
import { finishSnapshot, isolatedEnv, SERVER_ENTRY, SIM_CREDENTIALS } from '../helpers/stack.js';
import { haveSystemPackage } from '../helpers/system.js';

// Missing under CI is an error (npm test installs both first), not a silent skip.
const have = haveSystemPackage('postgresql', findPostgres() !== undefined) && haveSystemPackage('nginx', findNginx() !== undefined);
if (!have) process.stderr.write(`${findPostgres() ? 'nginx is not installed' : POSTGRES_MISSING}; the replicas test is skipped ("npm run setup:system" installs it).\n`);

type Result = CallToolResult & { structuredContent?: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
const call = async (c: Client, name: string, args: Record<string, unknown>, onprogress?: (p: Progress) => void): Promise<Result> =>
  (await c.callTool({ name, arguments: args }, onprogress ? { onprogress } : {})) as Result;

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
/** The drain bound of the replica the last test stops (the others keep the default). */
const DRAIN_BOUND_MS = 100;

describe.skipIf(!have)('replicas behind nginx sharing one PostgreSQL record', () => {
  let db: Postgres;
  let sim: Simulator;
  let nginx: Nginx;
  let lb: string;
  let keyFile: string;
  let sql: pg.Pool;
  /** The first three, started together; the bearer token guards them. */
  const replicas: Replica[] = [];
  const spawned: Replica[] = [];

  async function spawnReplica(extra: Record<string, string> = {}): Promise<Replica> {
    const port = await freePort();
    const proc = spawn(process.execPath, [SERVER_ENTRY, '--http', `127.0.0.1:${port}`, '--allow-destructive'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: isolatedEnv({
        ...SIM_CREDENTIALS, SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: R, SWAS_MCP_POLL_INTERVAL_MS: '100',
        SWAS_MCP_CONSENT_KEY_FILE: keyFile, SWAS_MCP_DATABASE_URL: dbUrl(), LOG_LEVEL: 'info',
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

  // Trust authentication ignores the password: it is there to prove it is never logged.
  const PASSWORD = 'pw-never-logged-7f3a';
  const dbUrl = () => db.url.replace('postgres@', `postgres:${PASSWORD}@`);
  const mutations = (action: string) => sim.stats.requests().filter((r) => r.action === action).length;
  const ledgerRows = async (where: string, params: unknown[] = []) =>
    (await sql.query<{ phase: string; outcome: string | null; requested_by: string | null; entry: Record<string, unknown>; replica: string }>(
      `SELECT phase, outcome, requested_by, entry, replica FROM swas_ledger WHERE ${where} ORDER BY id`, params)).rows;

  /** A fresh Running server with a finished system snapshot, so create_custom_image can go ahead. */
  function serverWithSnapshot(name: string): string {
    const inst = sim.state.addInstance({ regionId: R, instanceName: name });
    const disk = inst.disks.find((d) => d.diskType === 'system')!;
    sim.state.addSnapshot({ diskId: disk.diskId, snapshotName: `${name}-sys` });
    return inst.instanceId;
  }
  const imagesNamed = (name: string) => sim.state.images(R).filter((m) => m.name === name);
  /**
   * Snapshots and images here are never ready on their own (the simulator's readiness is out of
   * reach): a test finishes the one it waits on once the wait has begun (its first progress
   * notification), or once what it checks during the wait is done, instead of sleeping through a
   * readiness delay guessed long enough.
   */
  const finishImage = (name: string) => { for (const m of imagesNamed(name)) sim.state.setImageStatus(m.imageId, '1'); };

  beforeAll(async () => {
    sim = await startSimulator({ imageReadyMs: 3_600_000, snapshotReadyMs: 3_600_000 });
    // The pair's OpenID provider and gate (in this process) come up while PostgreSQL starts.
    providerAndGate().catch(() => undefined);
    db = await startPostgres();
    keyFile = join(mkdtempSync(join(tmpdir(), 'swas-replicas-')), 'consent.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'));
    chmodSync(keyFile, 0o600);
    // Started together: the migrations queue on their lock, one schema results.
    replicas.push(...await Promise.all([0, 1, 2].map(() => spawnReplica({ SWAS_MCP_HTTP_TOKEN: TOKEN }))));
    nginx = await startNginx(replicas.map((r) => `127.0.0.1:${r.port}`));
    lb = `${nginx.url}/mcp`;
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

  // These share the first three replicas without taking any down, and touch separate servers and
  // images: they run at once, so each gets 60 s (they share the replicas' time, as the later tests do).
  it.concurrent('the agent story works through the balancer (2025-era client): find, snapshot with progress, image with progress', async () => {
    const client = await connect(lb, 'legacy');
    try {
      const servers = await call(client, 'list_instances', { InstanceName: DEMO.shopServerName });
      expect(servers.isError).toBeFalsy();
      expect(servers.structuredContent!.Instances[0]).toMatchObject({ InstanceId: DEMO.shopServerId });
      const snapProgress: Progress[] = [];
      const snap = await call(client, 'create_snapshot', { RegionId: R, InstanceId: DEMO.shopServerId, SnapshotName: 'shop-sys-lb', WaitForAccomplished: true }, (p) => { snapProgress.push(p); finishSnapshot(sim, R, 'shop-sys-lb'); });
      expect(snap.isError).toBeFalsy();
      expect(snap.structuredContent).toMatchObject({ Status: 'accomplished' });
      expect(snapProgress.length).toBeGreaterThanOrEqual(1);
      const imgProgress: Progress[] = [];
      const image = await call(client, 'create_custom_image', { RegionId: R, InstanceId: DEMO.shopServerId, ImageName: 'shop-lb', Source: 'latest-snapshot', WaitForAvailable: true }, (p) => { imgProgress.push(p); finishImage('shop-lb'); });
      expect(image.isError).toBeFalsy();
      expect(image.structuredContent).toMatchObject({ Status: 'Available', SystemSnapshotId: snap.structuredContent!.SnapshotId });
      expect(imgProgress.length).toBeGreaterThanOrEqual(1);
      expect(imagesNamed('shop-lb')).toHaveLength(1);
    } finally {
      await client.close();
    }
  }, 60_000);

  it.concurrent('a 2026-07-28 client (pinned) and an auto-negotiating one list tools and get progress through the balancer', async () => {
    for (const era of ['modern', 'auto'] as const) {
      const client = await connect(lb, era);
      try {
        expect(client.getProtocolEra()).toBe('modern');
        const tools = await client.listTools();
        expect(tools.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['list_instances', 'create_snapshot', 'create_custom_image']));
        const id = serverWithSnapshot(`era-${era}`);
        const progress: Progress[] = [];
        const snap = await call(client, 'create_snapshot', { RegionId: R, InstanceId: id, SnapshotName: `era-${era}-2`, WaitForAccomplished: true }, (p) => { progress.push(p); finishSnapshot(sim, R, `era-${era}-2`); });
        expect(snap.isError).toBeFalsy();
        expect(progress.length).toBeGreaterThanOrEqual(1);
      } finally {
        await client.close();
      }
    }
  }, 60_000);

  it.concurrent('the same create_custom_image sent at once through three different replicas makes one image', async () => {
    const id = serverWithSnapshot('race-server');
    const clients = await Promise.all(replicas.map((r, i) => connect(r.url, i === 1 ? 'modern' : 'legacy')));
    try {
      const args = { RegionId: R, InstanceId: id, ImageName: 'race-image', Source: 'latest-snapshot' };
      const results = await Promise.all(clients.map((c) => call(c, 'create_custom_image', args)));
      const ids = new Set(results.filter((r) => !r.isError).map((r) => r.structuredContent!.ImageId as string));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => !r.isError).length).toBeGreaterThanOrEqual(1);
      expect(imagesNamed('race-image')).toHaveLength(1);
      expect([...ids][0]).toBe(imagesNamed('race-image')[0]!.imageId);
    } finally {
      for (const c of clients) await c.close();
    }
  }, 60_000);

  it.concurrent('a wrong or missing token is refused at the balancer and at every replica; no replica ever logs the token', async () => {
    await refusedEverywhere([lb, ...replicas.map((r) => r.url)]);
    for (const r of replicas) {
      expect(r.stderr()).toContain('"msg":"http request"');
      expect(r.stderr()).not.toContain(TOKEN);
    }
  }, 60_000);

  it('approved on one replica, carried out by a call on another; two concurrent uses of one approval make one change', async () => {
    const args = { RegionId: R, ImageId: DEMO.blogImageId, Operation: 'Share', Accounts: [ACCOUNT] };
    const [a, b] = await Promise.all(replicas.slice(0, 2).map((r) => connect(r.url, 'legacy')));
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
    const client = await connect(lb, 'legacy');
    try {
      for (const op of ['Share', 'UnShare', 'Share']) {
        const r = (await client.callTool({ name: 'share_custom_image', arguments: { RegionId: R, ImageId: DEMO.blogImageId, Ecs: true, Operation: op } })) as Result;
        expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
      }
    } finally {
      await client.close();
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
   * OAuth tests (confirm mode, OAuth against a real OpenID provider) and the last SIGTERM. Sharing an
   * image with ECS, all the OAuth test does, needs no consent in any mode. Started by whichever test
   * asks first.
   */
  const AUDIENCE = 'https://swas.team.test/mcp';
  let provider: Promise<{ op: Awaited<ReturnType<typeof startOidcProvider>>; gate: Gate }> | undefined;
  // The pair's first replica reaches the simulator through a gate the confirm-mode test holds.
  const providerAndGate = () => (provider ??= (async () => ({
    op: await startOidcProvider({ resource: AUDIENCE, users: ['alice', 'bob'] }), gate: await gateFor(sim.url),
  }))());
  let oauthPair: Promise<{ op: Awaited<ReturnType<typeof startOidcProvider>>; gate: Gate; pair: Replica[] }> | undefined;
  const confirmOauthPair = () => (oauthPair ??= (async () => {
    const { op, gate } = await providerAndGate();
    const env = { SWAS_MCP_CONSENT: 'confirm', SWAS_MCP_OAUTH_ISSUER: op.issuer, SWAS_MCP_OAUTH_AUDIENCE: AUDIENCE, SWAS_MCP_PUBLIC_URL: AUDIENCE };
    // The first's request that the gate holds must not time out (and be sent again) while the test's
    // other call runs, however slow the machine: a deadline past the test's. The second is stopped
    // last by a SIGTERM whose drain bound its call outlives: a short bound, so that wait is short.
    return { op, gate, pair: await Promise.all([spawnReplica({ ...env, SWAS_ENDPOINT: gate.url, SWAS_MCP_REQUEST_TIMEOUT_MS: '60000' }), spawnReplica({ ...env, SWAS_MCP_HTTP_SHUTDOWN_MS: String(DRAIN_BOUND_MS) })]) };
  })());
  afterAll(async () => {
    const started = await provider?.catch(() => undefined);
    await started?.op.stop();
    await started?.gate.close();
  });

  // The first three's ends, one after the other: drained, killed mid-call, killed between intent and outcome.
  it('SIGTERM drains a replica: the call in flight finishes, a new request gets 503, then the process exits 0', async () => {
    const id = serverWithSnapshot('drain-server');
    const target = replicas[2]!;
    const client = await connect(target.url, 'legacy');
    let signalled = false;
    const exitCode = new Promise<number | null>((r) => target.proc.once('exit', (code) => r(code)));
    let refusedStatus = 0;
    let refusal: Promise<void> | undefined;
    const result = await call(client, 'create_custom_image', { RegionId: R, InstanceId: id, ImageName: 'drain-image', Source: 'latest-snapshot', WaitForAvailable: true }, () => {
      if (signalled) return;
      signalled = true; // the image was requested and the wait began: now stop the replica
      target.proc.kill('SIGTERM');
      refusal = (async () => {
        // The signal is asynchronous: ask until the replica reports that it drains.
        for (let i = 0; i < 200 && refusedStatus !== 503; i++) {
          refusedStatus = (await rawRequest(target.url, { method: 'POST', headers: { ...MCP_POST_HEADERS, Authorization: `Bearer ${TOKEN}` }, body: toolsCallBody('list_instances', {}) })).status;
        }
        // Refused while the call is still in flight: now the image may become ready, and the call finish.
        finishImage('drain-image');
      })();
    });
    await refusal;
    expect(signalled).toBe(true);
    expect(refusedStatus).toBe(503);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ Status: 'Available' });
    await client.close().catch(() => undefined);
    expect(await exitCode).toBe(0);
  });

  // After the drain: it kills a replica.
  it('a replica killed mid-call costs no data: the client repeats through the balancer and finds the same image', async () => {
    const id = serverWithSnapshot('kill-server');
    const victim = replicas[1]!;
    const client = await connect(victim.url, 'legacy');
    const args = { RegionId: R, InstanceId: id, ImageName: 'kill-image', Source: 'latest-snapshot', WaitForAvailable: true };
    // The first progress notification comes once the image was requested and the wait began.
    let killed = false;
    const giveUp = new AbortController();
    const first = client.callTool({ name: 'create_custom_image', arguments: args }, {
      signal: giveUp.signal,
      onprogress: () => { if (!killed) { killed = true; victim.proc.kill('SIGKILL'); } },
    }).then((r) => r as Result, (e: unknown) => e);
    await victim.exited;
    expect(killed).toBe(true);
    // The stream broke; the client's transport may try to reconnect to the dead replica, so the
    // agent gives up on this attempt as it would on a timeout.
    giveUp.abort();
    const outcome = await first;
    expect(outcome instanceof Error || (outcome as Result).isError === true).toBe(true);
    await client.close().catch(() => undefined);
    expect(imagesNamed('kill-image')).toHaveLength(1);

    // The repeat goes through nginx, which skips the dead replica; the image it finds is ready by then.
    finishImage('kill-image');
    const again = await connect(lb, 'legacy');
    try {
      const repeat = await call(again, 'create_custom_image', args);
      expect(repeat.isError).toBeFalsy();
      expect(repeat.structuredContent!.ImageId).toBe(imagesNamed('kill-image')[0]!.imageId);
      expect(imagesNamed('kill-image')).toHaveLength(1);
    } finally {
      await again.close();
    }
  });

  // After the drain and the kill above: it kills the last of the first three.
  it('a replica SIGKILLed after its intent is reconciled at the start of others, recorded once', async () => {
    const inst = sim.state.addInstance({ regionId: R, instanceName: 'kill-me' });
    const image = sim.state.addImage({ instanceId: inst.instanceId, name: 'kill-image' });
    const victim = replicas[0]!;
    sim.faults.add({ action: 'ModifyImageShareStatus', kind: 'hang', after: true, times: 1 });
    const client = await connect(victim.url, 'legacy');
    const giveUp = new AbortController();
    const pending = client.callTool({ name: 'share_custom_image', arguments: { RegionId: R, ImageId: image.imageId, Ecs: true, Operation: 'Share' } }, { signal: giveUp.signal }).catch((e: unknown) => e);
    // The simulator applied the change and holds the answer: the intent is committed, no outcome will come.
    await vi.waitFor(() => expect(sim.state.image(image.imageId)!.inShare).toBe(true), { timeout: 10_000 });
    victim.proc.kill('SIGKILL');
    await victim.exited;
    giveUp.abort(); // the agent gives up on the dead connection, as on a timeout
    await pending;
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
    const [cx, cy] = await Promise.all([connect(x!.url, 'legacy', accessToken), connect(y!.url, 'legacy', accessToken)]);
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

  it('a ConfirmToken issued by one replica is accepted by another (shared consent key)', async () => {
    const { op, pair: [x, y] } = await confirmOauthPair();
    const { accessToken } = await op.login('alice', { scopes: ['swas:read', 'swas:write'] });
    const inst = sim.state.addInstance({ regionId: R, instanceName: 'confirm-across' });
    const image = sim.state.addImage({ instanceId: inst.instanceId, name: 'confirm-across-image' });
    const [a, b] = await Promise.all([connect(x!.url, 'legacy', accessToken), connect(y!.url, 'legacy', accessToken)]);
    try {
      // Sharing with another account needs consent (sharing to ECS would not).
      const args = { RegionId: R, ImageId: image.imageId, Operation: 'Share', Accounts: ['1111222233334444'] };
      const sentBefore = sim.stats.count('AddCustomImageShareAccount');
      const first = await call(a, 'share_custom_image', args);
      expect(first.isError).toBe(true);
      expect(first.structuredContent?.Error).toMatchObject({ Code: 'ConfirmationRequired', Stage: 'consent' });
      const token = first.structuredContent?.ConfirmToken as string;
      expect(typeof token).toBe('string');
      expect(sim.stats.count('AddCustomImageShareAccount')).toBe(sentBefore);
      const second = await call(b, 'share_custom_image', { ...args, ConfirmToken: token });
      expect(second.isError).toBeFalsy();
      expect(second.structuredContent).toMatchObject({ Changed: true, SharedWithAccounts: ['1111222233334444'] });
      expect(sim.stats.count('AddCustomImageShareAccount')).toBe(sentBefore + 1);
      expect(sim.state.image(image.imageId)!.shareAccounts.map((x) => x.userId)).toEqual(['1111222233334444']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('with OAuth, the rows name the user whose token made the call, whichever replica behind nginx took it', async () => {
    const { op, pair } = await confirmOauthPair();
    const front = await startNginx(pair.map((r) => `127.0.0.1:${r.port}`));
    try {
      const inst = sim.state.addInstance({ regionId: R, instanceName: 'who-did-it' });
      const image = sim.state.addImage({ instanceId: inst.instanceId, name: 'who-image' });
      for (const [user, op2] of [['alice', 'Share'], ['bob', 'UnShare']] as const) {
        const { accessToken } = await op.login(user, { scopes: ['swas:read', 'swas:write'] });
        const client = await connect(`${front.url}/mcp`, 'legacy', accessToken);
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

  // Last: it stops the pair's second replica. The real tools, run by a replica, are stopped by the
  // same call lifecycle stdio uses, and answer with what they know.
  it('SIGTERM past the drain bound: a create_custom_image still waiting answers with its ImageId and says the server is shutting down', async () => {
    const { op, pair: [, target] } = await confirmOauthPair();
    const { accessToken } = await op.login('alice', { scopes: ['swas:read', 'swas:write'] });
    const id = serverWithSnapshot('sigterm-server');
    const exitCode = new Promise<number | null>((r) => target!.proc.once('exit', (code) => r(code)));
    const client = await connect(target!.url, 'legacy', accessToken);
    let signalled = false;
    const result = await call(client, 'create_custom_image', { RegionId: R, InstanceId: id, ImageName: 'sigterm-http-image', Source: 'latest-snapshot', WaitForAvailable: true },
      // The first progress notification: the image exists and the wait has begun; it never ends on its own.
      () => { if (!signalled) { signalled = true; target!.proc.kill('SIGTERM'); } });
    expect(signalled).toBe(true);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent!.ImageId).toMatch(/^m-/);
    expect(result.structuredContent!.Status).toBe('Creating');
    expect((result.structuredContent!.Notes as string[]).join(' ')).toContain('because the server is shutting down');
    await client.close().catch(() => undefined);
    expect(await exitCode).toBe(0);
  });
});
