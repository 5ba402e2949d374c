import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain } from '../../src/explain/catalog.js';
import { DEMO } from '../../src/simulator/index.js';
import { startInProcess, type InProcess } from '../helpers/in-process.js';
import { textOf } from '../helpers/stack.js';

let s: InProcess;
beforeAll(async () => { s = await startInProcess(); });
afterAll(async () => { await s?.close(); });

describe('the disk sizes an image needs are published where the texts say', () => {
  it('list_custom_images gives RequiredSystemDiskSize in GiB, in its result and its text', async () => {
    const withData = s.sim.state.addImage({ instanceId: DEMO.blogServerId, name: 'sized-image' });
    const res = await s.call('list_custom_images', { RegionId: DEMO.region, ImageIds: [withData.imageId] });
    const image = (res.structuredContent!.Images as Record<string, unknown>[])[0]!;
    expect(image.RequiredSystemDiskSize).toBe(withData.requiredSystemDiskSize);
    expect(textOf(res)).toContain(`needs a ${withData.requiredSystemDiskSize} GiB system disk`);
  });

  it('every text that points to the sizes points to a tool whose output has them', async () => {
    const { tools } = await s.client.listTools();
    const fields = (name: string) => JSON.stringify(tools.find((t) => t.name === name)!.outputSchema);
    expect(fields('list_custom_images')).toContain('RequiredSystemDiskSize');
    expect(fields('list_images')).not.toContain('RequiredSystemDiskSize');
    const listImages = tools.find((t) => t.name === 'list_images')!.description!;
    expect(listImages).toMatch(/list_custom_images shows [^.]*disk sizes/);
    const tooSmall = explain({ code: 'DiskTooSmall', message: 'm', stage: 'preflight' }, { action: 'ResetSystem' }).error.NextSteps.join(' ');
    expect(tooSmall).not.toMatch(/list_images[^.;]*sizes/);
    expect(tooSmall).toContain('list_custom_images');
  });
});
