// nginx (Debian's package) in front of three real processes `node dist/index.js --http
// 127.0.0.1:PORT` against ONE simulator, round-robin, driven by the v2 MCP client. The nginx
// configuration alone, with in-process replicas: http-nginx.test.ts. Runs wherever nginx is (see
// haveNginx); a build without working `--http` fails it. Their ends: one drained by SIGTERM, one
// killed, and the last stopped by a SIGTERM whose drain bound its call outlives (the in-process
// side of that shutdown: http-shutdown.test.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type CallToolResult, type Client, type Progress } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { findNginx, freePort, MCP_POST_HEADERS, rawRequest, startNginx, toolsCallBody, type Nginx } from '../helpers/nginx.js';
import { connect, refusedEverywhere, TOKEN } from '../helpers/nginx-clients.js';
import { finishSnapshot } from '../helpers/stack.js';
import { haveSystemPackage } from '../helpers/system.js';

// Without nginx (a developer's machine where `npm run setup:system` was not run) this file is skipped;
// under CI `npm test` installs it first, and a missing one fails.
const haveNginx = haveSystemPackage('nginx', findNginx() !== undefined);

const ROOT = resolve(__dirname, '../..');
const R = DEMO.region;
/** The drain bound of the replica the last test stops (the others keep the default). */
const DRAIN_BOUND_MS = 100;

interface Replica { url: string; proc: ChildProcess; stderr(): string; exited: Promise<void> }

/** One real replica: the built server with `--http`, pointed at the shared simulator. Resolves once it logs that it listens. */
async function spawnReplica(simUrl: string, keyFile: string, extra: Record<string, string> = {}): Promise<Replica> {
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), 'swas-replica-home-'));
  const proc = spawn(process.execPath, [join(ROOT, 'dist/index.js'), '--http', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '', HOME: home, USERPROFILE: home,
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', ALIBABA_CLOUD_CREDENTIALS_URI: 'http://127.0.0.1:9/',
      ALIBABA_CLOUD_ACCESS_KEY_ID: SIM_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SIM_ACCESS_KEY_SECRET,
      ALIBABA_CLOUD_REGION_ID: R, SWAS_ENDPOINT: simUrl, SWAS_MCP_POLL_INTERVAL_MS: '100',
      SWAS_MCP_HTTP_TOKEN: TOKEN, SWAS_MCP_CONSENT_KEY_FILE: keyFile, SWAS_MCP_CONSENT: 'confirm', LOG_LEVEL: 'info', ...extra,
    },
  });
  let stderr = '';
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  await new Promise<void>((ready, fail) => {
    proc.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('ready on HTTP')) ready();
    });
    void exited.then(() => fail(new Error(`replica exited before listening:\n${stderr}`)));
  });
  return { url: `http://127.0.0.1:${port}/mcp`, proc, stderr: () => stderr, exited };
}

type Result = CallToolResult & { structuredContent?: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
const call = async (c: Client, name: string, args: Record<string, unknown>, onprogress?: (p: Progress) => void): Promise<Result> =>
  (await c.callTool({ name, arguments: args }, onprogress ? { onprogress } : {})) as Result;

describe.skipIf(!haveNginx)('three real replicas (dist/index.js --http) behind nginx, one simulator', () => {
  let sim: Simulator;
  let nginx: Nginx;
  const replicas: Replica[] = [];
  let lb: string;

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
    const dir = mkdtempSync(join(tmpdir(), 'swas-consent-'));
    const keyFile = join(dir, 'consent.key');
    writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`);
    chmodSync(keyFile, 0o600);
    // The first replica, the one left standing at the end, is stopped last by a SIGTERM whose drain
    // bound its call outlives: a short bound, so that wait is short.
    replicas.push(...await Promise.all([0, 1, 2].map((i) => spawnReplica(sim.url, keyFile, i === 0 ? { SWAS_MCP_HTTP_SHUTDOWN_MS: String(DRAIN_BOUND_MS) } : {}))));
    nginx = await startNginx(replicas.map((r) => new URL(r.url).host));
    lb = `${nginx.url}/mcp`;
  }, 60_000);
  afterAll(async () => {
    await nginx?.stop();
    for (const r of replicas) { r.proc.kill('SIGTERM'); await r.exited; }
    await sim?.stop();
  });

  // The first five share the replicas without taking any down, and touch separate servers and
  // images: they run at once. The last two stop a replica each, one after the other.
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
  });

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
  });

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
  });

  it.concurrent('a ConfirmToken issued by one replica is accepted by another (shared consent key)', async () => {
    const [a, b] = await Promise.all([connect(replicas[0]!.url, 'legacy'), connect(replicas[2]!.url, 'legacy')]);
    try {
      // Sharing with another account needs consent (sharing to ECS would not).
      const args = { RegionId: R, ImageId: DEMO.blogImageId, Operation: 'Share', Accounts: ['1111222233334444'] };
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
      expect(sim.state.image(DEMO.blogImageId)!.shareAccounts.map((x) => x.userId)).toEqual(['1111222233334444']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it.concurrent('a wrong or missing token is refused at the balancer and at every replica; no replica ever logs the token', async () => {
    await refusedEverywhere([lb, ...replicas.map((r) => r.url)]);
    for (const r of replicas) {
      expect(r.stderr()).toContain('"msg":"http request"');
      expect(r.stderr()).not.toContain(TOKEN);
    }
  });

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

  // Last: it stops the replica left standing. The real tools, run by a replica, are stopped by the
  // same call lifecycle stdio uses, and answer with what they know.
  it('SIGTERM past the drain bound: a create_custom_image still waiting answers with its ImageId and says the server is shutting down', async () => {
    const id = serverWithSnapshot('sigterm-server');
    const target = replicas[0]!;
    const exitCode = new Promise<number | null>((r) => target.proc.once('exit', (code) => r(code)));
    const client = await connect(target.url, 'legacy');
    let signalled = false;
    const result = await call(client, 'create_custom_image', { RegionId: R, InstanceId: id, ImageName: 'sigterm-http-image', Source: 'latest-snapshot', WaitForAvailable: true },
      // The first progress notification: the image exists and the wait has begun; it never ends on its own.
      () => { if (!signalled) { signalled = true; target.proc.kill('SIGTERM'); } });
    expect(signalled).toBe(true);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent!.ImageId).toMatch(/^m-/);
    expect(result.structuredContent!.Status).toBe('Creating');
    expect((result.structuredContent!.Notes as string[]).join(' ')).toContain('because the server is shutting down');
    await client.close().catch(() => undefined);
    expect(await exitCode).toBe(0);
  });
});
