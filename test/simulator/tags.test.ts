import { describe, expect, test } from 'vitest';
import * as swas from '@alicloud/swas-open20200601';
import { DEMO } from '../../src/simulator/index.js';
import { rawCall, sdkClient, sdkError, simulatorPool } from './helpers.js';

const start = simulatorPool();
const hz = DEMO.region;
const tag = (key: string, value: string) => new swas.TagResourcesRequestTag({ key, value });
type TagFields = ConstructorParameters<typeof swas.TagResourcesRequest>[0];

describe('TagResources / UntagResources / ListTagResources', () => {
  test('tags on custom images show in ListCustomImages and ListTagResources; an existing key gets the new value', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    await c.tagResources(
      new swas.TagResourcesRequest({ regionId: hz, resourceType: 'customimage', resourceId: [DEMO.blogImageId, DEMO.archiveImageId], tag: [tag('app', 'wiki'), tag('env', 'prod')] }),
    );
    const sent = sim.stats.requests('TagResources')[0]!.params;
    expect([sent['ResourceId.1'], sent['ResourceId.2'], sent['Tag.1.Key'], sent['Tag.2.Value']]).toEqual([DEMO.blogImageId, DEMO.archiveImageId, 'app', 'prod']);
    const images = (await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, imageIds: JSON.stringify([DEMO.blogImageId]) }))).body!.customImages!;
    // blog-base-2026 had app=blog: the key is kept once, with the new value.
    expect(images[0]!.tags!.map((t) => [t.key, t.value])).toEqual([['app', 'wiki'], ['env', 'prod']]);
    const listed = await c.listTagResources(new swas.ListTagResourcesRequest({ regionId: hz, resourceType: 'customimage', resourceId: [DEMO.archiveImageId] }));
    expect(listed.body!.nextToken).toBe('');
    expect(listed.body!.tagResources!.tagResource!.map((r) => ({ ...r }))).toEqual([
      { resourceId: DEMO.archiveImageId, resourceType: 'ALIYUN::SWAS::CUSTOMIMAGE', tagKey: 'app', tagValue: 'wiki' },
      { resourceId: DEMO.archiveImageId, resourceType: 'ALIYUN::SWAS::CUSTOMIMAGE', tagKey: 'env', tagValue: 'prod' },
    ]);
    // Filter by tag: only resources carrying it, only that key.
    const byTag = await c.listTagResources(new swas.ListTagResourcesRequest({ regionId: hz, resourceType: 'customimage', tag: [new swas.ListTagResourcesRequestTag({ key: 'env', value: 'prod' })] }));
    expect(byTag.body!.tagResources!.tagResource!.map((r) => [r.resourceId, r.tagKey])).toEqual([
      [DEMO.blogImageId, 'env'],
      [DEMO.archiveImageId, 'env'],
    ]);
  });

  test('UntagResources: TagKey.N removes those keys, All removes every tag, neither removes nothing (the SDK\'s no-op)', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    await c.tagResources(new swas.TagResourcesRequest({ regionId: hz, resourceType: 'customimage', resourceId: [DEMO.blogImageId], tag: [tag('env', 'prod'), tag('team', 'web')] }));
    await c.untagResources(new swas.UntagResourcesRequest({ regionId: hz, resourceType: 'customimage', resourceId: [DEMO.blogImageId], tagKey: ['env', 'absent'] }));
    expect(sim.state.image(DEMO.blogImageId)!.tags.map((t) => t.key)).toEqual(['app', 'team']);
    const none = await c.untagResources(new swas.UntagResourcesRequest({ regionId: hz, resourceType: 'customimage', resourceId: [DEMO.blogImageId] }));
    expect(none.statusCode).toBe(200);
    expect(sim.state.image(DEMO.blogImageId)!.tags.map((t) => t.key)).toEqual(['app', 'team']);
    await c.untagResources(new swas.UntagResourcesRequest({ regionId: hz, resourceType: 'customimage', resourceId: [DEMO.blogImageId], all: true }));
    expect(sim.state.image(DEMO.blogImageId)!.tags).toEqual([]);
    const tooMany = await sdkError(
      c.untagResources(new swas.UntagResourcesRequest({ regionId: hz, resourceType: 'customimage', resourceId: [DEMO.blogImageId], tagKey: Array.from({ length: 21 }, (_, i) => `k${i}`) })),
    );
    expect(tooMany.code).toBe('InvalidParameter');
  });

  test('snapshots, servers and disks can be tagged too; their list calls show and filter by the tags', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    await c.tagResources(new swas.TagResourcesRequest({ regionId: hz, resourceType: 'snapshot', resourceId: [DEMO.blogSystemSnapshotId], tag: [tag('keep', 'yes')] }));
    await c.tagResources(new swas.TagResourcesRequest({ regionId: hz, resourceType: 'instance', resourceId: [DEMO.shopServerId], tag: [tag('tier', 'gold')] }));
    await c.tagResources(new swas.TagResourcesRequest({ regionId: hz, resourceType: 'disk', resourceId: [DEMO.blogDataDiskId], tag: [tag('kind', 'uploads')] }));
    const snaps = await c.listSnapshots(new swas.ListSnapshotsRequest({ regionId: hz, tag: [new swas.ListSnapshotsRequestTag({ key: 'keep', value: 'yes' })] }));
    expect(snaps.body!.snapshots!.map((s) => s.snapshotId)).toEqual([DEMO.blogSystemSnapshotId]);
    const servers = await c.listInstances(new swas.ListInstancesRequest({ regionId: hz, tag: [new swas.ListInstancesRequestTag({ key: 'tier', value: 'gold' })] }));
    expect(servers.body!.instances!.map((i) => i.instanceId)).toEqual([DEMO.shopServerId]);
    expect(sim.state.disk(DEMO.blogDataDiskId)!.tags).toEqual([{ key: 'kind', value: 'uploads' }]);
    const listed = await c.listTagResources(new swas.ListTagResourcesRequest({ regionId: hz, resourceType: 'instance', resourceId: [DEMO.shopServerId] }));
    expect(listed.body!.tagResources!.tagResource!.map((r) => [r.resourceType, r.tagKey, r.tagValue])).toEqual([
      ['ALIYUN::SWAS::INSTANCE', 'app', 'shop'],
      ['ALIYUN::SWAS::INSTANCE', 'tier', 'gold'],
    ]);
  });

  test('shape errors: ResourceType lower case, ResourceId 1–50, Tag 1–20 with the key/value rules, no duplicate keys', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const tagIt = (o: Record<string, unknown>) =>
      sdkError(c.tagResources(new swas.TagResourcesRequest({ regionId: hz, resourceType: 'customimage', resourceId: [DEMO.blogImageId], tag: [tag('k', 'v')], ...o } as TagFields)));
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      ['CamelCase ResourceType', { resourceType: 'CustomImage' }, 400, 'InvalidParam.ResourceType'],
      ['unknown ResourceType', { resourceType: 'image' }, 400, 'InvalidParam.ResourceType'],
      ['no ResourceType', { resourceType: undefined }, 400, 'MissingResourceType'],
      ['no ResourceId', { resourceId: undefined }, 400, 'MissingResourceId'],
      ['51 ResourceIds', { resourceId: Array.from({ length: 51 }, (_, i) => `m-x${i}`) }, 400, 'InvalidParameter'],
      ['no Tag', { tag: undefined }, 400, 'MissingTag'],
      ['21 tags', { tag: Array.from({ length: 21 }, (_, i) => tag(`k${i}`, 'v')) }, 400, 'InvalidParam.TagCount'],
      ['key starting with acs:', { tag: [tag('acs:x', 'v')] }, 400, 'InvalidParam.TagKey'],
      ['key with http://', { tag: [tag('http://x', 'v')] }, 400, 'InvalidParam.TagKey'],
      ['65-character value', { tag: [tag('k', 'v'.repeat(65))] }, 400, 'InvalidParam.TagValue'],
      ['the same key twice', { tag: [tag('k', 'a'), tag('k', 'b')] }, 400, 'InvalidParam.TagKey'],
      ['unknown image', { resourceId: [DEMO.blogImageId, 'm-nosuchimage00000000'] }, 404, 'InvalidResourceId.NotFound'],
      ['image of another region', { resourceId: [DEMO.sgImageId] }, 404, 'InvalidResourceId.NotFound'],
      ['a command (none are simulated)', { resourceType: 'command', resourceId: ['c-1'] }, 404, 'InvalidResourceId.NotFound'],
    ];
    for (const [name, o, status, code] of cases) {
      const e = await tagIt(o);
      expect([name, e.statusCode, e.code]).toEqual([name, status, code]);
    }
    // Nothing was tagged by any refused call.
    expect(sim.state.image(DEMO.blogImageId)!.tags).toEqual([{ key: 'app', value: 'blog' }]);
  });

  test('a resource holds at most 20 tags after the merge; 50 resource IDs are accepted', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const twenty = Array.from({ length: 19 }, (_, i) => tag(`k${i}`, 'v'));
    // blog-base-2026 has app=blog: 19 more make 20.
    await c.tagResources(new swas.TagResourcesRequest({ regionId: hz, resourceType: 'customimage', resourceId: [DEMO.blogImageId], tag: twenty }));
    const e = await sdkError(c.tagResources(new swas.TagResourcesRequest({ regionId: hz, resourceType: 'customimage', resourceId: [DEMO.blogImageId], tag: [tag('one-more', 'v')] })));
    expect([e.statusCode, e.code]).toEqual([400, 'InvalidParam.TagCount']);
    const fifty = Array.from({ length: 50 }, (_, i) => `m-x${i}`);
    expect((await sdkError(c.tagResources(new swas.TagResourcesRequest({ regionId: hz, resourceType: 'customimage', resourceId: fifty, tag: [tag('k', 'v')] })))).code).toBe(
      'InvalidResourceId.NotFound',
    );
  });

  test('ListTagResources pages with NextToken (50 entries a page); a bad token is InvalidParameter', async () => {
    const seed = { instances: Array.from({ length: 3 }, (_, i) => ({ instanceId: `${'e'.repeat(31)}${i}`, regionId: hz, tags: Array.from({ length: 20 }, (_, k) => ({ key: `k${k}`, value: `v${i}` })) })) };
    const sim = await start({ seed });
    const c = sdkClient(sim);
    const page = (nextToken?: string) => c.listTagResources(new swas.ListTagResourcesRequest({ regionId: hz, resourceType: 'instance', ...(nextToken ? { nextToken } : {}) }));
    const first = await page();
    expect(first.body!.tagResources!.tagResource).toHaveLength(50);
    expect(first.body!.nextToken).not.toBe('');
    const second = await page(first.body!.nextToken);
    expect(second.body!.tagResources!.tagResource).toHaveLength(10);
    expect(second.body!.nextToken).toBe('');
    const raw = await rawCall(sim, { action: 'ListTagResources', params: { RegionId: hz, ResourceType: 'instance', NextToken: 'garbage' } });
    expect([raw.status, raw.body.Code]).toEqual([400, 'InvalidParameter']);
  });

  test('ClientToken replay and mismatch on TagResources', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const req = (value: string) => new swas.TagResourcesRequest({ regionId: hz, resourceType: 'customimage', resourceId: [DEMO.blogImageId], tag: [tag('env', value)], clientToken: 'tag-1' });
    await c.tagResources(req('prod'));
    expect((await c.tagResources(req('prod'))).statusCode).toBe(200);
    const e = await sdkError(c.tagResources(req('dev')));
    expect([e.statusCode, e.code]).toEqual([400, 'IdempotentParameterMismatch']);
    expect(sim.state.image(DEMO.blogImageId)!.tags).toContainEqual({ key: 'env', value: 'prod' });
  });
});
