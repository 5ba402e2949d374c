import { describe, expect, it } from 'vitest';
import { explain } from '../../src/explain/catalog.js';
import { judgeDeleteImages, type DeleteImagesFacts } from '../../src/preflight/delete-custom-images.js';
import { judgeDeleteSnapshots } from '../../src/preflight/delete-snapshots.js';
import type { CustomImage, Snapshot } from '../../src/swas/types.js';

const R = 'cn-hangzhou';
const image = (id: string, extra: Partial<CustomImage> = {}): CustomImage => ({
  ImageId: id, Name: `name-${id}`, RegionId: R, StatusCode: '1', Tags: [], InstanceId: 'srv1', ...extra,
});
const snapshot = (id: string, extra: Partial<Snapshot> = {}): Snapshot => ({
  SnapshotId: id, SnapshotName: `snap-${id}`, RegionId: R, Status: 'accomplished', Progress: '100%', SourceDiskId: 'd-sys1', SourceDiskType: 'system', InstanceId: 'srv1', ...extra,
});
const facts = (f: Partial<DeleteImagesFacts>): DeleteImagesFacts => ({ ownImages: [], sharedIn: [], shareAccounts: new Map(), serverCount: 2, ...f });

describe('judgeDeleteImages', () => {
  it('passes own, unshared images and gives the quota after', () => {
    const v = judgeDeleteImages({ regionId: R, imageIds: ['m-a'], unshare: false }, facts({ ownImages: [image('m-a'), image('m-b')] }));
    expect(v.failure).toBeUndefined();
    expect(v.targets.map((t) => t.image.ImageId)).toEqual(['m-a']);
    expect(v.quotaBefore).toEqual({ Limit: 6, Used: 2, Remaining: 4 });
    expect(v.quotaAfter).toEqual({ Limit: 6, Used: 1, Remaining: 5 });
  });

  it('refuses a shared image naming ECS and the accounts, unless unshare', () => {
    const f = facts({ ownImages: [image('m-a', { InShare: true, InShareUser: true })], shareAccounts: new Map([['m-a', ['222', '111']]]) });
    const refused = judgeDeleteImages({ regionId: R, imageIds: ['m-a'], unshare: false }, f);
    // The code the real API answers for it (Alibaba's error-code page).
    expect(refused.failure).toMatchObject({ code: 'CustomImageInShare', imageId: 'm-a' });
    expect(refused.failure!.message).toContain('shared to ECS and accounts 111, 222');
    const allowed = judgeDeleteImages({ regionId: R, imageIds: ['m-a'], unshare: true }, f);
    expect(allowed.failure).toBeUndefined();
    expect(allowed.targets[0]).toMatchObject({ ecs: true, accounts: ['111', '222'] });
  });

  it('refuses an image shared with accounts even when the account list could not be read', () => {
    const v = judgeDeleteImages({ regionId: R, imageIds: ['m-a'], unshare: false }, facts({ ownImages: [image('m-a', { InShareUser: true })] }));
    expect(v.failure?.code).toBe('CustomImageInShare');
  });

  it('refuses a shared-in image (ImageNotOwned) and a missing one (InvalidImageId.NotFound), naming each; the first failure wins', () => {
    const v = judgeDeleteImages({ regionId: R, imageIds: ['m-x', 'm-in'], unshare: true }, facts({ sharedIn: [image('m-in', { UserId: '1987' })] }));
    expect(v.failure).toMatchObject({ code: 'InvalidImageId.NotFound', imageId: 'm-x' });
    const failed = v.checks.filter((c) => c.Outcome === 'failed');
    expect(failed.map((c) => c.Code)).toEqual(['InvalidImageId.NotFound', 'ImageNotOwned']);
    expect(failed[1]!.Detail).toContain('account 1987');
    expect(v.targets).toEqual([]);
  });

  it('keeps the servers made from an image, cleaned of controls', () => {
    const v = judgeDeleteImages({ regionId: R, imageIds: ['m-a'], unshare: false }, facts({ ownImages: [image('m-a', { CreateInstances: ['srv9', 'srv\u001b[31m2'] })] }));
    expect(v.targets[0]!.servers.join(' ')).not.toContain('\u001b');
    expect(v.targets[0]!.servers).toContain('srv9');
  });
});

describe('judgeDeleteSnapshots', () => {
  it('refuses a snapshot an image was made from, system or data, naming the image', () => {
    const images = [image('m-sys', { SystemSnapshotId: 's-1' }), image('m-data', { SystemSnapshotId: 's-9', DataSnapshotId: 's-2' })];
    const sys = judgeDeleteSnapshots({ regionId: R, snapshotIds: ['s-1'] }, { found: [snapshot('s-1')], ownImages: images });
    expect(sys.failure).toMatchObject({ code: 'SnapshotExistCustomImage', snapshotId: 's-1' });
    expect(sys.failure!.message).toContain('system snapshot custom image m-sys');
    const data = judgeDeleteSnapshots({ regionId: R, snapshotIds: ['s-2'] }, { found: [snapshot('s-2', { SourceDiskType: 'data', InstanceId: undefined })], ownImages: images });
    expect(data.failure!.message).toContain('data snapshot custom image m-data');
  });

  it('refuses a missing snapshot; warns on (does not refuse) a progressing one', () => {
    const missing = judgeDeleteSnapshots({ regionId: R, snapshotIds: ['s-x'] }, { found: [], ownImages: [] });
    expect(missing.failure?.code).toBe('InvalidSnapshotId.NotFound');
    const prog = judgeDeleteSnapshots({ regionId: R, snapshotIds: ['s-p'] }, { found: [snapshot('s-p', { Status: 'progressing', Progress: '45%' })], ownImages: [] });
    expect(prog.failure).toBeUndefined();
    expect(prog.progressing.map((s) => s.SnapshotId)).toEqual(['s-p']);
  });

  it('lists what is left per server, and per disk for data snapshots', () => {
    const all = [
      snapshot('s-1'), snapshot('s-2'), snapshot('s-3', { InstanceId: 'srv2' }),
      snapshot('s-d1', { SourceDiskType: 'data', SourceDiskId: 'd-data1', InstanceId: undefined }),
      snapshot('s-d2', { SourceDiskType: 'data', SourceDiskId: 'd-data1', InstanceId: undefined }),
    ];
    const v = judgeDeleteSnapshots({ regionId: R, snapshotIds: ['s-1', 's-d1'] }, { found: [all[0]!, all[3]!], ownImages: [], regionSnapshots: all });
    expect(v.left).toEqual([{ InstanceId: 'srv1', SnapshotIds: ['s-2'] }, { SourceDiskId: 'd-data1', SnapshotIds: ['s-d2'] }]);
  });
});

describe('catalog', () => {
  it('explains the API\'s documented CustomImageInShare and the simulator\'s NotImageOwner as the preflight refusals do', () => {
    const ctx = { action: 'DeleteCustomImages', regionId: R, imageId: 'm-a' };
    const shared = explain({ code: 'CustomImageInShare', message: 'The custom image is being shared. Please disable sharing first and then delete it.', stage: 'api', httpStatus: 400 }, ctx);
    expect(shared.error.NextSteps).toEqual(explain({ code: 'ImageShared', message: 'x', stage: 'preflight' }, ctx).error.NextSteps);
    expect(shared.error.NextSteps.join(' ')).toContain('Unshare true');
    const owner = explain({ code: 'OperationDenied.NotImageOwner', message: 'not owner', stage: 'api', httpStatus: 403 }, ctx);
    expect(owner.why).toContain('shared into this account');
  });
});
