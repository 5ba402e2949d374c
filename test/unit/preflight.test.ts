import { describe, expect, it } from 'vitest';
import { judgeCreateImage, type CreateImageFacts } from '../../src/preflight/create-image.js';
import { imageQuota } from '../../src/preflight/quotas.js';
import { chooseSystemSnapshot } from '../../src/preflight/snapshots.js';
import type { CustomImage, Instance, Snapshot } from '../../src/swas/types.js';

const instance: Instance = { InstanceId: 'i1', InstanceName: 'blog', RegionId: 'cn-hangzhou', Status: 'Running', Disks: [
  { DiskId: 'd-sys', DiskType: 'system' }, { DiskId: 'd-data', DiskType: 'data' }] };
const snap = (over: Partial<Snapshot>): Snapshot => ({
  SnapshotId: 's-1', SnapshotName: 'n', RegionId: 'cn-hangzhou', Status: 'accomplished', SourceDiskType: 'system', InstanceId: 'i1',
  SourceDiskId: 'd-sys', CreationTime: '2026-01-01T00:00:00Z', Progress: '100%', ...over,
});
const image = (over: Partial<CustomImage>): CustomImage => ({ ImageId: 'm-1', Name: 'img', RegionId: 'cn-hangzhou', StatusCode: '1', Tags: [], ...over });
const req = { regionId: 'cn-hangzhou', instanceId: 'i1', imageName: 'new-image', systemSnapshotId: 's-1' };
const facts = (over: Partial<CreateImageFacts> = {}): CreateImageFacts => ({
  instance, serverCount: 2, images: [], systemSnapshot: snap({}), dataDisks: [{ DiskId: 'd-data', DiskType: 'data' }], ...over,
});

describe('imageQuota', () => {
  it.each([[0, 0, 0], [1, 0, 3], [4, 0, 12], [5, 0, 15], [6, 0, 15], [100, 14, 15]])('%i servers, %i images → limit %i', (servers, images, limit) => {
    expect(imageQuota(servers, images).Limit).toBe(limit);
  });
  it('never reports negative room', () => {
    expect(imageQuota(1, 5)).toEqual({ Limit: 3, Used: 5, Remaining: 0 });
  });
});

describe('judgeCreateImage', () => {
  it('passes a good request, every check named', () => {
    const out = judgeCreateImage(req, facts());
    expect(out.failure).toBeUndefined();
    expect(out.checks.map((c) => `${c.Name}:${c.Outcome}`)).toEqual([
      'InstanceExists:passed', 'InstanceStatus:passed', 'SystemSnapshot:passed', 'DataSnapshot:skipped', 'ImageNameUnique:passed', 'Quota:passed']);
  });
  it.each([
    ['a missing server', facts({ instance: undefined }), 'InvalidInstanceId.NotFound'],
    ['a Starting server', facts({ instance: { ...instance, Status: 'Starting' } }), 'IncorrectInstanceStatus'],
    ['an expired server', facts({ instance: { ...instance, BusinessStatus: 'Expired' } }), 'IncorrectInstanceStatus'],
    ['a missing snapshot', facts({ systemSnapshot: undefined }), 'InvalidParam.SystemSnapshotIdNotFound'],
    ['a data-disk snapshot', facts({ systemSnapshot: snap({ SourceDiskType: 'data', InstanceId: undefined }) }), 'InvalidParam.SystemSnapshotIdNotSupport'],
    ['another server\'s snapshot', facts({ systemSnapshot: snap({ InstanceId: 'i2' }) }), 'InvalidParam.SystemSnapshotIdNotSupport'],
    ['a progressing snapshot', facts({ systemSnapshot: snap({ Status: 'progressing', Progress: '40%' }) }), 'InvalidParam.SystemSnapshotIdNotSupport'],
    ['a taken name', facts({ images: [image({ Name: 'new-image', InstanceId: 'i9' })] }), 'ImageNameAlreadyExist'],
    ['a full quota', facts({ serverCount: 1, images: [image({}), image({ ImageId: 'm-2' }), image({ ImageId: 'm-3' })] }), 'CustomImageQuotaLimit'],
  ])('refuses %s', (_what, f, code) => {
    const out = judgeCreateImage(req, f);
    expect(out.failure?.code).toBe(code);
    expect(out.checks.find((c) => c.Outcome === 'failed')?.Code).toBe(code);
  });
  it('skips the snapshot check when no snapshot was named and the server is missing', () => {
    const out = judgeCreateImage({ ...req, systemSnapshotId: '' }, facts({ instance: undefined, systemSnapshot: undefined }));
    expect(out.failure?.code).toBe('InvalidInstanceId.NotFound');
    expect(out.checks.find((c) => c.Name === 'SystemSnapshot')?.Outcome).toBe('skipped');
  });
  it('accepts snapshot and disk enums in any case', () => {
    const out = judgeCreateImage(req, facts({ instance: { ...instance, Status: 'STOPPED' }, systemSnapshot: snap({ Status: 'Accomplished', SourceDiskType: 'System' }) }));
    expect(out.failure).toBeUndefined();
  });
  it('checks a data snapshot belongs to one of the server\'s data disks and is finished', () => {
    const data = snap({ SnapshotId: 's-d', SourceDiskType: 'data', SourceDiskId: 'd-data', InstanceId: undefined });
    const withData = { ...req, dataSnapshotId: 's-d' };
    expect(judgeCreateImage(withData, facts({ dataSnapshot: data })).failure).toBeUndefined();
    expect(judgeCreateImage(withData, facts({ dataSnapshot: { ...data, SourceDiskId: 'd-other' } })).failure?.code).toBe('InvalidParam.DataSnapshotIdNotFound');
    expect(judgeCreateImage(withData, facts({ dataSnapshot: { ...data, Status: 'progressing' } })).failure?.code).toBe('InvalidParam.DataSnapshotIdNotFound');
    expect(judgeCreateImage(withData, facts({ dataSnapshot: undefined })).failure?.code).toBe('InvalidParam.DataSnapshotIdNotFound');
  });
  it('recognises this very request made before, even with the quota full', () => {
    const earlier = image({ Name: 'new-image', InstanceId: 'i1', SystemSnapshotId: 's-1' });
    const out = judgeCreateImage(req, facts({ serverCount: 1, images: [earlier, image({ ImageId: 'm-2' }), image({ ImageId: 'm-3' })] }));
    expect(out.failure).toBeUndefined();
    expect(out.repeatOf?.ImageId).toBe('m-1');
  });
});

describe('chooseSystemSnapshot', () => {
  const list = [
    snap({ SnapshotId: 's-old', CreationTime: '2026-01-01T00:00:00Z' }),
    snap({ SnapshotId: 's-new', CreationTime: '2026-03-01T00:00:00Z' }),
    snap({ SnapshotId: 's-newest-running', CreationTime: '2026-04-01T00:00:00Z', Status: 'progressing' }),
    snap({ SnapshotId: 's-newest-failed', CreationTime: '2026-04-02T00:00:00Z', Status: 'failed' }),
    snap({ SnapshotId: 's-data', CreationTime: '2026-05-01T00:00:00Z', SourceDiskType: 'data' }),
    snap({ SnapshotId: 's-other', CreationTime: '2026-05-01T00:00:00Z', InstanceId: 'i2' }),
  ];
  it('picks the newest finished system snapshot of the server, never an unfinished one', () => {
    const { chosen, skipped } = chooseSystemSnapshot(list, 'i1');
    expect(chosen?.SnapshotId).toBe('s-new');
    expect(skipped.map((s) => s.SnapshotId)).toEqual(['s-newest-failed', 's-newest-running']);
  });
  it('finds nothing when no snapshot is finished', () => {
    const { chosen, skipped } = chooseSystemSnapshot([snap({ Status: 'progressing' })], 'i1');
    expect(chosen).toBeUndefined();
    expect(skipped).toHaveLength(1);
  });
});
