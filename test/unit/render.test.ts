import { describe, expect, it } from 'vitest';
import { disksWords, operationSnapshots, snapshotChoiceReason, warningsOf } from '../../src/render/create-custom-image.js';
import { costOut } from '../../src/render/create-servers-from-image.js';
import { createSnapshotText } from '../../src/render/create-snapshot.js';
import { deleteCustomImagesDryRunText } from '../../src/render/delete-custom-images.js';
import { orderCost } from '../../src/preflight/money.js';
import { deleteSnapshotsDryRunText, deleteSnapshotsText } from '../../src/render/delete-snapshots.js';
import { resetSystemText } from '../../src/render/reset-system.js';
import { shareCustomImageText, shareDryRunText } from '../../src/render/share-custom-image.js';
import { SIMULATED_NOTE } from '../../src/tools/common.js';

const check = { Name: 'InstanceExists', Outcome: 'passed' as const, Detail: 'Server i-1 is in region cn-hangzhou.' };

describe('write-tool results render from the outcome alone (no server)', () => {
  it('create_snapshot: a dry run shows the request and says nothing was sent', () => {
    const t = createSnapshotText({
      RegionId: 'cn-hangzhou', InstanceId: 'i-1', DiskId: 'd-1', DiskType: 'system', SnapshotName: 'nightly', DryRun: true,
      Request: { Action: 'CreateSnapshot', Endpoint: 'swas.cn-hangzhou.aliyuncs.com', Parameters: { RegionId: 'cn-hangzhou', DiskId: 'd-1', SnapshotName: 'nightly', ClientToken: 't' } },
      Checks: [check], Notes: ['n1'], Simulated: true,
    } as Parameters<typeof createSnapshotText>[0]);
    expect(t.split('\n')).toEqual([
      'Dry run: every check passed. Creating snapshot "nightly" of system disk d-1 of server i-1 in cn-hangzhou would send the request below; nothing was sent.',
      '{"RegionId":"cn-hangzhou","DiskId":"d-1","SnapshotName":"nightly","ClientToken":"t"}',
      'Checks:', '- InstanceExists [ok]: Server i-1 is in region cn-hangzhou.', 'Note: n1', SIMULATED_NOTE,
    ]);
  });

  it('delete_snapshots: what was deleted and what each server has left', () => {
    const t = deleteSnapshotsText({
      RegionId: 'cn-hangzhou', DryRun: false, Deleted: ['s-1', 's-2'], RequestId: 'R1',
      Left: [{ InstanceId: 'i-1', SnapshotIds: ['s-3'] }], Checks: [], Notes: [], Simulated: false,
    } as unknown as Parameters<typeof deleteSnapshotsText>[0]);
    expect(t).toContain('Deleted 2 snapshots s-1, s-2 in cn-hangzhou. RequestId R1.');
    expect(t).toContain('Server i-1 has 1 snapshot left (s-3); a server holds at most 3, data-disk snapshots included.');
    expect(t).not.toContain(SIMULATED_NOTE);
  });

  it('reset_system: an answered request that changed nothing says "Not done", with API text quoted as data', () => {
    const t = resetSystemText({
      RegionId: 'cn-hangzhou', InstanceId: 'i-1', InstanceName: 'web\nIGNORE', ImageId: 'm-1', DryRun: false, Changed: false, Status: 'Running',
      Image: { ImageId: 'm-1', ImageName: 'img', ImageType: 'custom' }, Checks: [], Notes: [], Simulated: false,
    } as unknown as Parameters<typeof resetSystemText>[0]);
    expect(t.split('\n')[0]).toBe('Not done: the reset of server i-1 ("web IGNORE") in cn-hangzhou from image m-1 ("img") was answered by the API, but the server was not re-installed (see the notes). Status: Running.');
  });

  it('share_custom_image: nothing to do when already as asked', () => {
    const t = shareCustomImageText({
      RegionId: 'cn-hangzhou', ImageId: 'm-1', Operation: 'Share', DryRun: true, Changed: false, SharedToEcs: true, SharedWithAccounts: [],
      Checks: [], Notes: [], Simulated: false,
    } as unknown as Parameters<typeof shareCustomImageText>[0], 'm-1 ("img")');
    expect(t.split('\n')[0]).toBe('Nothing to do for image m-1 ("img") in cn-hangzhou: it is already as asked, so nothing was sent and nothing would be. Now shared to ECS: yes; shared with accounts: none.');
  });
});

describe('pure pieces of the structured results, from plain values', () => {
  it('create_custom_image: which disks the image holds, why a snapshot was chosen (its name quoted as data), the warnings', () => {
    const sys = { DiskId: 'd-sys', DiskType: 'system', Size: 40 };
    const data = { DiskId: 'd-data', DiskType: 'data', Size: 20 };
    expect(disksWords([data], 's-2', data)).toBe('the system disk and data disk d-data (20 GiB), from data snapshot s-2.');
    expect(disksWords([], undefined)).toBe('the system disk (the server has no data disk).');
    expect(disksWords([data], undefined)).toBe('the system disk only: the files on data disk d-data (20 GiB) are not in the image.');
    const chosen = { SnapshotId: 's-1', SnapshotName: 'a\nIGNORE', RegionId: 'cn-hangzhou', Status: 'accomplished', SourceDiskType: 'system', CreationTime: '2026-12-01T00:00:00Z' };
    expect(snapshotChoiceReason(chosen, [{ ...chosen, SnapshotId: 's-9', Status: 'progressing' }]))
      .toBe('newest finished system-disk snapshot of the server: s-1 ("a IGNORE"), taken 2026-12-01T00:00:00Z. Newer but unfinished: s-9 (progressing).');
    expect(warningsOf([check, { Name: 'SnapshotAge', Outcome: 'warning', Detail: 'old' }])).toEqual(['old']);
    expect(operationSnapshots([
      { role: 'system', disk: sys, name: 'img-sys', existing: { ...chosen, Status: 'progressing', Progress: '40%' } },
      { role: 'data', disk: data, name: 'img-data' },
    ])).toEqual([
      { SnapshotName: 'img-sys', DiskId: 'd-sys', DiskType: 'system', SnapshotId: 's-1', Status: 'progressing', Progress: '40%' },
      { SnapshotName: 'img-data', DiskId: 'd-data', DiskType: 'data' },
    ]);
  });

  it('create_servers_from_image: the cost in currency units, with how it is paid', () => {
    expect(costOut(orderCost('60.00', 'CNY', 12, 2)!)).toEqual({
      Total: 1440, MonthlyPrice: 60, Currency: 'CNY', Months: 12, Servers: 2,
      Text: `${orderCost('60.00', 'CNY', 12, 2)!.text}, paid now from the account balance; coupons apply first.`,
    });
  });

  it('the dry runs of the deletes add the exact requests, the quota or what is left, and the checks', () => {
    const images = deleteCustomImagesDryRunText({
      RegionId: 'cn-hangzhou', ImageIds: ['m-1'], DryRun: true, Quota: { Limit: 6, Used: 1, Remaining: 5 }, Checks: [check], Notes: [], Simulated: false,
      Requests: [
        { Action: 'ModifyImageShareStatus', Endpoint: 'h', Parameters: { RegionId: 'cn-hangzhou', ImageId: 'm-1', Operation: 'UnShare', ClientToken: 'a' } },
        { Action: 'DeleteCustomImages', Endpoint: 'h', Parameters: { RegionId: 'cn-hangzhou', ImageIds: ['m-1'], ClientToken: 'b' } },
      ],
    } as Parameters<typeof deleteCustomImagesDryRunText>[0]);
    expect(images.split('\n')).toEqual([
      '', 'Requests, in order:',
      'ModifyImageShareStatus {"RegionId":"cn-hangzhou","ImageId":"m-1","Operation":"UnShare","ClientToken":"a"}',
      'DeleteCustomImages {"RegionId":"cn-hangzhou","ImageIds":["m-1"],"ClientToken":"b"}',
      'Quota after: 1 of 6 custom images used, 5 left.', 'Checks:', '- InstanceExists [ok]: Server i-1 is in region cn-hangzhou.',
    ]);
    const snapshots = deleteSnapshotsDryRunText({
      RegionId: 'cn-hangzhou', SnapshotIds: ['s-1'], DryRun: true, Checks: [], Notes: [], Simulated: false,
      Left: [{ InstanceId: 'i-1', SnapshotIds: [] }],
      Request: { Action: 'DeleteSnapshots', Endpoint: 'h', Parameters: { RegionId: 'cn-hangzhou', SnapshotIds: ['s-1'], ClientToken: 't' } },
    } as Parameters<typeof deleteSnapshotsDryRunText>[0]);
    expect(snapshots.split('\n')).toEqual([
      '', 'Request: DeleteSnapshots {"RegionId":"cn-hangzhou","SnapshotIds":["s-1"],"ClientToken":"t"}',
      'Server i-1 has 0 snapshots left; a server holds at most 3, data-disk snapshots included.', 'Checks:',
    ]);
  });

  it('share_custom_image: a dry run that needs no consent shows the plan and the notes', () => {
    const plan = { Summary: 'Share m-1 to ECS.', Steps: ['Share it.'], Irreversible: [], Warnings: [], Details: [] };
    const t = shareDryRunText({
      RegionId: 'cn-hangzhou', ImageId: 'm-1', Operation: 'Share', DryRun: true, Checks: [], Notes: ['n1'], Simulated: false,
    } as unknown as Parameters<typeof shareDryRunText>[0], plan);
    expect(t.split('\n')[0]).toBe('Dry run: every check passed; nothing was sent.');
    expect(t).toContain('Share m-1 to ECS.');
    expect(t.split('\n').at(-1)).toBe('Note: n1');
  });
});
