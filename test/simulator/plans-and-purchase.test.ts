import { describe, expect, test } from 'vitest';
import * as swas from '@alicloud/swas-open20200601';
import { DEMO } from '../../src/simulator/index.js';
import { clock, sdkClient, sdkError, simulatorPool } from './helpers.js';

const start = simulatorPool();
const hz = DEMO.region;
const WINDOWS = 'e2b4c6d8f0a1437596b8d0f2a4c6e8f0';

const order = (o: Partial<ConstructorParameters<typeof swas.CreateInstancesRequest>[0]> = {}) => new swas.CreateInstancesRequest({
  regionId: hz, imageId: DEMO.blogOldImageId, planId: 'swas.s2.c2m2s50b4t08', period: 1, amount: 1, ...o,
});

describe('ListPlans', () => {
  test('lists every plan of a region with its price and currency, the platforms as a JSON list in a string', async () => {
    const sim = await start();
    const r = await sdkClient(sim).listPlans(new swas.ListPlansRequest({ regionId: hz }));
    const plans = r.body!.plans!;
    expect(plans.length).toBeGreaterThanOrEqual(4);
    const p = plans.find((x) => x.planId === 'swas.s2.c2m2s50b4t08')!;
    expect(p).toMatchObject({ core: 2, memory: 2, diskSize: 50, diskType: 'ESSD', bandwidth: 4, flow: 800, originPrice: '60.00', currency: 'CNY' });
    expect(JSON.parse(p.supportPlatform!)).toEqual(['Linux', 'Windows']);
    // Regions differ in price: Singapore costs more than Hangzhou.
    const sg = (await sdkClient(sim).listPlans(new swas.ListPlansRequest({ regionId: DEMO.otherRegion }))).body!.plans!;
    expect(Number(sg.find((x) => x.planId === p.planId)!.originPrice)).toBeGreaterThan(60);
    expect((await sdkError(sdkClient(sim).listPlans(new swas.ListPlansRequest({ regionId: 'xx-nowhere-1' })))).code).toBe('InvalidRegionId.NotFound');
  });
});

describe('CreateInstances', () => {
  test('creates servers from a custom image: Pending, Starting, then Running on the clock, with the plan\'s disk, a data disk if asked, listed on the image', async () => {
    const t = clock();
    const sim = await start({ now: t.now, launchMs: 2000 });
    const c = sdkClient(sim);
    const before = sim.state.instances(hz).length;
    const r = await c.createInstances(order({ imageId: DEMO.blogImageId, amount: 2, period: 12, dataDiskSize: 40 }));
    const ids = r.body!.instanceIds!;
    expect(ids).toHaveLength(2);
    expect(sim.state.instances(hz)).toHaveLength(before + 2);
    for (const id of ids) {
      const i = sim.state.instance(id)!;
      expect(i).toMatchObject({ status: 'Pending', imageId: DEMO.blogImageId, imageName: DEMO.blogImageName, planId: 'swas.s2.c2m2s50b4t08' });
      expect(i.disks.map((d) => [d.diskType, d.size])).toEqual([['system', 50], ['data', 40]]);
    }
    expect(sim.state.image(DEMO.blogImageId)!.createInstances).toEqual(expect.arrayContaining(ids));
    t.advance(1000);
    expect(sim.state.instance(ids[0]!)!.status).toBe('Starting');
    t.advance(1000);
    const listed = await c.listInstances(new swas.ListInstancesRequest({ regionId: hz, instanceIds: JSON.stringify(ids) }));
    expect(listed.body!.instances!.map((i) => [i.status, i.imageId, i.image?.imageName])).toEqual([['Running', DEMO.blogImageId, DEMO.blogImageName], ['Running', DEMO.blogImageId, DEMO.blogImageName]]);
  });

  test('ClientToken: the same order repeated answers the same servers and buys nothing more; other parameters are IdempotentParameterMismatch', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const before = sim.state.instances(hz).length;
    const first = await c.createInstances(order({ amount: 2, clientToken: 'order-1' }));
    const again = await c.createInstances(order({ amount: 2, clientToken: 'order-1' }));
    expect(again.body!.instanceIds).toEqual(first.body!.instanceIds);
    expect(sim.state.instances(hz)).toHaveLength(before + 2);
    expect((await sdkError(c.createInstances(order({ amount: 3, clientToken: 'order-1' })))).code).toBe('IdempotentParameterMismatch');
  });

  test('the rules: Period, Amount, DataDiskSize, AutoRenewPeriod, ChargeType; nothing is created', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const before = sim.state.instances().length;
    const code = async (o: Parameters<typeof order>[0]) => (await sdkError(c.createInstances(order(o)))).code;
    expect(await code({ period: 5 })).toBe('InvalidParameter');
    expect(await code({ amount: 21 })).toBe('InvalidParameter');
    expect(await code({ amount: 0 })).toBe('InvalidParameter');
    expect(await code({ dataDiskSize: 30 })).toBe('InvalidParameter');
    expect(await code({ dataDiskSize: 16400 })).toBe('InvalidParameter');
    expect(await code({ autoRenew: true })).toBe('InvalidParameter');
    expect(await code({ chargeType: 'PostPaid' })).toBe('InvalidParameter');
    expect((await sdkError(c.createInstances(new swas.CreateInstancesRequest({ regionId: hz, imageId: DEMO.blogOldImageId, planId: 'swas.s2.c2m2s50b4t08' })))).code).toBe('MissingPeriod');
    expect(sim.state.instances()).toHaveLength(before);
  });

  test('the plan must fit the image: disk size, data disk, platform, standard SSD; the plan and image must exist', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const before = sim.state.instances().length;
    const fail = async (o: Parameters<typeof order>[0]) => { const e = await sdkError(c.createInstances(order(o))); return [e.statusCode, e.code]; };
    // blog-base-2025 needs a 40 GB system disk; the 1-core plan has 20 GB (and a standard SSD, so a data disk too).
    expect(await fail({ planId: 'swas.s1.c1m1s20b1t02', dataDiskSize: 20 })).toEqual([400, 'InvalidImageId.DiskSizeNotEnough']);
    expect(await fail({ planId: 'swas.s1.c1m1s20b1t02', imageId: 'c3e1d0b8a7f64e2b9d5c4a3b2e1f0d9c' })).toEqual([400, 'InvalidParam.DataDiskSize']);
    // blog-base-2026 holds a 20 GB data disk.
    expect(await fail({ imageId: DEMO.blogImageId })).toEqual([400, 'InvalidImageId.DiskSizeNotEnough']);
    // A Windows image on a Linux-only plan.
    expect(await fail({ imageId: WINDOWS, planId: 'swas.s2.c2m1s40b3t04' })).toEqual([400, 'InvalidImageId.PlatformNotSupported']);
    expect(await fail({ planId: 'swas.nope' })).toEqual([404, 'InvalidPlanId.NotFound']);
    expect(await fail({ imageId: DEMO.sgImageId })).toEqual([404, 'InvalidImageId.NotFound']);
    sim.state.setImageStatus(DEMO.blogOldImageId, '4');
    expect(await fail({})).toEqual([403, 'IncorrectImageStatus']);
    expect(sim.state.instances()).toHaveLength(before);
  });

  test('a shared-in image and a system image can create servers too', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const shared = await c.createInstances(order({ imageId: DEMO.sharedInImageId }));
    expect(sim.state.instance(shared.body!.instanceIds![0]!)!.imageId).toBe(DEMO.sharedInImageId);
    const win = await c.createInstances(order({ imageId: WINDOWS }));
    expect(sim.state.instance(win.body!.instanceIds![0]!)!.osType).toBe('Windows');
  });

  test('at most 50 servers a region: an order that would pass it is refused whole', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const have = sim.state.instances(hz).length;
    for (let i = have; i < 45; i++) sim.state.addInstance({ regionId: hz });
    const e = await sdkError(c.createInstances(order({ amount: 6 })));
    expect([e.statusCode, e.code]).toEqual([400, 'QuotaExceed.Instance']);
    expect(sim.state.instances(hz)).toHaveLength(45);
    await c.createInstances(order({ amount: 5 }));
    expect(sim.state.instances(hz)).toHaveLength(50);
  });

  test('fault injection: an order the balance cannot pay is 400 PAY.INSUFFICIENT_BALANCE and creates nothing', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const before = sim.state.instances().length;
    sim.faults.insufficientBalance();
    const e = await sdkError(c.createInstances(order()));
    expect([e.statusCode, e.code]).toEqual([400, 'PAY.INSUFFICIENT_BALANCE']);
    expect(sim.state.instances()).toHaveLength(before);
    await c.createInstances(order());
    expect(sim.state.instances()).toHaveLength(before + 1);
  });
});
