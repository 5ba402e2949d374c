import type { Progress } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { startInProcess, type InProcess } from '../helpers/in-process.js';
import { textOf, type ToolResult } from '../helpers/stack.js';
import { virtualClock, type VirtualClock } from '../helpers/virtual-clock.js';

const R = DEMO.region;
let s: InProcess | undefined;
// The clock of the simulator and of the server's waits: the waits move it on instead of sleeping,
// and a test moves it on once a wait has reported, instead of waiting out the simulator's timings.
let clock: VirtualClock = virtualClock();
afterEach(async () => { await s?.close(); s = undefined; clock = virtualClock(); });

async function waitWithProgress(p: InProcess, args: Record<string, unknown>, onProgress: (p: Progress) => void = () => undefined): Promise<ToolResult> {
  return (await p.client.callTool({ name: 'wait_for_resources', arguments: { RegionId: R, ...args } }, { onprogress: onProgress })) as ToolResult;
}

describe('wait_for_resources tells what is there', () => {
  it('an image, a snapshot or a server that does not exist is an answer (NotFound), at once, with no "keep waiting"', async () => {
    s = await startInProcess({ clock });
    for (const [field, id, tool] of [['ImageIds', 'm-doesnotexist1', 'list_custom_images'], ['SnapshotIds', 's-doesnotexist1', 'list_snapshots'], ['InstanceIds', 'no-such-server', 'list_instances']] as const) {
      const res = await waitWithProgress(s, { [field]: [id], TimeoutSeconds: 30 });
      expect(res.isError, textOf(res)).toBeFalsy();
      expect(res.structuredContent).toMatchObject({ AllDone: false, AnyFailed: true, States: [{ Id: id, State: 'NotFound', Done: false, Failed: true }] });
      // Answered on the first read, not at the end of the 30 s allowed (the bound leaves room for a loaded machine).
      expect(res.structuredContent!.ElapsedSeconds).toBeLessThan(15);
      expect(textOf(res)).toContain('NOT FOUND');
      expect(textOf(res)).toContain(tool);
      expect(textOf(res)).not.toContain('keep waiting');
    }
  });

  it('an image this server just created is being created while it is not listed yet, then Available', async () => {
    s = await startInProcess({ sim: { imageListDelayMs: 300, imageReadyMs: 600 }, clock });
    const made = await s.call('create_custom_image', { RegionId: R, InstanceId: DEMO.blogServerId, ImageName: 'wait-fresh', Source: 'latest-snapshot' });
    const imageId = made.structuredContent!.ImageId as string;
    const states: string[] = [];
    // The first read finds it not listed yet; then the simulator's 600 ms pass at once.
    const res = await waitWithProgress(s, { ImageIds: [imageId], TimeoutSeconds: 20 }, (p) => { if (!states.length) clock.advance(600); states.push(p.message ?? ''); });
    expect(res.structuredContent).toMatchObject({ AllDone: true, States: [{ Id: imageId, State: 'Available', Done: true }] });
    expect(states[0]).toContain(`${imageId} Creating`);
    expect(states.join('\n')).not.toContain('NotFound');
  });

  it('a resource that disappears while waited on counts as failed, and the answer says it vanished', async () => {
    s = await startInProcess({ clock });
    const sim = s.sim;
    const image = sim.state.addImage({ instanceId: DEMO.blogServerId, name: 'vanishing', status: '4' });
    const res = await waitWithProgress(s, { ImageIds: [image.imageId], TimeoutSeconds: 20 }, () => { sim.state.removeImage(image.imageId); });
    expect(res.structuredContent).toMatchObject({ AllDone: false, AnyFailed: true, States: [{ Id: image.imageId, State: 'NotFound', Failed: true }] });
    expect(textOf(res)).toContain('disappeared while waited on');
    expect(textOf(res)).not.toContain('keep waiting');
  });

  it('waiting for Deleted: gone is done, and said as deleted, not NotFound', async () => {
    s = await startInProcess({ sim: { imageDeleteMs: 200 }, clock });
    const image = s.sim.state.addImage({ instanceId: DEMO.blogServerId, name: 'to-delete' });
    s.sim.state.deleteImage(image.imageId);
    const messages: string[] = [];
    // The first read finds it still listed; then the simulator's 200 ms pass at once.
    const res = await waitWithProgress(s, { ImageIds: [image.imageId], Until: 'Deleted', TimeoutSeconds: 20 }, (p) => { if (!messages.length) clock.advance(200); messages.push(p.message ?? ''); });
    expect(res.structuredContent).toMatchObject({ AllDone: true, States: [{ Id: image.imageId, State: 'Deleted', Done: true, Failed: false }] });
    expect(messages.at(-1)).toContain(`${image.imageId} deleted`);
    expect(messages.join('\n') + textOf(res)).not.toContain('NotFound');
  });
});

describe('progress has a total only where there is a real fraction', () => {
  it('an image wait sends no total; a snapshot wait sends the percentage out of 100', async () => {
    s = await startInProcess({ sim: { imageReadyMs: 400, snapshotReadyMs: 400 }, clock });
    const image = s.sim.state.addImage({ instanceId: DEMO.blogServerId, name: 'progress-image', status: '4' });
    const imageProgress: Progress[] = [];
    // Once a progress came, the image becomes Available and the wait ends at its next read.
    const sim = s.sim;
    await waitWithProgress(s, { ImageIds: [image.imageId], TimeoutSeconds: 1 }, (p) => { sim.state.setImageStatus(image.imageId, '1'); imageProgress.push(p); });
    expect(imageProgress.length).toBeGreaterThan(0);
    expect(imageProgress.every((p) => p.total === undefined)).toBe(true);
    const snap = await s.call('create_snapshot', { RegionId: R, InstanceId: DEMO.blogServerId, SnapshotName: 'progress-snap' });
    const snapProgress: Progress[] = [];
    await waitWithProgress(s, { SnapshotIds: [snap.structuredContent!.SnapshotId], TimeoutSeconds: 10 }, (p) => { if (!snapProgress.length) clock.advance(400); snapProgress.push(p); });
    expect(snapProgress.length).toBeGreaterThan(0);
    expect(snapProgress.every((p) => p.total === 100)).toBe(true);
  });
});

describe('a permission error inside a wait names the action refused', () => {
  it.each([
    ['ListSnapshots', 'SnapshotIds', 's-anysnapshot1'],
    ['ListInstanceStatus', 'InstanceIds', DEMO.blogServerId],
    ['ListCustomImages', 'ImageIds', 'm-anyimage1'],
  ])('%s refused', async (action, field, id) => {
    s = await startInProcess({ clock });
    s.sim.faults.add({ action, status: 403, code: 'Forbidden.RAM', message: 'User not authorized to operate on the specified resource.' });
    const res = await waitWithProgress(s, { [field]: [id], TimeoutSeconds: 5 });
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error.Code).toBe('Forbidden.RAM');
    expect(textOf(res)).toContain(`swas-open:${action}`);
    for (const other of ['ListCustomImages', 'ListSnapshots', 'ListInstanceStatus'].filter((a) => a !== action)) {
      expect(textOf(res)).not.toContain(`swas-open:${other}`);
    }
  });
});
