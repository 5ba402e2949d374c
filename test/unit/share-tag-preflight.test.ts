import { describe, expect, it } from 'vitest';
import { explain } from '../../src/explain/catalog.js';
import { judgeShareImage, type ShareRequest } from '../../src/preflight/share-image.js';
import { judgeTagImages } from '../../src/preflight/tag-images.js';
import type { CustomImage } from '../../src/swas/types.js';

const R = 'cn-hangzhou';
const OWNER = '1234567890123456';

function image(over: Partial<CustomImage> = {}): CustomImage {
  return { ImageId: 'm-1', Name: 'web', RegionId: R, StatusCode: '1', Tags: [], UserId: OWNER, InShare: false, ...over };
}
const share = (over: Partial<ShareRequest> = {}): ShareRequest => ({ regionId: R, imageId: 'm-1', operation: 'Share', ecs: false, accounts: [], ...over });
const outcomes = (checks: { Name: string; Outcome: string }[]) => Object.fromEntries(checks.map((c) => [c.Name, c.Outcome]));

describe('judgeShareImage', () => {
  it('plans only what is not yet as asked, and the state after', () => {
    const v = judgeShareImage(share({ ecs: true, accounts: ['111', '222'] }), { own: image({ InShare: true }), sharedWith: ['111'] });
    expect(v.failure).toBeUndefined();
    expect(v.plan).toEqual({ accounts: ['222'], after: { SharedToEcs: true, SharedWithAccounts: ['111', '222'] }, needsConsent: true });
  });

  it('UnShare: only what is shared is planned; an image in any status may be unshared', () => {
    const v = judgeShareImage(share({ operation: 'UnShare', ecs: true, accounts: ['111', '333'] }), { own: image({ InShare: true, StatusCode: '4' }), sharedWith: ['111', '222'] });
    expect(v.failure).toBeUndefined();
    expect(v.plan).toEqual({ ecs: 'UnShare', accounts: ['111'], after: { SharedToEcs: false, SharedWithAccounts: ['222'] }, needsConsent: true });
    expect(outcomes(v.checks).ImageStatus).toBe('skipped');
  });

  it('refuses a shared-in image (ImageNotOwned), a missing one (InvalidImageId.NotFound), an unavailable one (ImageNotAvailable)', () => {
    expect(judgeShareImage(share({ ecs: true }), { sharedIn: image({ UserId: '999' }), sharedWith: [] }).failure?.code).toBe('ImageNotOwned');
    expect(judgeShareImage(share({ ecs: true }), { sharedWith: [] }).failure?.code).toBe('InvalidImageId.NotFound');
    expect(judgeShareImage(share({ ecs: true }), { own: image({ StatusCode: '4' }), sharedWith: [] }).failure?.code).toBe('ImageNotAvailable');
  });

  it('counts the limit of 10 over the accounts already shared with plus the new ones', () => {
    const nine = Array.from({ length: 9 }, (_, i) => `10${i}`);
    expect(judgeShareImage(share({ accounts: ['500'] }), { own: image(), sharedWith: nine }).failure).toBeUndefined();
    expect(judgeShareImage(share({ accounts: ['500', '501'] }), { own: image(), sharedWith: nine }).failure?.code).toBe('ShareAccountLimitExceeded');
    // An account already shared with does not count twice.
    expect(judgeShareImage(share({ accounts: ['100', '500'] }), { own: image(), sharedWith: nine }).failure).toBeUndefined();
  });

  it('refuses sharing an image with its own owner', () => {
    expect(judgeShareImage(share({ accounts: [OWNER] }), { own: image(), sharedWith: [] }).failure?.code).toBe('InvalidParam.Account');
  });
});

describe('judgeTagImages', () => {
  const req = (tags: { Key: string; Value?: string }[], removeKeys: string[] = [], imageIds = ['m-1']) => ({ regionId: R, imageIds, tags, removeKeys });

  it('plain additions need no consent; a value already equal is not sent', () => {
    const v = judgeTagImages(req([{ Key: 'env', Value: 'prod' }, { Key: 'app', Value: 'web' }]), { own: [image({ Tags: [{ Key: 'app', Value: 'web' }] })], sharedIn: [] });
    expect(v.plan.needsConsent).toBe(false);
    expect(v.plan.changes).toEqual([{ ImageId: 'm-1', Added: [{ Key: 'env', Value: 'prod' }], Overwritten: [], Removed: [] }]);
    expect(v.plan.tagIds).toEqual(['m-1']);
  });

  it('an overwrite or the removal of an existing tag needs consent; a missing key to remove is ignored', () => {
    const over = judgeTagImages(req([{ Key: 'env', Value: 'prod' }]), { own: [image({ Tags: [{ Key: 'env', Value: 'dev' }] })], sharedIn: [] });
    expect(over.plan.needsConsent).toBe(true);
    expect(over.plan.changes[0]!.Overwritten).toEqual([{ Key: 'env', From: 'dev', To: 'prod' }]);
    const removal = judgeTagImages(req([], ['old', 'absent']), { own: [image({ Tags: [{ Key: 'old', Value: '1' }] })], sharedIn: [] });
    expect(removal.plan).toMatchObject({ needsConsent: true, untagIds: ['m-1'], untagKeys: ['old'], tagIds: [] });
    const nothing = judgeTagImages(req([], ['absent']), { own: [image()], sharedIn: [] });
    expect(nothing.plan).toMatchObject({ needsConsent: false, changes: [], untagIds: [] });
  });

  it('refuses missing and shared-in images, and more than 20 tags after the change', () => {
    expect(judgeTagImages(req([{ Key: 'a' }], [], ['m-1', 'm-2']), { own: [image()], sharedIn: [] }).failure?.code).toBe('InvalidImageId.NotFound');
    expect(judgeTagImages(req([{ Key: 'a' }], [], ['m-1', 'm-2']), { own: [image()], sharedIn: [image({ ImageId: 'm-2', UserId: '9' })] }).failure?.code).toBe('ImageNotOwned');
    const full = image({ Tags: Array.from({ length: 20 }, (_, i) => ({ Key: `k${i}`, Value: '' })) });
    expect(judgeTagImages(req([{ Key: 'new' }]), { own: [full], sharedIn: [] }).failure?.code).toBe('InvalidParam.TagCount');
    // Removing one first makes room.
    expect(judgeTagImages(req([{ Key: 'new' }], ['k0']), { own: [full], sharedIn: [] }).failure).toBeUndefined();
  });
});

describe('catalog: the API\'s own codes for what the judges predict', () => {
  it.each([
    ['OperationDenied.NotImageOwner', 'ImageNotOwned'],
    ['IncorrectImageStatus', 'ImageNotAvailable'],
    ['CustomImageShareAccountQuotaLimit', 'ShareAccountLimitExceeded'],
  ])('%s is explained as %s', (apiCode, ours) => {
    const ctx = { action: 'ModifyImageShareStatus', regionId: R, imageId: 'm-1' };
    const api = explain({ code: apiCode, message: 'x', stage: 'api', httpStatus: 400 }, ctx);
    const predicted = explain({ code: ours, message: 'x', stage: 'preflight' }, ctx);
    expect(api.error.Code).toBe(apiCode);
    expect(api.why).toBe(predicted.why);
    expect(api.error.NextSteps).toEqual(predicted.error.NextSteps);
  });
});
