import { describe, expect, test } from 'vitest';
import * as swas from '@alicloud/swas-open20200601';
import { DEMO, type SeedData, type Simulator } from '../../src/simulator/index.js';
import { clock, sdkClient, sdkError, simulatorPool } from './helpers.js';

const start = simulatorPool();

const hz = DEMO.region;
type CciFields = ConstructorParameters<typeof swas.CreateCustomImageRequest>[0];

/** A valid request for blog-server; override any field. */
function blogImage(o: Record<string, unknown> = {}): swas.CreateCustomImageRequest {
  return new swas.CreateCustomImageRequest({ regionId: hz, instanceId: DEMO.blogServerId, imageName: 'blog-new', systemSnapshotId: DEMO.blogSystemSnapshotId, ...o } as CciFields);
}
const tag = (key: string, value: string) => new swas.CreateCustomImageRequestTag({ key, value });

describe('CreateCustomImage happy path and asynchrony', () => {
  test('a new image is "4" (creating), then "1" after imageReadyMs; with a data snapshot and tags', async () => {
    const time = clock();
    const sim = await start({ imageReadyMs: 120, now: time.now });
    const c = sdkClient(sim);
    const r = await c.createCustomImage(
      blogImage({ dataSnapshotId: DEMO.blogDataSnapshotId, description: 'from (test) *run*', tag: [tag('env', 'prod'), tag('team', '')] }),
    );
    expect(r.statusCode).toBe(200);
    const id = r.body!.imageId!;
    expect(id).toMatch(/^m-[a-z0-9]{20}$/);
    const get = async () => (await c.listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, imageIds: JSON.stringify([id]) }))).body!.customImages![0]!;
    const first = await get();
    expect(first).toMatchObject({ status: '4', name: 'blog-new', description: 'from (test) *run*', instanceId: DEMO.blogServerId, instanceName: 'blog-server', dataSnapshotId: DEMO.blogDataSnapshotId, regionId: hz });
    expect(first.tags!.map((t) => [t.key, t.value])).toEqual([['env', 'prod'], ['team', '']]);
    time.advance(150);
    expect((await get()).status).toBe('1');
  });

  test('a Stopped server may be imaged', async () => {
    const sim = await start();
    const r = await sdkClient(sim).createCustomImage(
      new swas.CreateCustomImageRequest({ regionId: hz, instanceId: DEMO.archiveServerId, imageName: 'archive-2026', systemSnapshotId: DEMO.archiveSystemSnapshotId }),
    );
    expect(r.body!.imageId).toMatch(/^m-/);
  });

  test('a server flagged failImages produces an image that ends as "3"; setImageStatus also works', async () => {
    const time = clock();
    const sim = await start({ imageReadyMs: 50, now: time.now });
    sim.state.updateInstance(DEMO.blogServerId, { failImages: true });
    const body = (await sdkClient(sim).createCustomImage(blogImage())).body!;
    expect(sim.state.image(body.imageId!)!.status).toBe('4');
    time.advance(70);
    expect(sim.state.image(body.imageId!)!.status).toBe('3');
    sim.state.setImageStatus(body.imageId!, '2');
    const listed = await sdkClient(sim).listCustomImages(new swas.ListCustomImagesRequest({ regionId: hz, imageIds: JSON.stringify([body.imageId]) }));
    expect(listed.body!.customImages![0]!.status).toBe('2');
  });
});

describe('CreateCustomImage errors (each with its documented HTTP status)', () => {
  const cases: Array<[string, Record<string, unknown>, number, string, ((sim: Simulator) => void)?]> = [
    ['unknown data snapshot', { dataSnapshotId: 's-nosuchsnapshot000000' }, 400, 'InvalidParam.DataSnapshotIdNotFound'],
    ['unknown system snapshot', { systemSnapshotId: 's-nosuchsnapshot000000' }, 400, 'InvalidParam.SystemSnapshotIdNotFound'],
    ['no system snapshot at all', { systemSnapshotId: undefined }, 400, 'InvalidParam.SystemSnapshotIdNotFound'],
    ['snapshot of another region', { systemSnapshotId: DEMO.sgSystemSnapshotId }, 400, 'InvalidParam.SystemSnapshotIdNotFound'],
    ['name starting with "-"', { imageName: '-bad' }, 400, 'InvalidParam.IllegalImageName'],
    ['one-character name', { imageName: 'a' }, 400, 'InvalidParam.IllegalImageName'],
    ['129-character name', { imageName: 'a'.repeat(129) }, 400, 'InvalidParam.IllegalImageName'],
    ['name with a dot', { imageName: 'blog.v1' }, 400, 'InvalidParam.IllegalImageName'],
    ['existing name', { imageName: DEMO.blogImageName }, 400, 'ImageNameAlreadyExist'],
    ['data snapshot as system snapshot', { systemSnapshotId: DEMO.blogDataSnapshotId }, 400, 'InvalidParam.SystemSnapshotIdNotSupport'],
    ['system snapshot of another server', { systemSnapshotId: DEMO.archiveSystemSnapshotId }, 400, 'InvalidParam.SystemSnapshotIdNotSupport'],
    ['progressing system snapshot', { instanceId: DEMO.archiveServerId, systemSnapshotId: DEMO.archiveProgressingSnapshotId }, 400, 'InvalidParam.SystemSnapshotIdNotSupport'],
    ['failed system snapshot', { instanceId: DEMO.archiveServerId, systemSnapshotId: DEMO.archiveFailedSnapshotId }, 400, 'InvalidParam.SystemSnapshotIdNotSupport'],
    ['system snapshot as data snapshot', { dataSnapshotId: DEMO.blogSystemSnapshotId }, 400, 'InvalidParam.DataSnapshotIdNotFound'],
    ['data snapshot not accomplished', { dataSnapshotId: DEMO.blogDataSnapshotId }, 400, 'InvalidParam.DataSnapshotIdNotFound', (sim) => sim.state.setSnapshotStatus(DEMO.blogDataSnapshotId, 'progressing', '10%')],
    ['server flagged internalErrorOnImage', {}, 500, 'InternalError', (sim) => sim.state.updateInstance(DEMO.blogServerId, { internalErrorOnImage: true })],
    ['Upgrading server', { instanceId: DEMO.stagingServerId, systemSnapshotId: DEMO.stagingSystemSnapshotId }, 403, 'IncorrectInstanceStatus'],
    ['Starting server', {}, 403, 'IncorrectInstanceStatus', (sim) => sim.state.setInstanceStatus(DEMO.blogServerId, 'Starting')],
    ['unknown server', { instanceId: '0123456789abcdef0123456789abcdef' }, 404, 'InvalidInstanceId.NotFound'],
    ['server of another region', { instanceId: DEMO.sgServerId, systemSnapshotId: DEMO.sgSystemSnapshotId }, 404, 'InvalidInstanceId.NotFound'],
    ['missing InstanceId', { instanceId: undefined }, 400, 'MissingInstanceId'],
    ['missing ImageName', { imageName: undefined }, 400, 'MissingImageName'],
    ['ClientToken of 65 characters', { clientToken: 'x'.repeat(65) }, 400, 'InvalidParameter'],
    ['non-ASCII ClientToken', { clientToken: 'tökén' }, 400, 'InvalidParameter'],
    ['21 tags', { tag: Array.from({ length: 21 }, (_, i) => tag(`k${i}`, 'v')) }, 400, 'InvalidParam.TagCount'],
    ['tag key starting with acs:', { tag: [tag('acs:env', 'v')] }, 400, 'InvalidParam.TagKey'],
    ['tag key starting with aliyun', { tag: [tag('aliyunx', 'v')] }, 400, 'InvalidParam.TagKey'],
    ['empty tag key', { tag: [tag('', 'v')] }, 400, 'InvalidParam.TagKey'],
    ['65-character tag key', { tag: [tag('k'.repeat(65), 'v')] }, 400, 'InvalidParam.TagKey'],
    ['tag key with http://', { tag: [tag('see http://x', 'v')] }, 400, 'InvalidParam.TagKey'],
    ['tag value with https://', { tag: [tag('k', 'https://x')] }, 400, 'InvalidParam.TagValue'],
    ['65-character tag value', { tag: [tag('k', 'v'.repeat(65))] }, 400, 'InvalidParam.TagValue'],
  ];

  test.each(cases)('%s → %i %s', async (_name, fields, status, code, prepare) => {
    const sim = await start();
    prepare?.(sim);
    const before = sim.state.images().length;
    const e = await sdkError(sdkClient(sim).createCustomImage(blogImage(fields)));
    expect([e.statusCode, e.code]).toEqual([status, code]);
    expect(e.name).toBe(status >= 500 ? 'ServerError' : 'ClientError');
    expect(sim.state.images().length).toBe(before);
  });

  test('edge values that are allowed: 2- and 128-character names, 20 tags, 64-character key/value/token', async () => {
    const sim = await start({ seed: { instances: Array.from({ length: 5 }, (_, i) => ({ instanceId: `${'0'.repeat(31)}${i}`, regionId: hz, systemDisk: { diskId: `d-edge00000000000000${i}0` } })) } });
    for (let i = 0; i < 5; i++) sim.state.addSnapshot({ snapshotId: `s-edge00000000000000${i}0`, diskId: `d-edge00000000000000${i}0` });
    const c = sdkClient(sim);
    const mk = (imageName: string, extra: Record<string, unknown> = {}) =>
      c.createCustomImage(new swas.CreateCustomImageRequest({ regionId: hz, instanceId: `${'0'.repeat(31)}0`, imageName, systemSnapshotId: 's-edge0000000000000000', ...extra } as CciFields));
    expect((await mk('ab')).body!.imageId).toBeTruthy();
    expect((await mk(`A${'b:_-'.repeat(31)}xyz`)).body!.imageId).toBeTruthy();
    const tags = Array.from({ length: 20 }, (_, i) => tag(`${'k'.repeat(62)}${String(i).padStart(2, '0')}`, 'v'.repeat(64)));
    expect((await mk('tagged', { tag: tags, clientToken: 't'.repeat(64) })).body!.imageId).toBeTruthy();
  });
});

describe('ClientToken idempotence', () => {
  test('same token + same parameters → same ImageId, new RequestId, nothing created; other parameters → IdempotentParameterMismatch', async () => {
    const sim = await start();
    const c = sdkClient(sim);
    const req = () => blogImage({ clientToken: 'token-123', tag: [tag('env', 'prod')] });
    const first = await c.createCustomImage(req());
    const count = sim.state.images(hz).length;
    const second = await c.createCustomImage(req());
    expect(second.body!.imageId).toBe(first.body!.imageId);
    expect(second.body!.requestId).not.toBe(first.body!.requestId);
    expect(sim.state.images(hz).length).toBe(count);
    const mismatch = await sdkError(c.createCustomImage(blogImage({ clientToken: 'token-123', imageName: 'blog-other' })));
    expect([mismatch.statusCode, mismatch.code]).toEqual([400, 'IdempotentParameterMismatch']);
    expect(sim.state.images(hz).length).toBe(count);
    // Without a token the same parameters are a second request: the name is now taken.
    const dup = await sdkError(c.createCustomImage(blogImage({ tag: [tag('env', 'prod')] })));
    expect(dup.code).toBe('ImageNameAlreadyExist');
  });

  test('a failed attempt is not remembered: the same token succeeds once the cause is fixed', async () => {
    const sim = await start();
    sim.state.setInstanceStatus(DEMO.blogServerId, 'Starting');
    const c = sdkClient(sim);
    expect((await sdkError(c.createCustomImage(blogImage({ clientToken: 'retry-me' })))).code).toBe('IncorrectInstanceStatus');
    sim.state.setInstanceStatus(DEMO.blogServerId, 'Running');
    expect((await c.createCustomImage(blogImage({ clientToken: 'retry-me' }))).body!.imageId).toMatch(/^m-/);
  });
});

describe('custom image quota: min(3 × servers in the region, 15)', () => {
  function seedWith(servers: number, images: number): SeedData {
    const instances = Array.from({ length: servers }, (_, i) => ({
      instanceId: `${'a'.repeat(30)}${String(i).padStart(2, '0')}`,
      regionId: hz,
      systemDisk: { diskId: `d-quota0000000000000${String(i).padStart(2, '0')}` },
    }));
    return {
      instances,
      snapshots: [{ snapshotId: 's-quota000000000000000', diskId: instances[0]!.systemDisk.diskId }],
      images: Array.from({ length: images }, (_, i) => ({ name: `img-${i}`, instanceId: instances[i % servers]!.instanceId })),
    };
  }
  const create = (sim: Simulator, imageName: string) =>
    sdkClient(sim).createCustomImage(new swas.CreateCustomImageRequest({ regionId: hz, instanceId: `${'a'.repeat(30)}00`, imageName, systemSnapshotId: 's-quota000000000000000' }));

  test('6 servers and 14 images: the 15th image succeeds, the 16th fails', async () => {
    const sim = await start({ seed: seedWith(6, 14) });
    expect((await create(sim, 'fifteenth')).body!.imageId).toMatch(/^m-/);
    const e = await sdkError(create(sim, 'sixteenth'));
    expect([e.statusCode, e.code]).toEqual([400, 'CustomImageQuotaLimit']);
  });

  test('2 servers: quota is 6', async () => {
    const sim = await start({ seed: seedWith(2, 5) });
    expect((await create(sim, 'sixth')).body!.imageId).toBeTruthy();
    expect((await sdkError(create(sim, 'seventh'))).code).toBe('CustomImageQuotaLimit');
  });

  test('images in another region do not count', async () => {
    const seed = seedWith(1, 2);
    seed.instances!.push({ instanceId: 'f'.repeat(32), regionId: 'ap-southeast-1' });
    seed.images!.push(...Array.from({ length: 5 }, (_, i) => ({ name: `sg-${i}`, instanceId: 'f'.repeat(32) })));
    const sim = await start({ seed });
    expect((await create(sim, 'third')).body!.imageId).toBeTruthy();
    expect((await sdkError(create(sim, 'fourth'))).code).toBe('CustomImageQuotaLimit');
  });
});
