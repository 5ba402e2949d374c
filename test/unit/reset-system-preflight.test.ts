import { describe, expect, it } from 'vitest';
import { explain } from '../../src/explain/catalog.js';
import { isMainlandRegion, judgeResetSystem, type ResetImage } from '../../src/preflight/reset-system.js';
import type { Instance } from '../../src/swas/types.js';

const server = (over: Partial<Instance> = {}): Instance => ({
  InstanceId: 'i1', InstanceName: 'web', RegionId: 'cn-hangzhou', Status: 'Running', OsType: 'Linux', ImageId: 'aaaa',
  Disks: [{ DiskId: 'd-sys', DiskType: 'system', Size: 40 }], ...over,
});
const custom = (over: Partial<ResetImage> = {}): ResetImage => ({
  ImageId: 'm-1', ImageName: 'img', ImageType: 'custom', Owner: 'self', Platform: 'Linux', Status: 'Available',
  SourceInstanceId: 'other', RequiredSystemDiskSize: 40, RequiredDataDiskSize: 0, ...over,
});
const req = (regionId = 'cn-hangzhou') => ({ regionId, instanceId: 'i1', imageId: 'm-1' });
const outcome = (v: ReturnType<typeof judgeResetSystem>, name: string) => v.checks.find((c) => c.Name === name)?.Outcome;

describe('isMainlandRegion', () => {
  it.each([['cn-hangzhou', true], ['cn-beijing', true], ['cn-hongkong', false], ['ap-southeast-1', false], ['us-west-1', false]])('%s → %s', (r, want) => {
    expect(isMainlandRegion(r)).toBe(want);
  });
});

describe('judgeResetSystem', () => {
  it('passes a good request, every check named', () => {
    const v = judgeResetSystem(req(), { instance: server(), image: custom() });
    expect(v.failure).toBeUndefined();
    expect(v.checks.map((c) => c.Name)).toEqual(['InstanceExists', 'InstanceStatus', 'ServerResettable', 'ImageExists', 'NotSharedIn', 'ImageAvailable', 'NotOwnImage', 'SystemDiskSize', 'DataDiskSize', 'Platform']);
    expect(v.systemDiskGb).toBe(40);
  });

  it('reports a busy server before anything about the image, as the API checks', () => {
    const v = judgeResetSystem(req(), { instance: server({ Status: 'Resetting' }), image: custom({ Status: 'Creating', RequiredSystemDiskSize: 100 }) });
    expect(v.failure?.code).toBe('IncorrectInstanceStatus');
  });

  it('refuses an expired server whatever its state', () => {
    const v = judgeResetSystem(req(), { instance: server({ BusinessStatus: 'Expired' }), image: custom() });
    expect(v.failure?.code).toBe('IncorrectInstanceStatus');
    expect(v.failure?.message).toContain('renew');
    expect(judgeResetSystem(req(), { instance: server({ BusinessStatus: 'Normal', Status: 'Stopped' }), image: custom() }).failure).toBeUndefined();
  });

  it('stops at a missing server or image', () => {
    expect(judgeResetSystem(req(), {}).failure?.code).toBe('InvalidInstanceId.NotFound');
    const noImage = judgeResetSystem(req(), { instance: server() });
    expect(noImage.failure?.code).toBe('InvalidImageId.NotFound');
    expect(noImage.checks.map((c) => c.Name)).toEqual(['InstanceExists', 'InstanceStatus', 'ServerResettable', 'ImageExists']);
  });

  it('refuses the server\'s own image', () => {
    expect(judgeResetSystem(req(), { instance: server(), image: custom({ SourceInstanceId: 'i1' }) }).failure?.code).toBe('ResetFromOwnImage');
  });

  it('refuses an image another account shared in (it can only create servers), whatever else holds, and checks the own-server rule for it too', () => {
    const v = judgeResetSystem(req(), { instance: server(), image: custom({ Owner: 'shared-in' }) });
    expect(v.failure?.code).toBe('ResetFromSharedImage');
    expect(v.failure?.message).toContain('only to create servers');
    const same = judgeResetSystem(req(), { instance: server(), image: custom({ Owner: 'shared-in', SourceInstanceId: 'i1' }) });
    expect(outcome(same, 'NotOwnImage')).toBe('failed');
  });

  it('refuses a server created from a custom image holding data-disk data; skips the check when that image cannot be read', () => {
    const fromImage = server({ ImageId: 'm-src' });
    const refused = judgeResetSystem(req(), { instance: fromImage, image: custom(), sourceImage: { ImageId: 'm-src', HoldsData: true } });
    expect(refused.failure?.code).toBe('ServerFromDataImage');
    expect(refused.failure?.message).toContain('m-src');
    expect(judgeResetSystem(req(), { instance: fromImage, image: custom(), sourceImage: { ImageId: 'm-src', HoldsData: false } }).failure).toBeUndefined();
    const unread = judgeResetSystem(req(), { instance: fromImage, image: custom() });
    expect(unread.failure).toBeUndefined();
    expect(outcome(unread, 'ServerResettable')).toBe('skipped');
  });

  it('measures the system disk and the largest data disk', () => {
    const withData = server({ Disks: [{ DiskId: 'd-sys', DiskType: 'system', Size: 40 }, { DiskId: 'd-a', DiskType: 'data', Size: 10 }, { DiskId: 'd-b', DiskType: 'data', Size: 30 }] });
    expect(judgeResetSystem(req(), { instance: withData, image: custom({ RequiredDataDiskSize: 30 }) }).failure).toBeUndefined();
    expect(judgeResetSystem(req(), { instance: withData, image: custom({ RequiredDataDiskSize: 31 }) }).failure?.code).toBe('DiskTooSmall');
    expect(judgeResetSystem(req(), { instance: withData, image: custom({ RequiredSystemDiskSize: 41 }) }).failure?.code).toBe('DiskTooSmall');
  });

  it('leaves sizes to the API for system and app images, which state none', () => {
    const v = judgeResetSystem(req(), { instance: server(), image: { ImageId: 'abc', ImageName: 'Ubuntu', ImageType: 'system', Platform: 'Linux' } });
    expect(v.failure).toBeUndefined();
    expect(outcome(v, 'SystemDiskSize')).toBe('skipped');
    expect(outcome(v, 'NotOwnImage')).toBe('skipped');
  });

  it('allows a platform switch in the mainland only; Hong Kong counts as outside', () => {
    const windows = custom({ Platform: 'Windows' });
    expect(judgeResetSystem(req('cn-shanghai'), { instance: server(), image: windows }).failure).toBeUndefined();
    expect(judgeResetSystem(req('cn-hongkong'), { instance: server(), image: windows }).failure?.code).toBe('PlatformSwitchNotAllowed');
    expect(judgeResetSystem(req('ap-southeast-1'), { instance: server(), image: windows }).failure?.code).toBe('PlatformSwitchNotAllowed');
    expect(judgeResetSystem(req('ap-southeast-1'), { instance: server(), image: custom({ Platform: 'linux' }) }).failure).toBeUndefined();
    const unknown = judgeResetSystem(req('ap-southeast-1'), { instance: server({ OsType: undefined }), image: windows });
    expect(unknown.failure).toBeUndefined();
    expect(outcome(unknown, 'Platform')).toBe('skipped');
  });
});

describe('catalog: what ResetSystem itself may answer', () => {
  it.each([
    ['InvalidImageId.SameInstance', 'ResetFromOwnImage'],
    ['InvalidImageId.DiskSizeNotEnough', 'DiskTooSmall'],
    ['InvalidImageId.PlatformSwitchNotSupported', 'PlatformSwitchNotAllowed'],
    ['IncorrectImageStatus', 'ImageNotAvailable'],
    ['OperationDenied.SharedImageResetNotSupported', 'ResetFromSharedImage'],
    ['OperationDenied.CreatedFromDataDiskImage', 'ServerFromDataImage'],
  ])('%s is explained as %s', (apiCode, ours) => {
    const ctx = { action: 'ResetSystem', regionId: 'cn-hangzhou', instanceId: 'i1', imageId: 'm-1' };
    const got = explain({ code: apiCode, message: 'refused', stage: 'api', httpStatus: 400 }, ctx);
    const want = explain({ code: ours, message: 'refused', stage: 'preflight' }, ctx);
    expect(got.error.Code).toBe(apiCode);
    expect(got.why).toBe(want.why);
    expect(got.error.NextSteps).toEqual(want.error.NextSteps);
  });
});
