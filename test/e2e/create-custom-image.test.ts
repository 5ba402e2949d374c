import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { call, startStack, textOf, type Stack } from '../helpers/stack.js';

const R = DEMO.region;
let stack: Stack;

beforeAll(async () => { stack = await startStack(); });
afterAll(async () => { await stack?.close(); });
beforeEach(() => { stack.sim.faults.clear(); stack.sim.stats.reset(); });

const blog = (over: Record<string, unknown> = {}) => ({
  RegionId: R, InstanceId: DEMO.blogServerId, SystemSnapshotId: DEMO.blogSystemSnapshotId, ...over,
});

describe('create_custom_image end to end', () => {
  it('creates an image with tags and a data snapshot, reporting every check', async () => {
    const res = await call(stack.client, 'create_custom_image', blog({
      ImageName: 'blog-full-e2e', DataSnapshotId: DEMO.blogDataSnapshotId, Description: 'e2e happy path',
      Tag: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: '' }],
    }));
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent!;
    expect(out.ImageId).toMatch(/^m-[a-z0-9]+$/);
    expect(out.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(out.Status).toBe('Creating');
    expect(out.ClientToken).toMatch(/^mcp-[0-9a-f]{40}$/);
    expect(out.Checks.map((c: { Name: string; Outcome: string }) => `${c.Name}:${c.Outcome}`)).toEqual([
      'InstanceExists:passed', 'InstanceStatus:passed', 'SystemSnapshot:passed', 'DataSnapshot:passed',
      'ImageNameUnique:passed', 'Quota:passed',
    ]);
    expect(out.Simulated).toBe(false);
    expect(textOf(res)).toContain('released together with its source server');

    const image = stack.sim.state.image(out.ImageId);
    expect(image?.name).toBe('blog-full-e2e');
    expect(image?.dataSnapshotId).toBe(DEMO.blogDataSnapshotId);
    expect(image?.tags).toEqual([{ key: 'env', value: 'prod' }, { key: 'team', value: '' }]);
    expect(stack.sim.stats.count('CreateCustomImage')).toBe(1);
  });

  it('answers a repeated identical call with the same image and creates nothing', async () => {
    const args = blog({ ImageName: 'blog-repeat-e2e' });
    const first = await call(stack.client, 'create_custom_image', args);
    const second = await call(stack.client, 'create_custom_image', args);
    expect(first.isError).toBeFalsy();
    expect(second.isError).toBeFalsy();
    expect(second.structuredContent!.ImageId).toBe(first.structuredContent!.ImageId);
    expect(second.structuredContent!.Repeated).toBe(true);
    expect(stack.sim.stats.count('CreateCustomImage')).toBe(1);
  });
});
