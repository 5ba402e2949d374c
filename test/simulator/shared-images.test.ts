import { describe, expect, test } from 'vitest';
import * as swas from '@alicloud/swas-open20200601';
import { DEMO, SIM_ACCOUNT_ID, type SeedData } from '../../src/simulator/index.js';
import { rawCall, sdkClient, sdkError, simulatorPool } from './helpers.js';

const start = simulatorPool();
const hz = DEMO.region;
const sg = DEMO.otherRegion;

const ids = async (c: ReturnType<typeof sdkClient>, req: Record<string, unknown>): Promise<string[]> =>
  ((await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, ...req }))).body!.customImages ?? []).map((m) => m.imageId!).sort();

describe('images other accounts shared in', () => {
  test('the demo has one shared-in image in each demo region', async () => {
    const sim = await start();
    expect(sim.state.sharedImages(hz).map((m) => m.imageId)).toEqual([DEMO.sharedInImageId]);
    expect(sim.state.sharedImages(sg).map((m) => m.imageId)).toEqual([DEMO.sgSharedInImageId]);
    // images() is the account's own: what its quota counts.
    expect(sim.state.images(hz).some((m) => m.sharedIn)).toBe(false);
  });

  test('ListCustomImages Share: false = own only, true = only shared in, omitted = all', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const own = [DEMO.blogImageId, DEMO.blogOldImageId, DEMO.archiveImageId].sort();
    expect(await ids(c, { share: false })).toEqual(own);
    expect(await ids(c, { share: true })).toEqual([DEMO.sharedInImageId]);
    expect(await ids(c, {})).toEqual([...own, DEMO.sharedInImageId].sort());
    const bad = await rawCall(sim, { action: 'ListCustomImages', params: { RegionId: hz, Share: 'yes' } });
    expect([bad.status, bad.body.Code]).toEqual([400, 'InvalidParameter']);
  });

  test('the full SDK field set, for an own image and a shared-in one', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const list = (await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz }))).body!.customImages!;
    const shared = list.find((m) => m.imageId === DEMO.sharedInImageId)!;
    expect(shared).toMatchObject({
      name: DEMO.sharedInImageName,
      userId: Number(DEMO.partnerAccountId),
      inShare: false,
      inShareUser: false,
      osType: 'Linux',
      requiredSystemDiskSize: 50,
      requiredDataDiskSize: 0,
      createInstances: [],
      status: '1',
      regionId: hz,
      sourceImageName: 'WordPress',
      sourceImageVersion: '6.5',
    });
    const blog = list.find((m) => m.imageId === DEMO.blogImageId)!;
    expect(blog).toMatchObject({
      userId: Number(SIM_ACCOUNT_ID),
      inShare: false,
      inShareUser: false,
      osType: 'Linux',
      systemSnapshotName: 'blog-sys-2026-01-15',
      dataSnapshotName: 'blog-data-2026-01-15',
      requiredSystemDiskSize: 40,
      requiredDataDiskSize: 20,
      createInstances: [],
    });
    expect(list.find((m) => m.imageId === DEMO.archiveImageId)!.inShare).toBe(true);
    const sgList = (await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: sg }))).body!.customImages!;
    expect(sgList.find((m) => m.imageId === DEMO.sgImageId)!.inShareUser).toBe(true);
    expect(sgList.find((m) => m.imageId === DEMO.sgSharedInImageId)!).toMatchObject({ osType: 'Windows', userId: Number(DEMO.partnerAccountId) });
    // On the wire UserId is a JSON number, as the SDK types it.
    const raw = await rawCall(sim, { action: 'ListCustomImages', params: { RegionId: hz, Share: 'true' } });
    expect((raw.body.CustomImages as Array<Record<string, unknown>>)[0]!.UserId).toBe(1987654321098765);
  });

  test('shared-in images use none of the quota and do not collide on names in CreateCustomImage', async () => {
    // One server: quota 3. Two own images and three shared in.
    const seed: SeedData = {
      instances: [{ instanceId: 'a'.repeat(32), regionId: hz, systemDisk: { diskId: 'd-quotashared00000001' } }],
      snapshots: [{ snapshotId: 's-quotashared00000001', diskId: 'd-quotashared00000001' }],
      images: [
        { name: 'own-1', instanceId: 'a'.repeat(32) },
        { name: 'own-2', instanceId: 'a'.repeat(32) },
      ],
      sharedImages: ['taken-name', 'in-2', 'in-3'].map((name) => ({ name, regionId: hz, ownerUserId: '1111222233334444' })),
    };
    const sim = await start({ seed });
    const c = sdkClient(sim);
    const create = (imageName: string) =>
      c.createCustomImage(new swas.CreateCustomImageRequest({ regionId: hz, instanceId: 'a'.repeat(32), imageName, systemSnapshotId: 's-quotashared00000001' }));
    expect((await create('taken-name')).body!.imageId).toMatch(/^m-/);
    const full = await sdkError(create('fourth'));
    expect([full.statusCode, full.code]).toEqual([400, 'CustomImageQuotaLimit']);
  });

  test('a recipient cannot delete, share, share with accounts or tag a received image', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const id = DEMO.sharedInImageId;
    const calls: Array<[string, Promise<unknown>]> = [
      ['DeleteCustomImage', c.deleteCustomImage(new swas.DeleteCustomImageRequest({ regionId: hz, imageId: id }))],
      ['DeleteCustomImages', c.deleteCustomImages(new swas.DeleteCustomImagesRequest({ regionId: hz, imageIds: JSON.stringify([DEMO.blogOldImageId, id]) }))],
      ['ModifyImageShareStatus', c.modifyImageShareStatus(new swas.ModifyImageShareStatusRequest({ regionId: hz, imageId: id, operation: 'Share' }))],
      ['AddCustomImageShareAccount', c.addCustomImageShareAccount(new swas.AddCustomImageShareAccountRequest({ regionId: hz, imageId: id, account: [1111222233334444] }))],
      ['ListCustomImageShareAccounts', c.listCustomImageShareAccounts(new swas.ListCustomImageShareAccountsRequest({ regionId: hz, imageId: id }))],
      [
        'TagResources',
        c.tagResources(new swas.TagResourcesRequest({ regionId: hz, resourceType: 'customimage', resourceId: [id], tag: [new swas.TagResourcesRequestTag({ key: 'k', value: 'v' })] })),
      ],
    ];
    for (const [action, p] of calls) {
      const e = await sdkError(p);
      expect([action, e.statusCode, e.code]).toEqual([action, 403, 'OperationDenied.NotImageOwner']);
    }
    // All-or-nothing: the own image in the same DeleteCustomImages call was not deleted either.
    expect(sim.state.image(DEMO.blogOldImageId)!.deleting).toBe(false);
    expect(sim.state.image(id)).toMatchObject({ inShare: false, shareAccounts: [], tags: [], deleting: false });
  });

  test('seeding a shared-in image with the account itself as owner is refused', async () => {
    await expect(start({ seed: { sharedImages: [{ name: 'x', regionId: hz, ownerUserId: SIM_ACCOUNT_ID }] } })).rejects.toThrow(/another account/);
  });
});
