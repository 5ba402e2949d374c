import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { call, textOf, type Stack } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';

const R = DEMO.region;
/** A region the demo leaves empty, filled here with more than one API page of servers and snapshots. */
const BIG = 'cn-shanghai';
const BIG_SERVERS = 130;
const BIG_SNAPSHOTS = 120;
let stack: Stack;

beforeAll(async () => {
  stack = await startToolStack();
  const disks: string[] = [];
  for (let n = 0; n < BIG_SERVERS; n++) {
    const i = stack.sim.state.addInstance({ regionId: BIG, instanceName: `fleet-${String(n).padStart(3, '0')}`, status: n % 10 === 0 ? 'Stopped' : 'Running' });
    disks.push(i.disks[0]!.diskId);
  }
  for (let n = 0; n < BIG_SNAPSHOTS; n++) {
    stack.sim.state.addSnapshot({ diskId: disks[n]!, snapshotName: `fleet-snap-${n}`, status: n % 4 === 0 ? 'progressing' : 'accomplished', progress: n % 4 === 0 ? '30%' : undefined });
  }
});
afterAll(async () => { await stack?.close(); });
beforeEach(() => { stack.sim.faults.clear(); stack.sim.stats.reset(); });

interface Row { [k: string]: unknown }
const ids = (rows: Row[], key: string) => rows.map((r) => r[key]).sort();

describe('list_instances', () => {
  it('lists the default region\'s servers with their disks', async () => {
    const res = await call(stack.client, 'list_instances', {});
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent!;
    expect(out.RegionId).toBe(R);
    expect(ids(out.Instances, 'InstanceId')).toEqual([DEMO.blogServerId, DEMO.shopServerId, DEMO.archiveServerId, DEMO.stagingServerId].sort());
    const blog = out.Instances.find((i: Row) => i.InstanceId === DEMO.blogServerId);
    expect(blog.Disks).toEqual([
      { DiskId: DEMO.blogSystemDiskId, DiskType: 'system', Size: 40, Category: 'ESSD' },
      { DiskId: DEMO.blogDataDiskId, DiskType: 'data', Size: 20, Category: 'ESSD' },
    ]);
    expect(out.Truncated).toBe(false);
    expect(out.Simulated).toBe(false);
    expect(textOf(res)).toContain('blog-server');
  });

  it('filters by status, name (with wildcard) and IDs', async () => {
    const stopped = await call(stack.client, 'list_instances', { Status: 'Stopped' });
    expect(ids(stopped.structuredContent!.Instances, 'InstanceId')).toEqual([DEMO.archiveServerId]);
    const byName = await call(stack.client, 'list_instances', { InstanceName: 'shop*' });
    expect(ids(byName.structuredContent!.Instances, 'InstanceName')).toEqual([DEMO.shopServerName]);
    const byIds = await call(stack.client, 'list_instances', { InstanceIds: [DEMO.blogServerId, DEMO.stagingServerId] });
    expect(ids(byIds.structuredContent!.Instances, 'InstanceId')).toEqual([DEMO.blogServerId, DEMO.stagingServerId].sort());
    const other = await call(stack.client, 'list_instances', { RegionId: DEMO.otherRegion });
    expect(ids(other.structuredContent!.Instances, 'InstanceId')).toEqual([DEMO.sgServerId]);
  });

  it('gathers every page beyond 100, and bounds the result by MaxResults', async () => {
    const all = await call(stack.client, 'list_instances', { RegionId: BIG, MaxResults: 500 });
    expect(all.isError).toBeFalsy();
    expect(all.structuredContent!.Instances).toHaveLength(BIG_SERVERS);
    expect(new Set(all.structuredContent!.Instances.map((i: Row) => i.InstanceId)).size).toBe(BIG_SERVERS);
    expect(all.structuredContent!.Truncated).toBe(false);
    expect(stack.sim.stats.count('ListInstances')).toBe(2);

    const bounded = await call(stack.client, 'list_instances', { RegionId: BIG });
    expect(bounded.structuredContent!.Instances).toHaveLength(100);
    expect(bounded.structuredContent!.Truncated).toBe(true);
    expect(bounded.structuredContent!.TotalCount).toBe(BIG_SERVERS);

    const few = await call(stack.client, 'list_instances', { RegionId: BIG, MaxResults: 5, Status: 'Stopped' });
    expect(few.structuredContent!.Instances).toHaveLength(5);
    expect(few.structuredContent!.Truncated).toBe(true);
  });
});

describe('list_snapshots', () => {
  it('filters by instance and disk type, newest first', async () => {
    const res = await call(stack.client, 'list_snapshots', { InstanceId: DEMO.archiveServerId, SourceDiskType: 'system' });
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent!.Snapshots.map((s: Row) => s.SnapshotId)).toEqual([
      DEMO.archiveProgressingSnapshotId, DEMO.archiveFailedSnapshotId, DEMO.archiveSystemSnapshotId,
    ]);
    const prog = res.structuredContent!.Snapshots[0];
    expect(prog).toMatchObject({ Status: 'progressing', Progress: '45%', SourceDiskType: 'system', InstanceId: DEMO.archiveServerId, SourceDiskId: DEMO.archiveSystemDiskId });

    const data = await call(stack.client, 'list_snapshots', { SourceDiskType: 'Data' });
    expect(data.structuredContent!.Snapshots.map((s: Row) => s.SnapshotId)).toEqual([DEMO.blogDataSnapshotId]);
    const byDisk = await call(stack.client, 'list_snapshots', { DiskId: DEMO.blogDataDiskId });
    expect(byDisk.structuredContent!.Snapshots.map((s: Row) => s.SnapshotId)).toEqual([DEMO.blogDataSnapshotId]);
  });

  it('filters by status in both published spellings, and by IDs', async () => {
    const failed = await call(stack.client, 'list_snapshots', { Status: 'Failed' });
    expect(failed.structuredContent!.Snapshots.map((s: Row) => s.SnapshotId)).toEqual([DEMO.archiveFailedSnapshotId]);
    const done = await call(stack.client, 'list_snapshots', { InstanceId: DEMO.archiveServerId, Status: 'accomplished' });
    expect(done.structuredContent!.Snapshots.map((s: Row) => s.SnapshotId)).toEqual([DEMO.archiveSystemSnapshotId]);
    // Only what the published enum holds is accepted: a client that checks the schema agrees with the server.
    const shouting = await call(stack.client, 'list_snapshots', { Status: 'FAILED' });
    expect(shouting.isError).toBe(true);
    expect(textOf(shouting)).toContain('Status');
    const byIds = await call(stack.client, 'list_snapshots', { SnapshotIds: [DEMO.sgSystemSnapshotId], RegionId: DEMO.otherRegion });
    expect(byIds.structuredContent!.Snapshots).toHaveLength(1);
    expect(byIds.structuredContent!.Snapshots[0].RegionId).toBe(DEMO.otherRegion);
    const none = await call(stack.client, 'list_snapshots', { InstanceId: DEMO.shopServerId });
    expect(none.structuredContent!.Snapshots).toEqual([]);
    expect(textOf(none)).toContain('create_snapshot');
  });

  it('gathers pages beyond 100, and filters status over all of them', async () => {
    const all = await call(stack.client, 'list_snapshots', { RegionId: BIG, MaxResults: 500 });
    expect(all.structuredContent!.Snapshots).toHaveLength(BIG_SNAPSHOTS);
    expect(all.structuredContent!.Truncated).toBe(false);
    const progressing = await call(stack.client, 'list_snapshots', { RegionId: BIG, Status: 'progressing' });
    expect(progressing.structuredContent!.Snapshots).toHaveLength(BIG_SNAPSHOTS / 4);
    expect(progressing.structuredContent!.Truncated).toBe(false);
    const bounded = await call(stack.client, 'list_snapshots', { RegionId: BIG, Status: 'accomplished', MaxResults: 50 });
    expect(bounded.structuredContent!.Snapshots).toHaveLength(50);
    expect(bounded.structuredContent!.Truncated).toBe(true);
  });
});

describe('list_custom_images', () => {
  it('lists images with status words and the region quota', async () => {
    const res = await call(stack.client, 'list_custom_images', {});
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent!;
    expect(ids(out.Images, 'ImageId')).toEqual([DEMO.blogImageId, DEMO.blogOldImageId, DEMO.archiveImageId].sort());
    expect(out.Images.find((m: Row) => m.ImageId === DEMO.blogImageId)).toMatchObject({
      ImageName: DEMO.blogImageName, Status: 'Available', InstanceId: DEMO.blogServerId, SystemSnapshotId: DEMO.blogSystemSnapshotId,
    });
    // 4 servers in cn-hangzhou: min(3 × 4, 15) = 12; 3 images.
    expect(out.Quota).toEqual({ Limit: 12, Used: 3, Remaining: 9, ServerCount: 4 });
    expect(textOf(res)).toContain('3 of 12 custom images used');
  });

  it('filters by instance, name and ID, and still counts the whole region for the quota', async () => {
    stack.sim.state.setImageStatus(DEMO.archiveImageId, '4');
    try {
      const byServer = await call(stack.client, 'list_custom_images', { InstanceId: DEMO.blogServerId });
      expect(ids(byServer.structuredContent!.Images, 'ImageId')).toEqual([DEMO.blogImageId, DEMO.blogOldImageId].sort());
      expect(byServer.structuredContent!.Quota).toEqual({ Limit: 12, Used: 3, Remaining: 9, ServerCount: 4 });
      const byName = await call(stack.client, 'list_custom_images', { ImageNames: ['archive-2025'] });
      expect(byName.structuredContent!.Images).toHaveLength(1);
      expect(byName.structuredContent!.Images[0].Status).toBe('Creating');
      const byId = await call(stack.client, 'list_custom_images', { ImageIds: [DEMO.sgImageId], RegionId: DEMO.otherRegion });
      expect(byId.structuredContent!.Quota).toEqual({ Limit: 3, Used: 1, Remaining: 2, ServerCount: 1 });
    } finally {
      stack.sim.state.setImageStatus(DEMO.archiveImageId, '1');
    }
  });

  it('caps the limit at 15 in a region with many servers', async () => {
    const res = await call(stack.client, 'list_custom_images', { RegionId: BIG });
    expect(res.structuredContent!.Images).toEqual([]);
    expect(res.structuredContent!.Quota).toEqual({ Limit: 15, Used: 0, Remaining: 15, ServerCount: BIG_SERVERS });
  });
});

describe('input and region errors', () => {
  it('refuses a RegionId that is not a region, sending nothing', async () => {
    for (const tool of ['list_instances', 'list_snapshots', 'list_custom_images']) {
      const res = await call(stack.client, tool, { RegionId: 'cn-hangzhou.evil.com' });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/RegionId must be a region ID/);
    }
    const bad = await call(stack.client, 'list_snapshots', { Status: 'done', SourceDiskType: 'root' });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/Status must be/);
    expect(textOf(bad)).toMatch(/SourceDiskType must be/);
    const extra = await call(stack.client, 'list_instances', { Region: R });
    expect(extra.isError).toBe(true);
    expect(stack.sim.stats.requests()).toEqual([]);
  });

  it('explains an API failure with the catalog', async () => {
    stack.sim.faults.add({ action: 'ListSnapshots', kind: 'error', status: 403, code: 'Forbidden.RAM', times: 10 });
    const res = await call(stack.client, 'list_snapshots', {});
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'Forbidden.RAM', Stage: 'api', Retryable: false });
    expect(textOf(res)).toMatch(/^Forbidden\.RAM: /);
    expect(textOf(res)).toContain('swas-open:ListSnapshots');
  });
});

describe('without a default region', () => {
  it('answers the explained MissingRegionId error and sends nothing', async () => {
    const bare = await startToolStack({ env: { ALIBABA_CLOUD_REGION_ID: '' } });
    try {
      for (const tool of ['list_instances', 'list_snapshots', 'list_custom_images']) {
        const res = await call(bare.client, tool, {});
        expect(res.isError).toBe(true);
        expect(res.structuredContent!.Error).toMatchObject({ Code: 'MissingRegionId', Stage: 'input', Retryable: false });
        expect(res.structuredContent!.RegionId).toBeUndefined();
        expect(textOf(res)).toMatch(/^MissingRegionId: /);
        expect(textOf(res)).toContain('ALIBABA_CLOUD_REGION_ID');
      }
      expect(bare.sim.stats.requests()).toEqual([]);
      const ok = await call(bare.client, 'list_instances', { RegionId: R });
      expect(ok.isError).toBeFalsy();
    } finally {
      await bare.close();
    }
  });
});
