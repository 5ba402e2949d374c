// share_custom_image and tag_custom_images: the server in-process against the simulator on loopback,
// simulator, a client without elicitation (the ConfirmToken path), and the audit ledger in a file.
import { writeFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { call, isolatedEnv, SIM_CREDENTIALS, textOf, type Stack, type ToolResult, ledgerLines, newLedgerPath } from '../helpers/stack.js';
import { serveInProcess, startToolStack } from '../helpers/in-process.js';
import { testClient } from '../helpers/test-client.js';

const R = DEMO.region;
const PARTNER = DEMO.partnerAccountId;
const ledgerPath = newLedgerPath();
let stack: Stack;

beforeAll(async () => { stack = await startToolStack({ env: { SWAS_MCP_AUDIT_LOG: ledgerPath, SWAS_MCP_CONSENT: 'confirm' } }); });
afterAll(async () => { await stack?.close(); });
beforeEach(() => {
  stack.sim.faults.clear();
  stack.sim.stats.reset();
  writeFileSync(ledgerPath, '');
});

interface LedgerLine { tool: string; action: string; phase: string; resourceIds: string[]; clientToken?: string; requestId?: string; ok?: boolean }
const ledger = (): LedgerLine[] => ledgerLines<LedgerLine>(ledgerPath);

const WRITES = ['ModifyImageShareStatus', 'AddCustomImageShareAccount', 'RemoveCustomImageShareAccount', 'TagResources', 'UntagResources'];
const writesSent = () => WRITES.reduce((n, a) => n + stack.sim.stats.count(a), 0);

let serial = 0;
/** A fresh Available image of the demo account (shop-server has none), so tests do not share state. */
function freshImage(extra: { inShare?: boolean; shareAccounts?: string[]; tags?: { key: string; value: string }[]; status?: '1' | '4' } = {}): string {
  serial += 1;
  return stack.sim.state.addImage({ name: `share-tag-e2e-${serial}`, instanceId: DEMO.shopServerId, ...extra }).imageId;
}

function expectCode(res: ToolResult, code: string, stage: string) {
  expect(res.isError, textOf(res)).toBe(true);
  expect(textOf(res).startsWith(`${code}: `), textOf(res)).toBe(true);
  expect(res.structuredContent!.Error).toMatchObject({ Code: code, Stage: stage });
}

describe('share_custom_image: sharing to ECS stays in the account and needs no consent', () => {
  it('shares to ECS at once: sent once, the ledger has intent and outcome, the result reads the state back', async () => {
    const id = freshImage();
    const res = await call(stack.client, 'share_custom_image', { RegionId: R, ImageId: id, Operation: 'Share', Ecs: true });
    expect(res.isError, textOf(res)).toBeFalsy();
    const out = res.structuredContent!;
    expect(out.ConfirmToken).toBeUndefined();
    expect(out).toMatchObject({ Changed: true, SharedToEcs: true, SharedWithAccounts: [] });
    expect(out.Sent).toEqual([expect.objectContaining({ Action: 'ModifyImageShareStatus', RequestId: expect.any(String) })]);
    expect(stack.sim.stats.count('ModifyImageShareStatus')).toBe(1);
    expect(stack.sim.state.image(id)!.inShare).toBe(true);
    const sent = stack.sim.stats.requests('ModifyImageShareStatus')[0]!;
    expect(sent.params).toMatchObject({ ImageId: id, Operation: 'Share', ClientToken: out.Sent[0].ClientToken });
    const lines = ledger();
    expect(lines.map((l) => `${l.action}:${l.phase}`)).toEqual(['ModifyImageShareStatus:intent', 'ModifyImageShareStatus:outcome']);
    expect(lines[1]).toMatchObject({ tool: 'share_custom_image', ok: true, requestId: out.Sent[0].RequestId, resourceIds: [id], clientToken: out.Sent[0].ClientToken });
    expect(textOf(res)).toContain('shared to ECS: yes');
  });

  it('a dry run shows the plan in words and the exact request, no token; nothing sent, ledger empty', async () => {
    const id = freshImage();
    const res = await call(stack.client, 'share_custom_image', { RegionId: R, ImageId: id, Operation: 'Share', Ecs: true, DryRun: true });
    expect(res.isError, textOf(res)).toBeFalsy();
    const out = res.structuredContent!;
    expect(out.ConfirmToken).toBeUndefined();
    expect(out.Plan.Details).toEqual([expect.objectContaining({ Action: 'ModifyImageShareStatus' })]);
    expect(out.Plan.Steps[0]).toContain('kept if server "shop-server"');
    expect(out.Plan.Steps[0]).toContain('Nothing leaves the account');
    expect(out.Requests).toEqual([expect.objectContaining({ Action: 'ModifyImageShareStatus', Parameters: expect.objectContaining({ ImageId: id, Operation: 'Share' }) })]);
    expect(out).toMatchObject({ DryRun: true, SharedToEcs: true });
    expect(textOf(res)).toContain('no consent is needed');
    expect(writesSent()).toBe(0);
    expect(ledger()).toEqual([]);
    expect(stack.sim.state.image(id)!.inShare).toBe(false);
  });

  it('unsharing from ECS goes ahead too, and says what it breaks', async () => {
    const id = freshImage({ inShare: true });
    const res = await call(stack.client, 'share_custom_image', { RegionId: R, ImageId: id, Operation: 'UnShare', Ecs: true });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent).toMatchObject({ Changed: true, SharedToEcs: false });
    expect(res.structuredContent!.Notes.join(' ')).toContain('re-initialise');
    expect(stack.sim.stats.requests('ModifyImageShareStatus')[0]!.params.Operation).toBe('UnShare');
  });
});

describe('share_custom_image: sharing with other accounts needs consent (ConfirmToken)', () => {
  it('without a token: ConfirmationRequired with the plan in words, the requests and a token; nothing sent, ledger empty', async () => {
    const id = freshImage();
    const res = await call(stack.client, 'share_custom_image', { RegionId: R, ImageId: id, Operation: 'Share', Accounts: [PARTNER] });
    expectCode(res, 'ConfirmationRequired', 'consent');
    const out = res.structuredContent!;
    expect(out.ConfirmToken).toEqual(expect.any(String));
    expect(out.Plan.Summary).toMatch(new RegExp(`^Share the custom image "share-tag-e2e-\\d+" \\(${id}\\) with account ${PARTNER} \\(another Alibaba Cloud account\\)`));
    expect(out.Plan.Details).toEqual([expect.objectContaining({ Action: 'AddCustomImageShareAccount' })]);
    expect(out.Plan.Steps.join(' ')).not.toContain('AddCustomImageShareAccount');
    expect(out.Requests).toEqual([expect.objectContaining({ Action: 'AddCustomImageShareAccount', Parameters: expect.objectContaining({ ImageId: id, Accounts: [PARTNER] }) })]);
    expect(textOf(res)).toContain(out.ConfirmToken);
    expect(writesSent()).toBe(0);
    expect(ledger()).toEqual([]);
    const again = await call(stack.client, 'share_custom_image', { RegionId: R, ImageId: id, Operation: 'Share', Accounts: [PARTNER], ConfirmToken: out.ConfirmToken });
    expect(again.isError, textOf(again)).toBeFalsy();
    expect(stack.sim.stats.count('AddCustomImageShareAccount')).toBe(1);
  });

  it('a token issued for other arguments is refused: ConfirmationRequired again, nothing sent', async () => {
    const a = freshImage();
    const b = freshImage();
    const first = await call(stack.client, 'share_custom_image', { RegionId: R, ImageId: a, Operation: 'Share', Accounts: [PARTNER] });
    const res = await call(stack.client, 'share_custom_image', { RegionId: R, ImageId: b, Operation: 'Share', Accounts: [PARTNER], ConfirmToken: first.structuredContent!.ConfirmToken });
    expectCode(res, 'ConfirmationRequired', 'consent');
    expect(res.structuredContent!.ConfirmToken).not.toBe(first.structuredContent!.ConfirmToken);
    expect(writesSent()).toBe(0);
    expect(ledger()).toEqual([]);
  });

  it('a state change between plan and token (someone shares meanwhile) makes a new plan: nothing sent', async () => {
    const id = freshImage();
    const args = { RegionId: R, ImageId: id, Operation: 'Share', Accounts: ['1111222233334444'] };
    const first = await call(stack.client, 'share_custom_image', args);
    expectCode(first, 'ConfirmationRequired', 'consent');
    stack.sim.state.changeShareAccounts(id, ['5555666677778888'], []);
    const res = await call(stack.client, 'share_custom_image', { ...args, ConfirmToken: first.structuredContent!.ConfirmToken });
    expectCode(res, 'ConfirmationRequired', 'consent');
    expect(textOf(res)).toContain('state that has changed');
    expect(writesSent()).toBe(0);
    expect(ledger()).toEqual([]);
  });

  it('dry run: the plan, the exact requests and a token; nothing sent, ledger empty; the token then works', async () => {
    const id = freshImage();
    const args = { RegionId: R, ImageId: id, Operation: 'Share', Ecs: true, Accounts: [PARTNER] };
    const dry = await call(stack.client, 'share_custom_image', { ...args, DryRun: true });
    expect(dry.isError, textOf(dry)).toBeFalsy();
    const out = dry.structuredContent!;
    expect(out.DryRun).toBe(true);
    expect(out.Requests.map((r: { Action: string }) => r.Action)).toEqual(['ModifyImageShareStatus', 'AddCustomImageShareAccount']);
    expect(out.Requests[1].Parameters).toMatchObject({ ImageId: id, Accounts: [PARTNER] });
    expect(new Set(out.Requests.map((r: { Parameters: { ClientToken: string } }) => r.Parameters.ClientToken)).size).toBe(2);
    expect(out.Plan.Irreversible.join(' ')).toContain(PARTNER);
    expect(out.Plan.Steps[1]).toContain('data disk in the image is not shared');
    expect(out).toMatchObject({ SharedToEcs: true, SharedWithAccounts: [PARTNER] });
    expect(writesSent()).toBe(0);
    expect(ledger()).toEqual([]);

    const real = await call(stack.client, 'share_custom_image', { ...args, ConfirmToken: out.ConfirmToken });
    expect(real.isError, textOf(real)).toBeFalsy();
    expect(real.structuredContent!.Sent.map((s: { Action: string }) => s.Action)).toEqual(['ModifyImageShareStatus', 'AddCustomImageShareAccount']);
    // The requests carry the ClientTokens the dry run showed.
    expect(real.structuredContent!.Sent.map((s: { ClientToken: string }) => s.ClientToken)).toEqual(out.Requests.map((r: { Parameters: { ClientToken: string } }) => r.Parameters.ClientToken));
    expect(stack.sim.state.image(id)!.shareAccounts.map((a) => a.userId)).toEqual([PARTNER]);
    expect(ledger().map((l) => `${l.action}:${l.phase}`)).toEqual([
      'ModifyImageShareStatus:intent', 'ModifyImageShareStatus:outcome', 'AddCustomImageShareAccount:intent', 'AddCustomImageShareAccount:outcome',
    ]);
  });
});

describe('share_custom_image: ClientToken', () => {
  it('a given ClientToken yields one token a request, derived from it and the action; a repeat sends nothing new', async () => {
    const id = freshImage();
    const args = { RegionId: R, ImageId: id, Operation: 'Share', Ecs: true, Accounts: [PARTNER], ClientToken: 'my-share-1' };
    const dry = await call(stack.client, 'share_custom_image', { ...args, DryRun: true });
    const tokens = dry.structuredContent!.Requests.map((r: { Parameters: { ClientToken: string } }) => r.Parameters.ClientToken);
    expect(new Set(tokens).size).toBe(2);
    expect(tokens).not.toContain('my-share-1');
    const plain = await call(stack.client, 'share_custom_image', { ...args, ClientToken: undefined, DryRun: true });
    expect(plain.structuredContent!.Requests.map((r: { Parameters: { ClientToken: string } }) => r.Parameters.ClientToken)).not.toEqual(tokens);
    const res = await call(stack.client, 'share_custom_image', { ...args, ConfirmToken: dry.structuredContent!.ConfirmToken });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(stack.sim.stats.requests().filter((r) => WRITES.includes(r.action)).map((r) => r.params.ClientToken)).toEqual(tokens);
  });
});

describe('share_custom_image: a failure half way', () => {
  it('the ECS share went through, the account share was refused: the answer says which, the ledger has both outcomes, a repeat sends only the rest', async () => {
    const id = freshImage();
    const args = { RegionId: R, ImageId: id, Operation: 'Share', Ecs: true, Accounts: [PARTNER] };
    stack.sim.faults.add({ action: 'AddCustomImageShareAccount', kind: 'error', status: 403, code: 'Forbidden.RAM', times: 1 });
    const first = await call(stack.client, 'share_custom_image', args);
    const res = await call(stack.client, 'share_custom_image', { ...args, ConfirmToken: first.structuredContent!.ConfirmToken });
    expectCode(res, 'Forbidden.RAM', 'api');
    expect(res.structuredContent!.Sent.map((s: { Action: string }) => s.Action)).toEqual(['ModifyImageShareStatus']);
    expect(res.structuredContent!.Notes.join(' ')).toContain('sends only what is still left');
    expect(ledger().map((l) => `${l.action}:${l.phase}:${l.ok}`)).toEqual([
      'ModifyImageShareStatus:intent:undefined', 'ModifyImageShareStatus:outcome:true',
      'AddCustomImageShareAccount:intent:undefined', 'AddCustomImageShareAccount:outcome:false',
    ]);
    // The state changed (ECS is shared now): a new plan, for the account part only.
    const again = await call(stack.client, 'share_custom_image', args);
    expectCode(again, 'ConfirmationRequired', 'consent');
    expect(again.structuredContent!.Requests.map((r: { Action: string }) => r.Action)).toEqual(['AddCustomImageShareAccount']);
  });
});

describe('share_custom_image: preflight', () => {
  it('more than 10 accounts after adding: ShareAccountLimitExceeded, nothing sent', async () => {
    const nine = Array.from({ length: 9 }, (_, i) => `20000000000000${10 + i}`);
    const id = freshImage({ shareAccounts: nine });
    const res = await call(stack.client, 'share_custom_image', { RegionId: R, ImageId: id, Operation: 'Share', Accounts: ['3000000000000001', '3000000000000002'] });
    expectCode(res, 'ShareAccountLimitExceeded', 'preflight');
    expect(res.structuredContent!.Checks).toEqual(expect.arrayContaining([expect.objectContaining({ Name: 'ShareAccountLimit', Outcome: 'failed' })]));
    expect(writesSent()).toBe(0);
    expect(ledger()).toEqual([]);
  });

  it('already shared: Changed false, nothing sent, no consent asked', async () => {
    const id = freshImage({ inShare: true, shareAccounts: [PARTNER] });
    const res = await call(stack.client, 'share_custom_image', { RegionId: R, ImageId: id, Operation: 'Share', Ecs: true, Accounts: [PARTNER] });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent).toMatchObject({ Changed: false, SharedToEcs: true, SharedWithAccounts: [PARTNER] });
    expect(textOf(res)).toContain('already as asked');
    expect(writesSent()).toBe(0);
  });

  it('only what is left is planned: an account already shared with is not sent again', async () => {
    const id = freshImage({ shareAccounts: [PARTNER] });
    const res = await call(stack.client, 'share_custom_image', { RegionId: R, ImageId: id, Operation: 'Share', Accounts: [PARTNER, '4000000000000004'], DryRun: true });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent!.Requests).toHaveLength(1);
    expect(res.structuredContent!.Requests[0].Parameters.Accounts).toEqual(['4000000000000004']);
  });

  it('an image shared in by another account is refused with ImageNotOwned, nothing sent', async () => {
    const res = await call(stack.client, 'share_custom_image', { RegionId: R, ImageId: DEMO.sharedInImageId, Operation: 'Share', Ecs: true });
    expectCode(res, 'ImageNotOwned', 'preflight');
    expect(textOf(res)).toContain(PARTNER);
    expect(writesSent()).toBe(0);
  });

  it('an image that is not Available cannot be shared: ImageNotAvailable', async () => {
    const id = freshImage({ status: '4' });
    const res = await call(stack.client, 'share_custom_image', { RegionId: R, ImageId: id, Operation: 'Share', Ecs: true });
    expectCode(res, 'ImageNotAvailable', 'preflight');
    expect(writesSent()).toBe(0);
  });

  it('an unknown image: InvalidImageId.NotFound', async () => {
    const res = await call(stack.client, 'share_custom_image', { RegionId: R, ImageId: 'm-bp1doesnotexist0001', Operation: 'Share', Ecs: true });
    expectCode(res, 'InvalidImageId.NotFound', 'preflight');
    expect(writesSent()).toBe(0);
  });
});

describe('share_custom_image: UnShare', () => {
  it('unshares from ECS and from an account after consent (an account is involved); the plan says what breaks', async () => {
    const id = freshImage({ inShare: true, shareAccounts: [PARTNER, '4000000000000004'] });
    const args = { RegionId: R, ImageId: id, Operation: 'UnShare', Ecs: true, Accounts: [PARTNER] };
    const first = await call(stack.client, 'share_custom_image', args);
    expectCode(first, 'ConfirmationRequired', 'consent');
    expect(first.structuredContent!.Plan.Warnings.join(' ')).toContain('re-initialise');
    const res = await call(stack.client, 'share_custom_image', { ...args, ConfirmToken: first.structuredContent!.ConfirmToken });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent).toMatchObject({ Changed: true, SharedToEcs: false, SharedWithAccounts: ['4000000000000004'] });
    expect(stack.sim.stats.count('ModifyImageShareStatus')).toBe(1);
    expect(stack.sim.stats.count('RemoveCustomImageShareAccount')).toBe(1);
    expect(stack.sim.stats.requests('ModifyImageShareStatus')[0]!.params.Operation).toBe('UnShare');
  });

  it('unsharing what is not shared: Changed false, nothing sent', async () => {
    const id = freshImage();
    const res = await call(stack.client, 'share_custom_image', { RegionId: R, ImageId: id, Operation: 'UnShare', Ecs: true, Accounts: [PARTNER] });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent!.Changed).toBe(false);
    expect(writesSent()).toBe(0);
  });
});

describe('tag_custom_images', () => {
  it('adds tags without consent; the result reads the tags back', async () => {
    const a = freshImage({ tags: [{ key: 'app', value: 'shop' }] });
    const b = freshImage();
    const res = await call(stack.client, 'tag_custom_images', { RegionId: R, ImageIds: [a, b], Tag: [{ Key: 'env', Value: 'prod' }] });
    expect(res.isError, textOf(res)).toBeFalsy();
    const out = res.structuredContent!;
    expect(out.Changed).toBe(true);
    expect(out.Images).toEqual([
      { ImageId: a, ImageName: expect.any(String), Tags: [{ Key: 'app', Value: 'shop' }, { Key: 'env', Value: 'prod' }] },
      { ImageId: b, ImageName: expect.any(String), Tags: [{ Key: 'env', Value: 'prod' }] },
    ]);
    expect(stack.sim.stats.count('TagResources')).toBe(1);
    expect(stack.sim.stats.requests('TagResources')[0]!.params).toMatchObject({ ResourceType: 'customimage', 'ResourceId.1': a, 'ResourceId.2': b });
    expect(stack.sim.state.image(b)!.tags).toEqual([{ key: 'env', value: 'prod' }]);
    expect(ledger().map((l) => `${l.action}:${l.phase}`)).toEqual(['TagResources:intent', 'TagResources:outcome']);
  });

  it('overwriting a value asks for consent (nothing sent), then the token carries it out', async () => {
    const id = freshImage({ tags: [{ key: 'env', value: 'staging' }] });
    const args = { RegionId: R, ImageIds: [id], Tag: [{ Key: 'env', Value: 'prod' }] };
    const first = await call(stack.client, 'tag_custom_images', args);
    expectCode(first, 'ConfirmationRequired', 'consent');
    expect(first.structuredContent!.Changes[0].Overwritten).toEqual([{ Key: 'env', From: 'staging', To: 'prod' }]);
    expect(first.structuredContent!.Plan.Irreversible.join(' ')).toContain('staging');
    expect(writesSent()).toBe(0);
    expect(ledger()).toEqual([]);
    const res = await call(stack.client, 'tag_custom_images', { ...args, ConfirmToken: first.structuredContent!.ConfirmToken });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent!.Images[0].Tags).toEqual([{ Key: 'env', Value: 'prod' }]);
    expect(stack.sim.stats.count('TagResources')).toBe(1);
  });

  it('removing an existing tag asks for consent; with it, UntagResources goes first and the tags are read back', async () => {
    const id = freshImage({ tags: [{ key: 'env', value: 'prod' }, { key: 'old', value: 'x' }] });
    const args = { RegionId: R, ImageIds: [id], Tag: [{ Key: 'team', Value: 'web' }], RemoveTagKeys: ['old', 'absent'] };
    const first = await call(stack.client, 'tag_custom_images', args);
    expectCode(first, 'ConfirmationRequired', 'consent');
    expect(first.structuredContent!.Requests.map((r: { Action: string }) => r.Action)).toEqual(['UntagResources', 'TagResources']);
    // Only the key some image has is sent.
    expect(first.structuredContent!.Requests[0].Parameters.TagKeys).toEqual(['old']);
    const res = await call(stack.client, 'tag_custom_images', { ...args, ConfirmToken: first.structuredContent!.ConfirmToken });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent!.Images[0].Tags).toEqual([{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'web' }]);
    expect(stack.sim.stats.requests().filter((r) => WRITES.includes(r.action)).map((r) => r.action)).toEqual(['UntagResources', 'TagResources']);
  });

  it('tags already as asked: Changed false, nothing sent', async () => {
    const id = freshImage({ tags: [{ key: 'env', value: 'prod' }] });
    const res = await call(stack.client, 'tag_custom_images', { RegionId: R, ImageIds: [id], Tag: [{ Key: 'env', Value: 'prod' }], RemoveTagKeys: ['absent'] });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent!.Changed).toBe(false);
    expect(writesSent()).toBe(0);
  });

  it('dry run of plain additions: the request and the tags as they would become, nothing sent, no token', async () => {
    const id = freshImage();
    const res = await call(stack.client, 'tag_custom_images', { RegionId: R, ImageIds: [id], Tag: [{ Key: 'env', Value: 'prod' }], DryRun: true });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(res.structuredContent!.Requests[0]).toMatchObject({ Action: 'TagResources', Parameters: { ResourceIds: [id], ResourceType: 'customimage' } });
    expect(res.structuredContent!.Images[0].Tags).toEqual([{ Key: 'env', Value: 'prod' }]);
    expect(res.structuredContent!.ConfirmToken).toBeUndefined();
    expect(writesSent()).toBe(0);
    expect(ledger()).toEqual([]);
  });

  it('a shared-in image is refused (ImageNotOwned), an unknown one too (InvalidImageId.NotFound); nothing sent', async () => {
    const own = freshImage();
    const res = await call(stack.client, 'tag_custom_images', { RegionId: R, ImageIds: [own, DEMO.sharedInImageId], Tag: [{ Key: 'env', Value: 'prod' }] });
    expectCode(res, 'ImageNotOwned', 'preflight');
    const missing = await call(stack.client, 'tag_custom_images', { RegionId: R, ImageIds: [own, 'm-bp1doesnotexist0002'], Tag: [{ Key: 'env', Value: 'prod' }] });
    expectCode(missing, 'InvalidImageId.NotFound', 'preflight');
    expect(textOf(missing)).toContain('m-bp1doesnotexist0002');
    expect(writesSent()).toBe(0);
  });

  it('more than 20 tags after the change: InvalidParam.TagCount, nothing sent', async () => {
    const id = freshImage({ tags: Array.from({ length: 19 }, (_, i) => ({ key: `k${i}`, value: 'v' })) });
    const res = await call(stack.client, 'tag_custom_images', { RegionId: R, ImageIds: [id], Tag: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] });
    expectCode(res, 'InvalidParam.TagCount', 'preflight');
    expect(writesSent()).toBe(0);
  });
});

describe('share_custom_image with a client that can ask the person (elicitation)', () => {
  type Answer = { action: 'accept'; content: { confirm: boolean } } | { action: 'decline' | 'cancel' };
  let answer: Answer = { action: 'decline' };
  const asked: string[] = [];
  let client: Client;
  let server: Awaited<ReturnType<typeof serveInProcess>>;

  beforeAll(async () => {
    client = testClient('e2e-elicit', { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(request.params.message);
      return answer;
    });
    server = await serveInProcess(client, isolatedEnv({ ...SIM_CREDENTIALS, SWAS_ENDPOINT: stack.sim.url, ALIBABA_CLOUD_REGION_ID: R, SWAS_MCP_AUDIT_LOG: ledgerPath, SWAS_MCP_CONSENT: 'confirm' }));
  });
  afterAll(async () => { await server?.close(); });
  beforeEach(() => { asked.length = 0; });

  it('asks with the plan; accepted, it sends once', async () => {
    const id = freshImage();
    answer = { action: 'accept', content: { confirm: true } };
    const res = await call(client, 'share_custom_image', { RegionId: R, ImageId: id, Operation: 'Share', Accounts: [PARTNER] });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain(`AddCustomImageShareAccount ${id}`);
    expect(asked[0]).toContain('Cannot be undone:');
    expect(stack.sim.stats.count('AddCustomImageShareAccount')).toBe(1);
    expect(stack.sim.state.image(id)!.shareAccounts.map((a) => a.userId)).toEqual([PARTNER]);
  });

  it.each(['decline', 'cancel'] as const)('%s: DeclinedByUser, nothing sent, ledger empty', async (action) => {
    const id = freshImage({ shareAccounts: [PARTNER] });
    answer = { action };
    const res = await call(client, 'share_custom_image', { RegionId: R, ImageId: id, Operation: 'UnShare', Accounts: [PARTNER] });
    expectCode(res, 'DeclinedByUser', 'consent');
    expect(asked).toHaveLength(1);
    expect(writesSent()).toBe(0);
    expect(ledger()).toEqual([]);
    expect(stack.sim.state.image(id)!.shareAccounts.map((a) => a.userId)).toEqual([PARTNER]);
  });
});

describe('bad input: a clear error naming the field, nothing sent', () => {
  const cases: [string, string, Record<string, unknown>, string][] = [
    ['Accounts not digits', 'share_custom_image', { RegionId: R, ImageId: DEMO.blogImageId, Operation: 'Share', Accounts: ['partner-corp'] }, 'Accounts'],
    ['neither Ecs nor Accounts', 'share_custom_image', { RegionId: R, ImageId: DEMO.blogImageId, Operation: 'Share' }, 'Ecs'],
    ['repeated Accounts', 'share_custom_image', { RegionId: R, ImageId: DEMO.blogImageId, Operation: 'Share', Accounts: [PARTNER, PARTNER] }, 'Accounts'],
    ['more than 50 ImageIds', 'tag_custom_images', { RegionId: R, ImageIds: Array.from({ length: 51 }, (_, i) => `m-bp1x${i}`), Tag: [{ Key: 'a', Value: 'b' }] }, 'ImageIds'],
    ['neither Tag nor RemoveTagKeys', 'tag_custom_images', { RegionId: R, ImageIds: [DEMO.blogImageId] }, 'Tag'],
    ['an empty Tag', 'tag_custom_images', { RegionId: R, ImageIds: [DEMO.blogImageId], Tag: [] }, 'Tag must hold 1 to 20'],
    ['ImageIds not m-… IDs', 'tag_custom_images', { RegionId: R, ImageIds: ['blog-base-2026'], Tag: [{ Key: 'a', Value: 'b' }] }, 'ImageIds'],
    ['a key both added and removed', 'tag_custom_images', { RegionId: R, ImageIds: [DEMO.blogImageId], Tag: [{ Key: 'a', Value: 'b' }], RemoveTagKeys: ['a'] }, 'RemoveTagKeys'],
  ];
  for (const [what, tool, args, field] of cases) {
    it(`${tool}: ${what}`, async () => {
      const res = await call(stack.client, tool, args);
      expect(res.isError).toBe(true);
      expect(textOf(res)).toContain(field);
      expect(stack.sim.stats.requests()).toEqual([]);
    });
  }
});

describe('tag_custom_images, an image gone before the read-back', () => {
  it('is unknown, not "changed nothing": no Applied false, no not-applied line, a note naming it', async () => {
    const id = freshImage();
    // The image is deleted by someone else right after TagResources is answered, before the read-back.
    const record = stack.sim.stats.record.bind(stack.sim.stats);
    stack.sim.stats.record = (entry) => { record(entry); if (entry.action === 'TagResources') stack.sim.state.removeImage(id); };
    try {
      const res = await call(stack.client, 'tag_custom_images', { RegionId: R, ImageIds: [id], Tag: [{ Key: 'env', Value: 'prod' }] });
      expect(res.isError, textOf(res)).toBeFalsy();
      expect(stack.sim.stats.count('TagResources')).toBe(1);
      const out = res.structuredContent!;
      expect(out.Sent).toEqual([expect.not.objectContaining({ Applied: expect.anything() as unknown })]);
      expect(out.Changed).toBeUndefined();
      expect(out.Notes.join(' ')).toContain(`${id} could not be read back`);
      expect(textOf(res)).not.toContain('changed nothing');
      expect(textOf(res)).not.toContain('Not done');
      expect(textOf(res)).toContain('Whether the tags changed is not known');
      expect(ledger().filter((l) => l.action === 'TagResources').map((l) => [l.phase, l.ok])).toEqual([['intent', undefined], ['outcome', true]]);
    } finally {
      stack.sim.stats.record = record;
    }
  });
});

describe('share_custom_image, its image gone before the read-back', () => {
  it('is unknown, not "Shared": no Changed, no share state claimed, a note naming it', async () => {
    const id = freshImage();
    const record = stack.sim.stats.record.bind(stack.sim.stats);
    stack.sim.stats.record = (entry) => { record(entry); if (entry.action === 'ModifyImageShareStatus') stack.sim.state.removeImage(id); };
    try {
      const res = await call(stack.client, 'share_custom_image', { RegionId: R, ImageId: id, Operation: 'Share', Ecs: true });
      expect(res.isError, textOf(res)).toBeFalsy();
      expect(stack.sim.stats.count('ModifyImageShareStatus')).toBe(1);
      const out = res.structuredContent!;
      expect(out.Changed).toBeUndefined();
      expect(out.SharedToEcs).toBeUndefined();
      expect(out.Notes.join(' ')).toContain(`${id} could not be read back`);
      expect(textOf(res)).toContain('Whether the share state changed is not known');
      expect(textOf(res)).not.toMatch(/^Shared image/m);
    } finally {
      stack.sim.stats.record = record;
    }
  });
});
