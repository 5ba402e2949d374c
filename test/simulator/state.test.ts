import { describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as swas from '@alicloud/swas-open20200601';
import { DEMO, DEFAULT_REGIONS, demoSeed, startSimulator, type SeedData, type Simulator } from '../../src/simulator/index.js';
import { SimState } from '../../src/simulator/state.js';
import { newDiskId, newImageId, newInstanceId, newRequestId, newSnapshotId, formatTime } from '../../src/simulator/ids.js';
import { sdkClient, sdkError } from './helpers.js';

describe('IDs and the demo data set', () => {
  test('generated IDs and times have the real formats', () => {
    expect(newInstanceId()).toMatch(/^[0-9a-f]{32}$/);
    expect(newDiskId()).toMatch(/^d-[a-z0-9]{20}$/);
    expect(newSnapshotId()).toMatch(/^s-[a-z0-9]{20}$/);
    expect(newImageId()).toMatch(/^m-[a-z0-9]{20}$/);
    expect(newRequestId()).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    expect(formatTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02T03:04:05Z');
  });

  test('demo IDs are well-formed and the story objects are where the docs say', () => {
    for (const [k, v] of Object.entries(DEMO)) {
      if (k.endsWith('ServerId')) expect(v, k).toMatch(/^[0-9a-f]{32}$/);
      if (k.endsWith('DiskId')) expect(v, k).toMatch(/^d-[a-z0-9]{20}$/);
      if (k.endsWith('SnapshotId')) expect(v, k).toMatch(/^s-[a-z0-9]{20}$/);
      if (k.endsWith('ImageId')) expect(v, k).toMatch(/^m-[a-z0-9]{20}$/);
    }
    // One fixed clock for both copies: a millisecond ticking between them must not make them differ.
    const clock = { now: () => Date.parse('2026-11-29T00:00:00Z') };
    const s = new SimState(demoSeed(), clock);
    expect(s.instances(DEMO.region).map((i) => [i.instanceName, i.status])).toEqual([
      ['blog-server', 'Running'],
      ['shop-server', 'Running'],
      ['archive-server', 'Stopped'],
      ['staging-server', 'Upgrading'],
    ]);
    expect(s.instances(DEMO.otherRegion).map((i) => i.instanceName)).toEqual(['sg-web']);
    expect(s.snapshots().filter((x) => x.instanceId === DEMO.shopServerId)).toEqual([]);
    expect(s.snapshots().map((x) => x.status).sort()).toEqual(['accomplished', 'accomplished', 'accomplished', 'accomplished', 'accomplished', 'failed', 'progressing']);
    expect(s.images(DEMO.region).map((m) => m.name)).toContain('blog-base-2026');
    // Demo data is deterministic: two copies are identical.
    expect(new SimState(demoSeed(), clock).dump()).toEqual(s.dump());
  });
});

describe('seeds and programmatic state changes', () => {
  test('"empty" has the default regions and nothing else', async () => {
    const sim = await startSimulator({ seed: 'empty' });
    try {
      expect(sim.state.dump()).toEqual({ regions: [...DEFAULT_REGIONS], instances: [], snapshots: [], images: [], sharedImages: [] });
      const r = await sdkClient(sim).listInstances(new swas.ListInstancesRequest({ regionId: 'cn-hangzhou' }));
      expect([r.body!.totalCount, r.body!.instances]).toEqual([0, []]);
    } finally {
      await sim.stop();
    }
  });

  test('a SeedData object (e.g. loaded from JSON) with custom regions and defaults filled in', async () => {
    const seed: SeedData = JSON.parse(
      JSON.stringify({
        regions: [{ regionId: 'eu-central-1', localName: '德国（法兰克福）', localNameEn: 'Germany (Frankfurt)' }],
        instances: [{ instanceId: 'c'.repeat(32), instanceName: 'fra', regionId: 'eu-central-1', dataDisks: [{ diskId: 'd-fradata000000000001' }] }],
        snapshots: [{ snapshotId: 's-fradata000000000001', diskId: 'd-fradata000000000001' }],
        images: [{ name: 'fra-img', instanceId: 'c'.repeat(32), status: '0' }],
      }),
    ) as SeedData;
    const sim = await startSimulator({ seed });
    try {
      const c = sdkClient(sim, { regionId: 'eu-central-1' });
      const i = (await c.listInstances(new swas.ListInstancesRequest({ regionId: 'eu-central-1' }))).body!.instances![0]!;
      expect(i).toMatchObject({ instanceName: 'fra', status: 'Running' });
      expect(i.disks!.map((d) => d.diskType)).toEqual(['system', 'data']);
      expect(i.disks![0]!.diskId).toMatch(/^d-[a-z0-9]{20}$/);
      const snap = sim.state.snapshot('s-fradata000000000001')!;
      expect([snap.sourceDiskType, snap.instanceId, snap.status, snap.progress]).toEqual(['data', 'c'.repeat(32), 'accomplished', '100%']);
      const img = (await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: 'eu-central-1' }))).body!.customImages![0]!;
      expect([img.name, img.status]).toEqual(['fra-img', '0']);
      expect((await c.listRegions(new swas.ListRegionsRequest({}))).body!.regions!.map((r) => r.regionEndpoint)).toEqual(['swas.eu-central-1.aliyuncs.com']);
    } finally {
      await sim.stop();
    }
  });

  test('add instance / snapshot / image, set statuses, visible through the API; invalid references throw', async () => {
    const sim = await startSimulator({ seed: 'empty' });
    try {
      const inst = sim.state.addInstance({ regionId: 'cn-hangzhou', instanceName: 'added', status: 'Stopped' });
      expect(inst.instanceId).toMatch(/^[0-9a-f]{32}$/);
      sim.state.setInstanceStatus(inst.instanceId, 'Running');
      const snap = sim.state.addSnapshot({ diskId: inst.disks[0]!.diskId, status: 'progressing', progress: '30%' });
      expect(sim.state.setSnapshotStatus(snap.snapshotId, 'accomplished').progress).toBe('100%');
      const img = sim.state.addImage({ name: 'added-img', instanceId: inst.instanceId, systemSnapshotId: snap.snapshotId, status: '4' });
      sim.state.setImageStatus(img.imageId, '1');
      const c = sdkClient(sim);
      const st = await c.listInstanceStatus(new swas.ListInstanceStatusRequest({ regionId: 'cn-hangzhou' }));
      expect(st.body!.instanceStatuses).toEqual([expect.objectContaining({ instanceId: inst.instanceId, status: 'Running' })]);
      const images = await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: 'cn-hangzhou' }));
      expect(images.body!.customImages!.map((m) => [m.imageId, m.status, m.systemSnapshotName])).toEqual([[img.imageId, '1', snap.snapshotName]]);
      expect(() => sim.state.addSnapshot({ diskId: 'd-missing' })).toThrow(/does not exist/);
      expect(() => sim.state.setInstanceStatus('nope', 'Running')).toThrow(/does not exist/);
      expect(() => sim.state.addInstance({ instanceId: inst.instanceId, regionId: 'cn-hangzhou' })).toThrow(/already exists/);
      // Reads are copies: changing them does not change the simulator.
      sim.state.instance(inst.instanceId)!.status = 'Disabled';
      expect(sim.state.instance(inst.instanceId)!.status).toBe('Running');
      sim.state.load(demoSeed());
      expect(sim.state.instances().length).toBe(5);
    } finally {
      await sim.stop();
    }
  });

  test('async progress is computed from the clock on read (no timers)', () => {
    let now = Date.UTC(2026, 0, 1);
    const s = new SimState(demoSeed(), { now: () => now, snapshotReadyMs: 1000, imageReadyMs: 500 });
    const snap = s.createSnapshot(DEMO.shopSystemDiskId, 'clocked', {});
    expect([snap.status, snap.progress, snap.creationTime]).toEqual(['progressing', '0%', '2026-01-01T00:00:00Z']);
    now += 400;
    expect(s.snapshot(snap.snapshotId)!.progress).toBe('40%');
    now += 600;
    expect([s.snapshot(snap.snapshotId)!.status, s.snapshot(snap.snapshotId)!.progress]).toEqual(['accomplished', '100%']);
    const img = s.createImage(DEMO.shopServerId, { name: 'clocked', description: '', systemSnapshotId: snap.snapshotId, tags: [] });
    expect(img.status).toBe('4');
    now += 499;
    expect(s.image(img.imageId)!.status).toBe('4');
    now += 1;
    expect(s.image(img.imageId)!.status).toBe('1');
  });
});

describe('module boundaries', () => {
  test('src/simulator imports only node built-ins and its own files, and never writes to stdout', () => {
    const dir = 'src/simulator';
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        expect(m[1], `${file} imports ${m[1]}`).toMatch(/^(node:|\.\/[a-z-]+\.js$)/);
      }
      expect(text, file).not.toMatch(/console\.|process\.stdout/);
    }
  });
});

describe('standalone CLI', () => {
  // The built one (dist/simulator.js, what `npm run simulator` starts): the suite builds first.
  test('starts, logs one line to stderr with the key pair, serves the SDK, stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swas-sim-'));
    try {
      const out = resolve(__dirname, '../../dist/simulator.js');
      // A bad --time-scale is refused with exit code 2 and the usage line.
      const bad = spawn(process.execPath, [out, '--port', '0', '--time-scale', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let badErr = '';
      bad.stderr.on('data', (c: Buffer) => (badErr += c.toString()));
      expect(await new Promise<number | null>((resolve) => bad.on('exit', resolve))).toBe(2);
      expect(badErr).toMatch(/--time-scale must be a positive number[\s\S]*usage: simulator .*--time-scale n/);
      const seedFile = join(dir, 'seed.json');
      writeFileSync(seedFile, JSON.stringify({ instances: [{ regionId: 'cn-hangzhou', instanceName: 'from-file' }] }));
      const child = spawn(process.execPath, [out, '--port', '0', '--seed', seedFile, '--time-scale', '600', '--unknown-id-errors'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      const line = await new Promise<string>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (c: Buffer) => {
          err += c.toString();
          if (err.includes('\n')) resolve(err.split('\n')[0]!);
        });
        child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${err}`)));
      });
      expect(line).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ .*sim-access-key-id.*sim-access-key-secret.*endpoint "127\.0\.0\.1:\d+".*HTTP/);
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(line)![1]);
      const fakeSim = { endpoint: `127.0.0.1:${port}` } as Simulator;
      const r = await sdkClient(fakeSim).listInstances(new swas.ListInstancesRequest({ regionId: 'cn-hangzhou' }));
      expect(r.body!.instances!.map((i) => i.instanceName)).toEqual(['from-file']);
      // --unknown-id-errors took effect.
      const unknown = await sdkError(sdkClient(fakeSim).listInstances(new swas.ListInstancesRequest({ regionId: 'cn-hangzhou', instanceIds: JSON.stringify(['0'.repeat(32)]) })));
      expect(unknown.code).toBe('InvalidInstanceId.NotFound');
      const code = await new Promise<number | null>((resolve) => {
        child.on('exit', resolve);
        child.kill('SIGTERM');
      });
      expect(code).toBe(0);
      expect(stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
