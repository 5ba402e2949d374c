import { describe, expect, it } from 'vitest';
import { continueCall, planCaptureSnapshots, planCreateImage } from '../../src/requests/create-custom-image.js';
import { isRepeatedOrder, planCreateInstances } from '../../src/requests/create-servers-from-image.js';
import { createdSnapshot, planCreateSnapshot } from '../../src/requests/create-snapshot.js';
import * as deleteImages from '../../src/requests/delete-custom-images.js';
import { planDeleteSnapshots } from '../../src/requests/delete-snapshots.js';
import { plannedRequest, tokenPerAction } from '../../src/requests/planned-request.js';
import * as reset from '../../src/requests/reset-system.js';
import * as share from '../../src/requests/share-custom-image.js';
import * as tag from '../../src/requests/tag-custom-images.js';
import type { DeleteTarget } from '../../src/preflight/delete-custom-images.js';
import type { CustomImage, Snapshot } from '../../src/swas/types.js';
import { deriveClientToken } from '../../src/swas/token.js';

// Pure request planning: plain values in, exact requests out. No server, no simulator, no context.
const HOST = 'swas.cn-hangzhou.aliyuncs.com';
const R = 'cn-hangzhou';
const DERIVED = /^mcp-[0-9a-f]{40}$/;

const image = (id: string, over: Partial<CustomImage> = {}): CustomImage => ({ ImageId: id, Name: `img-${id}`, RegionId: R, StatusCode: '1', Tags: [], ...over });
const snapshot = (id: string, over: Partial<Snapshot> = {}): Snapshot => ({ SnapshotId: id, SnapshotName: 'nightly', RegionId: R, Status: 'accomplished', SourceDiskType: 'system', ...over });
const tokens = (reqs: { Parameters: { ClientToken: string } }[]) => reqs.map((r) => r.Parameters.ClientToken);

describe('plannedRequest and tokenPerAction (the one implementation every tool plans with)', () => {
  it('sends to the endpoint it is given, drops undefined parameters, and keeps a given ClientToken as it is', () => {
    const r = plannedRequest(HOST, 'DeleteSnapshots', { RegionId: R, SnapshotIds: ['s-1'], Extra: undefined }, 'my-token');
    expect(r).toEqual({ Action: 'DeleteSnapshots', Endpoint: HOST, Parameters: { RegionId: R, SnapshotIds: ['s-1'], ClientToken: 'my-token' } });
    expect('Extra' in r.Parameters).toBe(false);
  });

  it('derives the token from action, parameters and basis: same input same token, another basis another token', () => {
    const a = plannedRequest(HOST, 'ResetSystem', { RegionId: R, InstanceId: 'i-1' }, undefined, { state: 1 });
    expect(a.Parameters.ClientToken).toMatch(DERIVED);
    expect(plannedRequest(HOST, 'ResetSystem', { RegionId: R, InstanceId: 'i-1' }, undefined, { state: 1 }).Parameters.ClientToken).toBe(a.Parameters.ClientToken);
    expect(plannedRequest(HOST, 'ResetSystem', { RegionId: R, InstanceId: 'i-1' }, undefined, { state: 2 }).Parameters.ClientToken).not.toBe(a.Parameters.ClientToken);
    expect(plannedRequest(HOST, 'ResetSystem', { RegionId: R, InstanceId: 'i-2' }, undefined, { state: 1 }).Parameters.ClientToken).not.toBe(a.Parameters.ClientToken);
    // The endpoint is where it goes, not what it is: the token does not depend on it.
    expect(plannedRequest('127.0.0.1:9', 'ResetSystem', { RegionId: R, InstanceId: 'i-1' }, undefined, { state: 1 }).Parameters.ClientToken).toBe(a.Parameters.ClientToken);
  });

  it('tokenPerAction: nothing without a given token; with one, a token per action and parameters, never the given one', () => {
    expect(tokenPerAction(undefined)('TagResources', { A: 1 })).toBeUndefined();
    const per = tokenPerAction('given');
    const t = per('TagResources', { A: 1 });
    expect(t).toBe(deriveClientToken('TagResources', { A: 1, GivenClientToken: 'given' }));
    expect(t).not.toBe('given');
    expect(per('UntagResources', { A: 1 })).not.toBe(t);
    expect(per('TagResources', { A: 2 })).not.toBe(t);
    expect(tokenPerAction('other')('TagResources', { A: 1 })).not.toBe(t);
  });
});

describe('create_snapshot', () => {
  it('names the disk only, so the InstanceId and DiskId forms of one request carry one token', () => {
    const order = { regionId: R, diskId: 'd-1', snapshotName: 'nightly' };
    const a = planCreateSnapshot(HOST, order);
    expect(a).toEqual({ Action: 'CreateSnapshot', Endpoint: HOST, Parameters: { RegionId: R, DiskId: 'd-1', SnapshotName: 'nightly', ClientToken: a.Parameters.ClientToken } });
    expect(a.Parameters.ClientToken).toMatch(DERIVED);
    expect(planCreateSnapshot(HOST, { ...order }).Parameters.ClientToken).toBe(a.Parameters.ClientToken);
    expect(planCreateSnapshot(HOST, { ...order, diskId: 'd-2' }).Parameters.ClientToken).not.toBe(a.Parameters.ClientToken);
    expect(planCreateSnapshot(HOST, { ...order, clientToken: 'tok' }).Parameters.ClientToken).toBe('tok');
  });

  it('an answer naming the snapshot that existed before is a repeat: nothing new, its state as read', () => {
    const earlier = snapshot('s-1', { Status: 'progressing', Progress: '40%' });
    expect(createdSnapshot(earlier, 's-1')).toEqual({ Status: 'progressing', Progress: '40%', Repeated: true });
    expect(createdSnapshot(earlier, 's-2')).toEqual({ Status: 'progressing', Progress: undefined });
    expect(createdSnapshot(undefined, 's-2')).not.toHaveProperty('Repeated');
  });
});

describe('create_custom_image', () => {
  it('CreateCustomImage: a given token as it is; without one, derived from the request (data snapshot and all)', () => {
    const order = { regionId: R, instanceId: 'i-1', imageName: 'blog', systemSnapshotId: 's-1' };
    const a = planCreateImage(HOST, order);
    expect(a.Parameters).toEqual({ RegionId: R, InstanceId: 'i-1', ImageName: 'blog', SystemSnapshotId: 's-1', ClientToken: a.Parameters.ClientToken });
    expect(planCreateImage(HOST, order).Parameters.ClientToken).toBe(a.Parameters.ClientToken);
    expect(planCreateImage(HOST, { ...order, dataSnapshotId: 's-2' }).Parameters.ClientToken).not.toBe(a.Parameters.ClientToken);
    expect(planCreateImage(HOST, { ...order, clientToken: 'tok' }).Parameters.ClientToken).toBe('tok');
  });

  it('a capture takes its snapshots in the judge\'s order, with derived tokens only (a call that continues sends the same)', () => {
    const steps = [{ disk: { DiskId: 'd-sys', DiskType: 'system' }, name: 'blog-sys' }, { disk: { DiskId: 'd-data', DiskType: 'data' }, name: 'blog-data' }];
    const planned = planCaptureSnapshots(HOST, R, steps, 'rg-1');
    expect(planned.map((p) => [p.Action, p.Parameters.DiskId, p.Parameters.SnapshotName, p.Parameters.ResourceGroupId])).toEqual([
      ['CreateSnapshot', 'd-sys', 'blog-sys', 'rg-1'], ['CreateSnapshot', 'd-data', 'blog-data', 'rg-1'],
    ]);
    expect(tokens(planned).every((t) => DERIVED.test(t))).toBe(true);
    expect(tokens(planCaptureSnapshots(HOST, R, steps, 'rg-1'))).toEqual(tokens(planned));
    expect(new Set(tokens(planned)).size).toBe(2);
    expect(planCaptureSnapshots(HOST, R, [], undefined)).toEqual([]);
  });

  it('the call that continues a capture keeps what shapes the operation and waits', () => {
    expect(continueCall({ RegionId: R, InstanceId: 'i-1', ImageName: 'blog', IncludeDataDisk: false, ClientToken: 'tok' }))
      .toBe('create_custom_image with {"RegionId":"cn-hangzhou","InstanceId":"i-1","ImageName":"blog","IncludeDataDisk":false,"ClientToken":"tok","WaitForAvailable":true}');
  });
});

describe('create_servers_from_image', () => {
  const order = { regionId: R, imageId: 'm-1', planId: 'swas.s2.c2m2s50b4t08', period: 1, amount: 2, autoRenew: false };

  it('one prepaid CreateInstances; its derived token depends on the order alone', () => {
    const a = planCreateInstances(HOST, order);
    expect(a.Parameters).toEqual({ RegionId: R, ImageId: 'm-1', PlanId: order.planId, Period: 1, Amount: 2, AutoRenew: false, ChargeType: 'PrePaid', ClientToken: a.Parameters.ClientToken });
    expect(planCreateInstances(HOST, { ...order }).Parameters.ClientToken).toBe(a.Parameters.ClientToken);
    expect(planCreateInstances(HOST, { ...order, amount: 3 }).Parameters.ClientToken).not.toBe(a.Parameters.ClientToken);
    expect(planCreateInstances(HOST, { ...order, clientToken: 'again' }).Parameters.ClientToken).toBe('again');
  });

  it('an answer naming only servers that existed before is a repeat: nothing was bought', () => {
    const existing = new Set(['i-1', 'i-2']);
    expect(isRepeatedOrder(['i-1', 'i-2'], existing)).toBe(true);
    expect(isRepeatedOrder(['i-1', 'i-3'], existing)).toBe(false);
    expect(isRepeatedOrder([], existing)).toBe(false);
  });
});

describe('delete_snapshots', () => {
  it('one DeleteSnapshots of the judged targets, in order', () => {
    const r = planDeleteSnapshots(HOST, R, [snapshot('s-2'), snapshot('s-1')]);
    expect(r.Parameters.SnapshotIds).toEqual(['s-2', 's-1']);
    expect(r.Parameters.ClientToken).toMatch(DERIVED);
    expect(planDeleteSnapshots(HOST, R, [snapshot('s-1'), snapshot('s-2')]).Parameters.ClientToken).not.toBe(r.Parameters.ClientToken);
    expect(planDeleteSnapshots(HOST, R, [snapshot('s-2')], 'tok').Parameters.ClientToken).toBe('tok');
  });
});

describe('delete_custom_images', () => {
  const target = (id: string, ecs: boolean, accounts: string[]): DeleteTarget => ({ image: image(id), ecs, accounts, servers: [] });
  const targets = [target('m-1', true, ['1234567890123456']), target('m-2', false, []), target('m-3', false, ['2234567890123456'])];

  it('every unshare before the one delete, in the order of the images; without Unshare only the delete', () => {
    const steps = deleteImages.planDeleteImages(HOST, R, targets, { unshare: true });
    expect(steps.map((s) => `${s.planned.Action} ${'ImageId' in s.planned.Parameters ? s.planned.Parameters.ImageId : s.planned.Parameters.ImageIds.join(',')}`)).toEqual([
      'ModifyImageShareStatus m-1', 'RemoveCustomImageShareAccount m-1', 'RemoveCustomImageShareAccount m-3', 'DeleteCustomImages m-1,m-2,m-3',
    ]);
    expect(deleteImages.deleteStepOf(steps)).toBe(steps[3]);
    expect(deleteImages.planDeleteImages(HOST, R, targets, { unshare: false }).map((s) => s.kind)).toEqual(['delete']);
  });

  it('a given ClientToken goes on the delete as it is; each unshare gets one derived from it and its action', () => {
    const given = deleteImages.planDeleteImages(HOST, R, targets, { unshare: true, clientToken: 'tok' });
    const [ecs, acc1, acc3, del] = tokens(given.map((s) => s.planned));
    expect(del).toBe('tok');
    expect(ecs).toBe(deriveClientToken('ModifyImageShareStatus', { RegionId: R, ImageId: 'm-1', Operation: 'UnShare', GivenClientToken: 'tok' }));
    expect(new Set([ecs, acc1, acc3, del]).size).toBe(4);
    // The same input plans the same tokens; another given token, other tokens throughout.
    expect(tokens(deleteImages.planDeleteImages(HOST, R, targets, { unshare: true, clientToken: 'tok' }).map((s) => s.planned))).toEqual([ecs, acc1, acc3, del]);
    const other = tokens(deleteImages.planDeleteImages(HOST, R, targets, { unshare: true, clientToken: 'tok2' }).map((s) => s.planned));
    expect(other.some((t, i) => t === [ecs, acc1, acc3, del][i])).toBe(false);
    // Not given: all derived from their own requests, and stable.
    const derived = tokens(deleteImages.planDeleteImages(HOST, R, targets, { unshare: true }).map((s) => s.planned));
    expect(derived.every((t) => DERIVED.test(t))).toBe(true);
    expect(tokens(deleteImages.planDeleteImages(HOST, R, targets, { unshare: true }).map((s) => s.planned))).toEqual(derived);
  });

  it('each unshare expects the share gone; the delete states nothing (the read-back knows it from the action)', () => {
    const steps = deleteImages.planDeleteImages(HOST, R, targets, { unshare: true });
    expect(steps.map(deleteImages.expectationOf)).toEqual([
      { kind: 'ecs-share', shared: false },
      { kind: 'account-share', shared: false, accounts: ['1234567890123456'] },
      { kind: 'account-share', shared: false, accounts: ['2234567890123456'] },
      undefined,
    ]);
  });
});

describe('reset_system', () => {
  const order = { regionId: R, instanceId: 'i-1', imageId: 'm-new' };

  it('the derived token follows the state the plan saw; a given one is sent as it is, whatever the state', () => {
    const a = reset.planResetSystem(HOST, order, { state: 'on m-old' });
    expect(a.Parameters).toEqual({ RegionId: R, InstanceId: 'i-1', ImageId: 'm-new', ClientToken: a.Parameters.ClientToken });
    expect(reset.planResetSystem(HOST, order, { state: 'on m-old' }).Parameters.ClientToken).toBe(a.Parameters.ClientToken);
    expect(reset.planResetSystem(HOST, order, { state: 'on m-other' }).Parameters.ClientToken).not.toBe(a.Parameters.ClientToken);
    expect(reset.planResetSystem(HOST, { ...order, clientToken: 'tok' }, { state: 'x' }).Parameters.ClientToken).toBe('tok');
    expect(reset.planResetSystem(HOST, { ...order, keyPairName: 'kp' }, { state: 'on m-old' }).Parameters.KeyPairName).toBe('kp');
  });

  it('expects the server on the new image, naming the one it ran when known', () => {
    expect(reset.expectationOf('m-new', 'm-old')).toEqual({ kind: 'reset', imageId: 'm-new', fromImageId: 'm-old' });
    expect(reset.expectationOf('m-new', undefined)).toEqual({ kind: 'reset', imageId: 'm-new' });
  });

  it('the read-back: re-installing or on the new image is done; answered but on the old image is not; same image cannot tell', () => {
    const rb = reset.resetReadBack;
    expect(rb({ Status: 'Resetting', ImageId: 'm-old' }, 'm-new', 'm-old')).toEqual({ changed: true, started: true });
    expect(rb({ Status: 'Running', ImageId: 'm-new' }, 'm-new', 'm-old')).toEqual({ changed: true, started: true });
    // The API answered a repeat of an earlier ClientToken and did not re-install: not applied.
    expect(rb({ Status: 'Running', ImageId: 'm-old' }, 'm-new', 'm-old')).toEqual({ changed: false, started: false });
    expect(rb({ Status: 'Running', ImageId: 'm-third' }, 'm-new', 'm-old')).toEqual({ changed: false, started: true });
    // Reset to the image it already ran, read when over: a read cannot tell it from none.
    expect(rb({ Status: 'Running', ImageId: 'm-same' }, 'm-same', 'm-same')).toEqual({ started: false });
    expect(rb({ Status: 'resetting', ImageId: 'm-same' }, 'm-same', 'm-same')).toEqual({ changed: true, started: true });
    // No read: nothing known, and nothing to say it did not start.
    expect(rb(undefined, 'm-new', 'm-old')).toEqual({ started: true });
  });
});

describe('share_custom_image', () => {
  const A = ['1234567890123456', '2234567890123456'];

  it('ECS first, then the accounts (Add to share, Remove to unshare); only the parts left in the plan', () => {
    const both = share.planShareRequests(HOST, R, 'm-1', { ecs: 'Share', accounts: A }, 'Share', undefined, { s: 1 });
    expect(both.map((r) => r.Action)).toEqual(['ModifyImageShareStatus', 'AddCustomImageShareAccount']);
    expect(both[1]!.Parameters).toMatchObject({ RegionId: R, ImageId: 'm-1', Accounts: A });
    expect(share.planShareRequests(HOST, R, 'm-1', { ecs: undefined, accounts: A }, 'UnShare', undefined, { s: 1 }).map((r) => r.Action)).toEqual(['RemoveCustomImageShareAccount']);
    expect(share.planShareRequests(HOST, R, 'm-1', { ecs: 'UnShare', accounts: [] }, 'UnShare', undefined, { s: 1 }).map((r) => r.Parameters)).toEqual([
      { RegionId: R, ImageId: 'm-1', Operation: 'UnShare', ClientToken: expect.stringMatching(DERIVED) as unknown },
    ]);
  });

  it('tokens: derived with the basis (Share, UnShare, Share again differ); given, one per action, whatever the basis', () => {
    const plan = { ecs: 'Share' as const, accounts: A };
    const a = tokens(share.planShareRequests(HOST, R, 'm-1', plan, 'Share', undefined, { s: 1 }));
    expect(tokens(share.planShareRequests(HOST, R, 'm-1', plan, 'Share', undefined, { s: 1 }))).toEqual(a);
    const b = tokens(share.planShareRequests(HOST, R, 'm-1', plan, 'Share', undefined, { s: 2 }));
    expect(b[0]).not.toBe(a[0]);
    expect(b[1]).not.toBe(a[1]);
    const g = tokens(share.planShareRequests(HOST, R, 'm-1', plan, 'Share', 'tok', { s: 1 }));
    expect(g).toEqual(tokens(share.planShareRequests(HOST, R, 'm-1', plan, 'Share', 'tok', { s: 2 })));
    expect(g[0]).not.toBe(g[1]);
    expect(g).not.toContain('tok');
  });

  it('expectations and the applied check; a request the API answered but did not carry out is not applied', () => {
    const [ecs, acc] = share.planShareRequests(HOST, R, 'm-1', { ecs: 'Share', accounts: A }, 'Share', undefined, {});
    expect(share.expectationOf(ecs!, 'Share')).toEqual({ kind: 'ecs-share', shared: true });
    expect(share.expectationOf(acc!, 'Share')).toEqual({ kind: 'account-share', shared: true, accounts: A });
    expect(share.tookEffect(ecs!, 'Share', true, [])).toBe(true);
    expect(share.tookEffect(ecs!, 'Share', false, [])).toBe(false);
    expect(share.tookEffect(acc!, 'Share', false, A)).toBe(true);
    expect(share.tookEffect(acc!, 'Share', false, [A[0]!])).toBe(false);
    const [unAcc] = share.planShareRequests(HOST, R, 'm-1', { accounts: A }, 'UnShare', undefined, {});
    expect(share.expectationOf(unAcc!, 'UnShare')).toEqual({ kind: 'account-share', shared: false, accounts: A });
    expect(share.tookEffect(unAcc!, 'UnShare', false, ['3234567890123456'])).toBe(true);
    expect(share.tookEffect(unAcc!, 'UnShare', false, [A[1]!])).toBe(false);
  });
});

describe('tag_custom_images', () => {
  const plan = { tagIds: ['m-1', 'm-2'], untagIds: ['m-1'], untagKeys: ['old'] };
  const tags = [{ Key: 'env', Value: 'prod' }, { Key: 'team' }];

  it('untag first, then tag; a missing value is sent as the empty string', () => {
    const reqs = tag.planTagRequests(HOST, R, plan, tags, undefined, { s: 1 });
    expect(reqs.map((r) => r.Action)).toEqual(['UntagResources', 'TagResources']);
    expect(reqs[0]!.Parameters).toMatchObject({ ResourceType: 'customimage', ResourceIds: ['m-1'], TagKeys: ['old'] });
    expect(reqs[1]!.Parameters).toMatchObject({ ResourceIds: ['m-1', 'm-2'], Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: '' }] });
    expect(tag.planTagRequests(HOST, R, { tagIds: ['m-1'], untagIds: [], untagKeys: [] }, tags, undefined, {}).map((r) => r.Action)).toEqual(['TagResources']);
  });

  it('tokens: derived with the basis; given, one per action, the same whatever the basis', () => {
    const a = tokens(tag.planTagRequests(HOST, R, plan, tags, undefined, { s: 1 }));
    expect(tokens(tag.planTagRequests(HOST, R, plan, tags, undefined, { s: 1 }))).toEqual(a);
    expect(tokens(tag.planTagRequests(HOST, R, plan, tags, undefined, { s: 2 }))[1]).not.toBe(a[1]);
    const g = tokens(tag.planTagRequests(HOST, R, plan, tags, 'tok', { s: 1 }));
    expect(g).toEqual(tokens(tag.planTagRequests(HOST, R, plan, tags, 'tok', { s: 2 })));
    expect(g[0]).not.toBe(g[1]);
    expect(g).not.toContain('tok');
    expect(tokens(tag.planTagRequests(HOST, R, plan, tags, 'tok2', { s: 1 }))[0]).not.toBe(g[0]);
  });

  it('expectations and the applied check on every image named; answered but not carried out is not applied', () => {
    const [untag, put] = tag.planTagRequests(HOST, R, plan, tags, undefined, {});
    expect(tag.expectationOf(untag!)).toEqual({ kind: 'tags', put: [], removed: ['old'] });
    expect(tag.expectationOf(put!)).toEqual({ kind: 'tags', put: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: '' }], removed: [] });
    const done = [image('m-1', { Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team' }] }), image('m-2', { Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: '' }] })];
    expect(tag.tookEffect(put!, done)).toBe(true);
    expect(tag.tookEffect(untag!, done)).toBe(true);
    // m-2 still shows the old value: the API answered but changed nothing there.
    expect(tag.tookEffect(put!, [done[0]!, image('m-2', { Tags: [{ Key: 'env', Value: 'test' }] })])).toBe(false);
    expect(tag.tookEffect(untag!, [image('m-1', { Tags: [{ Key: 'old', Value: 'x' }] })])).toBe(false);
    // An image no longer listed cannot show the change either way: unknown, not "not applied".
    expect(tag.tookEffect(put!, [done[0]!])).toBeUndefined();
    expect(tag.tookEffect(put!, [image('m-1', { Tags: [] })])).toBe(false);
  });

  it('what the plan leaves on each image: removed keys gone, new values in, untouched images as they are', () => {
    const images = [image('m-1', { Tags: [{ Key: 'old', Value: 'x' }, { Key: 'env', Value: 'test' }, { Key: 'keep', Value: 'k' }] }), image('m-9', { Tags: [{ Key: 'a' }] })];
    const changes = [{ ImageId: 'm-1', Added: [], Overwritten: [{ Key: 'env', From: 'test', To: 'prod' }], Removed: [{ Key: 'old', Value: 'x' }] }];
    expect(tag.tagsAfter(images, { changes }, [{ Key: 'env', Value: 'prod' }])).toEqual([
      { ImageId: 'm-1', ImageName: 'img-m-1', Tags: [{ Key: 'keep', Value: 'k' }, { Key: 'env', Value: 'prod' }] },
      { ImageId: 'm-9', ImageName: 'img-m-9', Tags: [{ Key: 'a', Value: '' }] },
    ]);
  });
});
