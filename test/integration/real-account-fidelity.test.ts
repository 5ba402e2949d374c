import { afterEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { addServer, call, textOf, type Stack } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';

/** What a real account has that the first simulator did not: images shared in, and lists that error on unknown IDs. */
const R = DEMO.region;
let stack: Stack | undefined;
afterEach(async () => { await stack?.close(); stack = undefined; });

describe('images shared into the account', () => {
  it('use none of its quota and take none of its names', async () => {
    stack = await startToolStack();
    // One server in a fresh region: quota 3. Fill it to 2 own images; a shared-in image sits beside them.
    const srv = addServer(stack, 'cn-shenzhen', 'quota-server');
    const snap = stack.sim.state.addSnapshot({ diskId: srv.systemDisk, snapshotName: 'quota-sys' });
    for (const name of ['own-1', 'own-2']) stack.sim.state.addImage({ name, instanceId: srv.id, systemSnapshotId: snap.snapshotId });
    stack.sim.state.addSharedImage({ regionId: 'cn-shenzhen', name: 'partner-image', ownerUserId: DEMO.partnerAccountId });
    const listed = await call(stack.client, 'list_custom_images', { RegionId: 'cn-shenzhen', IncludeSharedWithMe: true });
    const shared = (listed.structuredContent!.Images as { Owner: string; ImageName: string }[]).filter((m) => m.Owner === 'shared-in');
    expect(listed.structuredContent!.Quota).toMatchObject({ Limit: 3, Used: 2, Remaining: 1 });
    // The third own image fits, and may even take the shared-in image's name.
    expect(shared.map((m) => m.ImageName)).toEqual(['partner-image']);
    const name = shared[0]!.ImageName;
    const res = await call(stack.client, 'create_custom_image', { RegionId: 'cn-shenzhen', InstanceId: srv.id, ImageName: name, DryRun: true });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent!.Quota).toMatchObject({ Used: 2, RemainingAfter: 0 });
  });
});

describe('an API that answers unknown IDs with errors, not empty lists', () => {
  it('reports the server as missing in preflight, with the same explanation as an empty list', async () => {
    stack = await startToolStack({ sim: { unknownIdErrors: true } });
    stack.sim.stats.reset();
    const res = await call(stack.client, 'create_snapshot', { RegionId: R, InstanceId: 'ffffffffffffffffffffffffffffffff', SnapshotName: 'nope' });
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'InvalidInstanceId.NotFound', Stage: 'preflight' });
    expect(textOf(res)).toContain('list_instances');
    // The API did answer with the error: the preflight read it as "missing".
    expect(stack.sim.stats.requests('ListInstances').some((r) => r.code === 'InvalidInstanceId.NotFound')).toBe(true);
    expect(stack.sim.stats.count('CreateSnapshot')).toBe(0);
    const image = await call(stack.client, 'create_custom_image', { RegionId: R, InstanceId: 'ffffffffffffffffffffffffffffffff', ImageName: 'nope-image', SystemSnapshotId: DEMO.blogSystemSnapshotId });
    expect(image.structuredContent!.Error).toMatchObject({ Code: 'InvalidInstanceId.NotFound', Stage: 'preflight' });
  });
});
