import { describe, expect, it } from 'vitest';
import { findImage, readCustomImages, resolveImage } from '../../src/tools/images.js';
import type { CustomImage, SwasApi, SwasImage } from '../../src/swas/types.js';

const img = (ImageId: string, over: Partial<CustomImage> = {}): CustomImage => ({ ImageId, Name: `n-${ImageId}`, StatusCode: '1', Tags: [], ...over } as CustomImage);

/** A SwasApi with only the two image listings, recording what was asked. */
function fakeApi(own: CustomImage[], sharedIn: CustomImage[], general: SwasImage[] = [], fail: { sharedIn?: boolean; own?: boolean } = {}) {
  const asked: string[] = [];
  const api = {
    listCustomImages: async (_r: string, f: { ImageIds?: string[]; Share?: boolean }) => {
      asked.push(`${f.Share ? 'shared' : 'own'}:${f.ImageIds?.join(',') ?? '*'}`);
      if (f.Share ? fail.sharedIn : fail.own) throw new Error(f.Share ? 'shared failed' : 'own failed');
      const list = f.Share ? sharedIn : own;
      return { items: f.ImageIds ? list.filter((m) => f.ImageIds!.includes(m.ImageId)) : list, totalCount: list.length, truncated: false };
    },
    listImages: async (_r: string, f: { ImageIds?: string[] }) => {
      asked.push(`images:${f.ImageIds?.join(',')}`);
      return general.filter((m) => f.ImageIds?.includes(m.ImageId));
    },
  } as unknown as SwasApi;
  return { api, asked };
}
const signal = new AbortController().signal;

describe('readCustomImages: one read of own and shared-in images', () => {
  it('reads both listings by ID at once, in the order of the IDs', async () => {
    const { api, asked } = fakeApi([img('m-b'), img('m-a')], [img('m-c', { UserId: '9' })]);
    const got = await readCustomImages(api, 'cn-hangzhou', ['m-a', 'm-c', 'm-b'], { signal });
    expect(got.own.map((m) => m.ImageId)).toEqual(['m-a', 'm-b']);
    expect(got.sharedIn.map((m) => m.ImageId)).toEqual(['m-c']);
    expect(asked.sort()).toEqual(['own:m-a,m-c,m-b', 'shared:m-a,m-c,m-b']);
  });

  it('lists every own image with allOwn, and skips the shared-in read without IDs', async () => {
    const { api, asked } = fakeApi([img('m-b'), img('m-a')], []);
    const got = await readCustomImages(api, 'cn-hangzhou', [], { signal, allOwn: true });
    expect(got.own.map((m) => m.ImageId)).toEqual(['m-b', 'm-a']);
    expect(asked).toEqual(['own:*']);
  });

  it('fails on a failed shared-in listing only when an ID is not the account\'s own', async () => {
    const { api } = fakeApi([img('m-a')], [], [], { sharedIn: true });
    await expect(readCustomImages(api, 'r', ['m-a'], { signal })).resolves.toEqual({ own: [img('m-a')], sharedIn: [] });
    await expect(readCustomImages(api, 'r', ['m-a', 'm-z'], { signal })).rejects.toThrow('shared failed');
  });

  it('fails on a failed own listing', async () => {
    const { api } = fakeApi([], [], [], { own: true });
    await expect(readCustomImages(api, 'r', ['m-a'], { signal })).rejects.toThrow('own failed');
  });
});

describe('resolveImage and findImage', () => {
  it('prefers the own image, then a shared-in one, then a system or app image', () => {
    const own = img('m-a', { OsType: 'Linux', RequiredSystemDiskSize: 40 });
    expect(resolveImage('m-a', { own: [own], sharedIn: [img('m-a')] }, undefined)).toMatchObject({ ImageId: 'm-a', Owner: 'self', ImageType: 'custom', Status: 'Available', Platform: 'Linux', RequiredSystemDiskSize: 40 });
    expect(resolveImage('m-a', { own: [], sharedIn: [img('m-a')] }, undefined)).toMatchObject({ Owner: 'shared-in' });
    expect(resolveImage('abc', undefined, [{ ImageId: 'abc', ImageName: 'Ubuntu', ImageType: 'system', OsType: 'Linux' }])).toEqual({ ImageId: 'abc', ImageName: 'Ubuntu', ImageType: 'system', Platform: 'Linux' });
    expect(resolveImage('m-x', { own: [], sharedIn: [] }, [])).toBeUndefined();
  });

  it('reads ListImages, not the custom listings, for a system image ID (unless every own image is asked for)', async () => {
    const sys = { ImageId: 'f'.repeat(32), ImageName: 'Ubuntu', ImageType: 'system' };
    const a = fakeApi([img('m-a')], [], [sys]);
    expect((await findImage(a.api, 'r', sys.ImageId, { signal })).image?.ImageName).toBe('Ubuntu');
    expect(a.asked).toEqual([`images:${sys.ImageId}`]);
    const b = fakeApi([img('m-a')], [], [sys]);
    const got = await findImage(b.api, 'r', sys.ImageId, { signal, allOwn: true });
    expect(got.custom.own.map((m) => m.ImageId)).toEqual(['m-a']);
    expect(b.asked.sort()).toEqual([`images:${sys.ImageId}`, 'own:*']);
  });
});
