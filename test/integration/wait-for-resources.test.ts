import type { Progress } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { addServer, call, callWithProgress, textOf, type Stack } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';
import { virtualClock } from '../helpers/virtual-clock.js';

const R = DEMO.region;
let stack: Stack;

// Images and snapshots take 2.5 s of the simulator's clock here, and each wait may last 1 s: a wait
// has to be resumed to see one finish. The simulator and the server's waits share one clock that
// the waits move on, and the tests move it between an agent's turns: nothing is waited out.
const clock = virtualClock();
const simNow = clock.now;
beforeAll(async () => { stack = await startToolStack({ sim: { imageReadyMs: 2_500, snapshotReadyMs: 2_500 }, clock }); });
afterAll(async () => { await stack?.close(); });

describe('wait_for_resources', () => {
  it('resumes a wait across calls until the image is Available, each call naming the next', async () => {
    const image = await call(stack.client, 'create_custom_image', { RegionId: R, InstanceId: DEMO.blogServerId, ImageName: 'wait-resume', Source: 'latest-snapshot' });
    const imageId = image.structuredContent!.ImageId as string;
    expect(textOf(image)).toContain(`wait_for_resources with {"RegionId":"${R}","ImageIds":["${imageId}"]}`);
    const answers = [];
    let done = false;
    for (let i = 0; i < 6 && !done; i++) {
      const progress: Progress[] = [];
      const res = await callWithProgress(stack, 'wait_for_resources', { RegionId: R, ImageIds: [imageId], TimeoutSeconds: 1 }, (p) => progress.push(p));
      expect(res.isError).toBeFalsy();
      expect(progress.length).toBeGreaterThanOrEqual(1);
      done = res.structuredContent!.AllDone as boolean;
      answers.push(res);
      // Between the agent's turns, the image gets on.
      if (!done) clock.advance(2_500);
    }
    expect(done).toBe(true);
    // The first answers were "not yet", naming the call to make again.
    expect(answers.length).toBeGreaterThanOrEqual(2);
    expect(answers[0]!.structuredContent).toMatchObject({ AllDone: false, States: [{ Kind: 'image', Id: imageId, State: 'Creating', Done: false }] });
    expect(textOf(answers[0]!)).toContain(`Next: call wait_for_resources with {"RegionId":"${R}","ImageIds":["${imageId}"],"Until":"Available"}`);
    expect(answers.at(-1)!.structuredContent).toMatchObject({ AllDone: true, States: [{ Id: imageId, State: 'Available', Done: true }] });
  });

  it('waits for a mix of kinds, reporting each, and snapshots with their real percentage', async () => {
    const srv = addServer(stack, R, 'wait-mix');
    const snap = await call(stack.client, 'create_snapshot', { RegionId: R, InstanceId: srv.id, SnapshotName: 'wait-mix-sys' });
    const snapshotId = snap.structuredContent!.SnapshotId as string;
    const progress: Progress[] = [];
    // The first progress seen, the snapshot finishes meanwhile.
    const res = await callWithProgress(stack, 'wait_for_resources', { RegionId: R, SnapshotIds: [snapshotId], TimeoutSeconds: 10 }, (p) => {
      if (!progress.length) clock.advance(2_500);
      progress.push(p);
    });
    expect(res.structuredContent).toMatchObject({ AllDone: true, States: [{ Kind: 'snapshot', Id: snapshotId, State: 'accomplished', Done: true }] });
    expect(progress.every((p) => p.total === 100)).toBe(true);
    const mixed = await call(stack.client, 'wait_for_resources', { RegionId: R, SnapshotIds: [snapshotId], InstanceIds: [srv.id], TimeoutSeconds: 5 });
    expect(mixed.structuredContent).toMatchObject({ AllDone: true });
    expect(mixed.structuredContent!.States).toEqual([
      expect.objectContaining({ Kind: 'snapshot', Id: snapshotId, Done: true }),
      expect.objectContaining({ Kind: 'instance', Id: srv.id, State: 'Running', Done: true }),
    ]);
  });

  it('stops at once when cancelled, and the server keeps serving', async () => {
    const image = await call(stack.client, 'create_custom_image', { RegionId: R, InstanceId: DEMO.blogServerId, ImageName: 'wait-cancel', Source: 'latest-snapshot' });
    const ctrl = new AbortController();
    const pending = callWithProgress(stack, 'wait_for_resources', { RegionId: R, ImageIds: [image.structuredContent!.ImageId], TimeoutSeconds: 30 },
      () => ctrl.abort('the user changed their mind'), ctrl.signal);
    await expect(pending).rejects.toThrow();
    // The simulator logs requests by its own clock.
    const abortedAt = simNow();
    const after = await call(stack.client, 'list_instances', { InstanceIds: [DEMO.blogServerId] });
    expect(after.isError).toBeFalsy();
    // No poll of that image after the cancel (allowing for one already on the wire).
    const late = stack.sim.stats.requests('ListCustomImages').filter((r) => r.time > abortedAt + 50 && r.params.ImageIds !== undefined);
    expect(late).toEqual([]);
  });

  it('refuses bad input clearly, sending nothing', async () => {
    stack.sim.stats.reset();
    const none = await call(stack.client, 'wait_for_resources', { RegionId: R });
    expect(none.isError).toBe(true);
    expect(textOf(none)).toContain('Give at least one of ImageIds, SnapshotIds or InstanceIds');
    const tooLong = await call(stack.client, 'wait_for_resources', { RegionId: R, ImageIds: ['m-bp1abc'], TimeoutSeconds: 120 });
    expect(textOf(tooLong)).toContain('TimeoutSeconds is at most 55');
    const wrongUntil = await call(stack.client, 'wait_for_resources', { RegionId: R, InstanceIds: [DEMO.blogServerId], Until: 'Deleted' });
    expect(textOf(wrongUntil)).toContain('does not apply to instances');
    expect(stack.sim.stats.requests()).toEqual([]);
  });
});
