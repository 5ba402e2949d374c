// The simulator against what Alibaba's error-code page, API pages, user guide and SDK models say
// (the documented codes and rules the fidelity audit confirmed), with the official SDK as its client.
import { describe, expect, test } from 'vitest';
import * as swas from '@alicloud/swas-open20200601';
import { DEMO } from '../../src/simulator/index.js';
import { clock, sdkClient, sdkError, simulatorPool } from './helpers.js';

const start = simulatorPool();
const hz = DEMO.region;
const UBUNTU = 'c3e1d0b8a7f64e2b9d5c4a3b2e1f0d9c';

describe('CreateSnapshot while a snapshot of the same disk is being made', () => {
  test('403 IncorrectDiskStatus.CreatingSnapshot with the documented text; accepted again once the first is accomplished', async () => {
    const t = clock();
    const sim = await start({ now: t.now, snapshotReadyMs: 5000 });
    const c = sdkClient(sim);
    const create = (name: string, diskId: string = DEMO.shopSystemDiskId) => c.createSnapshot(new swas.CreateSnapshotRequest({ regionId: hz, diskId, snapshotName: name }));
    const first = (await create('first')).body!.snapshotId!;
    const e = await sdkError(create('second'));
    expect([e.statusCode, e.code]).toEqual([403, 'IncorrectDiskStatus.CreatingSnapshot']);
    expect(e.message).toContain('A snapshot is being created in the specified disk. Please try again later.');
    expect(sim.state.snapshots(hz).filter((s) => s.sourceDiskId === DEMO.shopSystemDiskId).map((s) => s.snapshotId)).toEqual([first]);
    // Another disk is not affected.
    expect((await create('data-one', DEMO.blogDataDiskId)).body!.snapshotId).toMatch(/^s-/);
    t.advance(5000);
    expect((await create('second')).body!.snapshotId).toMatch(/^s-/);
  });
});

describe('ResetSystem: images shared in, and servers made from an image holding data', () => {
  test('an image another account shared in is refused (usable only to create servers), even with a large enough disk', async () => {
    const sim = await start();
    const before = sim.state.dump();
    // shop-server's 50 GB disk is large enough for partner-wordpress-base.
    const e = await sdkError(sdkClient(sim).resetSystem(new swas.ResetSystemRequest({ regionId: hz, instanceId: DEMO.shopServerId, imageId: DEMO.sharedInImageId })));
    expect([e.statusCode, e.code]).toEqual([403, 'OperationDenied.SharedImageResetNotSupported']);
    expect(e.message).toContain('only to create servers');
    expect(sim.state.dump()).toEqual(before);
  });

  test('a server created from a custom image holding data-disk data cannot be reset, to any image or its own', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    // blog-base-2026 holds the blog server's data snapshot; shop-server is listed as made from it.
    const withData = sim.state.addImage({ name: 'with-data', instanceId: DEMO.blogServerId, systemSnapshotId: DEMO.blogSystemSnapshotId, dataSnapshotId: DEMO.blogDataSnapshotId, createInstances: [DEMO.shopServerId] });
    const server = (await c.listInstances(new swas.ListInstancesRequest({ regionId: hz, instanceIds: JSON.stringify([DEMO.shopServerId]) }))).body!.instances![0]!;
    expect([server.imageId, server.image!.imageType]).toEqual([withData.imageId, 'custom']);
    for (const imageId of [UBUNTU, undefined]) {
      const e = await sdkError(c.resetSystem(new swas.ResetSystemRequest({ regionId: hz, instanceId: DEMO.shopServerId, imageId })));
      expect([imageId, e.statusCode, e.code]).toEqual([imageId, 403, 'OperationDenied.CreatedFromDataDiskImage']);
    }
    expect(sim.state.instance(DEMO.shopServerId)!.status).toBe('Running');
    // A server made from an image without data may be reset.
    const plain = sim.state.addImage({ name: 'no-data', instanceId: DEMO.blogServerId, systemSnapshotId: DEMO.blogSystemSnapshotId, createInstances: [DEMO.archiveServerId] });
    expect(plain.dataSnapshotId).toBe('');
    expect((await c.resetSystem(new swas.ResetSystemRequest({ regionId: hz, instanceId: DEMO.archiveServerId, imageId: UBUNTU }))).statusCode).toBe(200);
  });
});

describe('ListInstances Image.ImageType follows the image the server runs (system | app | custom)', () => {
  test('app for the demo\'s app servers, custom after a reset to a custom image, system after a reset to a system image', async () => {
    const t = clock();
    const sim = await start({ now: t.now, resetMs: 10 });
    const c = sdkClient(sim);
    const imageType = async (id: string) => (await c.listInstances(new swas.ListInstancesRequest({ regionId: hz, instanceIds: JSON.stringify([id]) }))).body!.instances![0]!.image!.imageType;
    expect(await imageType(DEMO.shopServerId)).toBe('app');
    expect(await imageType(DEMO.archiveServerId)).toBe('system');
    await c.resetSystem(new swas.ResetSystemRequest({ regionId: hz, instanceId: DEMO.archiveServerId, imageId: DEMO.blogOldImageId }));
    expect(await imageType(DEMO.archiveServerId)).toBe('custom');
    t.advance(10);
    await c.resetSystem(new swas.ResetSystemRequest({ regionId: hz, instanceId: DEMO.archiveServerId, imageId: UBUNTU }));
    expect(await imageType(DEMO.archiveServerId)).toBe('system');
    // A server seeded with no image name runs the default system image.
    const bare = sim.state.addInstance({ regionId: hz });
    expect(await imageType(bare.instanceId)).toBe('system');
  });
});

describe('tags and regions', () => {
  test('ListTagResources: a tag filter value must be 1–64 characters (no empty wildcard)', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const list = (value: string) => c.listTagResources(new swas.ListTagResourcesRequest({ regionId: hz, resourceType: 'customimage', tag: [new swas.ListTagResourcesRequestTag({ key: 'app', value })] }));
    for (const value of ['', 'x'.repeat(65)]) {
      const e = await sdkError(list(value));
      expect([value.length, e.statusCode, e.code]).toEqual([value.length, 400, 'InvalidParam.TagValue']);
    }
    expect((await list('blog')).body!.tagResources!.tagResource!.map((r) => r.resourceId)).toContain(DEMO.blogImageId);
  });

  test('ListRegions answers the regions of both sites, the China site\'s and the international site\'s', async () => {
    const sim = await start();
    const ids = (await sdkClient(sim).listRegions(new swas.ListRegionsRequest({}))).body!.regions!.map((r) => r.regionId!);
    for (const id of ['cn-qingdao', 'cn-beijing', 'cn-zhangjiakou', 'cn-huhehaote', 'cn-hangzhou', 'cn-shanghai', 'cn-shenzhen', 'cn-guangzhou', 'cn-chengdu', 'cn-hongkong', 'ap-southeast-1']) {
      expect(ids).toContain(id);
    }
  });
});
