import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { call, textOf, type Stack } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startToolStack();
  // The server the agent is looking for lives in a region it was not told about.
  stack.sim.state.addInstance({ regionId: 'cn-shenzhen', instanceName: 'my-shop-server' });
});
afterAll(async () => { await stack?.close(); });

describe('RegionId "all"', () => {
  it('finds a server in every region of both sites with one call, and reports the region that failed', async () => {
    const all = stack.sim.state.regions().map((r) => r.regionId);
    expect(all).toHaveLength(11);
    stack.sim.faults.add({ action: 'ListInstances', regionId: 'cn-beijing', status: 503, code: 'ServiceUnavailable', times: 10 });
    stack.sim.stats.reset();
    const res = await call(stack.client, 'list_instances', { RegionId: 'all', InstanceName: 'my-shop*' });
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent!.RegionId).toBe('all');
    expect(res.structuredContent!.Instances).toEqual([expect.objectContaining({ InstanceName: 'my-shop-server', RegionId: 'cn-shenzhen' })]);
    const regions = res.structuredContent!.Regions as { RegionId: string; ErrorCode?: string }[];
    expect(regions.map((r) => r.RegionId).sort()).toEqual([...all].sort());
    expect(regions.find((r) => r.RegionId === 'cn-beijing')).toMatchObject({ ErrorCode: 'ServiceUnavailable' });
    expect(regions.filter((r) => r.ErrorCode)).toHaveLength(1);
    expect(textOf(res)).toContain('Could not list 1 region(s): cn-beijing (ServiceUnavailable)');
    // One ListRegions, then every region's ListInstances after it (retries of the failing one aside).
    const requests = stack.sim.stats.requests();
    expect(requests.filter((r) => r.action === 'ListRegions')).toHaveLength(1);
    const firstList = requests.findIndex((r) => r.action === 'ListInstances');
    expect(requests.findIndex((r) => r.action === 'ListRegions')).toBeLessThan(firstList);
    expect(new Set(requests.filter((r) => r.action === 'ListInstances').map((r) => r.params.RegionId)).size).toBe(11);
  });

  it('lists snapshots of every region, each with its region', async () => {
    const res = await call(stack.client, 'list_snapshots', { RegionId: 'all' });
    const regionsSeen = new Set((res.structuredContent!.Snapshots as { RegionId: string }[]).map((s) => s.RegionId));
    expect(regionsSeen).toEqual(new Set([DEMO.region, DEMO.otherRegion]));
  });

  it('lists custom images of every region, each with its region and its region\'s quota', async () => {
    const res = await call(stack.client, 'list_custom_images', { RegionId: 'all' });
    expect(res.isError, textOf(res)).toBeFalsy();
    const images = res.structuredContent!.Images as { RegionId: string; ImageId: string }[];
    expect(new Set(images.map((m) => m.RegionId))).toEqual(new Set([DEMO.region, DEMO.otherRegion]));
    expect(images.map((m) => m.ImageId)).toEqual(expect.arrayContaining([DEMO.blogImageId, DEMO.sgImageId]));
    const regions = res.structuredContent!.Regions as { RegionId: string; Quota?: { Limit: number; Used: number } }[];
    expect(regions.find((r) => r.RegionId === DEMO.otherRegion)!.Quota).toMatchObject({ Limit: 3, Used: 1 });
  });

  it('lists the images to reset to in every region', async () => {
    const res = await call(stack.client, 'list_images', { RegionId: 'all', ImageType: 'custom' });
    expect(res.isError, textOf(res)).toBeFalsy();
    const regionsSeen = new Set((res.structuredContent!.Images as { RegionId: string }[]).map((m) => m.RegionId));
    expect(regionsSeen).toEqual(new Set([DEMO.region, DEMO.otherRegion]));
  });

  it('refuses a RegionId that is neither a region nor "all"', async () => {
    const res = await call(stack.client, 'list_instances', { RegionId: 'everywhere' });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toContain('or "all"');
  });
});
