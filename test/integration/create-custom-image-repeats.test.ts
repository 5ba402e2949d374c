import type { Progress } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { addServer, call, callWithProgress, textOf, type Stack } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';

const R = DEMO.region;
let stack: Stack;

// Each test gets a simulator whose images take a minute on its clock, so "still creating" is seen
// for certain; a test that wants an image finished moves the clock on instead of waiting.
let clockOffsetMs = 0;
beforeEach(async () => {
  clockOffsetMs = 0;
  stack = await startToolStack({ sim: { imageReadyMs: 60_000, now: () => Date.now() + clockOffsetMs } });
});
afterEach(async () => { await stack?.close(); });

/** A fresh server with one finished system snapshot. */
function serverWithSnapshot(name: string) {
  const srv = addServer(stack, R, name);
  const snap = stack.sim.state.addSnapshot({ diskId: srv.systemDisk, snapshotName: `${name}-sys`, creationTime: '2026-11-01T00:00:00Z' });
  return { ...srv, snapshotId: snap.snapshotId };
}

describe('create_custom_image repeated', () => {
  it('says a dry run of a request already carried out was done before, with the image ID', async () => {
    const srv = serverWithSnapshot('repeat-dry');
    const args = { RegionId: R, InstanceId: srv.id, ImageName: 'repeat-dry-image', Source: 'latest-snapshot' };
    const first = await call(stack.client, 'create_custom_image', args);
    const imageId = first.structuredContent!.ImageId as string;
    const dry = await call(stack.client, 'create_custom_image', { ...args, DryRun: true });
    expect(dry.isError).toBeFalsy();
    expect(dry.structuredContent).toMatchObject({ Repeated: true, DryRun: true, ImageId: imageId });
    const text = textOf(dry);
    expect(text).toContain(`Image ${imageId}`);
    expect(text).toContain('carried out before');
    expect(text).not.toContain('would send the request');
  });

  it('waits when a repeat asks for WaitForAvailable, instead of answering Creating at once', async () => {
    const srv = serverWithSnapshot('repeat-wait');
    const args = { RegionId: R, InstanceId: srv.id, ImageName: 'repeat-wait-image', Source: 'latest-snapshot' };
    const first = await call(stack.client, 'create_custom_image', args);
    expect(first.structuredContent!.Status).toBe('Creating');
    const progress: Progress[] = [];
    // Once the repeat reports that it waits, a minute passes on the simulator's clock.
    const again = await callWithProgress(stack, 'create_custom_image', { ...args, WaitForAvailable: true }, (p) => {
      progress.push(p);
      clockOffsetMs = 60_000;
    });
    expect(again.structuredContent).toMatchObject({ Repeated: true, ImageId: first.structuredContent!.ImageId, Status: 'Available' });
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(stack.sim.stats.count('CreateCustomImage')).toBe(1);
  });

  it('after a crash, a repeat that picks a newer snapshot is told the image of that name is most likely its own, and makes no second image', async () => {
    const srv = serverWithSnapshot('repeat-crash');
    const args = { RegionId: R, InstanceId: srv.id, ImageName: 'repeat-crash-image', Source: 'latest-snapshot' };
    const first = await call(stack.client, 'create_custom_image', args);
    const imageId = first.structuredContent!.ImageId as string;
    // Meanwhile a newer finished system snapshot appears: the omitted SystemSnapshotId now picks it.
    stack.sim.state.addSnapshot({ diskId: srv.systemDisk, snapshotName: 'repeat-crash-newer', creationTime: '2026-11-02T00:00:00Z' });
    const again = await call(stack.client, 'create_custom_image', args);
    expect(again.isError).toBe(true);
    expect(again.structuredContent).toMatchObject({ ImageId: imageId, Error: { Code: 'ImageNameAlreadyExist', Stage: 'preflight' } });
    const text = textOf(again);
    expect(text).toContain('most likely this very request');
    expect(text).toContain(`Use image ${imageId}`);
    expect(text).not.toMatch(/^- Choose another ImageName/m);
    expect(stack.sim.stats.count('CreateCustomImage')).toBe(1);
  });
});
