import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { startInProcess, type InProcess } from '../helpers/in-process.js';
import { textOf } from '../helpers/stack.js';

const R = DEMO.region;
let s: InProcess;

beforeAll(async () => { s = await startInProcess(); });
afterAll(async () => { await s?.close(); });

/** A refusal of the input: our error shape, stage input, nothing sent. */
async function refused(tool: string, args: Record<string, unknown>, outputValid = true) {
  s.sim.stats.reset();
  const res = await s.call(tool, args);
  expect(res.isError, textOf(res)).toBe(true);
  const error = res.structuredContent?.Error as { Code: string; Message: string; Stage: string; Retryable: boolean; NextSteps: string[] } | undefined;
  expect(error, `${tool}: ${textOf(res)}`).toBeDefined();
  expect(error!.Stage).toBe('input');
  expect(error!.Retryable).toBe(false);
  expect(error!.NextSteps.length).toBeGreaterThan(0);
  expect(textOf(res)).not.toContain('Input validation error');
  expect(textOf(res).startsWith(`${error!.Code}: `)).toBe(true);
  expect(s.sim.stats.requests()).toEqual([]);
  // The contract: structuredContent validates against the tool's own output schema.
  const parsed = ALL_TOOLS.find((t) => t.name === tool)!.outputSchema().safeParse(res.structuredContent);
  if (outputValid) expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  return { error: error!, text: textOf(res) };
}

describe('input the schema refuses answers in our error shape, naming only the rules that failed', () => {
  it('create_custom_image: a one-letter ImageName gets the length rule alone', async () => {
    const { error } = await refused('create_custom_image', { RegionId: R, InstanceId: DEMO.blogServerId, ImageName: 'x' });
    expect(error.Code).toBe('InvalidParam.IllegalImageName');
    expect(error.Message).toContain('ImageName must be at least 2 characters');
    expect(error.Message).not.toContain('may contain only');
  });

  it('create_custom_image: bad characters get the character rule alone', async () => {
    const { error } = await refused('create_custom_image', { RegionId: R, InstanceId: DEMO.blogServerId, ImageName: 'blog server!' });
    expect(error.Message).toContain('may contain only letters');
    expect(error.Message).not.toContain('at least 2');
  });

  it('create_snapshot: a one-letter SnapshotName gets the length rule alone', async () => {
    const { error } = await refused('create_snapshot', { RegionId: R, InstanceId: DEMO.blogServerId, SnapshotName: 'x' });
    expect(error.Code).toBe('InvalidParameter');
    expect(error.Message).toContain('SnapshotName must be at least 2 characters');
    expect(error.Message).not.toContain('must start with a letter');
  });

  it('wait_for_resources: a number out of range names the field and the bound', async () => {
    const { error } = await refused('wait_for_resources', { RegionId: R, ImageIds: ['m-bp1abc'], TimeoutSeconds: 120 });
    expect(error.Code).toBe('InvalidParameter');
    expect(error.Message).toContain('TimeoutSeconds is at most 55');
  });

  it('list_instances: a bad RegionId, an unknown argument and a wrong type each name their field', async () => {
    const region = await refused('list_instances', { RegionId: 'Hangzhou!' });
    expect(region.error.Message).toContain('RegionId must be a region ID');
    const unknown = await refused('list_instances', { RegionId: R, Foo: 1 });
    expect(unknown.error.Message).toContain('Foo');
    expect(unknown.error.Message).toMatch(/not an argument/);
    const hostile = await refused('list_instances', { RegionId: R, ['\u001b[31mX'.padEnd(500, 'y')]: 1 });
    expect(hostile.error.Message).not.toContain('\u001b');
    expect(hostile.error.Message.length).toBeLessThan(400);
    const wrongType = await refused('list_snapshots', { RegionId: R, MaxResults: 'ten' });
    expect(wrongType.error.Message).toMatch(/MaxResults.*number/);
  });

  it('a missing required argument is named as missing', async () => {
    const { error } = await refused('share_custom_image', { RegionId: R, Operation: 'Share', Ecs: true });
    expect(error.Message).toMatch(/ImageId.*required/);
    // A refused enum the output also requires cannot be left empty: Error and Simulated alone then.
    const badOperation = await refused('share_custom_image', { RegionId: R, ImageId: 'm-bp1abc', Operation: 'Sharing', Ecs: true }, false);
    expect(badOperation.error.Message).toContain('Operation must be one of "Share", "UnShare"');
  });

  it('a rule across fields (wait_for_resources with nothing to wait for) keeps its own words', async () => {
    const { error } = await refused('wait_for_resources', { RegionId: R });
    expect(error.Message).toContain('Give at least one of ImageIds, SnapshotIds or InstanceIds');
  });

  it('valid input still works, and null still means "not given"', async () => {
    const res = await s.call('list_instances', { RegionId: R, InstanceName: null });
    expect(res.isError).toBeFalsy();
  });

  it('the published input schemas did not change: what tools/list shows is what zod takes', async () => {
    const listed = await s.client.listTools();
    expect(listed.tools.length).toBeGreaterThan(10);
    for (const published of listed.tools) {
      expect(published.inputSchema.type).toBe('object');
      expect(published.inputSchema.additionalProperties).toBe(false);
    }
  });
});
