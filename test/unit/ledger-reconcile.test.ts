// The read-back that settles an unknown outcome: each kind of change, against API answers fed directly.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLedger, readBack, reconcilePending, type LedgerLine } from '../../src/audit/index.js';
import type { SwasApi } from '../../src/swas/types.js';

interface World {
  images?: { ImageId: string; InShare?: boolean; Tags?: { Key: string; Value?: string }[] }[];
  snapshots?: string[];
  accounts?: string[];
  server?: { InstanceId: string; Status: string; ImageId: string };
}
function api(w: World): SwasApi {
  const fake = {
    listCustomImages: async (_r: string, f: { ImageIds?: string[] }) => ({ items: (w.images ?? []).filter((m) => f.ImageIds?.includes(m.ImageId)).map((m) => ({ Tags: [], ...m })) }),
    listSnapshots: async (_r: string, f: { SnapshotIds?: string[] }) => ({ items: (w.snapshots ?? []).filter((id) => f.SnapshotIds?.includes(id)).map((SnapshotId) => ({ SnapshotId })) }),
    listCustomImageShareAccounts: async () => ({ items: (w.accounts ?? []).map((UserId) => ({ UserId })) }),
    listInstances: async () => ({ items: w.server ? [w.server] : [] }),
  };
  return fake as unknown as SwasApi;
}
const line = (o: Partial<LedgerLine>): LedgerLine => ({
  time: '2026-01-01T00:00:00.000Z', tool: 't', action: 'ModifyImageShareStatus', phase: 'intent', regionId: 'cn-hangzhou',
  resourceIds: ['m-1'], clientToken: 'mcp-1', argsDigest: 'd', simulated: false, ...o,
});

describe('readBack', () => {
  it('deletes: applied once the resources are gone', async () => {
    const del = line({ action: 'DeleteCustomImages', resourceIds: ['m-1', 'm-2'] });
    expect(await readBack(api({ images: [{ ImageId: 'm-2' }] }), del)).toBe('not-applied');
    expect(await readBack(api({ images: [] }), del)).toBe('applied');
    expect(await readBack(api({ snapshots: ['s-1'] }), line({ action: 'DeleteSnapshots', resourceIds: ['s-1'] }))).toBe('not-applied');
  });

  it('sharing to ECS and with accounts, both ways', async () => {
    const share = line({ expect: { kind: 'ecs-share', shared: true } });
    expect(await readBack(api({ images: [{ ImageId: 'm-1', InShare: true }] }), share)).toBe('applied');
    expect(await readBack(api({ images: [{ ImageId: 'm-1', InShare: false }] }), share)).toBe('not-applied');
    const add = line({ action: 'AddCustomImageShareAccount', expect: { kind: 'account-share', shared: true, accounts: ['1', '2'] } });
    expect(await readBack(api({ accounts: ['1', '2', '3'] }), add)).toBe('applied');
    expect(await readBack(api({ accounts: ['1'] }), add)).toBe('not-applied');
    const remove = line({ action: 'RemoveCustomImageShareAccount', expect: { kind: 'account-share', shared: false, accounts: ['1'] } });
    expect(await readBack(api({ accounts: ['2'] }), remove)).toBe('applied');
  });

  it('tags put and removed on every image', async () => {
    const tag = line({ action: 'TagResources', resourceIds: ['m-1'], expect: { kind: 'tags', put: [{ Key: 'k', Value: 'v' }], removed: [] } });
    expect(await readBack(api({ images: [{ ImageId: 'm-1', Tags: [{ Key: 'k', Value: 'v' }] }] }), tag)).toBe('applied');
    expect(await readBack(api({ images: [{ ImageId: 'm-1', Tags: [{ Key: 'k', Value: 'old' }] }] }), tag)).toBe('not-applied');
    const untag = line({ action: 'UntagResources', expect: { kind: 'tags', put: [], removed: ['k'] } });
    expect(await readBack(api({ images: [{ ImageId: 'm-1', Tags: [] }] }), untag)).toBe('applied');
    // The same rule as the tool's own read-back: an image gone cannot tell, a listed one without the change can.
    const two = line({ action: 'TagResources', resourceIds: ['m-1', 'm-2'], expect: { kind: 'tags', put: [{ Key: 'k', Value: 'v' }], removed: [] } });
    expect(await readBack(api({ images: [{ ImageId: 'm-1', Tags: [{ Key: 'k', Value: 'v' }] }] }), two)).toBeUndefined();
    expect(await readBack(api({ images: [{ ImageId: 'm-2', Tags: [] }] }), two)).toBe('not-applied');
  });

  it('reset: re-installing or on the new image is applied; on another image not; the same image before and after cannot tell', async () => {
    const reset = line({ action: 'ResetSystem', resourceIds: ['i-1', 'img-b'], expect: { kind: 'reset', imageId: 'img-b', fromImageId: 'img-a' } });
    expect(await readBack(api({ server: { InstanceId: 'i-1', Status: 'Resetting', ImageId: 'img-a' } }), reset)).toBe('applied');
    expect(await readBack(api({ server: { InstanceId: 'i-1', Status: 'Running', ImageId: 'img-b' } }), reset)).toBe('applied');
    expect(await readBack(api({ server: { InstanceId: 'i-1', Status: 'Running', ImageId: 'img-a' } }), reset)).toBe('not-applied');
    const same = line({ action: 'ResetSystem', resourceIds: ['i-1', 'img-a'], expect: { kind: 'reset', imageId: 'img-a', fromImageId: 'img-a' } });
    expect(await readBack(api({ server: { InstanceId: 'i-1', Status: 'Running', ImageId: 'img-a' } }), same)).toBeUndefined();
  });

  it('a create has nothing to read back: it stays unknown', async () => {
    expect(await readBack(api({}), line({ action: 'CreateCustomImage' }))).toBeUndefined();
  });
});

describe('reconcilePending', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'reconcile-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('writes a reconciled line for what a read settles, leaves the rest unknown, and skips the other mode\'s lines', async () => {
    const path = join(dir, 'audit.jsonl');
    const ledger = await openLedger(path);
    const base = { tool: 'share_custom_image', regionId: 'cn-hangzhou', argsDigest: 'd', time: '2026-01-01T00:00:00.000Z' };
    await ledger.append({ ...base, action: 'ModifyImageShareStatus', phase: 'intent', resourceIds: ['m-1'], clientToken: 'A', simulated: false, expect: { kind: 'ecs-share', shared: true } });
    await ledger.append({ ...base, action: 'ModifyImageShareStatus', phase: 'outcome', resourceIds: ['m-1'], clientToken: 'A', simulated: false, ok: false, outcome: 'unknown' });
    await ledger.append({ ...base, action: 'CreateCustomImage', phase: 'intent', resourceIds: ['i-1'], clientToken: 'B', simulated: false });
    await ledger.append({ ...base, action: 'DeleteCustomImages', phase: 'intent', resourceIds: ['m-9'], clientToken: 'C', simulated: true });
    const result = await reconcilePending(ledger, api({ images: [{ ImageId: 'm-1', InShare: true }] }), {
      simulated: false, now: () => Date.parse('2026-01-01T01:00:00.000Z'), silentAfterMs: 60_000, log: pino({ level: 'silent' }),
    });
    expect(result).toEqual({ reconciled: 1, unresolved: 1 });
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ phase: 'outcome', outcome: 'reconciled', found: 'applied', ok: true, clientToken: 'A', action: 'ModifyImageShareStatus' });
    expect(lines.at(-1)).not.toHaveProperty('expect');
    await ledger.close();
  });
});
