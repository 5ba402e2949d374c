import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { call, textOf, type Stack, type ToolResult } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';

const R = DEMO.region;
let stack: Stack;

beforeAll(async () => { stack = await startToolStack(); });
afterAll(async () => { await stack?.close(); });
beforeEach(() => { stack.sim.faults.clear(); stack.sim.stats.reset(); });

const blog = (over: Record<string, unknown> = {}) => ({
  RegionId: R, InstanceId: DEMO.blogServerId, SystemSnapshotId: DEMO.blogSystemSnapshotId, ...over,
});

/** The contract's failure: isError, text starting with the code, structured Error with next steps. */
function expectExplained(res: ToolResult, code: string, stage: string) {
  expect(res.isError).toBe(true);
  const text = textOf(res);
  expect(text.startsWith(`${code}: `)).toBe(true);
  expect(text).toContain('Why: ');
  expect(text).toContain('What to do next:');
  const err = res.structuredContent!.Error;
  expect(err.Code).toBe(code);
  expect(err.Stage).toBe(stage);
  expect(err.NextSteps.length).toBeGreaterThan(0);
  return err;
}

describe('create_custom_image: success', () => {
  it('creates an image with tags and a data snapshot, reporting every check', async () => {
    const res = await call(stack.client, 'create_custom_image', blog({
      ImageName: 'blog-full-e2e', DataSnapshotId: DEMO.blogDataSnapshotId, Description: 'e2e happy path',
      Tag: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: '' }],
    }));
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent!;
    expect(out.ImageId).toMatch(/^m-[a-z0-9]+$/);
    expect(out.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(out.Status).toBe('Creating');
    expect(out.ClientToken).toMatch(/^mcp-[0-9a-f]{40}$/);
    expect(out.Checks.map((c: { Name: string; Outcome: string }) => `${c.Name}:${c.Outcome}`)).toEqual([
      'InstanceExists:passed', 'InstanceStatus:passed', 'SystemSnapshot:passed', 'DataSnapshot:passed',
      'ImageNameUnique:passed', 'Quota:passed', 'SystemSnapshotAge:warning', 'DataSnapshotAge:warning',
    ]);
    expect(out.Simulated).toBe(false);
    expect(textOf(res)).toContain(`Created custom image ${out.ImageId}`);
    expect(textOf(res)).toContain('released together with its source server');

    const image = stack.sim.state.image(out.ImageId);
    expect(image?.name).toBe('blog-full-e2e');
    expect(image?.description).toBe('e2e happy path');
    expect(image?.dataSnapshotId).toBe(DEMO.blogDataSnapshotId);
    expect(image?.tags).toEqual([{ key: 'env', value: 'prod' }, { key: 'team', value: '' }]);
    const sent = stack.sim.stats.requests('CreateCustomImage');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.params.ClientToken).toBe(out.ClientToken);
  });

  it('answers a repeated identical call with the same image and creates nothing', async () => {
    const args = blog({ ImageName: 'blog-repeat-e2e' });
    const first = await call(stack.client, 'create_custom_image', args);
    const second = await call(stack.client, 'create_custom_image', args);
    expect(first.isError).toBeFalsy();
    expect(second.isError).toBeFalsy();
    expect(second.structuredContent!.ImageId).toBe(first.structuredContent!.ImageId);
    expect(second.structuredContent!.Repeated).toBe(true);
    expect(textOf(second)).toContain('nothing new was created');
    expect(stack.sim.stats.count('CreateCustomImage')).toBe(1);
    expect(stack.sim.state.images(R).filter((m) => m.name === 'blog-repeat-e2e')).toHaveLength(1);
  });

  it('makes its preflight reads in parallel: one wave of reads, then the create', async () => {
    // With 300 ms per answer, reads made one after another would arrive at least 300 ms apart.
    stack.sim.faults.latencyMs = 300;
    const res = await call(stack.client, 'create_custom_image', blog({ ImageName: 'blog-latency-e2e' }));
    expect(res.isError).toBeFalsy();
    const reqs = stack.sim.stats.requests();
    expect(reqs.map((r) => r.action).sort()).toEqual(['CreateCustomImage', 'ListCustomImages', 'ListInstances', 'ListSnapshots']);
    const create = reqs.find((r) => r.action === 'CreateCustomImage')!;
    const readsStarted = reqs.filter((r) => r.action !== 'CreateCustomImage').map((r) => r.time);
    expect(Math.max(...readsStarted) - Math.min(...readsStarted)).toBeLessThan(300);
    expect(create.time).toBeGreaterThan(Math.max(...readsStarted));
  });
});

describe('create_custom_image: preflight refusals send no CreateCustomImage', () => {
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['an unknown server', blog({ InstanceId: 'ffffffffffffffffffffffffffffffff', ImageName: 'x-unknown' }), 'InvalidInstanceId.NotFound', /list_instances/],
    ['a server in another region', blog({ RegionId: DEMO.otherRegion, ImageName: 'x-region' }), 'InvalidInstanceId.NotFound', /list_instances/],
    ['a server that is upgrading', { RegionId: R, InstanceId: DEMO.stagingServerId, SystemSnapshotId: DEMO.stagingSystemSnapshotId, ImageName: 'x-upgrading' }, 'IncorrectInstanceStatus', /Running or Stopped/],
    ['a snapshot that does not exist', blog({ SystemSnapshotId: 's-doesnotexist00000001', ImageName: 'x-nosnap' }), 'InvalidParam.SystemSnapshotIdNotFound', /list_snapshots/],
    ['an unfinished snapshot', { RegionId: R, InstanceId: DEMO.archiveServerId, SystemSnapshotId: DEMO.archiveProgressingSnapshotId, ImageName: 'x-progress' }, 'InvalidParam.SystemSnapshotIdNotSupport', /progressing/],
    ['a failed snapshot', { RegionId: R, InstanceId: DEMO.archiveServerId, SystemSnapshotId: DEMO.archiveFailedSnapshotId, ImageName: 'x-failed' }, 'InvalidParam.SystemSnapshotIdNotSupport', /failed/],
    ['a snapshot of another server', { RegionId: R, InstanceId: DEMO.shopServerId, SystemSnapshotId: DEMO.blogSystemSnapshotId, ImageName: 'x-other' }, 'InvalidParam.SystemSnapshotIdNotSupport', /belongs to server/],
    ['a data snapshot as the system snapshot', blog({ SystemSnapshotId: DEMO.blogDataSnapshotId, ImageName: 'x-datasys' }), 'InvalidParam.SystemSnapshotIdNotSupport', /not a system-disk snapshot/],
    ['a data snapshot of another server', { RegionId: R, InstanceId: DEMO.archiveServerId, SystemSnapshotId: DEMO.archiveSystemSnapshotId, DataSnapshotId: DEMO.blogDataSnapshotId, ImageName: 'x-otherdata' }, 'InvalidParam.DataSnapshotIdNotFound', /not a data disk of server/],
    ['a system snapshot as the data snapshot', blog({ DataSnapshotId: DEMO.blogSystemSnapshotId, ImageName: 'x-sysdata' }), 'InvalidParam.DataSnapshotIdNotFound', /not a data-disk snapshot/],
    ['a name already in use', { RegionId: R, InstanceId: DEMO.archiveServerId, SystemSnapshotId: DEMO.archiveSystemSnapshotId, ImageName: DEMO.blogImageName }, 'ImageNameAlreadyExist', /another ImageName/],
  ];

  for (const [what, args, code, hint] of cases) {
    it(`refuses ${what} with ${code}`, async () => {
      const res = await call(stack.client, 'create_custom_image', args);
      const err = expectExplained(res, code, 'preflight');
      expect(textOf(res)).toMatch(hint);
      expect(err.Retryable).toBe(false);
      expect(res.structuredContent!.Checks.some((c: { Outcome: string; Code?: string }) => c.Outcome === 'failed' && c.Code === code)).toBe(true);
      expect(stack.sim.stats.count('CreateCustomImage')).toBe(0);
    });
  }

  it('refuses when the quota (3 per server, at most 15) is full', async () => {
    const servers = stack.sim.state.instances(R).length;
    const limit = Math.min(3 * servers, 15);
    const added: string[] = [];
    for (let i = stack.sim.state.images(R).length; i < limit; i++) {
      added.push(stack.sim.state.addImage({ regionId: R, name: `filler-${i}`, instanceId: DEMO.blogServerId, systemSnapshotId: DEMO.blogSystemSnapshotId }).imageId);
    }
    try {
      const res = await call(stack.client, 'create_custom_image', blog({ ImageName: 'x-quota' }));
      expectExplained(res, 'CustomImageQuotaLimit', 'preflight');
      expect(textOf(res)).toContain(`${limit} of ${limit} custom images used`);
      expect(res.structuredContent!.Quota).toMatchObject({ Limit: limit, Used: limit, Remaining: 0 });
      expect(stack.sim.stats.count('CreateCustomImage')).toBe(0);
    } finally {
      for (const id of added) stack.sim.state.removeImage(id);
    }
  });
});

describe('create_custom_image: every API error code reaches the user explained', () => {
  // Preflight passes; the API itself answers with the code (as when state changes between the two).
  const apiCodes: Array<[number, string, RegExp]> = [
    [400, 'InvalidParam.DataSnapshotIdNotFound', /data disk snapshot/],
    [400, 'InvalidParam.SystemSnapshotIdNotFound', /system disk snapshot/],
    [400, 'InvalidParam.IllegalImageName', /2 to 128 characters/],
    [400, 'ImageNameAlreadyExist', /already exists/],
    [400, 'CustomImageQuotaLimit', /3 images per simple application server/],
    [400, 'InvalidParam.SystemSnapshotIdNotSupport', /finished \(accomplished\) system-disk snapshot/],
    [500, 'InternalError', /internal error/],
    [403, 'IncorrectInstanceStatus', /Running or Stopped/],
    [404, 'InvalidInstanceId.NotFound', /No simple application server/],
  ];
  for (const [status, code, why] of apiCodes) {
    it(`explains ${code} (HTTP ${status})`, async () => {
      // Enough failures to outlast the retries of a retryable code.
      stack.sim.faults.failNext('CreateCustomImage', 10, { status, code, message: `simulated ${code}` });
      const res = await call(stack.client, 'create_custom_image', blog({ ImageName: `api-${status}-${code.replace(/\W/g, '')}`.slice(0, 60) }));
      const err = expectExplained(res, code, 'api');
      expect(textOf(res)).toMatch(why);
      expect(err.Message).toBe(`simulated ${code}`);
      expect(err.RequestId).toMatch(/^[0-9A-F-]{36}$/);
      expect(err.Recommend).toContain('https://');
      expect(err.Retryable).toBe(status >= 500);
      expect(res.structuredContent!.ClientToken).toMatch(/^mcp-/);
      const attempts = stack.sim.stats.count('CreateCustomImage');
      expect(attempts).toBe(status >= 500 ? 4 : 1);
      const tokens = new Set(stack.sim.stats.requests('CreateCustomImage').map((r) => r.params.ClientToken));
      expect(tokens.size).toBe(1);
    });
  }

  it('explains throttling after retrying with back-off', async () => {
    stack.sim.faults.throttle('CreateCustomImage', 10, 50);
    const res = await call(stack.client, 'create_custom_image', blog({ ImageName: 'x-throttled' }));
    const err = expectExplained(res, 'Throttling.User', 'api');
    expect(err.Retryable).toBe(true);
    expect(textOf(res)).toMatch(/10 calls a minute/);
    expect(stack.sim.stats.count('CreateCustomImage')).toBe(4);
  });

  it('names the RAM action to grant on a permission error', async () => {
    stack.sim.faults.failNext('CreateCustomImage', 1, { status: 403, code: 'Forbidden.RAM', message: 'User not authorized to operate on the specified resource.' });
    const res = await call(stack.client, 'create_custom_image', blog({ ImageName: 'x-ram' }));
    expectExplained(res, 'Forbidden.RAM', 'api');
    expect(textOf(res)).toContain('swas-open:CreateCustomImage');
  });

  it('explains IdempotentParameterMismatch when a ClientToken is reused for another request', async () => {
    const first = await call(stack.client, 'create_custom_image', blog({ ImageName: 'x-token-a', ClientToken: 'my-token-1' }));
    expect(first.isError).toBeFalsy();
    const second = await call(stack.client, 'create_custom_image', blog({ ImageName: 'x-token-b', ClientToken: 'my-token-1' }));
    expectExplained(second, 'IdempotentParameterMismatch', 'api');
    expect(textOf(second)).toMatch(/new ClientToken/);
    expect(stack.sim.state.images(R).filter((m) => m.name === 'x-token-b')).toHaveLength(0);
  });

  it('passes on code, message, RequestId and Recommend of a code it does not know', async () => {
    stack.sim.faults.failNext('CreateCustomImage', 1, { status: 400, code: 'Brand.NewCode', message: 'Something new went wrong.' });
    const res = await call(stack.client, 'create_custom_image', blog({ ImageName: 'x-unknown-code' }));
    const err = expectExplained(res, 'Brand.NewCode', 'api');
    expect(err.Message).toBe('Something new went wrong.');
    expect(textOf(res)).toContain(`RequestId: ${err.RequestId}`);
    expect(textOf(res)).toContain(`Diagnosis: ${err.Recommend}`);
  });
});

describe('create_custom_image: bad input sends nothing at all', () => {
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a name starting with a hyphen', blog({ ImageName: '-bad' }), /ImageName/],
    ['a name with a space', blog({ ImageName: 'bad name' }), /ImageName/],
    ['a one-character name', blog({ ImageName: 'a' }), /ImageName.*at least 2/],
    ['a 129-character name', blog({ ImageName: 'a'.repeat(129) }), /ImageName.*at most 128/],
    ['a host-like region', blog({ ImageName: 'ok-name', RegionId: 'cn-hangzhou.evil.com' }), /RegionId/],
    ['a region with a port', blog({ ImageName: 'ok-name', RegionId: 'cn-hangzhou:8080' }), /RegionId/],
    ['a region with a path', blog({ ImageName: 'ok-name', RegionId: 'cn-hangzhou/x' }), /RegionId/],
    ['a percent-encoded region', blog({ ImageName: 'ok-name', RegionId: 'cn-hangzhou%2eevil' }), /RegionId/],
    ['a look-alike region', blog({ ImageName: 'ok-name', RegionId: 'cn-hangzhоu' }), /RegionId/],
    ['21 tags', blog({ ImageName: 'ok-name', Tag: Array.from({ length: 21 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }), /at most 20 tags/],
    ['two tags with one key', blog({ ImageName: 'ok-name', Tag: [{ Key: 'k', Value: 'a' }, { Key: 'k', Value: 'b' }] }), /Tag keys must be unique/],
    ['an empty tag key', blog({ ImageName: 'ok-name', Tag: [{ Key: '', Value: 'v' }] }), /Tag Key must not be empty/],
    ['a tag key starting with acs:', blog({ ImageName: 'ok-name', Tag: [{ Key: 'acs:x', Value: 'v' }] }), /acs:/],
    ['a tag key starting with aliyun', blog({ ImageName: 'ok-name', Tag: [{ Key: 'aliyunFoo', Value: 'v' }] }), /aliyun/],
    ['a tag value with a URL', blog({ ImageName: 'ok-name', Tag: [{ Key: 'k', Value: 'see https://x' }] }), /http/],
    ['a 65-character tag value', blog({ ImageName: 'ok-name', Tag: [{ Key: 'k', Value: 'v'.repeat(65) }] }), /at most 64/],
    ['a 65-character ClientToken', blog({ ImageName: 'ok-name', ClientToken: 't'.repeat(65) }), /ClientToken/],
    ['a non-ASCII ClientToken', blog({ ImageName: 'ok-name', ClientToken: 'tøken' }), /ClientToken/],
    ['a malformed snapshot ID', blog({ ImageName: 'ok-name', SystemSnapshotId: '../s-1' }), /SystemSnapshotId/],
    ['an unknown key', blog({ ImageName: 'ok-name', ImageNmae: 'typo' }), /ImageNmae/],
    ['a missing InstanceId', { RegionId: R, ImageName: 'ok-name' }, /InstanceId/],
    ['a number for ImageName', blog({ ImageName: 42 }), /ImageName/],
  ];
  for (const [what, args, field] of bad) {
    it(`refuses ${what}`, async () => {
      const res = await call(stack.client, 'create_custom_image', args);
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(field);
      expect(stack.sim.stats.requests()).toHaveLength(0);
    });
  }
});
