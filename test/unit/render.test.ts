import { describe, expect, it } from 'vitest';
import { createSnapshotText } from '../../src/render/create-snapshot.js';
import { deleteSnapshotsText } from '../../src/render/delete-snapshots.js';
import { resetSystemText } from '../../src/render/reset-system.js';
import { shareCustomImageText } from '../../src/render/share-custom-image.js';
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
