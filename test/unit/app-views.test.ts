import { describe, expect, it } from 'vitest';
import { buildInventory, IMAGE_QUOTA_CAP, quotaWords, sortImages, type ImageRow, type Lists } from '../../views/inventory/model.js';
import { percent, planFrom, waitArgs } from '../../views/progress/model.js';

const image = (id: string, created: string | undefined, extra: Partial<ImageRow> = {}): ImageRow => ({
  ImageId: id, ImageName: id.replace('m-', 'name-'), Status: 'Available', RegionId: 'cn-hangzhou', CreationTime: created,
  Owner: 'self', SharedToEcs: false, SharedWithAccounts: [], Tags: [], ...extra,
});

describe('inventory model', () => {
  it('sorts by age both ways, unknown creation times last, and by name', () => {
    const rows = [image('m-b', '2026-03-01T00:00:00Z'), image('m-a', undefined), image('m-c', '2025-01-01T00:00:00Z')];
    expect(sortImages(rows, 'oldest').map((m) => m.ImageId)).toEqual(['m-c', 'm-b', 'm-a']);
    expect(sortImages(rows, 'newest').map((m) => m.ImageId)).toEqual(['m-b', 'm-c', 'm-a']);
    expect(sortImages(rows, 'name').map((m) => m.ImageId)).toEqual(['m-a', 'm-b', 'm-c']);
  });

  it('groups by region with its quota, gives each server the snapshots of its disks, and finds the oldest own image', () => {
    const lists: Lists = {
      images: {
        Images: [image('m-new', '2026-05-01T00:00:00Z'), image('m-old', '2025-05-01T00:00:00Z'), image('m-in', '2020-01-01T00:00:00Z', { Owner: 'shared-in' })],
        Regions: [
          { RegionId: 'cn-hangzhou', Count: 3, Quota: { Limit: 6, Used: 2, Remaining: 4, ServerCount: 2 } },
          { RegionId: 'eu-west-1', Count: 0, Quota: { Limit: 0, Used: 0, Remaining: 0, ServerCount: 0 } },
          { RegionId: 'us-east-1', Count: 0, ErrorCode: 'Throttling' },
        ],
      },
      snapshots: {
        Snapshots: [
          { SnapshotId: 's-sys', SnapshotName: 'sys', RegionId: 'cn-hangzhou', Status: 'accomplished', SourceDiskType: 'system', InstanceId: 'i-1', SourceDiskId: 'd-sys' },
          { SnapshotId: 's-data', SnapshotName: 'data', RegionId: 'cn-hangzhou', Status: 'progressing', Progress: '40%', SourceDiskType: 'data', SourceDiskId: 'd-data' },
          { SnapshotId: 's-orphan', SnapshotName: 'orphan', RegionId: 'cn-hangzhou', Status: 'accomplished', SourceDiskType: 'system', InstanceId: 'i-gone' },
        ],
      },
      instances: {
        Instances: [
          { InstanceId: 'i-1', InstanceName: 'web', RegionId: 'cn-hangzhou', Status: 'Running', Disks: [{ DiskId: 'd-sys', DiskType: 'system' }, { DiskId: 'd-data', DiskType: 'data' }] },
          { InstanceId: 'i-2', InstanceName: 'db', RegionId: 'cn-hangzhou', Status: 'Running', Disks: [] },
        ],
      },
    };
    const inv = buildInventory(lists, 'oldest');
    expect(inv.regions.map((r) => r.RegionId)).toEqual(['cn-hangzhou']);
    const r = inv.regions[0]!;
    expect(r.quota).toEqual({ Limit: 6, Used: 2, Remaining: 4, ServerCount: 2 });
    expect(r.images.map((m) => m.ImageId)).toEqual(['m-in', 'm-old', 'm-new']);
    expect(r.servers.map((s) => [s.InstanceId, s.snapshots.map((x) => x.SnapshotId)])).toEqual([['i-1', ['s-sys', 's-data']], ['i-2', []]]);
    expect(r.looseSnapshots.map((x) => x.SnapshotId)).toEqual(['s-orphan']);
    // Shared-in images are not the account's: the oldest is its own.
    expect(inv.oldest?.ImageId).toBe('m-old');
    expect(inv.failedRegions).toEqual([{ RegionId: 'us-east-1', ErrorCode: 'Throttling' }]);
    expect(inv.emptyRegions).toEqual(['eu-west-1']);
  });

  it('words the quota against the cap of 15, naming a smaller regional limit', () => {
    expect(quotaWords({ Limit: 6, Used: 2, Remaining: 4, ServerCount: 2 })).toBe(`2 / ${IMAGE_QUOTA_CAP} custom images; this region allows 6 (2 servers × 3); 4 left`);
    expect(quotaWords({ Limit: 15, Used: 15, Remaining: 0, ServerCount: 9 })).toBe(`15 / ${IMAGE_QUOTA_CAP} custom images; 0 left`);
  });
});

describe('progress model', () => {
  it('follows what each tool started', () => {
    expect(planFrom('create_custom_image', {}, { RegionId: 'cn-hangzhou', ImageName: 'x', ImageId: 'm-1', Status: 'Creating' }))
      .toEqual({ RegionId: 'cn-hangzhou', watches: [{ Kind: 'image', Id: 'm-1', State: 'Creating' }] });
    expect(planFrom(undefined, {}, { RegionId: 'r', SnapshotName: 's', SnapshotId: 's-1', Status: 'progressing', Progress: '10%' }).watches)
      .toEqual([{ Kind: 'snapshot', Id: 's-1', State: 'progressing', Progress: '10%' }]);
    expect(planFrom(undefined, {}, { RegionId: 'r', InstanceId: 'i-1', Notes: [] }).watches).toEqual([{ Kind: 'instance', Id: 'i-1' }]);
    expect(planFrom('reset_system', {}, { RegionId: 'r', InstanceId: 'i-1', Status: 'Resetting' }).watches).toEqual([{ Kind: 'instance', Id: 'i-1', State: 'Resetting' }]);
    // Capture "now": the snapshots first, the same call makes the image later.
    const capture = planFrom('create_custom_image', {}, {
      RegionId: 'r', ImageName: 'x', Operation: { State: 'SnapshotsInProgress', Snapshots: [{ SnapshotId: 's-a', Status: 'progressing', Progress: '5%' }, { SnapshotName: 'not yet' }] },
    });
    expect(capture.watches).toEqual([{ Kind: 'snapshot', Id: 's-a', State: 'progressing', Progress: '5%' }]);
    expect(capture.note).toMatch(/create_custom_image/);
    // A wait: its own arguments, with the states it read.
    expect(planFrom(undefined, { RegionId: 'r', ImageIds: ['m-1'], SnapshotIds: ['s-1'] }, {
      RegionId: 'r', States: [{ Kind: 'snapshot', Id: 's-1', State: 'progressing', Progress: '50%' }],
    }).watches).toEqual([{ Kind: 'image', Id: 'm-1' }, { Kind: 'snapshot', Id: 's-1', State: 'progressing', Progress: '50%' }]);
  });

  it('follows nothing after a dry run or a refusal, and says why', () => {
    expect(planFrom('create_snapshot', {}, { RegionId: 'r', SnapshotName: 's', DryRun: true })).toMatchObject({ watches: [], note: expect.stringMatching(/dry run/) });
    expect(planFrom('reset_system', {}, { RegionId: 'r', InstanceId: 'i-1', Error: { Message: 'Not approved.' } }))
      .toMatchObject({ watches: [], note: expect.stringContaining('Not approved.') });
  });

  it('asks wait_for_resources for what is left only, and reads percentages', () => {
    const plan = { RegionId: 'r', watches: [] };
    expect(waitArgs(plan, [{ Kind: 'image', Id: 'm-1' }, { Kind: 'instance', Id: 'i-1' }], 3))
      .toEqual({ TimeoutSeconds: 3, RegionId: 'r', ImageIds: ['m-1'], InstanceIds: ['i-1'] });
    expect([percent('45%'), percent('100%'), percent('12.5%'), percent(''), percent('soon')]).toEqual([45, 100, 12, undefined, undefined]);
  });
});
