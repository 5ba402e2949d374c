import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { startInProcess, type InProcess } from '../helpers/in-process.js';
import { textOf } from '../helpers/stack.js';

let s: InProcess;
let emptyRegion: string;
beforeAll(async () => {
  s = await startInProcess();
  const all = await s.call('list_instances', { RegionId: 'all' });
  emptyRegion = (all.structuredContent!.Regions as { RegionId: string; Count: number }[]).find((r) => r.Count === 0)!.RegionId;
});
afterAll(async () => { await s?.close(); });

describe('list texts say where they looked', () => {
  it.each([
    ['list_snapshots', { SnapshotIds: ['s-nosuchsnapshot'] }, 'No snapshots match in any region'],
    ['list_instances', { InstanceName: 'no-such-server-name' }, 'No servers match in any region'],
    ['list_custom_images', { ImageIds: ['m-nosuchimage'] }, 'No custom images match in any region'],
    ['list_images', { ImageIds: ['m-nosuchimage'] }, 'No images match in any region'],
  ])('%s with RegionId "all" and no match says "in any region"', async (tool, filter, words) => {
    const res = await s.call(tool, { RegionId: 'all', ...filter });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(textOf(res)).toContain(words);
    expect(textOf(res)).not.toMatch(/ in all\b/);
    expect(textOf(res)).not.toContain('RegionId "all" to search');
  });

  it('a match across regions says across how many', async () => {
    const res = await s.call('list_snapshots', { RegionId: 'all' });
    expect(textOf(res)).toMatch(/snapshot\(s\) across \d+ regions, newest first/);
  });

  it.each(['list_instances', 'list_snapshots', 'list_custom_images'])('%s: an empty region suggests RegionId "all"', async (tool) => {
    const res = await s.call(tool, { RegionId: emptyRegion });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(textOf(res)).toContain(`match in ${emptyRegion}.`);
    expect(textOf(res)).toContain(`Call ${tool} with RegionId "all" to search every region`);
  });
});

describe('a wrong region is explained', () => {
  it('InvalidRegionId.NotFound names the way to the valid regions', async () => {
    const res = await s.call('list_instances', { RegionId: 'xx-nowhere-1' });
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error.Code).toBe('InvalidRegionId.NotFound');
    expect(textOf(res)).not.toContain('no explanation for');
    expect(res.structuredContent!.Error.NextSteps.join(' ')).toContain('list_instances with RegionId "all"');
  });

  it('create_custom_image in a region without servers: the real reason, no "Quota 0 of 0" failure beside it', async () => {
    const res = await s.call('create_custom_image', { RegionId: emptyRegion, InstanceId: DEMO.blogServerId, ImageName: 'wrong-region', Source: 'latest-snapshot' });
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error.Code).toBe('InvalidInstanceId.NotFound');
    const quota = (res.structuredContent!.Checks as { Name: string; Outcome: string; Detail: string }[]).find((c) => c.Name === 'Quota')!;
    expect(quota.Outcome).toBe('skipped');
    expect(textOf(res)).not.toContain('0 of 0');
  });
});
