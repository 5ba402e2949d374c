import type { Progress } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { addServer, call, callWithProgress, textOf, type Stack } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';
import { virtualClock } from '../helpers/virtual-clock.js';

const R = DEMO.region;
let stack: Stack;

// One server and simulator for the file; before each test the snapshots of earlier tests are
// removed: the account-wide snapshot cap, min(3 × servers, 15), would otherwise fill up with them.
// The simulator and the server's waits share a virtual clock: a wait for a snapshot passes at once.
let seedSnapshotIds: Set<string>;
beforeAll(async () => {
  stack = await startToolStack({ clock: virtualClock() });
  seedSnapshotIds = new Set(stack.sim.state.snapshots().map((s) => s.snapshotId));
});
afterAll(async () => { await stack?.close(); });

/** A fresh Running server with a system and a data disk, so each test has its own snapshot quota. */
const newServer = (s: Stack, name: string) => {
  const srv = addServer(s, R, name, 1);
  return { ...srv, dataDisk: srv.dataDisks[0]! };
};

describe('create_snapshot', () => {
  beforeEach(() => {
    stack.sim.state.deleteSnapshots(stack.sim.state.snapshots().map((s) => s.snapshotId).filter((id) => !seedSnapshotIds.has(id)));
    stack.sim.faults.clear();
    stack.sim.stats.reset();
  });

  it('snapshots the system disk when given an InstanceId', async () => {
    const srv = newServer(stack, 'snap-by-instance');
    const res = await call(stack.client, 'create_snapshot', { RegionId: R, InstanceId: srv.id, SnapshotName: 'sys-1' });
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent!;
    expect(out).toMatchObject({ RegionId: R, InstanceId: srv.id, DiskId: srv.systemDisk, DiskType: 'system', SnapshotName: 'sys-1', Status: 'progressing', DryRun: false, Simulated: false });
    expect(out.SnapshotId).toMatch(/^s-/);
    expect(out.ClientToken).toMatch(/^mcp-[0-9a-f]{40}$/);
    expect(out.Checks.map((c: { Name: string; Outcome: string }) => `${c.Name}:${c.Outcome}`)).toEqual(['InstanceExists:passed', 'InstanceStatus:passed', 'Disk:passed', 'SnapshotQuota:passed', 'AccountSnapshotQuota:passed', 'DiskNotSnapshotting:passed']);
    expect(textOf(res)).toContain(`wait_for_resources with {"RegionId":"${R}","SnapshotIds":["${out.SnapshotId}"]}`);
    const snap = stack.sim.state.snapshot(out.SnapshotId);
    expect(snap).toMatchObject({ sourceDiskId: srv.systemDisk, sourceDiskType: 'system', snapshotName: 'sys-1' });
    expect(stack.sim.stats.requests('CreateSnapshot')[0]!.params).toMatchObject({ DiskId: srv.systemDisk, SnapshotName: 'sys-1', ClientToken: out.ClientToken });
  });

  it('snapshots a data disk when given its DiskId, with tags', async () => {
    const srv = newServer(stack, 'snap-by-disk');
    const res = await call(stack.client, 'create_snapshot', { RegionId: R, DiskId: srv.dataDisk, SnapshotName: 'data.1', Tag: [{ Key: 'env', Value: 'test' }] });
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent).toMatchObject({ InstanceId: srv.id, DiskId: srv.dataDisk, DiskType: 'data' });
    expect(stack.sim.state.snapshot(res.structuredContent!.SnapshotId)).toMatchObject({ sourceDiskType: 'data', tags: [{ key: 'env', value: 'test' }] });
  });

  it('refuses a second snapshot of a disk while one is being made (the API\'s 403 IncorrectDiskStatus.CreatingSnapshot), sending nothing', async () => {
    const srv = newServer(stack, 'snap-busy');
    const busy = stack.sim.state.addSnapshot({ diskId: srv.systemDisk, snapshotName: 'in-progress', status: 'progressing', progress: '30%' });
    const res = await call(stack.client, 'create_snapshot', { RegionId: R, InstanceId: srv.id, SnapshotName: 'second' });
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'IncorrectDiskStatus.CreatingSnapshot', Stage: 'preflight' });
    expect(res.structuredContent!.Checks.find((c: { Name: string }) => c.Name === 'DiskNotSnapshotting')).toMatchObject({ Outcome: 'failed' });
    expect(textOf(res)).toContain(busy.snapshotId);
    expect(stack.sim.stats.requests('CreateSnapshot')).toHaveLength(0);
    // The server's other disk is free.
    const data = await call(stack.client, 'create_snapshot', { RegionId: R, DiskId: srv.dataDisk, SnapshotName: 'data-ok' });
    expect(data.isError).toBeFalsy();
  });

  it('refuses a server at its 3-snapshot limit before sending anything', async () => {
    const res = await call(stack.client, 'create_snapshot', { RegionId: R, InstanceId: DEMO.archiveServerId, SnapshotName: 'one-more' });
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'SnapshotQuotaExceed', Stage: 'preflight', Retryable: false });
    expect(res.structuredContent!.Checks.find((c: { Name: string }) => c.Name === 'SnapshotQuota')).toMatchObject({ Outcome: 'failed', Code: 'SnapshotQuotaExceed' });
    expect(textOf(res)).toMatch(/^SnapshotQuotaExceed: /);
    expect(textOf(res)).toContain('maximum of 3 snapshots');
    expect(textOf(res)).toContain('list_snapshots');
    expect(stack.sim.stats.count('CreateSnapshot')).toBe(0);
  });

  it('counts data-disk snapshots towards the limit', async () => {
    const srv = newServer(stack, 'snap-data-count');
    stack.sim.state.addSnapshot({ diskId: srv.systemDisk, snapshotName: 'sys-a' });
    stack.sim.state.addSnapshot({ diskId: srv.dataDisk, snapshotName: 'data-a' });
    stack.sim.state.addSnapshot({ diskId: srv.dataDisk, snapshotName: 'data-b' });
    const res = await call(stack.client, 'create_snapshot', { RegionId: R, InstanceId: srv.id, SnapshotName: 'sys-b' });
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error.Code).toBe('SnapshotQuotaExceed');
    expect(stack.sim.stats.count('CreateSnapshot')).toBe(0);
  });

  it('waits until accomplished, sending rising progress notifications', async () => {
    const srv = newServer(stack, 'snap-wait');
    const progress: Progress[] = [];
    const res = await callWithProgress(stack, 'create_snapshot', { RegionId: R, InstanceId: srv.id, SnapshotName: 'sys-wait', WaitForAccomplished: true }, (p) => progress.push(p));
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent).toMatchObject({ Status: 'accomplished', Progress: '100%' });
    expect(textOf(res)).toContain(`SystemSnapshotId "${res.structuredContent!.SnapshotId}"`);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (let n = 1; n < progress.length; n++) expect(progress[n]!.progress).toBeGreaterThan(progress[n - 1]!.progress);
    // The SDK client handles a notification a microtask late and drops it if the response came in
    // the same chunk, so the final 100% may be lost; every one that arrives is within 0..100.
    for (const p of progress) expect(p).toMatchObject({ total: 100, progress: expect.any(Number) });
    expect(Math.max(...progress.map((p) => p.progress))).toBeLessThanOrEqual(100);
    expect(progress[0]!.message).toMatch(/^s-\w+ progressing/);
    expect(stack.sim.stats.count('ListSnapshots')).toBeGreaterThanOrEqual(2);
  });

  it('answers a repeated identical call with the same snapshot and creates nothing new', async () => {
    const srv = newServer(stack, 'snap-repeat');
    const args = { RegionId: R, InstanceId: srv.id, SnapshotName: 'sys-repeat' };
    const first = await call(stack.client, 'create_snapshot', args);
    const second = await call(stack.client, 'create_snapshot', args);
    // The same request spelled with the DiskId derives the same token.
    const third = await call(stack.client, 'create_snapshot', { RegionId: R, DiskId: srv.systemDisk, SnapshotName: 'sys-repeat' });
    expect(first.isError).toBeFalsy();
    expect(second.isError).toBeFalsy();
    expect(third.isError).toBeFalsy();
    expect(second.structuredContent!.SnapshotId).toBe(first.structuredContent!.SnapshotId);
    expect(third.structuredContent!.SnapshotId).toBe(first.structuredContent!.SnapshotId);
    expect(second.structuredContent!.Repeated).toBe(true);
    expect(second.structuredContent!.ClientToken).toBe(first.structuredContent!.ClientToken);
    expect(textOf(second)).toContain('nothing new was created');
    expect(stack.sim.state.snapshots(R).filter((s) => s.instanceId === srv.id)).toHaveLength(1);
  });

  it('still answers a repeat when the first call filled the server\'s quota', async () => {
    const srv = newServer(stack, 'snap-repeat-full');
    stack.sim.state.addSnapshot({ diskId: srv.systemDisk, snapshotName: 'old-1' });
    stack.sim.state.addSnapshot({ diskId: srv.dataDisk, snapshotName: 'old-2' });
    const args = { RegionId: R, InstanceId: srv.id, SnapshotName: 'third' };
    const first = await call(stack.client, 'create_snapshot', args);
    const again = await call(stack.client, 'create_snapshot', args);
    expect(again.isError).toBeFalsy();
    expect(again.structuredContent!.SnapshotId).toBe(first.structuredContent!.SnapshotId);
    expect(again.structuredContent!.Checks.find((c: { Name: string }) => c.Name === 'SnapshotQuota')).toMatchObject({ Outcome: 'skipped' });
    const other = await call(stack.client, 'create_snapshot', { ...args, SnapshotName: 'fourth' });
    expect(other.structuredContent!.Error.Code).toBe('SnapshotQuotaExceed');
  });

  it('returns the plan on a dry run and sends nothing', async () => {
    const srv = newServer(stack, 'snap-dry');
    const res = await call(stack.client, 'create_snapshot', { RegionId: R, InstanceId: srv.id, SnapshotName: 'dry-1', DryRun: true, WaitForAccomplished: true });
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent!;
    expect(out.DryRun).toBe(true);
    expect(out.SnapshotId).toBeUndefined();
    expect(out.Request).toEqual({
      Action: 'CreateSnapshot', Endpoint: expect.any(String),
      Parameters: { RegionId: R, DiskId: srv.systemDisk, SnapshotName: 'dry-1', ClientToken: out.ClientToken },
    });
    expect(textOf(res)).toContain('nothing was sent');
    expect(stack.sim.stats.count('CreateSnapshot')).toBe(0);
    // The real call then uses the very token the dry run showed.
    const real = await call(stack.client, 'create_snapshot', { RegionId: R, InstanceId: srv.id, SnapshotName: 'dry-1' });
    expect(real.structuredContent!.ClientToken).toBe(out.ClientToken);
  });

  it('rejects bad input with messages naming the fields, sending nothing', async () => {
    const srv = newServer(stack, 'snap-input');
    const both = await call(stack.client, 'create_snapshot', { RegionId: R, InstanceId: srv.id, DiskId: srv.systemDisk, SnapshotName: 'x1' });
    expect(both.isError).toBe(true);
    expect(textOf(both)).toContain('exactly one of InstanceId');
    const neither = await call(stack.client, 'create_snapshot', { RegionId: R, SnapshotName: 'x1' });
    expect(textOf(neither)).toContain('exactly one of InstanceId');
    for (const name of ['1abc', 'a', 'http://evil', 'has space', 'x'.repeat(51)]) {
      const res = await call(stack.client, 'create_snapshot', { RegionId: R, InstanceId: srv.id, SnapshotName: name });
      expect(res.isError, name).toBe(true);
      expect(textOf(res), name).toContain('SnapshotName');
    }
    const noRegion = await call(stack.client, 'create_snapshot', { InstanceId: srv.id, SnapshotName: 'ok-name' });
    expect(noRegion.isError).toBe(true);
    const evil = await call(stack.client, 'create_snapshot', { RegionId: 'cn-hangzhou.evil.com', InstanceId: srv.id, SnapshotName: 'ok-name' });
    expect(textOf(evil)).toContain('RegionId must be a region ID');
    expect(stack.sim.stats.requests()).toEqual([]);
  });

  it('explains an unknown server or disk without sending a create', async () => {
    const noServer = await call(stack.client, 'create_snapshot', { RegionId: R, InstanceId: 'ffffffffffffffffffffffffffffffff', SnapshotName: 'nope' });
    expect(noServer.structuredContent!.Error).toMatchObject({ Code: 'InvalidInstanceId.NotFound', Stage: 'preflight' });
    expect(textOf(noServer)).toContain('list_instances');
    const wrongRegion = await call(stack.client, 'create_snapshot', { RegionId: R, InstanceId: DEMO.sgServerId, SnapshotName: 'nope' });
    expect(wrongRegion.structuredContent!.Error.Code).toBe('InvalidInstanceId.NotFound');
    const noDisk = await call(stack.client, 'create_snapshot', { RegionId: R, DiskId: 'd-bp1nosuchdisk000001', SnapshotName: 'nope' });
    expect(noDisk.structuredContent!.Error).toMatchObject({ Code: 'InvalidDiskId.NotFound', Stage: 'preflight' });
    expect(stack.sim.stats.count('CreateSnapshot')).toBe(0);
  });

  it('refuses a server in the wrong state before sending anything', async () => {
    const res = await call(stack.client, 'create_snapshot', { RegionId: R, InstanceId: DEMO.stagingServerId, SnapshotName: 'staging-sys' });
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'IncorrectInstanceStatus', Stage: 'preflight' });
    expect(res.structuredContent!.Checks.find((c: { Name: string }) => c.Name === 'InstanceStatus')).toMatchObject({ Outcome: 'failed' });
    expect(stack.sim.stats.count('CreateSnapshot')).toBe(0);
  });

  it('refuses when the region alone holds the account-wide maximum of 15 snapshots', async () => {
    const srv = newServer(stack, 'snap-account-cap');
    for (let i = 0; stack.sim.state.snapshots(R).length < 15; i++) {
      const filler = newServer(stack, `filler-${i}`);
      stack.sim.state.addSnapshot({ diskId: filler.systemDisk, snapshotName: `fill-${i}` });
    }
    const res = await call(stack.client, 'create_snapshot', { RegionId: R, InstanceId: srv.id, SnapshotName: 'one-too-many' });
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'SnapshotQuotaExceed', Stage: 'preflight' });
    expect(res.structuredContent!.Checks.find((c: { Name: string }) => c.Name === 'AccountSnapshotQuota')).toMatchObject({ Outcome: 'failed' });
    expect(stack.sim.stats.count('CreateSnapshot')).toBe(0);
  });
});

describe('create_snapshot with a slow snapshot', () => {
  let slow: Stack;
  const clock = virtualClock();
  beforeAll(async () => {
    slow = await startToolStack({ sim: { snapshotReadyMs: 60_000 }, env: { SWAS_MCP_WAIT_TIMEOUT_MS: '300', SWAS_MCP_POLL_INTERVAL_MS: '50' }, clock });
  });
  afterAll(async () => { await slow?.close(); });

  it('answers success with Status "progressing" when the wait runs out', async () => {
    const srv = newServer(slow, 'slow-timeout');
    // The snapshot needs 60 s and the wait may take 0.3 s (of the clock): answering at all proves the wait gave up.
    const res = await call(slow.client, 'create_snapshot', { RegionId: R, InstanceId: srv.id, SnapshotName: 'slow-1', WaitForAccomplished: true });
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent).toMatchObject({ Status: 'progressing' });
    expect(res.structuredContent!.SnapshotId).toMatch(/^s-/);
    expect(textOf(res)).toContain(`wait_for_resources with {"RegionId":"${R}","SnapshotIds":["${res.structuredContent!.SnapshotId}"],"Until":"Accomplished"}`);
  });

  it('explains a snapshot that ends failed', async () => {
    const srv = newServer(slow, 'slow-failed');
    let failed = false;
    const res = await callWithProgress(slow, 'create_snapshot', { RegionId: R, InstanceId: srv.id, SnapshotName: 'will-fail', WaitForAccomplished: true }, () => {
      if (failed) return;
      failed = true;
      const snap = slow.sim.state.snapshots(R).find((s) => s.snapshotName === 'will-fail')!;
      slow.sim.state.setSnapshotStatus(snap.snapshotId, 'failed', '0%');
    });
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'SnapshotCreationFailed', Stage: 'api' });
    expect(res.structuredContent!.SnapshotId).toMatch(/^s-/);
    expect(res.structuredContent!.Status).toBe('failed');
    expect(textOf(res)).toContain('3-per-server limit');
  });

  it('stops polling when the client cancels the wait', async () => {
    const srv = newServer(slow, 'slow-cancel');
    const controller = new AbortController();
    let abortedAt = 0;
    const pending = callWithProgress(slow, 'create_snapshot', { RegionId: R, InstanceId: srv.id, SnapshotName: 'cancel-me', WaitForAccomplished: true }, (p) => {
      if (p.progress > 0 && abortedAt === 0) {
        // The simulator logs requests by the clock the waits move on.
        abortedAt = clock.now();
        controller.abort('user cancelled');
      }
    }, controller.signal);
    await expect(pending).rejects.toThrow(/cancelled/);
    expect(abortedAt).toBeGreaterThan(0);
    // Eight first poll intervals: a poll that cancelling did not stop would have come by now.
    await new Promise((r) => setTimeout(r, 400));
    const late = slow.sim.stats.requests('ListSnapshots').filter((r) => r.time > abortedAt + 50);
    expect(late).toEqual([]);
    const after = await call(slow.client, 'list_instances', { InstanceIds: [srv.id] });
    expect(after.isError).toBeFalsy();
    expect(after.structuredContent!.Instances).toHaveLength(1);
  });
});
