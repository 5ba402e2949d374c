import { describe, expect, test } from 'vitest';
import * as swas from '@alicloud/swas-open20200601';
import { DEMO, SIM_ACCOUNT_ID, type SeedData } from '../../src/simulator/index.js';
import { rawCall, sdkClient, sdkError, simulatorPool, clock } from './helpers.js';

const start = simulatorPool();
const hz = DEMO.region;
const sg = DEMO.otherRegion;
const json = (ids: string[]): string => JSON.stringify(ids);

const listed = async (c: ReturnType<typeof sdkClient>, regionId = hz): Promise<string[]> =>
  ((await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId, share: false }))).body!.customImages ?? []).map((m) => m.imageId!).sort();

describe('DeleteCustomImages / DeleteCustomImage', () => {
  test('deletion is asynchronous: listed with its status unchanged until imageDeleteMs has passed, then gone', async () => {
    const t = clock();
    const sim = await start({ now: t.now, imageDeleteMs: 5000 });
    const c = sdkClient(sim);
    const r = await c.deleteCustomImages(new swas.DeleteCustomImagesRequest({ regionId: hz, imageIds: json([DEMO.blogOldImageId, DEMO.blogImageId]) }));
    expect(r.statusCode).toBe(200);
    expect(r.body!.requestId).toBeTruthy();
    t.advance(4999);
    const still = (await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, imageIds: json([DEMO.blogOldImageId, DEMO.blogImageId]) }))).body!.customImages!;
    expect(still.map((m) => m.status)).toEqual(['1', '1']);
    expect((await c.listImages(new swas.ListImagesRequest({ regionId: hz, imageIds: json([DEMO.blogOldImageId]) }))).body!.images).toHaveLength(1);
    t.advance(1);
    expect(await listed(c)).toEqual([DEMO.archiveImageId]);
    expect((await c.listImages(new swas.ListImagesRequest({ regionId: hz, imageIds: json([DEMO.blogOldImageId]) }))).body!.images).toEqual([]);
    const again = await sdkError(c.deleteCustomImage(new swas.DeleteCustomImageRequest({ regionId: hz, imageId: DEMO.blogOldImageId })));
    expect([again.statusCode, again.code]).toEqual([404, 'InvalidImageId.NotFound']);
  });

  test('all-or-nothing: one unknown, shared or other-region image refuses the whole call and deletes nothing', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const cases: Array<[string[], number, string]> = [
      [[DEMO.blogOldImageId, 'm-nosuchimage00000000'], 404, 'InvalidImageId.NotFound'],
      [[DEMO.blogOldImageId, DEMO.sgImageId], 404, 'InvalidImageId.NotFound'],
      // archive-2025 is shared to ECS in the demo.
      [[DEMO.blogOldImageId, DEMO.archiveImageId], 400, 'CustomImageInShare'],
    ];
    for (const [imageIds, status, code] of cases) {
      const e = await sdkError(c.deleteCustomImages(new swas.DeleteCustomImagesRequest({ regionId: hz, imageIds: json(imageIds) })));
      expect([imageIds, e.statusCode, e.code]).toEqual([imageIds, status, code]);
    }
    // sg-web-2026 is shared with the partner account.
    const e = await sdkError(c.deleteCustomImage(new swas.DeleteCustomImageRequest({ regionId: sg, imageId: DEMO.sgImageId })));
    // The documented code and text (SWAS error-code page); the account share is refused the same way.
    expect([e.statusCode, e.code]).toEqual([400, 'CustomImageInShare']);
    expect(e.message).toContain('The custom image is being shared. Please disable sharing first');
    expect(sim.state.images().filter((m) => m.deleting)).toEqual([]);
  });

  test('parameter shapes: ImageIds required, a JSON array of 1 to 15; ClientToken checked', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const del = (imageIds: string | undefined, clientToken?: string) =>
      sdkError(c.deleteCustomImages(new swas.DeleteCustomImagesRequest({ regionId: hz, imageIds, ...(clientToken === undefined ? {} : { clientToken }) })));
    expect((await del(undefined)).code).toBe('MissingImageIds');
    expect((await del('[]')).code).toBe('InvalidParameter');
    expect((await del(DEMO.blogOldImageId)).code).toBe('InvalidParameter');
    expect((await del(json(Array.from({ length: 16 }, (_, i) => `m-x${i}`)))).code).toBe('InvalidParameter');
    expect((await del(json([DEMO.blogOldImageId]), 'x'.repeat(65))).code).toBe('InvalidParameter');
    // 15 IDs pass the shape check (then fail on the unknown ones).
    expect((await del(json(Array.from({ length: 15 }, (_, i) => `m-x${i}`)))).code).toBe('InvalidImageId.NotFound');
    expect((await sdkError(c.deleteCustomImage(new swas.DeleteCustomImageRequest({ regionId: hz })))).code).toBe('MissingImageId');
  });

  test('ClientToken: a replay succeeds without deleting twice; other parameters are IdempotentParameterMismatch', async () => {
    const t = clock();
    const sim = await start({ now: t.now, imageDeleteMs: 10 });
    const c = sdkClient(sim);
    const req = () => new swas.DeleteCustomImagesRequest({ regionId: hz, imageIds: json([DEMO.blogOldImageId]), clientToken: 'del-1' });
    await c.deleteCustomImages(req());
    t.advance(10);
    expect(sim.state.image(DEMO.blogOldImageId)).toBeUndefined();
    expect((await c.deleteCustomImages(req())).statusCode).toBe(200);
    const e = await sdkError(c.deleteCustomImages(new swas.DeleteCustomImagesRequest({ regionId: hz, imageIds: json([DEMO.blogImageId]), clientToken: 'del-1' })));
    expect([e.statusCode, e.code]).toEqual([400, 'IdempotentParameterMismatch']);
    expect(sim.state.image(DEMO.blogImageId)!.deleting).toBe(false);
  });

  test('an unshared image can be deleted: UnShare from ECS, then delete', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    await c.modifyImageShareStatus(new swas.ModifyImageShareStatusRequest({ regionId: hz, imageId: DEMO.archiveImageId, operation: 'UnShare' }));
    await c.deleteCustomImage(new swas.DeleteCustomImageRequest({ regionId: hz, imageId: DEMO.archiveImageId }));
    expect(sim.state.image(DEMO.archiveImageId)!.deleting).toBe(true);
  });
});

describe('ModifyImageShareStatus', () => {
  test('Share sets InShare, UnShare clears it; both are accepted again without change', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const inShare = async () => (await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, imageIds: json([DEMO.blogImageId]) }))).body!.customImages![0]!.inShare;
    const modify = (operation: string) => c.modifyImageShareStatus(new swas.ModifyImageShareStatusRequest({ regionId: hz, imageId: DEMO.blogImageId, operation }));
    expect(await inShare()).toBe(false);
    await modify('Share');
    expect(await inShare()).toBe(true);
    await modify('Share');
    expect(await inShare()).toBe(true);
    await modify('UnShare');
    expect(await inShare()).toBe(false);
  });

  test('errors: Operation exactly Share|UnShare, required parameters, unknown image, image not Available', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const modify = (o: Record<string, unknown>) =>
      sdkError(c.modifyImageShareStatus(new swas.ModifyImageShareStatusRequest({ regionId: hz, imageId: DEMO.blogImageId, operation: 'Share', ...o })));
    for (const operation of ['share', 'Unshare', 'UNSHARE', 'Delete']) {
      expect(await modify({ operation })).toMatchObject({ statusCode: 400, code: 'InvalidParam.OperationIllegal' });
    }
    expect((await modify({ operation: undefined })).code).toBe('MissingOperation');
    expect((await modify({ imageId: undefined })).code).toBe('MissingImageId');
    expect(await modify({ imageId: 'm-nosuchimage00000000' })).toMatchObject({ statusCode: 404, code: 'InvalidImageId.NotFound' });
    sim.state.setImageStatus(DEMO.blogImageId, '4');
    expect(await modify({})).toMatchObject({ statusCode: 403, code: 'IncorrectImageStatus' });
    expect(sim.state.image(DEMO.blogImageId)!.inShare).toBe(false);
  });
});

describe('share accounts: Add / Remove / ListCustomImageShareAccounts', () => {
  test('Account.N as the SDK flattens numbers; listed with numeric UserId and a "yyyy-MM-dd HH:mm:ss.0" SharedTime', async () => {
    const t = clock();
    const sim = await start({ now: t.now });
    const c = sdkClient(sim);
    await c.addCustomImageShareAccount(new swas.AddCustomImageShareAccountRequest({ regionId: hz, imageId: DEMO.blogImageId, account: [1111222233334444, 5555666677778888] }));
    const sent = sim.stats.requests('AddCustomImageShareAccount')[0]!.params;
    expect([sent['Account.1'], sent['Account.2']]).toEqual(['1111222233334444', '5555666677778888']);
    const r = await c.listCustomImageShareAccounts(new swas.ListCustomImageShareAccountsRequest({ regionId: hz, imageId: DEMO.blogImageId }));
    expect([r.body!.totalCount, r.body!.pageNumber, r.body!.pageSize]).toEqual([2, 1, 10]);
    expect(r.body!.imageShareUsers!.map((u) => u.userId)).toEqual([1111222233334444, 5555666677778888]);
    expect(r.body!.imageShareUsers![0]!.sharedTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.0$/);
    expect(r.body!.imageShareUsers![0]!.sharedTime).toBe(`${new Date(t.now()).toISOString().slice(0, 19).replace('T', ' ')}.0`);
    const listed = (await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, imageIds: json([DEMO.blogImageId]) }))).body!.customImages![0]!;
    expect(listed.inShareUser).toBe(true);
    await c.removeCustomImageShareAccount(new swas.RemoveCustomImageShareAccountRequest({ regionId: hz, imageId: DEMO.blogImageId, account: [1111222233334444, 5555666677778888] }));
    const after = await c.listCustomImageShareAccounts(new swas.ListCustomImageShareAccountsRequest({ regionId: hz, imageId: DEMO.blogImageId }));
    expect([after.body!.totalCount, after.body!.imageShareUsers]).toEqual([0, []]);
    expect((await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, imageIds: json([DEMO.blogImageId]) }))).body!.customImages![0]!.inShareUser).toBe(false);
  });

  test('at most 10 accounts an image: the 11th is refused with a 400 quota code; adding one already there is no change', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const add = (account: number[]) => c.addCustomImageShareAccount(new swas.AddCustomImageShareAccountRequest({ regionId: hz, imageId: DEMO.blogImageId, account }));
    const accounts = Array.from({ length: 10 }, (_, i) => 1000000000000000 + i);
    await add(accounts.slice(0, 6));
    await add(accounts.slice(4));
    await add([accounts[0]!]);
    expect(sim.state.image(DEMO.blogImageId)!.shareAccounts).toHaveLength(10);
    const e = await sdkError(add([2000000000000000]));
    expect([e.statusCode, e.code]).toEqual([400, 'CustomImageShareAccountQuotaLimit']);
    expect(sim.state.image(DEMO.blogImageId)!.shareAccounts).toHaveLength(10);
    // Paging: PageSize at most 50.
    const page = await c.listCustomImageShareAccounts(new swas.ListCustomImageShareAccountsRequest({ regionId: hz, imageId: DEMO.blogImageId, pageSize: 4, pageNumber: 3 }));
    expect(page.body!.imageShareUsers!.map((u) => u.userId)).toEqual([accounts[8], accounts[9]]);
    expect((await c.listCustomImageShareAccounts(new swas.ListCustomImageShareAccountsRequest({ regionId: hz, imageId: DEMO.blogImageId, pageSize: 50 }))).body!.pageSize).toBe(50);
    const big = await sdkError(c.listCustomImageShareAccounts(new swas.ListCustomImageShareAccountsRequest({ regionId: hz, imageId: DEMO.blogImageId, pageSize: 51 })));
    expect([big.statusCode, big.code]).toEqual([400, 'InvalidParameter']);
  });

  test('errors: Account required and made of account IDs (not your own), image own, Available and in the region', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const add = (o: Record<string, unknown>) =>
      sdkError(c.addCustomImageShareAccount(new swas.AddCustomImageShareAccountRequest({ regionId: hz, imageId: DEMO.blogImageId, account: [1111222233334444], ...o })));
    expect((await add({ account: undefined })).code).toBe('MissingAccount');
    expect((await add({ account: [Number(SIM_ACCOUNT_ID)] })).code).toBe('InvalidParameter');
    expect((await add({ imageId: DEMO.sgImageId })).code).toBe('InvalidImageId.NotFound');
    sim.state.setImageStatus(DEMO.blogImageId, '3');
    expect(await add({})).toMatchObject({ statusCode: 403, code: 'IncorrectImageStatus' });
    const raw = await rawCall(sim, { action: 'AddCustomImageShareAccount', params: { RegionId: hz, ImageId: DEMO.blogOldImageId, 'Account.1': 'alice' } });
    expect([raw.status, raw.body.Code]).toEqual([400, 'InvalidParameter']);
    const remove = await sdkError(c.removeCustomImageShareAccount(new swas.RemoveCustomImageShareAccountRequest({ regionId: hz, imageId: DEMO.blogImageId })));
    expect(remove.code).toBe('MissingAccount');
    expect(sim.state.image(DEMO.blogImageId)!.shareAccounts).toEqual([]);
  });

  test('ClientToken replay and mismatch on AddCustomImageShareAccount', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const add = (account: number[]) =>
      c.addCustomImageShareAccount(new swas.AddCustomImageShareAccountRequest({ regionId: hz, imageId: DEMO.blogImageId, account, clientToken: 'share-1' }));
    await add([1111222233334444]);
    expect((await add([1111222233334444])).statusCode).toBe(200);
    const e = await sdkError(add([5555666677778888]));
    expect([e.statusCode, e.code]).toEqual([400, 'IdempotentParameterMismatch']);
    expect(sim.state.image(DEMO.blogImageId)!.shareAccounts.map((a) => a.userId)).toEqual(['1111222233334444']);
  });
});

describe('a seeded image can start out shared', () => {
  test('inShare and shareAccounts in SeedImage', async () => {
    const seed: SeedData = {
      instances: [{ instanceId: 'b'.repeat(32), regionId: hz }],
      images: [{ imageId: 'm-seededshare00000001', name: 'seeded', instanceId: 'b'.repeat(32), inShare: true, shareAccounts: ['1111222233334444'], createInstances: ['c'.repeat(32)] }],
    };
    const sim = await start({ seed });
    const m = (await sdkClient(sim).listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz }))).body!.customImages![0]!;
    expect([m.inShare, m.inShareUser, m.createInstances]).toEqual([true, true, ['c'.repeat(32)]]);
  });
});
