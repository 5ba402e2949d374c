import type { CallToolResult, Client, ClientCapabilities } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { APP_MIME_TYPE, DECIDE_PLAN_TOOL, PLAN_VIEW_URI, UI_EXTENSION } from '../../src/consent/index.js';
import { toolsTable } from '../../src/docs/generate.js';
import { decidePlanTool } from '../../src/tools/decide-plan.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import type { ToolDefinition } from '../../src/tools/registry.js';
import { countTools } from '../../bench/tokens.mjs';
import { humanHarness, type ClientKind, type HumanHarness } from '../helpers/human.js';

/**
 * The `app` consent channel: a host that renders MCP Apps shows the plan view, whose buttons call
 * the app-only decide_plan. The model is played by the test calling the write tools; the person
 * by the test calling decide_plan as the view does (through the same client: the server cannot
 * tell them apart, which is why the tool is offered only to hosts that render views).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Result = CallToolResult & { structuredContent?: Record<string, any> };

let h: HumanHarness | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

const UI_HOST: ClientCapabilities = { extensions: { [UI_EXTENSION]: { mimeTypes: [APP_MIME_TYPE] } } } as ClientCapabilities;
const del = { RegionId: DEMO.region, ImageIds: [DEMO.blogOldImageId] };
const call = async (c: Client, name: string, args: Record<string, unknown>) => (await c.callTool({ name, arguments: args })) as Result;
const text = (r: Result) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
const code = (r: Result) => r.structuredContent?.Error?.Code as string | undefined;
const intents = (x: HumanHarness) => x.ledger().filter((l) => l.phase === 'intent');

describe('a host that renders MCP Apps: the plan view decides', () => {
  it('a purchase is approved in the view and carried out once when the call continues with its ApprovalId', async () => {
    h = await humanHarness({ SWAS_MCP_ALLOW_PURCHASE: 'true' });
    const c = await h.connect('modern', UI_HOST);
    const order = { RegionId: DEMO.region, ImageId: DEMO.blogOldImageId, PlanId: 'swas.s2.c2m2s50b4t08', Period: 1, Amount: 1 };
    const first = await call(c, 'create_servers_from_image', order);
    expect(code(first)).toBe('AwaitingApproval');
    const id = first.structuredContent?.ApprovalId as string;
    expect((await call(c, DECIDE_PLAN_TOOL, { ApprovalId: id, Decision: 'approve' })).isError).toBeFalsy();
    const done = await call(c, 'create_servers_from_image', { ...order, ApprovalId: id });
    expect(done.isError, text(done)).toBeFalsy();
    expect(h.mutations()).toEqual(['CreateInstances']);
    expect(intents(h)[0]?.consent).toEqual({ channel: 'app' });
  });

  it.each<ClientKind>(['legacy', 'modern'])('%s: Approve in the view, the continued call deletes once, the ledger says app', async (kind) => {
    h = await humanHarness();
    const c = await h.connect(kind, UI_HOST);

    const listed = (await c.listTools()).tools;
    const decide = listed.find((t) => t.name === DECIDE_PLAN_TOOL);
    expect(decide?._meta).toEqual({ ui: { visibility: ['app'] } });
    const delTool = listed.find((t) => t.name === 'delete_custom_images');
    expect(delTool?._meta).toEqual({ ui: { resourceUri: PLAN_VIEW_URI }, 'ui/resourceUri': PLAN_VIEW_URI });

    const first = await call(c, 'delete_custom_images', del);
    expect(code(first)).toBe('AwaitingApproval');
    const id = first.structuredContent?.ApprovalId as string;
    expect(first.structuredContent).toMatchObject({ ApprovalInView: true, Plan: { Irreversible: [expect.stringContaining(DEMO.blogOldImageId)] } });
    expect(first.structuredContent?.ApprovalUrl).toBeUndefined();
    expect(text(first)).toContain('plan view');
    expect(h.mutations()).toEqual([]);

    const approved = await call(c, DECIDE_PLAN_TOOL, { ApprovalId: id, Decision: 'approve' });
    expect(approved.isError, text(approved)).toBeFalsy();
    expect(approved.structuredContent).toEqual({ ApprovalId: id, Decision: 'approved' });
    expect(h.mutations()).toEqual([]); // deciding sends nothing

    const again = await call(c, DECIDE_PLAN_TOOL, { ApprovalId: id, Decision: 'decline' });
    expect(code(again)).toBe('ApprovalNotPending');
    expect(again.structuredContent?.Error).toMatchObject({ Stage: 'consent', Retryable: false });

    const done = await call(c, 'delete_custom_images', { ...del, ApprovalId: id });
    expect(done.isError, text(done)).toBeFalsy();
    expect(h.mutations()).toEqual(['DeleteCustomImages']);
    expect(intents(h)).toHaveLength(1);
    expect(intents(h)[0]?.consent).toEqual({ channel: 'app' });

    // Single-use: the same ApprovalId carries out nothing more.
    const replay = await call(c, 'delete_custom_images', { ...del, ApprovalId: id });
    expect(replay.isError).toBe(true);
    expect(h.mutations()).toEqual(['DeleteCustomImages']);
  });

  it('Decline in the view: the continued call is DeclinedByUser and nothing is sent', async () => {
    h = await humanHarness();
    const c = await h.connect('modern', UI_HOST);
    const id = (await call(c, 'delete_custom_images', del)).structuredContent?.ApprovalId as string;
    const declined = await call(c, DECIDE_PLAN_TOOL, { ApprovalId: id, Decision: 'decline' });
    expect(declined.structuredContent).toEqual({ ApprovalId: id, Decision: 'declined' });
    const next = await call(c, 'delete_custom_images', { ...del, ApprovalId: id });
    expect(code(next)).toBe('DeclinedByUser');
    expect(h.mutations()).toEqual([]);
    expect(h.ledger()).toEqual([]);
  });

  it('a continued call made before the person decides waits for the view, then carries it out', async () => {
    h = await humanHarness();
    const c = await h.connect('legacy', UI_HOST);
    const id = (await call(c, 'delete_custom_images', del)).structuredContent?.ApprovalId as string;
    let decided: Promise<Result> | undefined;
    const waiting = c.callTool({ name: 'delete_custom_images', arguments: { ...del, ApprovalId: id } }, {
      // The call reports that it waits: that is when the person presses Approve.
      onprogress: (p) => { if (String(p.message).includes('plan view')) decided ??= call(c, DECIDE_PLAN_TOOL, { ApprovalId: id, Decision: 'approve' }); },
    }) as Promise<Result>;
    const done = await waiting;
    expect((await decided!).structuredContent?.Decision).toBe('approved');
    expect(done.isError, text(done)).toBeFalsy();
    expect(h.mutations()).toEqual(['DeleteCustomImages']);
    expect(intents(h)[0]?.consent).toEqual({ channel: 'app' });
  });

  it('an approval is bound to its plan: other arguments with its ApprovalId are a new plan, not approved', async () => {
    h = await humanHarness();
    const c = await h.connect('modern', UI_HOST);
    const id = (await call(c, 'delete_custom_images', del)).structuredContent?.ApprovalId as string;
    await call(c, DECIDE_PLAN_TOOL, { ApprovalId: id, Decision: 'approve' });
    const other = await call(c, 'delete_custom_images', { RegionId: DEMO.region, ImageIds: [DEMO.blogImageId], ApprovalId: id });
    expect(code(other)).toBe('AwaitingApproval');
    expect(other.structuredContent?.ApprovalId).not.toBe(id);
    expect(h.mutations()).toEqual([]);
  });

  it('refuses approvals it cannot decide: unknown, lapsed, and those not shown in a view', async () => {
    h = await humanHarness();
    const c = await h.connect('modern', UI_HOST);
    const unknown = await call(c, DECIDE_PLAN_TOOL, { ApprovalId: 'apv-AAAAAAAAAAAAAAAA', Decision: 'approve' });
    expect(code(unknown)).toBe('ApprovalNotPending');

    // A dry run names an approval nobody has been shown yet: not the view's to decide.
    const dry = await call(c, 'delete_custom_images', { ...del, DryRun: true });
    const dryId = dry.structuredContent?.ApprovalId as string;
    expect(code(await call(c, DECIDE_PLAN_TOOL, { ApprovalId: dryId, Decision: 'approve' }))).toBe('ApprovalNotPending');

    const id = (await call(c, 'delete_custom_images', del)).structuredContent?.ApprovalId as string;
    h.clock.now += 11 * 60_000;
    const lapsed = await call(c, DECIDE_PLAN_TOOL, { ApprovalId: id, Decision: 'approve' });
    expect(code(lapsed)).toBe('ApprovalNotPending');
    expect(text(lapsed)).toContain('lapsed');

    const bad = await call(c, DECIDE_PLAN_TOOL, { ApprovalId: id, Decision: 'yes' });
    expect(code(bad)).toBe('InvalidParameter');
    expect(text(bad)).toContain('Decision');
    expect(h.mutations()).toEqual([]);
  });
});

describe('clients that do not render MCP Apps keep the other channels', () => {
  it.each<ClientKind>(['legacy', 'modern', 'stateless'])('%s: decide_plan is not listed, and calling it is refused', async (kind) => {
    h = await humanHarness();
    const c = await h.connect(kind, { elicitation: { form: {} } }, async () => ({ action: 'decline' }));
    expect((await c.listTools()).tools.map((t) => t.name)).not.toContain(DECIDE_PLAN_TOOL);
    const r = await call(c, DECIDE_PLAN_TOOL, { ApprovalId: 'apv-AAAAAAAAAAAAAAAA', Decision: 'approve' });
    expect(code(r)).toBe('AppChannelUnavailable');
    expect(h.mutations()).toEqual([]);
  });

  it('a model in such a client cannot use decide_plan on the approval it was handed', async () => {
    h = await humanHarness({ SWAS_MCP_WAIT_TIMEOUT_MS: '50' });
    const ui = await h.connect('modern', UI_HOST);
    const id = (await call(ui, 'delete_custom_images', del)).structuredContent?.ApprovalId as string;
    const plain = await h.connect('modern');
    expect(code(await call(plain, DECIDE_PLAN_TOOL, { ApprovalId: id, Decision: 'approve' }))).toBe('AppChannelUnavailable');
    expect(code(await call(plain, 'delete_custom_images', { ...del, ApprovalId: id }))).toBe('AwaitingApproval');
    expect(h.mutations()).toEqual([]);
  });

  it('a client with form elicitation and views is asked with the form, as before', async () => {
    h = await humanHarness();
    const c = await h.connect('legacy', { ...UI_HOST, elicitation: { form: {} } }, async () => ({ action: 'accept', content: { confirm: true } }));
    const r = await call(c, 'delete_custom_images', del);
    expect(r.isError, text(r)).toBeFalsy();
    expect(intents(h)[0]?.consent).toEqual({ channel: 'form' });
  });
});

describe('app-only tools are not the model\'s', () => {
  it('not in the README tools table nor in the bench\'s model-facing token count', async () => {
    const withApp = [...ALL_TOOLS, decidePlanTool as unknown as ToolDefinition];
    expect(toolsTable(withApp)).toBe(toolsTable(ALL_TOOLS));
    h = await humanHarness();
    const listed = (await (await h.connect('modern', UI_HOST)).listTools()).tools;
    expect(listed.map((t) => t.name)).toContain(DECIDE_PLAN_TOOL);
    // Which tools the bench counts, not how many tokens: a stand-in count spares loading the
    // tokenizer's table (seconds on a busy machine; test/unit/tool-tokens.test.ts counts for real).
    const counted = countTools(listed, () => 1);
    expect(counted.rows.map((r) => r.name)).not.toContain(DECIDE_PLAN_TOOL);
    expect(counted.rows).toHaveLength(listed.length - 1);
  });
});

describe('reset_system shows the plan view: a reset is approved there', () => {
  it('Approve in the view: the continued call resets once, the ledger says app', async () => {
    h = await humanHarness();
    const c = await h.connect('modern', UI_HOST);
    const reset = { RegionId: DEMO.region, InstanceId: DEMO.blogServerId, ImageId: 'c3e1d0b8a7f64e2b9d5c4a3b2e1f0d9c' };
    const tool = (await c.listTools()).tools.find((t) => t.name === 'reset_system');
    expect(tool?._meta).toEqual({ ui: { resourceUri: PLAN_VIEW_URI }, 'ui/resourceUri': PLAN_VIEW_URI });

    const first = await call(c, 'reset_system', reset);
    expect(code(first)).toBe('AwaitingApproval');
    expect(first.structuredContent).toMatchObject({ ApprovalInView: true, Plan: { Irreversible: expect.arrayContaining([expect.any(String)]) } });
    expect(h.mutations()).toEqual([]);
    const id = first.structuredContent?.ApprovalId as string;
    const approved = await call(c, DECIDE_PLAN_TOOL, { ApprovalId: id, Decision: 'approve' });
    expect(approved.structuredContent).toEqual({ ApprovalId: id, Decision: 'approved' });
    expect(h.mutations()).toEqual([]);

    const done = await call(c, 'reset_system', { ...reset, ApprovalId: id });
    expect(done.isError, text(done)).toBeFalsy();
    expect(done.structuredContent).toMatchObject({ Status: 'Resetting', Changed: true });
    expect(h.mutations()).toEqual(['ResetSystem']);
    expect(intents(h)).toHaveLength(1);
    expect(intents(h)[0]?.consent).toEqual({ channel: 'app' });

    const replay = await call(c, 'reset_system', { ...reset, ApprovalId: id });
    expect(replay.isError).toBe(true);
    expect(h.mutations()).toEqual(['ResetSystem']);
  });
});
