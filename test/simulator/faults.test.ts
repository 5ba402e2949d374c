import { describe, expect, test } from 'vitest';
import * as swas from '@alicloud/swas-open20200601';
import { DEMO, SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { rawCall, sdkClient, sdkError, simulatorPool } from './helpers.js';

const start = simulatorPool();

const hz = DEMO.region;
const listRegions = (sim: Simulator) => sdkClient(sim).listRegions(new swas.ListRegionsRequest({}));
const outcome = (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: { code?: string }) => e.code ?? 'error');
const blogImage = (o: Record<string, unknown> = {}) =>
  new swas.CreateCustomImageRequest({ regionId: hz, instanceId: DEMO.blogServerId, imageName: 'blog-x', systemSnapshotId: DEMO.blogSystemSnapshotId, ...o });

describe('error faults', () => {
  test('throttling: the SDK raises ThrottlingError with retryAfter from x-acs-retry-after', async () => {
    const sim = await start();
    sim.faults.throttle('ListInstances', 1, 1500);
    const e = await sdkError(sdkClient(sim).listInstances(new swas.ListInstancesRequest({ regionId: hz })));
    expect([e.name, e.statusCode, e.code, e.retryAfter]).toEqual(['ThrottlingError', 400, 'Throttling.User', 1500]);
    expect((await sdkClient(sim).listInstances(new swas.ListInstancesRequest({ regionId: hz }))).statusCode).toBe(200);
  });

  test('the next N calls fail with 500 InternalError / 503 ServiceUnavailable, other actions are untouched', async () => {
    const sim = await start();
    sim.faults.failNext('ListRegions', 2, { status: 503, code: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.' });
    const c = sdkClient(sim);
    const e = await sdkError(c.listRegions(new swas.ListRegionsRequest({})));
    expect([e.name, e.statusCode, e.code]).toEqual(['ServerError', 503, 'ServiceUnavailable']);
    expect(await outcome(c.listImages(new swas.ListImagesRequest({ regionId: hz })))).toBe('ok');
    expect(await outcome(listRegions(sim))).toBe('ServiceUnavailable');
    expect(await outcome(listRegions(sim))).toBe('ok');
    sim.faults.add({ status: 500, code: 'InternalError' });
    expect((await sdkError(c.listImages(new swas.ListImagesRequest({ regionId: hz })))).statusCode).toBe(500);
  });

  test('a fault decided before the action does not change state', async () => {
    const sim = await start();
    sim.faults.failNext('CreateCustomImage', 1, { status: 500, code: 'InternalError' });
    const before = sim.state.images().length;
    expect((await sdkError(sdkClient(sim).createCustomImage(blogImage()))).code).toBe('InternalError');
    expect(sim.state.images().length).toBe(before);
  });

  test('every k-th call fails', async () => {
    const sim = await start();
    const f = sim.faults.add({ action: 'ListRegions', every: 3, status: 500, code: 'InternalError' });
    const seq: string[] = [];
    for (let i = 0; i < 7; i++) seq.push(await outcome(listRegions(sim)));
    expect(seq).toEqual(['ok', 'ok', 'InternalError', 'ok', 'ok', 'InternalError', 'ok']);
    expect(sim.faults.get(f.id)).toMatchObject({ seen: 7, fired: 2 });
  });

  test('a fraction of calls fails, decided by a seeded deterministic generator', async () => {
    const run = async (seed: number): Promise<string[]> => {
      const sim = await start();
      sim.faults.add({ action: 'ListRegions', fraction: 0.5, seed, status: 503, code: 'ServiceUnavailable' });
      const seq: string[] = [];
      for (let i = 0; i < 16; i++) seq.push(await outcome(listRegions(sim)));
      return seq;
    };
    const a = await run(42);
    expect(await run(42)).toEqual(a);
    expect(a).toContain('ok');
    expect(a).toContain('ServiceUnavailable');
    const sim = await start();
    sim.faults.add({ fraction: 1, times: 2, status: 500, code: 'InternalError' });
    expect([await outcome(listRegions(sim)), await outcome(listRegions(sim)), await outcome(listRegions(sim))]).toEqual(['InternalError', 'InternalError', 'ok']);
  });

  test('clear() and remove() take faults away', async () => {
    const sim = await start();
    const f = sim.faults.add({ times: 5, status: 500, code: 'InternalError' });
    expect(sim.faults.remove(f.id)).toBe(true);
    expect(await outcome(listRegions(sim))).toBe('ok');
    sim.faults.add({ every: 1, status: 500, code: 'InternalError' });
    sim.faults.latencyMs = 10;
    sim.faults.clear();
    expect(sim.faults.list()).toEqual([]);
    expect(sim.faults.latencyMs).toBe(0);
    expect(await outcome(listRegions(sim))).toBe('ok');
  });
});

describe('latency, hang and drop', () => {
  test('global latency (option and setter) and per-fault latency', async () => {
    const sim = await start({ latencyMs: 120 });
    let t = Date.now();
    await listRegions(sim);
    expect(Date.now() - t).toBeGreaterThanOrEqual(110);
    sim.faults.latencyMs = 0;
    sim.faults.add({ action: 'ListRegions', kind: 'latency', latencyMs: 150 });
    t = Date.now();
    expect(await outcome(listRegions(sim))).toBe('ok');
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    sim.faults.add({ action: 'ListRegions', latencyMs: 100, status: 503, code: 'ServiceUnavailable' });
    t = Date.now();
    expect(await outcome(listRegions(sim))).toBe('ServiceUnavailable');
    expect(Date.now() - t).toBeGreaterThanOrEqual(90);
  });

  test('hang: the SDK read timeout fires; the next call works', async () => {
    const sim = await start();
    sim.faults.hangNext('ListInstances');
    const c = sdkClient(sim, { readTimeout: 300 });
    const t = Date.now();
    const e = await sdkError(c.listInstances(new swas.ListInstancesRequest({ regionId: hz })));
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
    expect(`${e.name} ${e.message}`).toMatch(/timeout/i);
    expect((await c.listInstances(new swas.ListInstancesRequest({ regionId: hz }))).statusCode).toBe(200);
    expect(sim.stats.requests('ListInstances').map((r) => [r.outcome, r.status])).toEqual([['hang', null], ['response', 200]]);
  });

  test('stop() closes hanging sockets', async () => {
    const sim = await startSimulator();
    sim.faults.hangNext('ListRegions');
    const pending = rawCall(sim, { action: 'ListRegions' });
    await new Promise((r) => setTimeout(r, 50));
    const t = Date.now();
    await sim.stop();
    expect(Date.now() - t).toBeLessThan(1000);
    await expect(pending).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  test('drop: the connection is destroyed and the SDK sees a socket error', async () => {
    const sim = await start();
    sim.faults.dropNext('ListRegions');
    const e = await sdkError(listRegions(sim));
    expect(e.message).toMatch(/socket hang up|ECONNRESET/);
    expect(await outcome(listRegions(sim))).toBe('ok');
  });
});

describe('faults after the action ran (lost responses)', () => {
  test('create succeeded but the connection dropped: a retry with the same ClientToken does not duplicate', async () => {
    const sim = await start();
    sim.faults.dropNext('CreateCustomImage', 1, { after: true });
    const c = sdkClient(sim);
    const before = sim.state.images(hz).length;
    const e = await sdkError(c.createCustomImage(blogImage({ clientToken: 'lost-1' })));
    expect(e.message).toMatch(/socket hang up|ECONNRESET/);
    const created = sim.state.images(hz).filter((m) => m.name === 'blog-x');
    expect(created).toHaveLength(1);
    const retry = await c.createCustomImage(blogImage({ clientToken: 'lost-1' }));
    expect(retry.body!.imageId).toBe(created[0]!.imageId);
    expect(sim.state.images(hz).length).toBe(before + 1);
  });

  test('an after-error: the snapshot exists although the client got a 500', async () => {
    const sim = await start();
    sim.faults.failNext('CreateSnapshot', 1, { status: 500, code: 'InternalError', after: true });
    const e = await sdkError(sdkClient(sim).createSnapshot(new swas.CreateSnapshotRequest({ regionId: hz, diskId: DEMO.shopSystemDiskId, snapshotName: 'shop-lost' })));
    expect(e.code).toBe('InternalError');
    expect(sim.state.snapshots(hz).filter((s) => s.snapshotName === 'shop-lost')).toHaveLength(1);
  });

  test('an after-hang: the image is created and the client times out', async () => {
    const sim = await start();
    sim.faults.hangNext('CreateCustomImage', 1, { after: true });
    const e = await sdkError(sdkClient(sim, { readTimeout: 200 }).createCustomImage(blogImage()));
    expect(`${e.name} ${e.message}`).toMatch(/timeout/i);
    expect(sim.state.images(hz).some((m) => m.name === 'blog-x')).toBe(true);
  });
});

describe('observability', () => {
  test('per-action counters and a request log without secrets, resettable', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    await c.listRegions(new swas.ListRegionsRequest({}));
    await c.listInstances(new swas.ListInstancesRequest({ regionId: hz }));
    await sdkError(c.createCustomImage(blogImage({ imageName: '-bad' })));
    await sdkError(sdkClient(sim, { accessKeySecret: 'wrong' }).listInstances(new swas.ListInstancesRequest({ regionId: hz })));
    expect(sim.stats.calls()).toEqual({ ListRegions: 1, ListInstances: 2, CreateCustomImage: 1 });
    expect(sim.stats.count('ListInstances')).toBe(2);
    const log = sim.stats.requests();
    expect(log.map((r) => [r.action, r.status, r.code ?? ''])).toEqual([
      ['ListRegions', 200, ''],
      ['ListInstances', 200, ''],
      ['CreateCustomImage', 400, 'InvalidParam.IllegalImageName'],
      ['ListInstances', 400, 'SignatureDoesNotMatch'],
    ]);
    expect(log[2]).toMatchObject({ accessKeyId: SIM_ACCESS_KEY_ID, params: { RegionId: hz, InstanceId: DEMO.blogServerId, ImageName: '-bad' } });
    expect(log[2]!.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(typeof log[0]!.time).toBe('number');
    const text = JSON.stringify(log);
    expect(text).not.toContain(SIM_ACCESS_KEY_SECRET);
    expect(text).not.toContain('ACS3-HMAC-SHA256');
    sim.stats.reset();
    expect([sim.stats.calls(), sim.stats.requests()]).toEqual([{}, []]);
  });
});
