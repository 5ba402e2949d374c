import { describe, expect, test } from 'vitest';
import * as swas from '@alicloud/swas-open20200601';
import { DEMO, type SeedData } from '../../src/simulator/index.js';
import { rawCall, sdkClient, sdkError, simulatorPool, clock } from './helpers.js';

const start = simulatorPool();
const hz = DEMO.region;
const sg = DEMO.otherRegion;
const json = (ids: string[]): string => JSON.stringify(ids);

const UBUNTU = 'c3e1d0b8a7f64e2b9d5c4a3b2e1f0d9c';
const WINDOWS = 'e2b4c6d8f0a1437596b8d0f2a4c6e8f0';

describe('DeleteSnapshot / DeleteSnapshots', () => {
  test('deletes at once; unknown or other-region IDs are 404 InvalidSnapshotId.NotFound and nothing is deleted', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const r = await c.deleteSnapshots(new swas.DeleteSnapshotsRequest({ regionId: hz, snapshotIds: json([DEMO.archiveFailedSnapshotId, DEMO.archiveProgressingSnapshotId]) }));
    expect(r.statusCode).toBe(200);
    expect(sim.state.snapshot(DEMO.archiveFailedSnapshotId)).toBeUndefined();
    expect(sim.state.snapshot(DEMO.archiveProgressingSnapshotId)).toBeUndefined();
    for (const ids of [[DEMO.stagingSystemSnapshotId, 's-nosuchsnapshot000000'], [DEMO.stagingSystemSnapshotId, DEMO.sgSystemSnapshotId]]) {
      const e = await sdkError(c.deleteSnapshots(new swas.DeleteSnapshotsRequest({ regionId: hz, snapshotIds: json(ids) })));
      expect([e.statusCode, e.code]).toEqual([404, 'InvalidSnapshotId.NotFound']);
    }
    expect(sim.state.snapshot(DEMO.stagingSystemSnapshotId)).toBeDefined();
    await c.deleteSnapshot(new swas.DeleteSnapshotRequest({ regionId: hz, snapshotId: DEMO.stagingSystemSnapshotId }));
    const again = await sdkError(c.deleteSnapshot(new swas.DeleteSnapshotRequest({ regionId: hz, snapshotId: DEMO.stagingSystemSnapshotId })));
    expect([again.statusCode, again.code]).toEqual([404, 'InvalidSnapshotId.NotFound']);
  });

  test('a snapshot a custom image was made from (system or data) is refused with SnapshotExistCustomImage until the image is gone', async () => {
    const t = clock();
    const sim = await start({ now: t.now, imageDeleteMs: 1000 });
    const c = sdkClient(sim);
    for (const id of [DEMO.blogSystemSnapshotId, DEMO.blogDataSnapshotId]) {
      const e = await sdkError(c.deleteSnapshot(new swas.DeleteSnapshotRequest({ regionId: hz, snapshotId: id })));
      expect([e.statusCode, e.code]).toEqual([400, 'SnapshotExistCustomImage']);
      expect(e.message).toContain(DEMO.blogImageId.slice(0, 2));
    }
    await c.deleteCustomImages(new swas.DeleteCustomImagesRequest({ regionId: hz, imageIds: json([DEMO.blogImageId, DEMO.blogOldImageId]) }));
    // Still being deleted: the image still holds the snapshot.
    expect((await sdkError(c.deleteSnapshot(new swas.DeleteSnapshotRequest({ regionId: hz, snapshotId: DEMO.blogDataSnapshotId })))).code).toBe('SnapshotExistCustomImage');
    t.advance(1000);
    await c.deleteSnapshots(new swas.DeleteSnapshotsRequest({ regionId: hz, snapshotIds: json([DEMO.blogSystemSnapshotId, DEMO.blogDataSnapshotId]) }));
    expect(sim.state.snapshots(hz).filter((s) => s.instanceId === DEMO.blogServerId)).toEqual([]);
  });

  test('shapes: SnapshotIds required, 1–100; SnapshotId required; ClientToken replay and mismatch', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const many = (n: number) => json(Array.from({ length: n }, (_, i) => `s-x${i}`));
    expect((await sdkError(c.deleteSnapshots(new swas.DeleteSnapshotsRequest({ regionId: hz })))).code).toBe('MissingSnapshotIds');
    expect((await sdkError(c.deleteSnapshots(new swas.DeleteSnapshotsRequest({ regionId: hz, snapshotIds: '[]' })))).code).toBe('InvalidParameter');
    expect((await sdkError(c.deleteSnapshots(new swas.DeleteSnapshotsRequest({ regionId: hz, snapshotIds: many(101) })))).code).toBe('InvalidParameter');
    expect((await sdkError(c.deleteSnapshots(new swas.DeleteSnapshotsRequest({ regionId: hz, snapshotIds: many(100) })))).code).toBe('InvalidSnapshotId.NotFound');
    expect((await sdkError(c.deleteSnapshot(new swas.DeleteSnapshotRequest({ regionId: hz })))).code).toBe('MissingSnapshotId');
    const req = (id: string) => new swas.DeleteSnapshotRequest({ regionId: hz, snapshotId: id, clientToken: 'del-snap-1' });
    await c.deleteSnapshot(req(DEMO.archiveFailedSnapshotId));
    expect((await c.deleteSnapshot(req(DEMO.archiveFailedSnapshotId))).statusCode).toBe(200);
    expect((await sdkError(c.deleteSnapshot(req(DEMO.stagingSystemSnapshotId)))).code).toBe('IdempotentParameterMismatch');
  });
});

describe('CreateSnapshot: the account-wide cap min(3 × servers, 15) besides 3 a server', () => {
  // With 3 a server, the account cap only bites from the sixth server on: 6 servers allow 15, not 18.
  function sixServers(): SeedData {
    const instances = Array.from({ length: 6 }, (_, i) => ({
      instanceId: `${'f'.repeat(31)}${i}`,
      regionId: i < 3 ? hz : sg,
      systemDisk: { diskId: `d-cap${String(i).padStart(17, '0')}` },
    }));
    // Servers 1..5 hold 3 each (two of them in hz, three in sg); server 0 (hz) holds none.
    const snapshots = instances.slice(1).flatMap((inst, k) => Array.from({ length: 3 }, (_, j) => ({ snapshotId: `s-cap${String(k * 3 + j).padStart(17, '0')}`, diskId: inst.systemDisk.diskId })));
    return { instances, snapshots };
  }

  test('six servers holding 15 snapshots across two regions: a server with none is refused until one is deleted', async () => {
    const sim = await start({ seed: sixServers() });
    const c = sdkClient(sim);
    const create = () => c.createSnapshot(new swas.CreateSnapshotRequest({ regionId: hz, diskId: `d-cap${'0'.repeat(17)}`, snapshotName: 'sixteenth' }));
    const e = await sdkError(create());
    expect([e.statusCode, e.code]).toEqual([400, 'SnapshotQuotaExceed']);
    expect(e.message).toMatch(/code: 400, The account can have at most 15 snapshots/);
    // Deleting a snapshot in the other region frees a place in the account.
    await c.deleteSnapshot(new swas.DeleteSnapshotRequest({ regionId: sg, snapshotId: `s-cap${'14'.padStart(17, '0')}` }));
    expect((await create()).body!.snapshotId).toMatch(/^s-/);
  });

  test('the per-server rule keeps its own message', async () => {
    const sim = await start();
    const e = await sdkError(sdkClient(sim).createSnapshot(new swas.CreateSnapshotRequest({ regionId: hz, diskId: DEMO.archiveSystemDiskId, snapshotName: 'fourth' })));
    expect([e.statusCode, e.code]).toEqual([400, 'SnapshotQuotaExceed']);
    expect(e.message).toMatch(/code: 400, A server can have at most 3 snapshots/);
  });
});

describe('ResetSystem', () => {
  test('Resetting, then Running after resetMs; the server shows the new image; older snapshots no longer roll it back', async () => {
    const t = clock();
    const sim = await start({ now: t.now, resetMs: 3000 });
    const c = sdkClient(sim);
    const r = await c.resetSystem(
      new swas.ResetSystemRequest({ regionId: hz, instanceId: DEMO.blogServerId, imageId: UBUNTU, loginCredentials: new swas.ResetSystemRequestLoginCredentials({ keyPairName: 'my-key' }) }),
    );
    expect(r.statusCode).toBe(200);
    expect(sim.stats.requests('ResetSystem')[0]!.params['LoginCredentials.KeyPairName']).toBe('my-key');
    const status = async () => (await c.listInstanceStatus(new swas.ListInstanceStatusRequest({ regionId: hz, instanceIds: json([DEMO.blogServerId]) }))).body!.instanceStatuses![0]!.status;
    expect(await status()).toBe('Resetting');
    const server = (await c.listInstances(new swas.ListInstancesRequest({ regionId: hz, instanceIds: json([DEMO.blogServerId]) }))).body!.instances![0]!;
    expect([server.imageId, server.image!.imageName, server.image!.osType]).toEqual([UBUNTU, 'Ubuntu 22.04 64bit', 'Linux']);
    expect(sim.state.snapshot(DEMO.blogSystemSnapshotId)!.usableForRollback).toBe(false);
    expect(sim.state.snapshot(DEMO.blogDataSnapshotId)!.usableForRollback).toBe(false);
    expect(sim.state.snapshot(DEMO.archiveSystemSnapshotId)!.usableForRollback).toBe(true);
    t.advance(2999);
    expect(await status()).toBe('Resetting');
    // A second reset while Resetting is refused.
    expect((await sdkError(c.resetSystem(new swas.ResetSystemRequest({ regionId: hz, instanceId: DEMO.blogServerId })))).code).toBe('IncorrectInstanceStatus');
    t.advance(1);
    expect(await status()).toBe('Running');
  });

  test('a Stopped server can be reset to a custom image of another server, with a password; the password is never logged', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    await c.resetSystem(
      new swas.ResetSystemRequest({
        regionId: hz,
        instanceId: DEMO.archiveServerId,
        imageId: DEMO.blogOldImageId,
        loginCredentials: new swas.ResetSystemRequestLoginCredentials({ password: 'Sim-Passw0rd!' }),
      }),
    );
    expect(sim.state.instance(DEMO.archiveServerId)).toMatchObject({ status: 'Resetting', imageId: DEMO.blogOldImageId, imageName: 'blog-base-2025' });
    expect(JSON.stringify(sim.stats.requests())).not.toContain('Sim-Passw0rd!');
    // Omitting ImageId re-installs the current image.
    await c.resetSystem(new swas.ResetSystemRequest({ regionId: hz, instanceId: DEMO.shopServerId }));
    expect(sim.state.instance(DEMO.shopServerId)).toMatchObject({ status: 'Resetting', imageName: 'WooCommerce' });
  });

  test('a system disk smaller than a custom image needs is refused', async () => {
    const sim = await start();
    const big = sim.state.addInstance({ regionId: hz, systemDisk: { size: 80 } });
    const image = sim.state.addImage({ name: 'from-80-gb', instanceId: big.instanceId });
    const e = await sdkError(sdkClient(sim).resetSystem(new swas.ResetSystemRequest({ regionId: hz, instanceId: DEMO.shopServerId, imageId: image.imageId })));
    expect([e.statusCode, e.code]).toEqual([400, 'InvalidImageId.DiskSizeNotEnough']);
  });

  const cases: Array<[string, Record<string, unknown>, number, string, ((sim: Awaited<ReturnType<typeof start>>) => void)?]> = [
    ['an image of the same server', { imageId: DEMO.blogImageId }, 400, 'InvalidImageId.SameInstance'],
    ['an image holding a 20 GB data disk on a server without one', { instanceId: DEMO.shopServerId, imageId: DEMO.blogImageId }, 400, 'InvalidImageId.DiskSizeNotEnough'],
    ['an image of another region', { imageId: DEMO.sgImageId }, 404, 'InvalidImageId.NotFound'],
    ['an unknown image', { imageId: 'm-nosuchimage00000000' }, 404, 'InvalidImageId.NotFound'],
    ['an image that is not Available', { instanceId: DEMO.shopServerId, imageId: DEMO.archiveImageId }, 403, 'IncorrectImageStatus', (sim) => sim.state.setImageStatus(DEMO.archiveImageId, '4')],
    ['an Upgrading server', { instanceId: DEMO.stagingServerId, imageId: UBUNTU }, 403, 'IncorrectInstanceStatus'],
    ['an Upgrading server, with an unknown image: the status is checked first', { instanceId: DEMO.stagingServerId, imageId: 'm-nosuchimage00000000' }, 403, 'IncorrectInstanceStatus'],
    ['an unknown server', { instanceId: '0123456789abcdef0123456789abcdef' }, 404, 'InvalidInstanceId.NotFound'],
    ['no InstanceId', { instanceId: undefined }, 400, 'MissingInstanceId'],
    ['a weak password', { loginCredentials: new swas.ResetSystemRequestLoginCredentials({ password: 'password' }) }, 400, 'InvalidParam.Password'],
    [
      'a password and a key pair',
      { loginCredentials: new swas.ResetSystemRequestLoginCredentials({ password: 'Sim-Passw0rd!', keyPairName: 'my-key' }) },
      400,
      'InvalidParameter',
    ],
    ['a malformed key pair name', { loginCredentials: new swas.ResetSystemRequestLoginCredentials({ keyPairName: '-x' }) }, 400, 'InvalidParam.KeyPairName'],
    ['65-character ClientToken', { clientToken: 'x'.repeat(65) }, 400, 'InvalidParameter'],
  ];
  test.each(cases)('refused: %s → %i %s, nothing changes', async (_name, fields, status, code, prepare) => {
    const sim = await start();
    prepare?.(sim);
    const before = sim.state.dump();
    const e = await sdkError(sdkClient(sim).resetSystem(new swas.ResetSystemRequest({ regionId: hz, instanceId: DEMO.blogServerId, imageId: UBUNTU, ...fields })));
    expect([e.statusCode, e.code]).toEqual([status, code]);
    expect(sim.state.dump()).toEqual(before);
  });

  test('outside the Chinese mainland no switch between Linux and Windows; inside it is allowed', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    for (const imageId of [WINDOWS]) {
      const e = await sdkError(c.resetSystem(new swas.ResetSystemRequest({ regionId: sg, instanceId: DEMO.sgServerId, imageId })));
      expect([imageId, e.statusCode, e.code]).toEqual([imageId, 400, 'InvalidImageId.PlatformSwitchNotSupported']);
    }
    // Hong Kong is outside the mainland too.
    const hk = sim.state.addInstance({ regionId: 'cn-hongkong', systemDisk: { size: 60 } });
    expect((await sdkError(c.resetSystem(new swas.ResetSystemRequest({ regionId: 'cn-hongkong', instanceId: hk.instanceId, imageId: WINDOWS })))).code).toBe(
      'InvalidImageId.PlatformSwitchNotSupported',
    );
    await c.resetSystem(new swas.ResetSystemRequest({ regionId: hz, instanceId: DEMO.shopServerId, imageId: WINDOWS }));
    expect(sim.state.instance(DEMO.shopServerId)!.osType).toBe('Windows');
  });

  test('ClientToken replay does not reset twice; other parameters are IdempotentParameterMismatch', async () => {
    const t = clock();
    const sim = await start({ now: t.now, resetMs: 10 });
    const c = sdkClient(sim);
    const req = (imageId: string) => new swas.ResetSystemRequest({ regionId: hz, instanceId: DEMO.shopServerId, imageId, clientToken: 'reset-1' });
    await c.resetSystem(req(UBUNTU));
    t.advance(10);
    expect((await c.resetSystem(req(UBUNTU))).statusCode).toBe(200);
    expect(sim.state.instance(DEMO.shopServerId)!.status).toBe('Running');
    expect((await sdkError(c.resetSystem(req(WINDOWS)))).code).toBe('IdempotentParameterMismatch');
  });

  test('raw wire: LoginCredentials arrives flattened as LoginCredentials.KeyPairName', async () => {
    const sim = await start();
    const r = await rawCall(sim, { action: 'ResetSystem', params: { RegionId: hz, InstanceId: DEMO.shopServerId, 'LoginCredentials.KeyPairName': 'k1' } });
    expect(r.status).toBe(200);
  });
});
