import { describe, expect, it } from 'vitest';
import { agoWords, captureSnapshotNames, judgeCapture, snapshotAgeCheck, type CaptureFacts } from '../../src/preflight/capture.js';
import { SNAPSHOT_NAME_PATTERN } from '../../src/swas/shapes.js';
import type { CustomImage, Instance, Snapshot } from '../../src/swas/types.js';

const NOW = Date.parse('2026-12-02T03:00:00Z');
const server: Instance = {
  InstanceId: 'srv1', InstanceName: 'shop-prod', RegionId: 'cn-hangzhou', Status: 'Running',
  Disks: [{ DiskId: 'd-sys', DiskType: 'system', Size: 50 }, { DiskId: 'd-data', DiskType: 'data', Size: 100 }],
} as Instance;
const snap = (over: Partial<Snapshot>): Snapshot => ({
  SnapshotId: 's-1', SnapshotName: 'x', RegionId: 'cn-hangzhou', Status: 'accomplished', SourceDiskType: 'system', SourceDiskId: 'd-sys', InstanceId: 'srv1', CreationTime: '2026-12-02T02:50:00Z', ...over,
});
const image = (over: Partial<CustomImage>): CustomImage => ({ ImageId: 'm-1', Name: 'shop', RegionId: 'cn-hangzhou', StatusCode: '4', Tags: [], InstanceId: 'srv1', ...over });
const req = { regionId: 'cn-hangzhou', instanceId: 'srv1', imageName: 'shop', includeDataDisk: true, nowMs: NOW, maxAgeHours: 24 };
const facts = (over: Partial<CaptureFacts> = {}): CaptureFacts => ({ instance: server, serverCount: 4, images: [], snapshots: [], ...over });

describe('capture snapshot names', () => {
  it('carry the image name, and stay valid snapshot names however long the image name', () => {
    expect(captureSnapshotNames('shop')).toEqual({ system: 'img-shop-sys', data: 'img-shop-data' });
    const long = `a${'b'.repeat(127)}`;
    const other = `a${'b'.repeat(126)}c`;
    for (const n of [captureSnapshotNames(long), captureSnapshotNames('9-starts-with-a-digit')]) {
      for (const name of [n.system, n.data]) {
        expect(name.length).toBeLessThanOrEqual(50);
        expect(name).toMatch(SNAPSHOT_NAME_PATTERN);
      }
    }
    expect(captureSnapshotNames(long)).toEqual(captureSnapshotNames(long));
    expect(captureSnapshotNames(long).system).not.toBe(captureSnapshotNames(other).system);
  });
});

describe('snapshot age in words', () => {
  it('says how long ago, and turns a warning past the setting', () => {
    expect(agoWords(90_000)).toBe('1 minute ago');
    expect(agoWords(5 * 3_600_000)).toBe('5 hours ago');
    expect(agoWords(275 * 86_400_000)).toBe('9 months ago');
    const fresh = snapshotAgeCheck(snap({ CreationTime: '2026-12-01T04:00:00Z' }), 'system', NOW, 24);
    expect(fresh).toMatchObject({ Outcome: 'passed', Detail: expect.stringContaining('taken 23 hours ago, 2026-12-01 04:00 UTC: changes since then are not in the image') });
    const old = snapshotAgeCheck(snap({ CreationTime: '2026-03-01T02:00:00Z' }), 'system', NOW, 24);
    expect(old).toMatchObject({ Outcome: 'warning', Detail: expect.stringContaining('taken 9 months ago, 2026-03-01 02:00 UTC') });
  });
});

describe('judgeCapture', () => {
  it('plans both snapshots first, checking the image quota before any is taken', () => {
    const v = judgeCapture(req, facts());
    expect(v.phase).toBe('take-snapshots');
    expect(v.steps.map((s) => [s.role, s.disk.DiskId, s.name])).toEqual([['system', 'd-sys', 'img-shop-sys'], ['data', 'd-data', 'img-shop-data']]);
    expect(v.failure).toBeUndefined();
    const full = judgeCapture(req, facts({ images: Array.from({ length: 12 }, (_, i) => image({ ImageId: `m-${i}`, Name: `n${i}` })) }));
    expect(full.failure?.code).toBe('CustomImageQuotaLimit');
  });

  it('recognises its own snapshots and its own image, and no other image of the name', () => {
    const own = [snap({ SnapshotId: 's-sys', SnapshotName: 'img-shop-sys' }), snap({ SnapshotId: 's-data', SnapshotName: 'img-shop-data', SourceDiskId: 'd-data', SourceDiskType: 'data', InstanceId: undefined, Status: 'progressing' })];
    expect(judgeCapture(req, facts({ snapshots: own })).phase).toBe('wait-snapshots');
    own[1]!.Status = 'accomplished';
    expect(judgeCapture(req, facts({ snapshots: own })).phase).toBe('create-image');
    const mine = image({ SystemSnapshotId: 's-sys', DataSnapshotId: 's-data' });
    expect(judgeCapture(req, facts({ snapshots: own, images: [mine] }))).toMatchObject({ phase: 'image-exists', image: mine });
    // An image of the name without the data disk is not this operation's (which includes it).
    const systemOnly = image({ SystemSnapshotId: 's-sys' });
    expect(judgeCapture(req, facts({ snapshots: own, images: [systemOnly] })).failure?.code).toBe('ImageNameAlreadyExist');
    expect(judgeCapture({ ...req, includeDataDisk: false }, facts({ snapshots: own, images: [systemOnly] })).phase).toBe('image-exists');
    const other = image({ SystemSnapshotId: 's-old' });
    expect(judgeCapture(req, facts({ snapshots: own, images: [other] })).failure?.code).toBe('ImageNameAlreadyExist');
  });

  it('a failed snapshot of its own is refused, naming delete_snapshots', () => {
    const v = judgeCapture(req, facts({ snapshots: [snap({ SnapshotName: 'img-shop-sys', Status: 'failed' })] }));
    expect(v.failure).toMatchObject({ code: 'SnapshotCreationFailed', message: expect.stringContaining('delete_snapshots') });
  });

  it('IncludeDataDisk false: one snapshot, and the data disk named as left out', () => {
    const v = judgeCapture({ ...req, includeDataDisk: false }, facts());
    expect(v.steps.map((s) => s.role)).toEqual(['system']);
    expect(v.checks.find((c) => c.Name === 'DataDisk')?.Detail).toMatch(/system disk only; the files on data disk d-data \(100 GiB\) are not in it/);
  });
});
