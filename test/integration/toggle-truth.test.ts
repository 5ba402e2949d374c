// A change undone and done again (Share, UnShare, Share; tag A, B, A; reset to I, J, I) is a new
// request each time: it is carried out, and the result, the text and the ledger say so. And what
// the API did not change is never reported as done.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { argsDigest } from '../../src/audit/index.js';
import { DEMO } from '../../src/simulator/index.js';
import { addServer, call, textOf, type Stack, type ToolResult, ledgerLines, newLedgerPath } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';
import { virtualClock } from '../helpers/virtual-clock.js';

const R = DEMO.region;
/** Public images of the simulator (views.ts PUBLIC_IMAGES), both Linux. */
const UBUNTU = 'c3e1d0b8a7f64e2b9d5c4a3b2e1f0d9c';
const WORDPRESS_APP = '2d6a1c3e5f7b4d9e8a0c2e4f6a8b0c1d';

const ledgerPath = newLedgerPath();
let stack: Stack;

beforeAll(async () => {
  stack = await startToolStack({
    // A reset takes 50 ms and is polled every 50 ms: the resets below wait for Running in turn, on
    // a clock the waits move on themselves (shared with the simulator) instead of waiting it out.
    sim: { resetMs: 50 },
    clock: virtualClock(),
    env: { SWAS_MCP_AUDIT_LOG: ledgerPath, SWAS_MCP_ALLOW_DESTRUCTIVE: 'true', SWAS_MCP_CONSENT: 'confirm', SWAS_MCP_POLL_INTERVAL_MS: '50' },
  });
});
afterAll(async () => { await stack?.close(); });
beforeEach(() => { stack.sim.stats.reset(); writeFileSync(ledgerPath, ''); });

interface Line { action: string; phase: string; clientToken?: string; ok?: boolean; outcome?: string; found?: string; argsDigest: string }
const ledger = (): Line[] => ledgerLines<Line>(ledgerPath);

/** Calls a tool, and when it asks for confirmation, confirms with the token it gave (a fresh consent each time). */
async function confirmed(tool: string, args: Record<string, unknown>): Promise<ToolResult> {
  const first = await call(stack.client, tool, args);
  if (first.structuredContent?.Error?.Code !== 'ConfirmationRequired') return first;
  const res = await call(stack.client, tool, { ...args, ConfirmToken: first.structuredContent.ConfirmToken });
  expect(res.isError, textOf(res)).toBeFalsy();
  return res;
}

let serial = 0;
const freshImage = () => stack.sim.state.addImage({ name: `toggle-${++serial}`, instanceId: DEMO.shopServerId }).imageId;

describe('share_custom_image: Share, UnShare, Share', () => {
  it('the third call shares again; every request carried its own ClientToken; the ledger has three ok outcomes', async () => {
    const id = freshImage();
    const args = (Operation: string) => ({ RegionId: R, ImageId: id, Operation, Ecs: true });
    await confirmed('share_custom_image', args('Share'));
    await confirmed('share_custom_image', args('UnShare'));
    expect(stack.sim.state.image(id)!.inShare).toBe(false);
    const third = await confirmed('share_custom_image', args('Share'));
    expect(stack.sim.state.image(id)!.inShare).toBe(true);
    expect(third.structuredContent).toMatchObject({ Changed: true, SharedToEcs: true });
    expect(textOf(third)).toContain('shared to ECS: yes');
    const outcomes = ledger().filter((l) => l.phase === 'outcome');
    expect(outcomes.map((l) => l.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(new Set(outcomes.map((l) => l.clientToken)).size).toBe(3);
  });

  it('a retry of the same request from the same state keeps its ClientToken (the dry run shows it)', async () => {
    const id = freshImage();
    const args = { RegionId: R, ImageId: id, Operation: 'Share', Ecs: true };
    const a = await call(stack.client, 'share_custom_image', { ...args, DryRun: true });
    const b = await call(stack.client, 'share_custom_image', { ...args, DryRun: true });
    expect(a.structuredContent!.Requests[0].Parameters.ClientToken).toBe(b.structuredContent!.Requests[0].Parameters.ClientToken);
  });
});

describe('tag_custom_images: A, B, A', () => {
  it('the third call puts A back, and says so', async () => {
    const id = freshImage();
    const tag = (Value: string) => ({ RegionId: R, ImageIds: [id], Tag: [{ Key: 'stage', Value }] });
    await confirmed('tag_custom_images', tag('A'));
    await confirmed('tag_custom_images', tag('B'));
    const third = await confirmed('tag_custom_images', tag('A'));
    expect(stack.sim.state.image(id)!.tags).toEqual([expect.objectContaining({ key: 'stage', value: 'A' })]);
    expect(third.structuredContent!.Changed).toBe(true);
    expect(third.structuredContent!.Images[0].Tags).toEqual([{ Key: 'stage', Value: 'A' }]);
    expect(ledger().filter((l) => l.phase === 'outcome').map((l) => l.outcome)).toEqual(['ok', 'ok', 'ok']);
  });
});

describe('reset_system: I, J, I', () => {
  it('the third reset re-installs from I again', async () => {
    const srv = addServer(stack, R, 'toggle-reset');
    const reset = (ImageId: string) => confirmed('reset_system', { RegionId: R, InstanceId: srv.id, ImageId, WaitForRunning: true });
    await reset(UBUNTU);
    await reset(WORDPRESS_APP);
    const third = await reset(UBUNTU);
    expect(stack.sim.state.instance(srv.id)!.imageId).toBe(UBUNTU);
    expect(third.structuredContent!.RunningImage).toMatchObject({ ImageId: UBUNTU });
    const outcomes = ledger().filter((l) => l.action === 'ResetSystem' && l.phase === 'outcome');
    expect(new Set(outcomes.map((l) => l.clientToken)).size).toBe(3);
  });
});

describe('what the API did not change is reported as not changed (a ClientToken given again)', () => {
  it('share: the API answers the repeat, the read-back shows no share: Changed false, Applied false, "Not done", a reconciled not-applied line', async () => {
    const id = freshImage();
    const args = (Operation: string, ClientToken?: string) => ({ RegionId: R, ImageId: id, Operation, Ecs: true, ...(ClientToken ? { ClientToken } : {}) });
    await confirmed('share_custom_image', args('Share', 'mine-1'));
    await confirmed('share_custom_image', args('UnShare'));
    writeFileSync(ledgerPath, '');
    const third = await confirmed('share_custom_image', args('Share', 'mine-1'));
    expect(stack.sim.stats.count('ModifyImageShareStatus')).toBe(3);
    expect(stack.sim.state.image(id)!.inShare).toBe(false);
    expect(third.structuredContent).toMatchObject({ Changed: false, SharedToEcs: false });
    expect(third.structuredContent!.Sent).toEqual([expect.objectContaining({ Action: 'ModifyImageShareStatus', Applied: false })]);
    expect(textOf(third)).toMatch(/^Not done: /);
    expect(textOf(third)).not.toContain('Shared image');
    expect(ledger().map((l) => [l.phase, l.outcome, l.found])).toEqual([
      ['intent', undefined, undefined], ['outcome', 'ok', undefined], ['outcome', 'reconciled', 'not-applied'],
    ]);
    expect(ledger()[2]).toMatchObject({ ok: false, clientToken: third.structuredContent!.Sent[0].ClientToken });
  });

  it('tags: A with a token, B, A with the same token: not done, and the tags read back say B', async () => {
    const id = freshImage();
    const tag = (Value: string, ClientToken?: string) => ({ RegionId: R, ImageIds: [id], Tag: [{ Key: 'stage', Value }], ...(ClientToken ? { ClientToken } : {}) });
    await confirmed('tag_custom_images', tag('A', 'mine-2'));
    await confirmed('tag_custom_images', tag('B'));
    const third = await confirmed('tag_custom_images', tag('A', 'mine-2'));
    expect(third.structuredContent!.Changed).toBe(false);
    expect(third.structuredContent!.Images[0].Tags).toEqual([{ Key: 'stage', Value: 'B' }]);
    expect(textOf(third)).toMatch(/^Not done: /);
    expect(ledger().at(-1)).toMatchObject({ action: 'TagResources', outcome: 'reconciled', found: 'not-applied', ok: false });
  });

  it('reset: I with a token, J, I with the same token: not done, Changed false, the ledger says not applied', async () => {
    const srv = addServer(stack, R, 'toggle-reset-again');
    const reset = (ImageId: string, ClientToken?: string) => confirmed('reset_system', { RegionId: R, InstanceId: srv.id, ImageId, WaitForRunning: true, ...(ClientToken ? { ClientToken } : {}) });
    await reset(UBUNTU, 'mine-3');
    await reset(WORDPRESS_APP);
    const third = await reset(UBUNTU, 'mine-3');
    expect(stack.sim.state.instance(srv.id)!.imageId).toBe(WORDPRESS_APP);
    expect(third.structuredContent!.Changed).toBe(false);
    expect(textOf(third)).toMatch(/^Not done: /);
    expect(ledger().at(-1)).toMatchObject({ action: 'ResetSystem', outcome: 'reconciled', found: 'not-applied' });
  });
});

describe('argsDigest: one normalisation for every tool', () => {
  it('reset, share and tag record the digest of the request alone (no ConfirmToken, DryRun, WaitFor*)', async () => {
    const srv = addServer(stack, R, 'digest-reset');
    await confirmed('reset_system', { RegionId: R, InstanceId: srv.id, ImageId: UBUNTU, WaitForRunning: true, DryRun: false });
    const id = freshImage();
    await confirmed('share_custom_image', { RegionId: R, ImageId: id, Operation: 'Share', Ecs: true, DryRun: false });
    await confirmed('tag_custom_images', { RegionId: R, ImageIds: [id], Tag: [{ Key: 'k', Value: 'v' }], DryRun: false });
    const digests = ledger().filter((l) => l.phase === 'intent').map((l) => [l.action, l.argsDigest]);
    expect(digests).toEqual([
      ['ResetSystem', argsDigest({ RegionId: R, InstanceId: srv.id, ImageId: UBUNTU })],
      ['ModifyImageShareStatus', argsDigest({ RegionId: R, ImageId: id, Operation: 'Share', Ecs: true })],
      ['TagResources', argsDigest({ RegionId: R, ImageIds: [id], Tag: [{ Key: 'k', Value: 'v' }] })],
    ]);
  });
});
