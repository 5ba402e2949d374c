import { readFileSync } from 'node:fs';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/audit/index.js';
import { loadConfig } from '../../src/config.js';
import { ConsentSigner } from '../../src/consent/index.js';
import { buildServer } from '../../src/server.js';
import { DEMO, SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { SdkSwasApi } from '../../src/swas/client.js';
import { retryPolicyFor } from '../../src/swas/retry.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import type { ToolResult } from '../helpers/stack.js';
import { textOf, newLedgerPath } from '../helpers/stack.js';
import { testClient } from '../helpers/test-client.js';

/**
 * "Capture now" against the simulator's realistic profile (snapshots and images that take minutes,
 * sized by disk) on an injected clock: the test moves time, so nothing sleeps. Time runs 60× so the
 * clock stays within the signature's allowed skew while minutes of simulated work pass.
 */
const SCALE = 60;
const CREDENTIALS = { kind: 'static' as const, accessKeyId: SIM_ACCESS_KEY_ID, accessKeySecret: SIM_ACCESS_KEY_SECRET };
const minutes = (m: number) => (m * 60_000) / SCALE;

interface World { sim: Simulator; client: Client; advance(ms: number): void; ledger: string; close(): Promise<void> }

const open: World[] = [];
afterEach(async () => { while (open.length) await open.pop()!.close(); });

async function world(env: Record<string, string> = {}, sim?: Simulator, clock?: { t: number }): Promise<World> {
  const c = clock ?? { t: Date.now() };
  const s = sim ?? await startSimulator({ profile: 'realistic', timeScale: SCALE, now: () => c.t });
  if (!sim) addShop(s);
  const ledgerPath = newLedgerPath();
  const config = loadConfig([], { SWAS_ENDPOINT: s.url, ALIBABA_CLOUD_REGION_ID: DEMO.region, SWAS_MCP_AUDIT_LOG: ledgerPath, ...env });
  const log = pino({ level: 'silent' });
  const ledger = await openLedger(config.auditLog);
  const api = new SdkSwasApi({
    endpoint: config.endpoint, credentials: CREDENTIALS, retry: retryPolicyFor({ ...config, retryBaseDelayMs: 5 }), log, defaultRegionId: DEMO.region,
  });
  const server = buildServer({ api, config, log, simulated: false, ledger, consent: ConsentSigner.random(), now: () => c.t }, ALL_TOOLS);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = testClient('capture-test');
  await client.connect(b);
  const w: World = {
    sim: s, client, ledger: ledgerPath, advance: (ms) => { c.t += ms; },
    close: async () => { await client.close(); await server.close(); await ledger.close(); if (!sim) await s.stop(); },
  };
  open.push(w);
  return w;
}

async function create(w: World, args: Record<string, unknown>): Promise<ToolResult> {
  return (await w.client.callTool({ name: 'create_custom_image', arguments: { RegionId: DEMO.region, ...args } })) as ToolResult;
}

/** The person's server, set up today: a 50 GiB system disk and a 100 GiB data disk, no snapshot yet. */
const SHOP = { id: 'c0ffee00000000000000000000005b0b', sys: 'd-bp1shopprodsys000001', data: 'd-bp1shopproddata00001' };
const shop = { InstanceId: SHOP.id, ImageName: 'shop-now' };
function addShop(sim: Simulator): void {
  sim.state.addInstance({
    instanceId: SHOP.id, instanceName: 'shop-prod', regionId: DEMO.region, status: 'Running',
    systemDisk: { diskId: SHOP.sys, size: 50 }, dataDisks: [{ diskId: SHOP.data, size: 100 }],
  });
}

describe('create_custom_image captures the server now', () => {
  it('two CreateSnapshot, then one CreateCustomImage naming both, across repeated calls, each exactly once', async () => {
    const w = await world();
    const plan = await create(w, { ...shop, DryRun: true });
    expect(plan.isError).toBeFalsy();
    expect(plan.structuredContent).toMatchObject({ Source: 'now', DryRun: true, Operation: { State: 'Planned' }, SnapshotQuota: { Used: 0, RemainingAfter: 1 } });
    expect(plan.structuredContent!.SnapshotRequests.map((r: { Parameters: { SnapshotName: string } }) => r.Parameters.SnapshotName)).toEqual(['img-shop-now-sys', 'img-shop-now-data']);
    expect(w.sim.stats.count('CreateSnapshot')).toBe(0);

    const first = await create(w, shop);
    expect(first.structuredContent).toMatchObject({ Operation: { State: 'SnapshotsInProgress' } });
    const ops = first.structuredContent!.Operation;
    expect(ops.Snapshots.map((s: { DiskType: string }) => s.DiskType)).toEqual(['system', 'data']);
    expect(ops.ContinueWith).toContain('"ImageName":"shop-now"');
    expect(textOf(first)).toContain('Continue with: create_custom_image with');
    expect(first.structuredContent!.DisksInImage).toContain(SHOP.data);
    expect(w.sim.stats.count('CreateSnapshot')).toBe(2);

    // A repeat while the snapshots progress: nothing new is sent.
    w.advance(minutes(2));
    const again = await create(w, shop);
    expect(again.structuredContent!.Operation.State).toBe('SnapshotsInProgress');
    expect(w.sim.stats.count('CreateSnapshot')).toBe(2);
    expect(w.sim.stats.count('CreateCustomImage')).toBe(0);

    // A 100 GiB data disk takes 10 simulated minutes: after that the next call creates the image.
    w.advance(minutes(10));
    const made = await create(w, shop);
    expect(made.structuredContent).toMatchObject({ Operation: { State: 'ImageCreating' }, Status: 'Creating' });
    const [sys, data] = ops.Snapshots.map((s: { SnapshotId: string }) => s.SnapshotId);
    expect(w.sim.stats.count('CreateCustomImage')).toBe(1);
    expect(w.sim.stats.requests('CreateCustomImage')[0]!.params).toMatchObject({ SystemSnapshotId: sys, DataSnapshotId: data, ImageName: 'shop-now' });

    // The image becomes Available minutes later; the same call reports it and sends nothing.
    w.advance(minutes(20));
    const done = await create(w, shop);
    expect(done.structuredContent).toMatchObject({ ImageId: made.structuredContent!.ImageId, Status: 'Available', Operation: { State: 'Done' } });
    expect(done.structuredContent!.Operation.ContinueWith).toBeUndefined();
    expect(textOf(done)).toMatch(/kept: an image's source snapshot cannot be deleted/);
    expect(w.sim.stats.count('CreateSnapshot')).toBe(2);
    expect(w.sim.stats.count('CreateCustomImage')).toBe(1);
    const names = w.sim.state.snapshots().filter((s) => s.snapshotName.startsWith('img-shop-now')).map((s) => s.snapshotName);
    expect(names.sort()).toEqual(['img-shop-now-data', 'img-shop-now-sys']);

    // The ledger has an intent and an outcome for each of the three requests.
    const lines = readFileSync(w.ledger, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; phase: string });
    expect(lines.filter((l) => l.phase === 'intent').map((l) => l.action).sort()).toEqual(['CreateCustomImage', 'CreateSnapshot', 'CreateSnapshot']);
  });

  it('a new process (same simulator, nothing shared) picks the operation up: one image, no extra snapshot', async () => {
    const clock = { t: Date.now() };
    const sim = await startSimulator({ profile: 'realistic', timeScale: SCALE, now: () => clock.t });
    addShop(sim);
    try {
      const a = await world({}, sim, clock);
      await create(a, shop);
      await a.close(); open.splice(open.indexOf(a), 1);
      clock.t += minutes(12);
      const b = await world({}, sim, clock);
      const made = await create(b, shop);
      expect(made.structuredContent!.Operation.State).toBe('ImageCreating');
      await b.close(); open.splice(open.indexOf(b), 1);
      // Within the first 30 s the API does not list a new image: the next process cannot see it, so
      // it repeats the request with the same derived ClientToken, and the API answers the same image.
      const c = await world({}, sim, clock);
      const early = await create(c, shop);
      expect(early.structuredContent).toMatchObject({ ImageId: made.structuredContent!.ImageId, Operation: { State: 'ImageCreating' } });
      const tokens = sim.stats.requests('CreateCustomImage').map((r) => r.params.ClientToken);
      expect(tokens).toHaveLength(2);
      expect(tokens[1]).toBe(tokens[0]);
      await c.close(); open.splice(open.indexOf(c), 1);
      // Once it is listed, the next process finds it and sends nothing.
      clock.t += minutes(1);
      const d = await world({}, sim, clock);
      const again = await create(d, shop);
      expect(again.structuredContent).toMatchObject({ ImageId: made.structuredContent!.ImageId, Operation: { State: 'ImageCreating' } });
      expect(sim.stats.count('CreateSnapshot')).toBe(2);
      expect(sim.stats.count('CreateCustomImage')).toBe(2);
      expect(sim.state.images(DEMO.region).filter((m) => m.name === 'shop-now')).toHaveLength(1);
    } finally {
      await sim.stop();
    }
  });

  it('IncludeDataDisk false: one snapshot, and the words say the data disk is not in the image', async () => {
    const w = await world();
    const res = await create(w, { ...shop, IncludeDataDisk: false });
    expect(res.isError).toBeFalsy();
    expect(w.sim.stats.count('CreateSnapshot')).toBe(1);
    expect(w.sim.stats.requests('CreateSnapshot')[0]!.params.DiskId).toBe(SHOP.sys);
    expect(res.structuredContent!.DisksInImage).toMatch(/system disk only: the files on data disk d-bp1shopproddata00001 \(100 GiB\) are not in the image/);
    w.advance(minutes(10));
    const made = await create(w, { ...shop, IncludeDataDisk: false });
    expect(made.structuredContent!.Status).toBe('Creating');
    expect(w.sim.stats.requests('CreateCustomImage')[0]!.params.DataSnapshotId).toBeUndefined();
    expect(textOf(made)).toContain('Disks in the image: the system disk only');
  });

  it('refuses a full snapshot quota before sending anything, naming the oldest snapshots to delete', async () => {
    const w = await world();
    // blog-server holds two snapshots; capturing system and data disk needs two more than 3 allow.
    const res = await create(w, { InstanceId: DEMO.blogServerId, ImageName: 'blog-now' });
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'SnapshotQuotaExceed', Stage: 'preflight' });
    expect(textOf(res)).toMatch(/already has 2 of 3/);
    expect(textOf(res)).toContain(`${DEMO.blogSystemSnapshotId} (source of image`);
    expect(w.sim.stats.count('CreateSnapshot')).toBe(0);

    // A deletable one is named, oldest first, with its date and the tool.
    w.sim.state.addSnapshot({ diskId: SHOP.sys, snapshotName: 'old-shop', creationTime: '2026-02-01T00:00:00Z' });
    w.sim.state.addSnapshot({ diskId: SHOP.sys, snapshotName: 'older-shop', creationTime: '2026-01-01T00:00:00Z' });
    const shopRes = await create(w, shop);
    expect(shopRes.structuredContent!.Error.Code).toBe('SnapshotQuotaExceed');
    expect(textOf(shopRes)).toMatch(/Oldest that could be deleted: s-\S+ \("older-shop", system disk, taken 2026-01-01 00:00 UTC\), s-\S+ \("old-shop"/);
    expect(textOf(shopRes)).toContain('delete_snapshots');
    expect(w.sim.stats.count('CreateSnapshot')).toBe(0);
  });

  it('refuses a full image quota before any snapshot is taken, naming the oldest images', async () => {
    const w = await world();
    // cn-hangzhou: 5 servers with shop-prod, so 15 images at most; 3 exist.
    for (let i = 0; i < 12; i++) w.sim.state.addImage({ name: `filler-${i}`, instanceId: DEMO.archiveServerId, systemSnapshotId: DEMO.archiveSystemSnapshotId, creationTime: `2026-${String(i + 1).padStart(2, '0')}-01T00:00:00Z` });
    const res = await create(w, shop);
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'CustomImageQuotaLimit', Stage: 'preflight' });
    expect(textOf(res)).toMatch(/Oldest images: m-\S+ \("archive-2025", created 2025-12-02 00:00 UTC, shared\)/);
    expect(textOf(res)).toContain('delete_custom_images');
    expect(w.sim.stats.count('CreateSnapshot')).toBe(0);
    expect(w.sim.stats.count('CreateCustomImage')).toBe(0);
  });
});

describe('create_custom_image from an existing snapshot states its age', () => {
  it('an old explicit snapshot is a warning in the plan, the checks and the result', async () => {
    const w = await world();
    const args = { InstanceId: DEMO.blogServerId, ImageName: 'blog-old', SystemSnapshotId: DEMO.blogSystemSnapshotId, DataSnapshotId: DEMO.blogDataSnapshotId };
    const plan = await create(w, { ...args, DryRun: true });
    const age = plan.structuredContent!.Checks.find((c: { Name: string }) => c.Name === 'SystemSnapshotAge');
    expect(age).toMatchObject({ Outcome: 'warning' });
    expect(age.Detail).toMatch(/taken \d+ months ago, 2026-01-15 03:00 UTC: changes since then are not in the image/);
    expect(plan.structuredContent!.Warnings[0]).toBe(age.Detail);
    expect(textOf(plan)).toMatch(/^WARNING \(tell the user\): The system-disk snapshot/);
    expect(textOf(plan)).toContain('- SystemSnapshotAge [WARNING]');
    const made = await create(w, args);
    expect(made.structuredContent).toMatchObject({ Source: 'given', Status: 'Creating' });
    expect(textOf(made)).toMatch(/^WARNING \(tell the user\)/);
    expect(made.structuredContent!.Checks.find((c: { Name: string }) => c.Name === 'DataSnapshotAge').Outcome).toBe('warning');
  });

  it('a recent snapshot is an ok line that still says its age; the threshold is a setting', async () => {
    const w = await world({ SWAS_MCP_SNAPSHOT_MAX_AGE_HOURS: '87600' });
    const res = await create(w, { InstanceId: DEMO.blogServerId, ImageName: 'blog-recent', Source: 'latest-snapshot', DryRun: true });
    expect(res.structuredContent).toMatchObject({ Source: 'latest-snapshot', SystemSnapshotId: DEMO.blogSystemSnapshotId, DataSnapshotId: DEMO.blogDataSnapshotId });
    expect(res.structuredContent!.Warnings).toBeUndefined();
    expect(textOf(res)).toMatch(/- SystemSnapshotAge \[ok\]: The system-disk snapshot \S+ was taken \d+ months ago/);
  });

  it('refuses contradicting arguments, naming the field, before anything is read', async () => {
    const w = await world();
    const res = await create(w, { ...shop, Source: 'now', SystemSnapshotId: DEMO.blogSystemSnapshotId });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toContain('Source');
    expect(w.sim.stats.requests()).toHaveLength(0);
  });
});
