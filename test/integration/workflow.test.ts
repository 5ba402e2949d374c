import type { Progress } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { addServer, call, callWithProgress, textOf, type Stack } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';
import { virtualClock } from '../helpers/virtual-clock.js';

const R = DEMO.region;

const newServer = (s: Stack, name: string) => addServer(s, R, name);

describe('the user story: image shop-server, from nothing', () => {
  let stack: Stack;
  // Snapshots and images take 400 ms of a clock that the simulator and the server's waits share;
  // once a wait reports progress, the test moves that clock on, and the waits move it too: nothing
  // is waited out.
  const clock = virtualClock();
  const onceWaiting = (into: Progress[]) => (p: Progress) => { if (!into.length) clock.advance(400); into.push(p); };
  beforeAll(async () => { stack = await startToolStack({ clock }); });
  afterAll(async () => { await stack?.close(); });

  it('finds the server, snapshots it, shows the plan, creates the image and sees it Available', async () => {
    // 1. Which server? The agent knows only its name.
    const servers = await call(stack.client, 'list_instances', { InstanceName: DEMO.shopServerName });
    expect(servers.isError).toBeFalsy();
    expect(servers.structuredContent!.Instances).toHaveLength(1);
    const shop = servers.structuredContent!.Instances[0];
    expect(shop).toMatchObject({ InstanceId: DEMO.shopServerId, Status: 'Running', RegionId: R });
    expect(shop.Disks).toEqual([expect.objectContaining({ DiskId: DEMO.shopSystemDiskId, DiskType: 'system' })]);

    // 2. It has no system snapshot.
    const snaps = await call(stack.client, 'list_snapshots', { RegionId: shop.RegionId, InstanceId: shop.InstanceId, SourceDiskType: 'system' });
    expect(snaps.structuredContent!.Snapshots).toEqual([]);
    expect(textOf(snaps)).toContain('create_snapshot');

    // 3. Make one and wait for it, watching progress.
    const snapProgress: Progress[] = [];
    const snap = await callWithProgress(stack, 'create_snapshot', {
      RegionId: shop.RegionId, InstanceId: shop.InstanceId, SnapshotName: 'shop-sys-2026-11-28', WaitForAccomplished: true,
    }, onceWaiting(snapProgress));
    expect(snap.isError).toBeFalsy();
    expect(snap.structuredContent).toMatchObject({ DiskId: DEMO.shopSystemDiskId, Status: 'accomplished' });
    const snapshotId: string = snap.structuredContent!.SnapshotId;
    expect(snapProgress.length).toBeGreaterThanOrEqual(1);

    // 4. The plan: nothing is sent.
    stack.sim.stats.reset();
    const plan = await call(stack.client, 'create_custom_image', { RegionId: R, InstanceId: shop.InstanceId, ImageName: 'shop-2026-11-28', Source: 'latest-snapshot', DryRun: true });
    expect(plan.isError).toBeFalsy();
    expect(plan.structuredContent).toMatchObject({ DryRun: true, SystemSnapshotId: snapshotId, SnapshotChoice: { SnapshotId: snapshotId } });
    expect(plan.structuredContent!.Request.Parameters).toMatchObject({ InstanceId: shop.InstanceId, SystemSnapshotId: snapshotId, ImageName: 'shop-2026-11-28' });
    expect(plan.structuredContent!.ImageId).toBeUndefined();
    expect(stack.sim.stats.count('CreateCustomImage')).toBe(0);

    // 5. The user said yes: create it and wait, watching progress.
    const imageProgress: Progress[] = [];
    const image = await callWithProgress(stack, 'create_custom_image', {
      RegionId: R, InstanceId: shop.InstanceId, ImageName: 'shop-2026-11-28', Source: 'latest-snapshot', WaitForAvailable: true,
    }, onceWaiting(imageProgress));
    expect(image.isError).toBeFalsy();
    expect(image.structuredContent).toMatchObject({ Status: 'Available', SystemSnapshotId: snapshotId, SnapshotChoice: { SnapshotId: snapshotId } });
    expect(image.structuredContent!.ClientToken).toBe(plan.structuredContent!.ClientToken);
    expect(textOf(image)).toContain(`Snapshot chosen: newest finished system-disk snapshot of the server: ${snapshotId}`);
    expect(imageProgress.length).toBeGreaterThanOrEqual(1);
    expect(stack.sim.stats.count('CreateCustomImage')).toBe(1);
    const imageId: string = image.structuredContent!.ImageId;

    // 6. It is there, Available, and the quota shows it.
    const images = await call(stack.client, 'list_custom_images', { ImageIds: [imageId] });
    expect(images.structuredContent!.Images).toEqual([expect.objectContaining({ ImageId: imageId, ImageName: 'shop-2026-11-28', Status: 'Available', InstanceId: DEMO.shopServerId, SystemSnapshotId: snapshotId })]);
    expect(images.structuredContent!.Quota).toEqual({ Limit: 12, Used: 4, Remaining: 8, ServerCount: 4 });
  });
});

describe('snapshot choice and image waits', () => {
  let stack: Stack;
  beforeAll(async () => { stack = await startToolStack(); });
  afterAll(async () => { await stack?.close(); });
  beforeEach(() => { stack.sim.stats.reset(); });

  it('picks the newest finished system snapshot, never a newer unfinished one', async () => {
    const srv = newServer(stack, 'choice-server');
    stack.sim.state.addSnapshot({ diskId: srv.systemDisk, snapshotId: 's-choiceold00000000001', snapshotName: 'old', creationTime: '2026-01-01T00:00:00Z' });
    stack.sim.state.addSnapshot({ diskId: srv.systemDisk, snapshotId: 's-choicenew00000000001', snapshotName: 'new', creationTime: '2026-02-01T00:00:00Z' });
    stack.sim.state.addSnapshot({ diskId: srv.systemDisk, snapshotId: 's-choiceprog0000000001', snapshotName: 'newest-unfinished', creationTime: '2026-03-01T00:00:00Z', status: 'progressing', progress: '60%' });
    const res = await call(stack.client, 'create_custom_image', { RegionId: R, InstanceId: srv.id, ImageName: 'choice-image', Source: 'latest-snapshot', DryRun: true });
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent!.SystemSnapshotId).toBe('s-choicenew00000000001');
    expect(res.structuredContent!.SnapshotChoice.Reason).toContain('s-choiceprog0000000001 (progressing)');
    expect(stack.sim.stats.count('CreateCustomImage')).toBe(0);
  });

  it('explains NoSystemSnapshot, naming create_snapshot, when no snapshot is finished', async () => {
    const srv = newServer(stack, 'no-snap-server');
    const none = await call(stack.client, 'create_custom_image', { RegionId: R, InstanceId: srv.id, ImageName: 'no-snap-image', Source: 'latest-snapshot' });
    expect(none.isError).toBe(true);
    expect(none.structuredContent!.Error).toMatchObject({ Code: 'NoSystemSnapshot', Stage: 'preflight', Retryable: false });
    expect(textOf(none)).toMatch(/^NoSystemSnapshot: /);
    expect(textOf(none)).toContain(`create_snapshot with InstanceId "${srv.id}"`);

    stack.sim.state.addSnapshot({ diskId: srv.systemDisk, snapshotName: 'half', status: 'progressing', progress: '50%' });
    const unfinished = await call(stack.client, 'create_custom_image', { RegionId: R, InstanceId: srv.id, ImageName: 'no-snap-image', Source: 'latest-snapshot' });
    expect(unfinished.structuredContent!.Error.Code).toBe('NoSystemSnapshot');
    expect(textOf(unfinished)).toContain('progressing 50%');
    expect(stack.sim.stats.count('CreateCustomImage')).toBe(0);
  });
});

describe('a slow image', () => {
  let slow: Stack;
  // The waits pass on a clock they move on themselves, shared with the simulator.
  const clock = virtualClock();
  beforeAll(async () => {
    slow = await startToolStack({ sim: { imageReadyMs: 60_000 }, env: { SWAS_MCP_WAIT_TIMEOUT_MS: '600', SWAS_MCP_POLL_INTERVAL_MS: '50' }, clock });
  });
  afterAll(async () => { await slow?.close(); });

  it('answers success with Status "Creating" when the wait runs out, naming the wait_for_resources call that keeps waiting', async () => {
    slow.sim.stats.reset();
    // The image needs 60 s and the wait may take 0.6 s (of the clock): answering at all proves the wait gave up.
    const res = await call(slow.client, 'create_custom_image', { RegionId: R, InstanceId: DEMO.blogServerId, ImageName: 'slow-image', Source: 'latest-snapshot', WaitForAvailable: true });
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent!.Status).toBe('Creating');
    expect(res.structuredContent!.ImageId).toMatch(/^m-/);
    expect(textOf(res)).toContain(`wait_for_resources with {"RegionId":"${R}","ImageIds":["${res.structuredContent!.ImageId}"],"Until":"Available"}`);
    // It did wait: the image was polled repeatedly (every 50 ms at first, backing off).
    expect(slow.sim.stats.requests('ListCustomImages').filter((r) => r.params.ImageIds !== undefined).length).toBeGreaterThanOrEqual(3);
  });

  it('stops polling the image when the client cancels the wait', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    const pending = callWithProgress(slow, 'create_custom_image', { RegionId: R, InstanceId: DEMO.blogServerId, ImageName: 'cancelled-wait', Source: 'latest-snapshot', WaitForAvailable: true }, () => {
      if (abortedAt === 0) {
        // The simulator logs requests by the clock the waits move on.
        abortedAt = clock.now();
        controller.abort('user cancelled');
      }
    }, controller.signal);
    await expect(pending).rejects.toThrow(/cancelled/);
    expect(abortedAt).toBeGreaterThan(0);
    // Eight first poll intervals: a poll that cancelling did not stop would have come by now.
    await new Promise((r) => setTimeout(r, 400));
    const late = slow.sim.stats.requests('ListCustomImages').filter((r) => r.time > abortedAt + 50);
    expect(late).toEqual([]);
    // The image itself was created before the wait began; the server still answers.
    const after = await call(slow.client, 'list_custom_images', { ImageNames: ['cancelled-wait'] });
    expect(after.isError).toBeFalsy();
    expect(after.structuredContent!.Images).toEqual([expect.objectContaining({ ImageName: 'cancelled-wait', Status: 'Creating' })]);
  });
});
