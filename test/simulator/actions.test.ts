import { describe, expect, test } from 'vitest';
import * as swas from '@alicloud/swas-open20200601';
import { DEMO, type SeedData } from '../../src/simulator/index.js';
import { clock, rawCall, sdkClient, sdkError, simulatorPool } from './helpers.js';

const start = simulatorPool();

const hz = DEMO.region;
const json = (ids: string[]): string => JSON.stringify(ids);

/** n servers in cn-hangzhou named srv-01.. */
function manyServers(n: number): SeedData {
  return { instances: Array.from({ length: n }, (_, i) => ({ regionId: hz, instanceName: `srv-${String(i + 1).padStart(2, '0')}` })) };
}

describe('ListRegions', () => {
  test('lists regions with endpoint and localized names', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const zh = await c.listRegions(new swas.ListRegionsRequest({}));
    const hangzhou = zh.body!.regions!.find((r) => r.regionId === 'cn-hangzhou')!;
    expect(hangzhou.regionEndpoint).toBe('swas.cn-hangzhou.aliyuncs.com');
    expect(hangzhou.localName).toBe('华东1（杭州）');
    const en = await c.listRegions(new swas.ListRegionsRequest({ acceptLanguage: 'en-US' }));
    expect(en.body!.regions!.map((r) => r.regionId)).toEqual(expect.arrayContaining(['cn-hangzhou', 'ap-southeast-1']));
    expect(en.body!.regions!.find((r) => r.regionId === 'ap-southeast-1')!.localName).toBe('Singapore');
  });
});

describe('ListInstances / ListInstanceStatus', () => {
  test('demo servers with CamelCase status, disks in lower-case types, numeric paging', async () => {
    const sim = await start();
    const r = await sdkClient(sim).listInstances(new swas.ListInstancesRequest({ regionId: hz }));
    expect(r.body!.totalCount).toBe(4);
    expect(r.body!.pageNumber).toBe(1);
    expect(r.body!.pageSize).toBe(10);
    const byName = new Map(r.body!.instances!.map((i) => [i.instanceName, i]));
    expect([...byName.keys()].sort()).toEqual(['archive-server', 'blog-server', 'shop-server', 'staging-server']);
    const blog = byName.get('blog-server')!;
    expect(blog.instanceId).toBe(DEMO.blogServerId);
    expect(blog.status).toBe('Running');
    expect(byName.get('archive-server')!.status).toBe('Stopped');
    expect(byName.get('staging-server')!.status).toBe('Upgrading');
    expect(blog.disks!.map((d) => [d.diskId, d.diskType, d.status])).toEqual([
      [DEMO.blogSystemDiskId, 'system', 'In_use'],
      [DEMO.blogDataDiskId, 'data', 'In_use'],
    ]);
    expect(blog.creationTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(blog.resourceSpec?.cpu).toBe(2);
    expect(blog.image?.imageName).toBe('WordPress');
  });

  test('filters: InstanceIds (JSON array), InstanceName wildcard, Status, PublicIpAddresses, Tag', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const names = async (req: Record<string, unknown>): Promise<string[]> =>
      ((await c.listInstances(new swas.ListInstancesRequest({ regionId: hz, ...req }))).body!.instances ?? []).map((i) => i.instanceName!).sort();
    expect(await names({ instanceIds: json([DEMO.shopServerId, DEMO.sgServerId]) })).toEqual(['shop-server']);
    expect(await names({ instanceName: '*-server' })).toEqual(['archive-server', 'blog-server', 'shop-server', 'staging-server']);
    expect(await names({ instanceName: 'blog*' })).toEqual(['blog-server']);
    expect(await names({ instanceName: 'blog' })).toEqual([]);
    expect(await names({ status: 'Stopped' })).toEqual(['archive-server']);
    expect(await names({ publicIpAddresses: json(['47.96.10.22']) })).toEqual(['shop-server']);
    expect(await names({ tag: [new swas.ListInstancesRequestTag({ key: 'app', value: 'blog' })] })).toEqual(['blog-server']);
    const sg = await c.listInstances(new swas.ListInstancesRequest({ regionId: DEMO.otherRegion }));
    expect(sg.body!.instances!.map((i) => i.instanceName)).toEqual(['sg-web']);
  });

  test('paging: default 10, PageSize <= 100, PageSize 101 is InvalidParameter', async () => {
    const sim = await start({ seed: manyServers(25) });
    const c = sdkClient(sim);
    const first = await c.listInstances(new swas.ListInstancesRequest({ regionId: hz }));
    expect([first.body!.totalCount, first.body!.instances!.length]).toEqual([25, 10]);
    const third = await c.listInstances(new swas.ListInstancesRequest({ regionId: hz, pageNumber: 3, pageSize: 10 }));
    expect(third.body!.instances!.map((i) => i.instanceName)).toEqual(['srv-21', 'srv-22', 'srv-23', 'srv-24', 'srv-25']);
    const all = await c.listInstances(new swas.ListInstancesRequest({ regionId: hz, pageSize: 100 }));
    expect(all.body!.instances!.length).toBe(25);
    const e = await sdkError(c.listInstances(new swas.ListInstancesRequest({ regionId: hz, pageSize: 101 })));
    expect([e.statusCode, e.code]).toEqual([400, 'InvalidParameter']);
    const st = await c.listInstanceStatus(new swas.ListInstanceStatusRequest({ regionId: hz, pageSize: 5, pageNumber: 5 }));
    expect(st.body!.totalCount).toBe(25);
    expect(st.body!.instanceStatuses!.length).toBe(5);
    expect(st.body!.instanceStatuses![0]!.status).toBe('Running');
  });

  test('ListInstanceStatus filters by InstanceIds', async () => {
    const sim = await start();
    const r = await sdkClient(sim).listInstanceStatus(new swas.ListInstanceStatusRequest({ regionId: hz, instanceIds: json([DEMO.stagingServerId]) }));
    expect(r.body!.instanceStatuses!.map((s) => [s.instanceId, s.status])).toEqual([[DEMO.stagingServerId, 'Upgrading']]);
  });

  test('parameter errors: missing RegionId, unknown region, bad JSON list', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const noRegion = await sdkError(c.listInstances(new swas.ListInstancesRequest({})));
    expect([noRegion.statusCode, noRegion.code]).toEqual([400, 'MissingRegionId']);
    const unknown = await sdkError(c.listInstances(new swas.ListInstancesRequest({ regionId: 'mars-north-1' })));
    expect([unknown.statusCode, unknown.code]).toEqual([404, 'InvalidRegionId.NotFound']);
    const badList = await sdkError(c.listInstances(new swas.ListInstancesRequest({ regionId: hz, instanceIds: DEMO.blogServerId })));
    expect([badList.statusCode, badList.code]).toEqual([400, 'InvalidParameter']);
  });
});

describe('ListDisks', () => {
  test('filters by InstanceId, DiskType (case-insensitive) and DiskIds', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const blog = await c.listDisks(new swas.ListDisksRequest({ regionId: hz, instanceId: DEMO.blogServerId }));
    expect(blog.body!.totalCount).toBe(2);
    expect(blog.body!.disks!.every((d) => d.instanceName === 'blog-server')).toBe(true);
    const data = await c.listDisks(new swas.ListDisksRequest({ regionId: hz, instanceId: DEMO.blogServerId, diskType: 'Data' }));
    expect(data.body!.disks!.map((d) => [d.diskId, d.diskType, d.size])).toEqual([[DEMO.blogDataDiskId, 'data', 20]]);
    const byIds = await c.listDisks(new swas.ListDisksRequest({ regionId: hz, diskIds: json([DEMO.shopSystemDiskId]) }));
    expect(byIds.body!.disks!.map((d) => d.instanceId)).toEqual([DEMO.shopServerId]);
    const all = await c.listDisks(new swas.ListDisksRequest({ regionId: hz }));
    expect(all.body!.totalCount).toBe(5);
  });
});

describe('ListSnapshots', () => {
  test('live spellings, filters, InstanceId shown only for system-disk snapshots', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const blog = await c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, instanceId: DEMO.blogServerId }));
    const byId = new Map(blog.body!.snapshots!.map((s) => [s.snapshotId, s]));
    expect(byId.get(DEMO.blogSystemSnapshotId)).toMatchObject({ status: 'accomplished', progress: '100%', sourceDiskType: 'system', instanceId: DEMO.blogServerId, sourceDiskId: DEMO.blogSystemDiskId });
    expect(byId.get(DEMO.blogDataSnapshotId)).toMatchObject({ status: 'accomplished', sourceDiskType: 'data', instanceId: '', sourceDiskId: DEMO.blogDataDiskId });
    const archive = await c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, instanceId: DEMO.archiveServerId }));
    expect(archive.body!.snapshots!.map((s) => [s.snapshotId, s.status, s.progress]).sort()).toEqual(
      [
        [DEMO.archiveSystemSnapshotId, 'accomplished', '100%'],
        [DEMO.archiveProgressingSnapshotId, 'progressing', '45%'],
        [DEMO.archiveFailedSnapshotId, 'failed', '0%'],
      ].sort(),
    );
    const shop = await c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, instanceId: DEMO.shopServerId }));
    expect([shop.body!.totalCount, shop.body!.snapshots]).toEqual([0, []]);
    const data = await c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, sourceDiskType: 'Data' }));
    expect(data.body!.snapshots!.map((s) => s.snapshotId)).toEqual([DEMO.blogDataSnapshotId]);
    const byDisk = await c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, diskId: DEMO.stagingSystemDiskId }));
    expect(byDisk.body!.snapshots!.map((s) => s.snapshotId)).toEqual([DEMO.stagingSystemSnapshotId]);
    const byIds = await c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, snapshotIds: json([DEMO.blogSystemSnapshotId, DEMO.sgSystemSnapshotId]) }));
    expect(byIds.body!.snapshots!.map((s) => s.snapshotId)).toEqual([DEMO.blogSystemSnapshotId]);
    const paged = await c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, pageSize: 2, pageNumber: 3 }));
    expect([paged.body!.totalCount, paged.body!.snapshots!.length, paged.body!.pageNumber]).toEqual([6, 2, 3]);
  });
});

describe('CreateSnapshot', () => {
  test('shop-server story: no snapshot, create one, it progresses and becomes accomplished', async () => {
    const time = clock();
    const sim = await start({ snapshotReadyMs: 150, now: time.now });
    const c = sdkClient(sim);
    const created = await c.createSnapshot(new swas.CreateSnapshotRequest({ regionId: hz, diskId: DEMO.shopSystemDiskId, snapshotName: 'shop-sys-1' }));
    const id = created.body!.snapshotId!;
    expect(id).toMatch(/^s-[a-z0-9]{20}$/);
    const list = async () => (await c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, snapshotIds: json([id]) }))).body!.snapshots![0]!;
    const early = await list();
    expect(early).toMatchObject({ status: 'progressing', sourceDiskType: 'system', instanceId: DEMO.shopServerId, snapshotName: 'shop-sys-1' });
    expect(early.progress).toMatch(/^\d{1,2}%$/);
    time.advance(200);
    expect(await list()).toMatchObject({ status: 'accomplished', progress: '100%' });
  });

  test('rules: name format, unknown disk, server status, 3 snapshots per server, tags', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const create = (o: Record<string, unknown>) => c.createSnapshot(new swas.CreateSnapshotRequest({ regionId: hz, diskId: DEMO.shopSystemDiskId, snapshotName: 'good-name', ...o }));
    for (const name of ['1starts-with-digit', 'x', 'a'.repeat(51), 'has space', 'https://x', 'bad/char']) {
      const e = await sdkError(create({ snapshotName: name }));
      expect([name, e.statusCode, e.code]).toEqual([name, 400, 'InvalidParam.SnapshotName']);
    }
    expect((await create({ snapshotName: 'Ok:name_1.2-3' })).body!.snapshotId).toMatch(/^s-/);
    const missing = await sdkError(c.createSnapshot(new swas.CreateSnapshotRequest({ regionId: hz, diskId: DEMO.shopSystemDiskId })));
    expect([missing.statusCode, missing.code]).toEqual([400, 'MissingSnapshotName']);
    const noDisk = await sdkError(create({ diskId: 'd-doesnotexist000000000' }));
    expect([noDisk.statusCode, noDisk.code]).toEqual([404, 'InvalidDiskId.NotFound']);
    const upgrading = await sdkError(create({ diskId: DEMO.stagingSystemDiskId }));
    expect([upgrading.statusCode, upgrading.code]).toEqual([403, 'IncorrectInstanceStatus']);
    const quota = await sdkError(create({ diskId: DEMO.archiveSystemDiskId }));
    expect([quota.statusCode, quota.code]).toEqual([400, 'SnapshotQuotaExceed']);
    const badTag = await sdkError(create({ tag: [new swas.CreateSnapshotRequestTag({ key: 'aliyun-x', value: 'v' })] }));
    expect(badTag.code).toBe('InvalidParam.TagKey');
    // blog-server has 2 snapshots: one more is allowed, the next one is not (data-disk snapshots count too).
    await create({ diskId: DEMO.blogDataDiskId });
    const full = await sdkError(create({ diskId: DEMO.blogSystemDiskId }));
    expect(full.code).toBe('SnapshotQuotaExceed');
  });

  test('ClientToken replay returns the same SnapshotId; other parameters are IdempotentParameterMismatch', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const req = () => new swas.CreateSnapshotRequest({ regionId: hz, diskId: DEMO.shopSystemDiskId, snapshotName: 'shop-a', clientToken: 'tok-snap-1' });
    const a = await c.createSnapshot(req());
    const b = await c.createSnapshot(req());
    expect(b.body!.snapshotId).toBe(a.body!.snapshotId);
    expect(b.body!.requestId).not.toBe(a.body!.requestId);
    expect(sim.state.snapshots(hz).filter((s) => s.instanceId === DEMO.shopServerId)).toHaveLength(1);
    const e = await sdkError(c.createSnapshot(new swas.CreateSnapshotRequest({ regionId: hz, diskId: DEMO.shopSystemDiskId, snapshotName: 'shop-b', clientToken: 'tok-snap-1' })));
    expect([e.statusCode, e.code]).toEqual([400, 'IdempotentParameterMismatch']);
  });
});

describe('custom image reads and delete', () => {
  test('ListCustomImages: string paging fields, status codes as strings, filters', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const all = await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz }));
    // Three own images and one another account shared in: Share omitted lists them all.
    expect([all.body!.totalCount, all.body!.pageNumber, all.body!.pageSize]).toEqual(['4', '1', '10']);
    const blog = all.body!.customImages!.find((m) => m.imageId === DEMO.blogImageId)!;
    expect(blog).toMatchObject({ name: 'blog-base-2026', status: '1', instanceId: DEMO.blogServerId, systemSnapshotId: DEMO.blogSystemSnapshotId, dataSnapshotId: DEMO.blogDataSnapshotId, requiredSystemDiskSize: 40, requiredDataDiskSize: 20 });
    expect(blog.tags!.map((t) => [t.key, t.value])).toEqual([['app', 'blog']]);
    const byName = await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, imageNames: json([DEMO.blogImageName]) }));
    expect(byName.body!.customImages!.map((m) => m.imageId)).toEqual([DEMO.blogImageId]);
    const byIds = await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, imageIds: json([DEMO.archiveImageId, DEMO.sgImageId]) }));
    expect(byIds.body!.customImages!.map((m) => m.imageId)).toEqual([DEMO.archiveImageId]);
    const byInstance = await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, instanceId: DEMO.blogServerId, share: false }));
    expect(byInstance.body!.totalCount).toBe('2');
    const bySnap = await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, dataSnapshotId: DEMO.blogDataSnapshotId }));
    expect(bySnap.body!.customImages!.map((m) => m.imageId)).toEqual([DEMO.blogImageId]);
    const bySys = await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, systemSnapshotId: DEMO.archiveSystemSnapshotId }));
    expect(bySys.body!.customImages!.map((m) => m.imageId)).toEqual([DEMO.archiveImageId]);
    const byTag = await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, tag: [new swas.ListCustomImagesRequestTag({ key: 'app', value: 'blog' })] }));
    expect(byTag.body!.customImages!.map((m) => m.imageId)).toEqual([DEMO.blogImageId]);
    const page2 = await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, pageSize: 2, pageNumber: 2 }));
    expect([page2.body!.totalCount, page2.body!.pageSize, page2.body!.customImages!.length]).toEqual(['4', '2', 2]);
  });

  test('the raw wire carries ListCustomImages paging as strings and lists as plain arrays', async () => {
    const sim = await start();
    const r = await rawCall(sim, { action: 'ListCustomImages', params: { RegionId: hz } });
    expect(r.body!.TotalCount).toBe('4');
    expect(Array.isArray(r.body!.CustomImages)).toBe(true);
    const s = await rawCall(sim, { action: 'ListSnapshots', params: { RegionId: hz } });
    expect(s.body!.TotalCount).toBe(6);
  });

  test('DeleteCustomImage removes the image (after imageDeleteMs on the injected clock); a missing one is 404', async () => {
    let now = Date.now();
    const sim = await start({ now: () => now, imageDeleteMs: 1000 });
    const c = sdkClient(sim);
    const r = await c.deleteCustomImage(new swas.DeleteCustomImageRequest({ regionId: hz, imageId: DEMO.blogOldImageId }));
    expect(r.body!.requestId).toBeTruthy();
    expect(sim.state.image(DEMO.blogOldImageId)).toMatchObject({ deleting: true, status: '1' });
    now += 1000;
    expect(sim.state.image(DEMO.blogOldImageId)).toBeUndefined();
    const again = await sdkError(c.deleteCustomImage(new swas.DeleteCustomImageRequest({ regionId: hz, imageId: DEMO.blogOldImageId })));
    expect([again.statusCode, again.code]).toEqual([404, 'InvalidImageId.NotFound']);
    const wrongRegion = await sdkError(c.deleteCustomImage(new swas.DeleteCustomImageRequest({ regionId: hz, imageId: DEMO.sgImageId })));
    expect(wrongRegion.code).toBe('InvalidImageId.NotFound');
    const missing = await sdkError(c.deleteCustomImage(new swas.DeleteCustomImageRequest({ regionId: hz })));
    expect([missing.statusCode, missing.code]).toEqual([400, 'MissingImageId']);
  });

  test('ListImages: public images by type, custom images once created', async () => {
    const time = clock();
    const sim = await start({ imageReadyMs: 100, now: time.now });
    const c = sdkClient(sim);
    const custom = await c.listImages(new swas.ListImagesRequest({ regionId: hz, imageType: 'custom' }));
    expect(custom.body!.images!.map((m) => m.imageName).sort()).toEqual(['archive-2025', 'blog-base-2025', 'blog-base-2026', 'partner-wordpress-base']);
    const system = await c.listImages(new swas.ListImagesRequest({ regionId: hz, imageType: 'system' }));
    expect(system.body!.images!.length).toBeGreaterThan(0);
    expect(system.body!.images!.every((m) => m.imageType === 'system' && /^[0-9a-f]{32}$/.test(m.imageId!))).toBe(true);
    const body = (await c.createCustomImage(
      new swas.CreateCustomImageRequest({ regionId: hz, instanceId: DEMO.shopServerId, imageName: 'shop-img', systemSnapshotId: sim.state.addSnapshot({ diskId: DEMO.shopSystemDiskId }).snapshotId }),
    )).body!;
    const find = async () => (await c.listImages(new swas.ListImagesRequest({ regionId: hz, imageIds: json([body.imageId!]) }))).body!.images!;
    expect(await find()).toEqual([]);
    time.advance(130);
    expect((await find()).map((m) => [m.imageId, m.imageType])).toEqual([[body.imageId, 'custom']]);
    const bad = await sdkError(c.listImages(new swas.ListImagesRequest({ regionId: hz, imageType: 'weird' })));
    expect(bad.code).toBe('InvalidParameter');
  });
});
