import { describe, expect, test } from 'vitest';
import * as swas from '@alicloud/swas-open20200601';
import { DEMO, FIXED_TIMINGS, REALISTIC_TIMINGS, realisticSeconds, startSimulator } from '../../src/simulator/index.js';
import { SimState } from '../../src/simulator/state.js';
import { demoSeed } from '../../src/simulator/demo.js';
import { sdkClient, sdkError, simulatorPool, clock } from './helpers.js';

const start = simulatorPool();
const hz = DEMO.region;
const json = (ids: string[]): string => JSON.stringify(ids);

describe('the realistic timing profile', () => {
  test('durations are minutes of simulated time sized by disk, within their bounds', () => {
    expect(realisticSeconds('snapshot', 40)).toBe(360);
    expect(realisticSeconds('snapshot', 0)).toBe(REALISTIC_TIMINGS.snapshot.minS);
    expect(realisticSeconds('snapshot', 2000)).toBe(600);
    expect(realisticSeconds('image', 60)).toBe(540);
    expect(realisticSeconds('image', 5000)).toBe(1200);
    expect(realisticSeconds('reset')).toBe(60);
    // The fixed profile keeps its documented defaults.
    const s = new SimState({}, {});
    expect([s.profile, s.imageReadyMs, s.snapshotReadyMs, s.imageListDelayMs, s.imageDeleteMs, s.resetMs]).toEqual([
      'fixed',
      FIXED_TIMINGS.imageReadyMs,
      FIXED_TIMINGS.snapshotReadyMs,
      0,
      FIXED_TIMINGS.imageDeleteMs,
      FIXED_TIMINGS.resetMs,
    ]);
  });

  test('a snapshot of a 50 GB disk takes 7 simulated minutes, with rising Progress, on the time scale', async () => {
    const t = clock();
    // timeScale 60: one simulated minute is one clock second, so 7 minutes are 7000 ms.
    const sim = await start({ now: t.now, profile: 'realistic', timeScale: 60 });
    const c = sdkClient(sim);
    const id = (await c.createSnapshot(new swas.CreateSnapshotRequest({ regionId: hz, diskId: DEMO.shopSystemDiskId, snapshotName: 'shop-real' }))).body!.snapshotId!;
    const get = async () => (await c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, snapshotIds: json([id]) }))).body!.snapshots![0]!;
    expect([(await get()).status, (await get()).progress]).toEqual(['progressing', '0%']);
    t.advance(2590);
    expect([(await get()).status, (await get()).progress]).toEqual(['progressing', '37%']);
    t.advance(4409);
    expect((await get()).progress).toBe('99%');
    t.advance(1);
    expect([(await get()).status, (await get()).progress]).toEqual(['accomplished', '100%']);
  });

  test('an image: not listed for 30 s, then "4" for the rest of its 9 minutes (40 + 20 GB), then "1"; ListImages shows it only then', async () => {
    const t = clock();
    const sim = await start({ now: t.now, profile: 'realistic', timeScale: 60 });
    const c = sdkClient(sim);
    const imageId = (await c.createCustomImage(
      new swas.CreateCustomImageRequest({ regionId: hz, instanceId: DEMO.blogServerId, imageName: 'blog-real', systemSnapshotId: DEMO.blogSystemSnapshotId, dataSnapshotId: DEMO.blogDataSnapshotId }),
    )).body!.imageId!;
    const custom = async () => (await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, imageIds: json([imageId]) }))).body!.customImages!.map((m) => m.status);
    const images = async () => (await c.listImages(new swas.ListImagesRequest({ regionId: hz, imageIds: json([imageId]) }))).body!.images!.map((m) => m.imageId);
    expect(await custom()).toEqual([]);
    // Not listed, but it exists: the name is taken already.
    expect((await sdkError(c.createCustomImage(new swas.CreateCustomImageRequest({ regionId: hz, instanceId: DEMO.blogServerId, imageName: 'blog-real', systemSnapshotId: DEMO.blogSystemSnapshotId })))).code).toBe(
      'ImageNameAlreadyExist',
    );
    t.advance(499);
    expect(await custom()).toEqual([]);
    t.advance(1);
    expect(await custom()).toEqual(['4']);
    expect(await images()).toEqual([]);
    t.advance(9000 - 500 - 1);
    expect(await custom()).toEqual(['4']);
    t.advance(1);
    expect(await custom()).toEqual(['1']);
    expect(await images()).toEqual([imageId]);
    // Deleting it: listed for 20 simulated seconds (333 ms), then gone.
    await c.deleteCustomImage(new swas.DeleteCustomImageRequest({ regionId: hz, imageId }));
    t.advance(332);
    expect(await custom()).toEqual(['1']);
    t.advance(1);
    expect(await custom()).toEqual([]);
  });

  test('a reset takes one simulated minute', async () => {
    const t = clock();
    const sim = await start({ now: t.now, profile: 'realistic', timeScale: 600 });
    await sdkClient(sim).resetSystem(new swas.ResetSystemRequest({ regionId: hz, instanceId: DEMO.shopServerId }));
    t.advance(99);
    expect(sim.state.instance(DEMO.shopServerId)!.status).toBe('Resetting');
    t.advance(1);
    expect(sim.state.instance(DEMO.shopServerId)!.status).toBe('Running');
  });

  test('the fixed profile: imageListDelayMs hides a new image from the lists for that long', async () => {
    const t = clock();
    const sim = await start({ now: t.now, imageListDelayMs: 200, imageReadyMs: 100 });
    const c = sdkClient(sim);
    const imageId = (await c.createCustomImage(
      new swas.CreateCustomImageRequest({ regionId: hz, instanceId: DEMO.blogServerId, imageName: 'blog-fixed', systemSnapshotId: DEMO.blogSystemSnapshotId }),
    )).body!.imageId!;
    const custom = async () => (await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, imageIds: json([imageId]) }))).body!.customImages!.map((m) => m.status);
    t.advance(199);
    expect(await custom()).toEqual([]);
    t.advance(1);
    expect(await custom()).toEqual(['1']);
  });

  test('a time scale that is not a positive number is refused at start', async () => {
    await expect(startSimulator({ profile: 'realistic', timeScale: 0 })).rejects.toThrow(/timeScale/);
    await expect(startSimulator({ profile: 'realistic', timeScale: Number.NaN })).rejects.toThrow(/timeScale/);
    expect(() => new SimState(demoSeed(), { timeScale: -1 })).toThrow(/timeScale/);
  });
});

describe('unknownIdErrors: list calls filtered by unknown IDs answer NotFound errors, as the real API may', () => {
  const unknownServer = '0123456789abcdef0123456789abcdef';

  test('off (default): empty lists', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    expect((await c.listInstances(new swas.ListInstancesRequest({ regionId: hz, instanceIds: json([unknownServer]) }))).body!.instances).toEqual([]);
    expect((await c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, instanceId: unknownServer }))).body!.snapshots).toEqual([]);
    expect((await c.listDisks(new swas.ListDisksRequest({ regionId: hz, diskIds: json(['d-nosuchdisk000000000']) }))).body!.disks).toEqual([]);
  });

  test('on (start option): 404 InvalidInstanceId.NotFound / InvalidDiskId.NotFound; known IDs still list', async () => {
    const sim = await start({ unknownIdErrors: true });
    const c = sdkClient(sim);
    const cases: Array<[string, Promise<unknown>, string]> = [
      ['ListInstances InstanceIds', c.listInstances(new swas.ListInstancesRequest({ regionId: hz, instanceIds: json([DEMO.blogServerId, unknownServer]) })), 'InvalidInstanceId.NotFound'],
      // A server of another region is unknown in this one.
      ['ListInstances, other region', c.listInstances(new swas.ListInstancesRequest({ regionId: hz, instanceIds: json([DEMO.sgServerId]) })), 'InvalidInstanceId.NotFound'],
      ['ListInstanceStatus', c.listInstanceStatus(new swas.ListInstanceStatusRequest({ regionId: hz, instanceIds: json([unknownServer]) })), 'InvalidInstanceId.NotFound'],
      ['ListSnapshots InstanceId', c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, instanceId: unknownServer })), 'InvalidInstanceId.NotFound'],
      ['ListSnapshots DiskId', c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, diskId: 'd-nosuchdisk000000000' })), 'InvalidDiskId.NotFound'],
      ['ListDisks DiskIds', c.listDisks(new swas.ListDisksRequest({ regionId: hz, diskIds: json(['d-nosuchdisk000000000']) })), 'InvalidDiskId.NotFound'],
      ['ListDisks InstanceId', c.listDisks(new swas.ListDisksRequest({ regionId: hz, instanceId: unknownServer })), 'InvalidInstanceId.NotFound'],
    ];
    for (const [name, p, code] of cases) {
      const e = await sdkError(p);
      expect([name, e.statusCode, e.code]).toEqual([name, 404, code]);
    }
    expect((await c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, instanceId: DEMO.shopServerId }))).body!.snapshots).toEqual([]);
    expect((await c.listInstances(new swas.ListInstancesRequest({ regionId: hz, instanceIds: json([DEMO.blogServerId]) }))).body!.instances).toHaveLength(1);
  });

  test('switched at run time through sim.state.unknownIdErrors', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    sim.state.unknownIdErrors = true;
    expect((await sdkError(c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, instanceId: unknownServer })))).code).toBe('InvalidInstanceId.NotFound');
    sim.state.unknownIdErrors = false;
    expect((await c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, instanceId: unknownServer }))).body!.snapshots).toEqual([]);
  });
});

describe('ListImages, ListRegions, ListInstanceStatus', () => {
  test('ListImages: shared-in images are listed (usable), with Platform; ImageIds at most 50; system and app IDs are 32 hex', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const sg = await c.listImages(new swas.ListImagesRequest({ regionId: DEMO.otherRegion, imageType: 'custom' }));
    expect(sg.body!.images!.map((m) => [m.imageId, m.platform])).toEqual([
      [DEMO.sgImageId, 'Linux'],
      [DEMO.sgSharedInImageId, 'Windows'],
    ]);
    const all = await c.listImages(new swas.ListImagesRequest({ regionId: hz }));
    for (const m of all.body!.images!) {
      expect(m.imageId).toMatch(m.imageType === 'custom' ? /^m-[a-z0-9]{20}$/ : /^[0-9a-f]{32}$/);
      expect(['Linux', 'Windows']).toContain(m.platform);
    }
    expect(new Set(all.body!.images!.map((m) => m.imageType))).toEqual(new Set(['system', 'app', 'custom']));
    const e = await sdkError(c.listImages(new swas.ListImagesRequest({ regionId: hz, imageIds: json(Array.from({ length: 51 }, (_, i) => `m-x${i}`)) })));
    expect([e.statusCode, e.code]).toEqual([400, 'InvalidParameter']);
  });

  test('ListRegions lists the regions the simulator knows with LocalName and RegionEndpoint', async () => {
    const sim = await start();
    const r = await sdkClient(sim).listRegions(new swas.ListRegionsRequest({ acceptLanguage: 'en-US' }));
    expect(r.body!.regions!.map((x) => x.regionId)).toEqual(sim.state.regions().map((x) => x.regionId));
    expect(r.body!.regions!.every((x) => x.regionEndpoint === `swas.${x.regionId}.aliyuncs.com` && x.localName)).toBe(true);
  });

  test('ListInstanceStatus: InstanceIds JSON array, paged, InstanceStatuses[{InstanceId, Status}]', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const r = await c.listInstanceStatus(new swas.ListInstanceStatusRequest({ regionId: hz, instanceIds: json([DEMO.archiveServerId, DEMO.stagingServerId]), pageSize: 1, pageNumber: 2 }));
    expect([r.body!.totalCount, r.body!.pageNumber, r.body!.pageSize]).toEqual([2, 2, 1]);
    expect(r.body!.instanceStatuses!.map((s) => ({ ...s }))).toEqual([{ instanceId: DEMO.stagingServerId, status: 'Upgrading' }]);
    const bad = await sdkError(c.listInstanceStatus(new swas.ListInstanceStatusRequest({ regionId: hz, instanceIds: DEMO.archiveServerId })));
    expect(bad.code).toBe('InvalidParameter');
  });
});
