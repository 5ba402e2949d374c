import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type Progress } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { ConsentSigner } from '../../src/consent/index.js';
import { DEMO, SIM_ACCESS_KEY_ID, SIM_ACCESS_KEY_SECRET, startSimulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { providerSchemaProblems } from '../helpers/provider-schema.js';
import { call, callWithProgress, isolatedEnv, ledgerLines, SIM_CREDENTIALS, textOf, type Stack, type ToolResult, newLedgerPath } from '../helpers/stack.js';
import { serveInProcess, startToolStack } from '../helpers/in-process.js';
import { testClient } from '../helpers/test-client.js';
import { virtualClock } from '../helpers/virtual-clock.js';

const R = DEMO.region;
const MUTATIONS = ['DeleteCustomImages', 'DeleteSnapshots', 'ModifyImageShareStatus', 'RemoveCustomImageShareAccount', 'AddCustomImageShareAccount'];

interface Started { stack: Stack; ledger: string; key: Buffer }
let current: Started | undefined;
afterEach(async () => { await current?.stack.close(); current = undefined; });

/**
 * The server with the destructive tools, a ledger in a temp file and a consent key the test also
 * holds; its waits and the simulator share a virtual clock, so a deleted image's 200 ms pass at once.
 */
async function start(opts: { sim?: SimulatorOptions; env?: Record<string, string> } = {}): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'swas-delete-'));
  const ledger = join(dir, 'audit.jsonl');
  // Hex text: the loader drops one trailing newline, so raw random bytes ending in 0x0a would lose one.
  const key = Buffer.from(randomBytes(32).toString('hex'), 'utf8');
  const keyFile = join(dir, 'consent.key');
  writeFileSync(keyFile, key);
  chmodSync(keyFile, 0o600);
  const stack = await startToolStack({
    clock: virtualClock(),
    sim: { imageDeleteMs: 200, ...opts.sim },
    env: { SWAS_MCP_ALLOW_DESTRUCTIVE: 'true', SWAS_MCP_AUDIT_LOG: ledger, SWAS_MCP_CONSENT_KEY_FILE: keyFile, SWAS_MCP_CONSENT: 'confirm', ...opts.env },
  });
  current = { stack, ledger, key };
  // A failure shows what the server said on stderr (an exit, say).
  onTestFailed(() => { console.error(`server stderr (tail):\n${stack.stderr().slice(-4000)}`); });
  return current;
}

const sent = (s: Stack) => MUTATIONS.reduce((n, a) => n + s.sim.stats.count(a), 0);

interface LedgerLine { tool: string; action: string; phase: string; resourceIds: string[]; clientToken?: string; ok?: boolean; requestId?: string; argsDigest: string }

/** First call: ConfirmationRequired with a token and nothing sent; second call with the token: carried out. */
async function confirmed(s: Stack, tool: string, args: Record<string, unknown>): Promise<{ first: ToolResult; res: ToolResult }> {
  const before = sent(s);
  const first = await call(s.client, tool, args);
  expect(first.isError, textOf(first)).toBe(true);
  expect(first.structuredContent!.Error).toMatchObject({ Code: 'ConfirmationRequired', Stage: 'consent' });
  expect(sent(s)).toBe(before);
  const res = await call(s.client, tool, { ...args, ConfirmToken: first.structuredContent!.ConfirmToken });
  return { first, res };
}

const actionsSent = (s: Stack) => s.sim.stats.requests().map((r) => r.action).filter((a) => MUTATIONS.includes(a));

describe('registration', () => {
  it('the destructive tools exist only with --allow-destructive, never in read-only mode', async () => {
    const names = async (env: Record<string, string>) => {
      const stack = await startToolStack({ env });
      try {
        return (await stack.client.listTools()).tools;
      } finally {
        await stack.close();
      }
    };
    const without = (await names({ SWAS_MCP_AUDIT_LOG: 'off' })).map((t) => t.name);
    expect(without).toContain('create_custom_image');
    expect(without).not.toContain('delete_custom_images');
    expect(without).not.toContain('delete_snapshots');
    const readOnly = (await names({ SWAS_MCP_AUDIT_LOG: 'off', SWAS_MCP_ALLOW_DESTRUCTIVE: 'true', SWAS_MCP_READ_ONLY: 'true' })).map((t) => t.name);
    expect(readOnly).not.toContain('delete_custom_images');
    expect(readOnly).not.toContain('delete_snapshots');
    expect(readOnly).toContain('list_custom_images');
    const allowed = await names({ SWAS_MCP_AUDIT_LOG: 'off', SWAS_MCP_ALLOW_DESTRUCTIVE: 'true' });
    for (const name of ['delete_custom_images', 'delete_snapshots']) {
      const tool = allowed.find((t) => t.name === name);
      expect(tool?.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false, idempotentHint: true });
      // Published inside what OpenAI, Gemini and Anthropic accept (the other tools are checked in third-party-client).
      expect([...providerSchemaProblems(tool!.inputSchema, `${name}.inputSchema`), ...providerSchemaProblems(tool!.outputSchema, `${name}.outputSchema`)]).toEqual([]);
    }
    // Writes before destructive tools, as the registry orders them.
    const order = allowed.map((t) => t.name);
    expect(order.indexOf('delete_custom_images')).toBeGreaterThan(order.indexOf('create_custom_image'));
  });
});

describe('delete_custom_images: consent', () => {
  it('no token: ConfirmationRequired with the plan, nothing sent, nothing in the ledger; with the token: deleted, quota after, ledger intent then outcome', async () => {
    const { stack, ledger } = await start();
    const args = { RegionId: R, ImageIds: [DEMO.blogOldImageId] };
    const first = await call(stack.client, 'delete_custom_images', args);
    expect(first.isError).toBe(true);
    expect(textOf(first)).toMatch(/^ConfirmationRequired: /);
    expect(first.structuredContent!.Error).toMatchObject({ Code: 'ConfirmationRequired', Stage: 'consent' });
    expect(first.structuredContent!.Plan.Details).toEqual([expect.objectContaining({ Action: 'DeleteCustomImages' })]);
    expect(first.structuredContent!.Plan.Irreversible.join(' ')).toContain('gone for good');
    expect(sent(stack)).toBe(0);
    expect(ledgerLines<LedgerLine>(ledger)).toEqual([]);
    const res = await call(stack.client, 'delete_custom_images', { ...args, ConfirmToken: first.structuredContent!.ConfirmToken });

    expect(res.isError, textOf(res)).toBeFalsy();
    const out = res.structuredContent!;
    expect(out.Deleted).toEqual([DEMO.blogOldImageId]);
    // cn-hangzhou: 4 servers (limit 12), 3 own images before, 2 after.
    expect(out.Quota).toEqual({ Limit: 12, Used: 2, Remaining: 10 });
    expect(out.RequestIds).toEqual([expect.objectContaining({ Action: 'DeleteCustomImages', RequestId: expect.any(String) })]);
    expect(out.Unshared).toBeUndefined();
    // The note's wait_for_resources call, taken literally, waits until the image is gone.
    const waitArgs = JSON.parse(/wait_for_resources with (\{.*?\}) to wait/.exec(textOf(res))![1]!) as Record<string, unknown>;
    expect(waitArgs).toEqual({ RegionId: R, ImageIds: [DEMO.blogOldImageId], Until: 'Deleted' });
    const waited = await call(stack.client, 'wait_for_resources', waitArgs);
    expect(waited.isError, textOf(waited)).toBeFalsy();
    expect(waited.structuredContent!.AllDone).toBe(true);
    const del = stack.sim.stats.requests('DeleteCustomImages');
    expect(del).toHaveLength(1);
    expect(JSON.parse(del[0]!.params.ImageIds!)).toEqual([DEMO.blogOldImageId]);
    expect(del[0]!.params.ClientToken).toBe(out.ClientToken);

    const lines = ledgerLines<LedgerLine>(ledger);
    expect(lines.map((l) => `${l.action}:${l.phase}`)).toEqual(['DeleteCustomImages:intent', 'DeleteCustomImages:outcome']);
    expect(lines[1]).toMatchObject({ tool: 'delete_custom_images', ok: true, clientToken: out.ClientToken, resourceIds: [DEMO.blogOldImageId], requestId: out.RequestIds[0].RequestId });
    const raw = readFileSync(ledger, 'utf8');
    for (const secret of [SIM_ACCESS_KEY_SECRET, SIM_ACCESS_KEY_ID, first.structuredContent!.ConfirmToken]) expect(raw).not.toContain(secret);
  });

  it('a token for other arguments, for a state that changed, or expired: ConfirmationRequired again, nothing sent', async () => {
    const { stack, ledger, key } = await start();
    const args = { RegionId: R, ImageIds: [DEMO.archiveImageId], Unshare: true };
    const first = await call(stack.client, 'delete_custom_images', args);
    const token = first.structuredContent!.ConfirmToken as string;
    expect(first.structuredContent!.Error.Code).toBe('ConfirmationRequired');

    // Other arguments: a token for one image does not fit two (WaitForDeleted, which changes no plan, is not bound).
    const other = await call(stack.client, 'delete_custom_images', { ...args, ImageIds: [DEMO.archiveImageId, DEMO.blogOldImageId], ConfirmToken: token });
    expect(other.structuredContent!.Error.Code).toBe('ConfirmationRequired');
    expect(other.structuredContent!.Error.Message).toContain('another tool, other arguments or a state');

    // Expired: the same binding, signed with the server's key 11 minutes ago.
    const payload = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { t: string; a: string; s: string };
    const old = ConsentSigner.fromKey(key).issue({ tool: payload.t, argsDigest: payload.a, stateDigest: payload.s }, Date.now() - 11 * 60_000).token;
    const expired = await call(stack.client, 'delete_custom_images', { ...args, ConfirmToken: old });
    expect(expired.structuredContent!.Error.Code).toBe('ConfirmationRequired');
    expect(expired.structuredContent!.Error.Message).toContain('expired');

    // Stale: the image is shared with an account after the plan was made; the plan now has one more step.
    stack.sim.state.changeShareAccounts(DEMO.archiveImageId, [DEMO.partnerAccountId], []);
    const stale = await call(stack.client, 'delete_custom_images', { ...args, ConfirmToken: token });
    expect(stale.structuredContent!.Error.Code).toBe('ConfirmationRequired');
    expect(stale.structuredContent!.Plan.Details.map((s: { Action: string }) => s.Action)).toEqual(['ModifyImageShareStatus', 'RemoveCustomImageShareAccount', 'DeleteCustomImages']);
    expect(textOf(stale)).toContain(DEMO.partnerAccountId);

    expect(sent(stack)).toBe(0);
    expect(ledgerLines<LedgerLine>(ledger)).toEqual([]);
    expect(stack.sim.state.image(DEMO.archiveImageId)).toMatchObject({ inShare: true });
  });

  it('dry run: checks, plan, the exact requests and a token that the real call accepts; nothing sent, no ledger line', async () => {
    const { stack, ledger } = await start();
    const args = { RegionId: R, ImageIds: [DEMO.archiveImageId], Unshare: true };
    const dry = await call(stack.client, 'delete_custom_images', { ...args, DryRun: true });
    expect(dry.isError, textOf(dry)).toBeFalsy();
    const out = dry.structuredContent!;
    expect(out.DryRun).toBe(true);
    expect(out.Requests.map((r: { Action: string }) => r.Action)).toEqual(['ModifyImageShareStatus', 'DeleteCustomImages']);
    expect(out.Requests[0].Parameters).toMatchObject({ RegionId: R, ImageId: DEMO.archiveImageId, Operation: 'UnShare', ClientToken: expect.stringMatching(/^mcp-/) });
    expect(out.Requests[1].Parameters).toMatchObject({ ImageIds: [DEMO.archiveImageId], ClientToken: out.ClientToken });
    expect(out.Quota).toEqual({ Limit: 12, Used: 2, Remaining: 10 });
    expect(out.Plan.Irreversible.join(' ')).toContain('ECS instances created from "archive-2025"');
    expect(textOf(dry)).toContain(`ModifyImageShareStatus {"RegionId":"${R}","ImageId":"${DEMO.archiveImageId}","Operation":"UnShare"`);
    expect(textOf(dry)).toContain(`Shared ${DEMO.archiveImageId} [ok]`);
    expect(sent(stack)).toBe(0);
    expect(ledgerLines<LedgerLine>(ledger)).toEqual([]);

    const res = await call(stack.client, 'delete_custom_images', { ...args, ConfirmToken: out.ConfirmToken });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent!.Deleted).toEqual([DEMO.archiveImageId]);
    expect(stack.sim.stats.requests('ModifyImageShareStatus')[0]!.params.ClientToken).toBe(out.Requests[0].Parameters.ClientToken);
  });
});

describe('delete_custom_images: preflight', () => {
  it('refuses a shared image, naming ECS or the accounts, and sends nothing', async () => {
    const { stack, ledger } = await start();
    const ecs = await call(stack.client, 'delete_custom_images', { RegionId: R, ImageIds: [DEMO.archiveImageId] });
    expect(ecs.isError).toBe(true);
    expect(ecs.structuredContent!.Error).toMatchObject({ Code: 'CustomImageInShare', Stage: 'preflight' });
    expect(textOf(ecs)).toMatch(/^CustomImageInShare: /);
    expect(textOf(ecs)).toContain('shared to ECS');
    expect(textOf(ecs)).toContain('Unshare true');

    const sg = await call(stack.client, 'delete_custom_images', { RegionId: DEMO.otherRegion, ImageIds: [DEMO.sgImageId] });
    expect(sg.structuredContent!.Error.Code).toBe('CustomImageInShare');
    expect(textOf(sg)).toContain(`account ${DEMO.partnerAccountId}`);
    const failed = sg.structuredContent!.Checks.find((c: { Outcome: string }) => c.Outcome === 'failed');
    expect(failed).toMatchObject({ Name: `Shared ${DEMO.sgImageId}`, Code: 'CustomImageInShare' });

    expect(sent(stack)).toBe(0);
    expect(ledgerLines<LedgerLine>(ledger)).toEqual([]);
  });

  it('Unshare true: unshares from ECS and the accounts, then deletes, in that order on the wire and in the ledger', async () => {
    const { stack, ledger } = await start();
    stack.sim.state.changeShareAccounts(DEMO.archiveImageId, [DEMO.partnerAccountId, '1111222233334444'], []);
    const { first, res } = await confirmed(stack, 'delete_custom_images', { RegionId: R, ImageIds: [DEMO.archiveImageId], Unshare: true });
    expect(first.structuredContent!.Plan.Irreversible.join(' ')).toContain(`${DEMO.partnerAccountId} can no longer create or re-install servers from "archive-2025" (${DEMO.archiveImageId})`);
    expect(res.isError, textOf(res)).toBeFalsy();
    const out = res.structuredContent!;
    expect(out.Unshared).toEqual([{ ImageId: DEMO.archiveImageId, Ecs: true, Accounts: ['1111222233334444', DEMO.partnerAccountId].sort() }]);
    expect(out.Deleted).toEqual([DEMO.archiveImageId]);
    expect(out.RequestIds.map((r: { Action: string }) => r.Action)).toEqual(['ModifyImageShareStatus', 'RemoveCustomImageShareAccount', 'DeleteCustomImages']);
    expect(actionsSent(stack)).toEqual(['ModifyImageShareStatus', 'RemoveCustomImageShareAccount', 'DeleteCustomImages']);
    expect(stack.sim.stats.requests('ModifyImageShareStatus')[0]!.params).toMatchObject({ ImageId: DEMO.archiveImageId, Operation: 'UnShare' });
    const lines = ledgerLines<LedgerLine>(ledger);
    expect(lines.map((l) => `${l.action}:${l.phase}:${l.ok ?? ''}`)).toEqual([
      'ModifyImageShareStatus:intent:', 'ModifyImageShareStatus:outcome:true',
      'RemoveCustomImageShareAccount:intent:', 'RemoveCustomImageShareAccount:outcome:true',
      'DeleteCustomImages:intent:', 'DeleteCustomImages:outcome:true',
    ]);
    // Each request has its own ClientToken, the same in its intent and outcome lines.
    const tokens = lines.map((l) => l.clientToken);
    expect(new Set(tokens).size).toBe(3);
    expect(tokens[0]).toBe(tokens[1]);
    const raw = readFileSync(ledger, 'utf8');
    for (const secret of [SIM_ACCESS_KEY_SECRET, first.structuredContent!.ConfirmToken]) expect(raw).not.toContain(secret);
  });

  it('a failure after an unshare says what was already done; the repeat plans only what is left', async () => {
    const { stack, ledger } = await start();
    stack.sim.state.changeShareAccounts(DEMO.archiveImageId, [DEMO.partnerAccountId], []);
    stack.sim.faults.failNext('RemoveCustomImageShareAccount', 1, { status: 403, code: 'Forbidden.RAM', message: 'User not authorized to operate on the specified resource.' });
    const args = { RegionId: R, ImageIds: [DEMO.archiveImageId], Unshare: true };
    const { res } = await confirmed(stack, 'delete_custom_images', args);
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error.Code).toBe('Forbidden.RAM');
    expect(textOf(res)).toContain('swas-open:RemoveCustomImageShareAccount');
    expect(textOf(res)).toContain('Already done before this failure: ModifyImageShareStatus');
    expect(res.structuredContent!.Unshared).toEqual([{ ImageId: DEMO.archiveImageId, Ecs: true, Accounts: [] }]);
    expect(stack.sim.stats.count('DeleteCustomImages')).toBe(0);
    expect(ledgerLines<LedgerLine>(ledger).map((l) => `${l.action}:${l.phase}:${l.ok ?? ''}`)).toEqual([
      'ModifyImageShareStatus:intent:', 'ModifyImageShareStatus:outcome:true',
      'RemoveCustomImageShareAccount:intent:', 'RemoveCustomImageShareAccount:outcome:false',
    ]);
    const again = await call(stack.client, 'delete_custom_images', args);
    expect(again.structuredContent!.Plan.Details.map((s: { Action: string }) => s.Action)).toEqual(['RemoveCustomImageShareAccount', 'DeleteCustomImages']);
  });

  it('a given ClientToken goes on the delete as is, and, derived with the action, on each unshare', async () => {
    const { stack } = await start();
    const { res } = await confirmed(stack, 'delete_custom_images', { RegionId: R, ImageIds: [DEMO.archiveImageId], Unshare: true, ClientToken: 'my-token-1' });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(stack.sim.stats.requests('DeleteCustomImages')[0]!.params.ClientToken).toBe('my-token-1');
    const unshareToken = stack.sim.stats.requests('ModifyImageShareStatus')[0]!.params.ClientToken;
    expect(unshareToken).toMatch(/^mcp-/);
    expect(res.structuredContent!.RequestIds.map((r: { ClientToken: string }) => r.ClientToken)).toEqual([unshareToken, 'my-token-1']);
  });

  it('refuses an image shared in by another account, naming it, and one that does not exist', async () => {
    const { stack } = await start();
    const shared = await call(stack.client, 'delete_custom_images', { RegionId: R, ImageIds: [DEMO.sharedInImageId], Unshare: true });
    expect(shared.structuredContent!.Error).toMatchObject({ Code: 'ImageNotOwned', Stage: 'preflight' });
    expect(textOf(shared)).toContain(DEMO.sharedInImageId);
    expect(textOf(shared)).toContain(DEMO.partnerAccountId);
    const missing = await call(stack.client, 'delete_custom_images', { RegionId: R, ImageIds: [DEMO.blogOldImageId, 'm-bp1doesnotexist01'] });
    expect(missing.structuredContent!.Error.Code).toBe('InvalidImageId.NotFound');
    expect(textOf(missing)).toContain('m-bp1doesnotexist01');
    expect(textOf(missing)).toContain('list_custom_images');
    expect(sent(stack)).toBe(0);
  });

  it('names the servers created from the image in the plan', async () => {
    const { stack } = await start();
    const m = stack.sim.state.addImage({ name: 'shop-made', instanceId: DEMO.blogServerId, createInstances: [DEMO.shopServerId] });
    const first = await call(stack.client, 'delete_custom_images', { RegionId: R, ImageIds: [m.imageId] });
    expect(first.structuredContent!.CreatedServers).toEqual([{ ImageId: m.imageId, InstanceIds: [DEMO.shopServerId] }]);
    expect(first.structuredContent!.Plan.Irreversible.join(' ')).toContain(`Server "${DEMO.shopServerName}" (${DEMO.shopServerId}), created from "shop-made" (${m.imageId}), can no longer be re-installed`);
  });

  it('rejects more than 15 images and repeated IDs at the schema, before any read', async () => {
    const { stack } = await start();
    const many = Array.from({ length: 16 }, (_, i) => `m-bp1image${String(i).padStart(8, '0')}`);
    const tooMany = await call(stack.client, 'delete_custom_images', { RegionId: R, ImageIds: many });
    expect(tooMany.isError).toBe(true);
    expect(textOf(tooMany)).toContain('at most 15');
    const twice = await call(stack.client, 'delete_custom_images', { RegionId: R, ImageIds: [DEMO.blogOldImageId, DEMO.blogOldImageId] });
    expect(twice.isError).toBe(true);
    expect(stack.sim.stats.count('ListCustomImages')).toBe(0);
  });
});

describe('delete_custom_images: waiting', () => {
  it('WaitForDeleted waits until the images are no longer listed', async () => {
    const { stack } = await start({ sim: { imageDeleteMs: 300 } });
    const progress: Progress[] = [];
    // The token of a dry run without WaitForDeleted fits the call that waits (waiting changes no plan).
    const first = await call(stack.client, 'delete_custom_images', { RegionId: R, ImageIds: [DEMO.blogOldImageId, DEMO.blogImageId], DryRun: true });
    const res = await callWithProgress(stack, 'delete_custom_images',
      { RegionId: R, ImageIds: [DEMO.blogOldImageId, DEMO.blogImageId], WaitForDeleted: true, ConfirmToken: first.structuredContent!.ConfirmToken }, (p) => progress.push(p));
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent!.Gone.sort()).toEqual([DEMO.blogOldImageId, DEMO.blogImageId].sort());
    expect(res.structuredContent!.Quota).toEqual({ Limit: 12, Used: 1, Remaining: 11 });
    expect(textOf(res)).toContain('gone from the list');
    expect(stack.sim.state.image(DEMO.blogOldImageId)).toBeUndefined();
    expect(progress.length).toBeGreaterThanOrEqual(1);
  });

  it('when the wait runs out, the note names wait_for_resources with the IDs and Until "Deleted"', async () => {
    const { stack } = await start({ sim: { imageDeleteMs: 60_000 }, env: { SWAS_MCP_WAIT_TIMEOUT_MS: '300' } });
    const { res } = await confirmed(stack, 'delete_custom_images', { RegionId: R, ImageIds: [DEMO.blogOldImageId], WaitForDeleted: true });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent!.Deleted).toEqual([DEMO.blogOldImageId]);
    expect(res.structuredContent!.Gone).toEqual([]);
    expect(textOf(res)).toContain(`wait_for_resources with {"RegionId":"${R}","ImageIds":["${DEMO.blogOldImageId}"],"Until":"Deleted"}`);
  });
});

describe('delete_snapshots', () => {
  it('refuses a snapshot a custom image was made from, naming the image; nothing sent', async () => {
    const { stack, ledger } = await start();
    const res = await call(stack.client, 'delete_snapshots', { RegionId: R, SnapshotIds: [DEMO.blogDataSnapshotId] });
    expect(res.isError).toBe(true);
    expect(res.structuredContent!.Error).toMatchObject({ Code: 'SnapshotExistCustomImage', Stage: 'preflight' });
    expect(textOf(res)).toMatch(/^SnapshotExistCustomImage: /);
    expect(textOf(res)).toContain(`data snapshot custom image ${DEMO.blogImageId}`);
    expect(textOf(res)).toContain('delete_custom_images');
    expect(textOf(res)).toContain('inferred');
    const sys = await call(stack.client, 'delete_snapshots', { RegionId: R, SnapshotIds: [DEMO.archiveFailedSnapshotId, DEMO.archiveSystemSnapshotId] });
    expect(sys.structuredContent!.Error.Code).toBe('SnapshotExistCustomImage');
    expect(textOf(sys)).toContain(DEMO.archiveImageId);
    expect(stack.sim.stats.count('DeleteSnapshots')).toBe(0);
    expect(ledgerLines<LedgerLine>(ledger)).toEqual([]);
  });

  it('refuses a snapshot that does not exist', async () => {
    const { stack } = await start();
    const res = await call(stack.client, 'delete_snapshots', { RegionId: R, SnapshotIds: ['s-bp1doesnotexist01'] });
    expect(res.structuredContent!.Error.Code).toBe('InvalidSnapshotId.NotFound');
    expect(textOf(res)).toContain('list_snapshots');
    expect(stack.sim.stats.count('DeleteSnapshots')).toBe(0);
  });

  it('deletes after consent: what is left per server, the ledger; a progressing snapshot is warned about, not refused', async () => {
    const { stack, ledger } = await start();
    const args = { RegionId: R, SnapshotIds: [DEMO.archiveFailedSnapshotId, DEMO.archiveProgressingSnapshotId] };
    const dry = await call(stack.client, 'delete_snapshots', { ...args, DryRun: true });
    expect(dry.isError, textOf(dry)).toBeFalsy();
    expect(dry.structuredContent!.Request).toMatchObject({ Action: 'DeleteSnapshots', Parameters: { RegionId: R, SnapshotIds: args.SnapshotIds } });
    expect(dry.structuredContent!.Plan.Irreversible.join(' ')).toContain('rolled back');
    expect(textOf(dry)).toContain(`Request: DeleteSnapshots {"RegionId":"${R}","SnapshotIds":["${DEMO.archiveFailedSnapshotId}","${DEMO.archiveProgressingSnapshotId}"]`);
    expect(dry.structuredContent!.Plan.Steps.join(" ")).toContain(`(${DEMO.archiveProgressingSnapshotId}), a snapshot of the system disk`);
    expect(dry.structuredContent!.Plan.Steps.join(' ')).toContain('still being taken (45%): deleting it stops it');
    expect(stack.sim.stats.count('DeleteSnapshots')).toBe(0);
    expect(ledgerLines<LedgerLine>(ledger)).toEqual([]);

    const { res } = await confirmed(stack, 'delete_snapshots', args);
    expect(res.isError, textOf(res)).toBeFalsy();
    const out = res.structuredContent!;
    expect(out.Deleted).toEqual(args.SnapshotIds);
    expect(out.Left).toEqual([{ InstanceId: DEMO.archiveServerId, SnapshotIds: [DEMO.archiveSystemSnapshotId] }]);
    expect(out.Notes.join(' ')).toContain('Still being taken');
    expect(stack.sim.state.snapshot(DEMO.archiveFailedSnapshotId)).toBeUndefined();
    const req = stack.sim.stats.requests('DeleteSnapshots');
    expect(req).toHaveLength(1);
    expect(JSON.parse(req[0]!.params.SnapshotIds!)).toEqual(args.SnapshotIds);
    expect(ledgerLines<LedgerLine>(ledger).map((l) => `${l.tool}:${l.action}:${l.phase}:${l.ok ?? ''}`)).toEqual([
      'delete_snapshots:DeleteSnapshots:intent:', 'delete_snapshots:DeleteSnapshots:outcome:true',
    ]);
  });

  it('once the images made from a snapshot are gone, the snapshot can be deleted', async () => {
    const { stack } = await start();
    const images = { RegionId: R, ImageIds: [DEMO.blogImageId, DEMO.blogOldImageId], WaitForDeleted: true };
    const { res: deleted } = await confirmed(stack, 'delete_custom_images', images);
    expect(deleted.structuredContent!.Gone).toHaveLength(2);
    const { res } = await confirmed(stack, 'delete_snapshots', { RegionId: R, SnapshotIds: [DEMO.blogSystemSnapshotId, DEMO.blogDataSnapshotId] });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent!.Deleted).toHaveLength(2);
  });
});

describe('a client that declares elicitation', () => {
  /** The server, spoken to by a client that answers the consent form with `confirm`. */
  async function withElicitingClient(answer: 'accept' | 'decline', run: (c: { client: Client; asked: string[]; sim: Awaited<ReturnType<typeof startSimulator>>; ledger: string }) => Promise<void>) {
    const sim = await startSimulator({ imageDeleteMs: 200 });
    const ledger = newLedgerPath();
    const client = testClient('eliciting', { capabilities: { elicitation: { form: {} } } });
    const asked: string[] = [];
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(request.params.message);
      return answer === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: 'decline' };
    });
    const server = await serveInProcess(client, isolatedEnv({ ...SIM_CREDENTIALS, SWAS_ENDPOINT: sim.url, SWAS_MCP_ALLOW_DESTRUCTIVE: 'true', SWAS_MCP_AUDIT_LOG: ledger, SWAS_MCP_CONSENT: 'confirm' }));
    try {
      await run({ client, asked, sim, ledger });
    } finally {
      await server.close();
      await sim.stop();
    }
  }

  it('asks the person with the plan; accepted: deleted, no ConfirmToken needed', async () => {
    await withElicitingClient('accept', async ({ client, asked, sim, ledger }) => {
      const res = await call(client, 'delete_snapshots', { RegionId: R, SnapshotIds: [DEMO.archiveFailedSnapshotId] });
      expect(res.isError, textOf(res)).toBeFalsy();
      expect(res.structuredContent!.Deleted).toEqual([DEMO.archiveFailedSnapshotId]);
      expect(asked).toHaveLength(1);
      expect(asked[0]).toContain(DEMO.archiveFailedSnapshotId);
      expect(asked[0]).toContain('Cannot be undone');
      expect(sim.stats.count('DeleteSnapshots')).toBe(1);
      expect(ledgerLines<LedgerLine>(ledger).map((l) => l.phase)).toEqual(['intent', 'outcome']);
    });
  });

  it('declined: DeclinedByUser, nothing sent, nothing in the ledger', async () => {
    await withElicitingClient('decline', async ({ client, asked, sim, ledger }) => {
      const res = await call(client, 'delete_custom_images', { RegionId: R, ImageIds: [DEMO.blogOldImageId] });
      expect(res.isError).toBe(true);
      expect(res.structuredContent!.Error).toMatchObject({ Code: 'DeclinedByUser', Stage: 'consent' });
      expect(asked[0]).toContain(DEMO.blogOldImageId);
      expect(sim.stats.count('DeleteCustomImages')).toBe(0);
      expect(ledgerLines<LedgerLine>(ledger)).toEqual([]);
    });
  });
});
