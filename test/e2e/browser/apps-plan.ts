import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../src/simulator/index.js';
import { backgroundOf, DARK_BACKGROUND, haveChromium, LIGHT_BACKGROUND, startAppHost, type AppHost } from '../../helpers/app-host.js';
import { textOf, type ToolResult, ledgerLines, newLedgerPath } from '../../helpers/stack.js';

/**
 * The plan view in a real browser: a change that needs a person's approval renders the plan in
 * the AppBridge test host; the person's Approve or Decline goes through the host to the app-only
 * decide_plan; the model (this test) then continues with the ApprovalId, as the answer tells it.
 */
const UBUNTU = 'c3e1d0b8a7f64e2b9d5c4a3b2e1f0d9c';
const ledgerPath = newLedgerPath();
const ledger = () => (ledgerLines(ledgerPath));

describe.skipIf(!haveChromium)('plan view in Chromium', () => {
  let h: AppHost;
  // The simulator's clock, moved by the test: a reset lasts until the test says it is over.
  const clock = { t: Date.now() };
  const deletes = () => h.stack.sim.stats.requests().filter((r) => r.action === 'DeleteCustomImages');
  beforeAll(async () => {
    h = await startAppHost({
      sim: { now: () => clock.t, resetMs: 60_000 },
      env: { SWAS_MCP_AUDIT_LOG: ledgerPath, SWAS_MCP_CONSENT: 'human', SWAS_MCP_ALLOW_DESTRUCTIVE: 'true' },
    });
  }, 60_000);
  afterAll(async () => { await h?.close(); });

  it('the app-only tool is not in the model\'s list; the host has it for the view', async () => {
    expect(h.modelTools().map((t) => t.name)).not.toContain('decide_plan');
    expect((await h.stack.client.listTools()).tools.map((t) => t.name)).toContain('decide_plan');
  });

  it('Approve carries out the delete once; the ledger says channel app; light and dark', async () => {
    const args = { RegionId: DEMO.region, ImageIds: [DEMO.blogOldImageId] };
    const { frame, result } = await h.show('plan', { name: 'delete_custom_images', arguments: args });
    // The model's result is what it always was, plus the additive ApprovalInView.
    expect(result.structuredContent?.Error?.Code).toBe('AwaitingApproval');
    expect(result.structuredContent?.ApprovalInView).toBe(true);
    const id = result.structuredContent?.ApprovalId as string;

    // The plan in its own words; what cannot be undone set apart.
    const plan = result.structuredContent?.Plan as { Summary: string; Irreversible: string[] };
    await expect(frame.locator('.summary').innerText()).resolves.toBe(plan.Summary);
    const irreversible = frame.locator('section.irreversible');
    await expect(irreversible.locator('h2').innerText()).resolves.toBe('Cannot be undone');
    await expect(irreversible.innerText()).resolves.toContain(plan.Irreversible[0]!);
    expect(await backgroundOf(frame)).toBe(LIGHT_BACKGROUND);
    await h.screenshot('plan', 'light');
    await h.setLook('plan', { theme: 'dark' });
    await frame.locator('html[data-theme="dark"]').waitFor();
    expect(await backgroundOf(frame)).toBe(DARK_BACKGROUND);
    await h.screenshot('plan', 'dark');

    // Labelled buttons, reached and pressed with the keyboard.
    const approve = frame.getByRole('button', { name: 'Approve this plan' });
    await expect(frame.getByRole('button', { name: 'Decline this plan' }).isVisible()).resolves.toBe(true);
    await approve.focus();
    await approve.press('Enter');
    await expect(frame.locator('#outcome').innerText()).resolves.toContain('Approved');
    expect(h.viewCalls.filter((c) => c.name === 'decide_plan')).toEqual([{ view: 'plan', name: 'decide_plan', arguments: { ApprovalId: id, Decision: 'approve' } }]);
    expect(deletes()).toHaveLength(0); // deciding sends nothing

    // The model continues with the ApprovalId: the delete is sent once.
    const done = (await h.stack.client.callTool({ name: 'delete_custom_images', arguments: { ...args, ApprovalId: id } })) as ToolResult;
    expect(done.isError, textOf(done)).toBeFalsy();
    expect(deletes()).toHaveLength(1);
    const intent = ledger().filter((l) => l.phase === 'intent');
    expect(intent).toHaveLength(1);
    expect(intent[0]?.consent).toEqual({ channel: 'app' });

    expect(h.requests).toEqual([]);
    expect(h.errors).toEqual([]);
  });

  it('a reset: Approve in the view, and the continued call\'s result, shown in the same view, is followed', async () => {
    const server = h.stack.sim.state.addInstance({ regionId: DEMO.region, instanceName: 'reset-approved-in-view' });
    const args = { RegionId: DEMO.region, InstanceId: server.instanceId, ImageId: UBUNTU };
    const resets = () => h.stack.sim.stats.requests().filter((r) => r.action === 'ResetSystem');
    const asked = await h.show('plan', { name: 'reset_system', arguments: args });
    expect(asked.result.structuredContent?.Error?.Code).toBe('AwaitingApproval');
    expect(asked.result.structuredContent?.ApprovalInView).toBe(true);
    const id = asked.result.structuredContent?.ApprovalId as string;
    // Awaiting approval: nothing to follow yet.
    expect(await asked.frame.locator('#progress').count()).toBe(0);
    await asked.frame.getByRole('button', { name: 'Approve this plan' }).click();
    await expect(asked.frame.locator('#outcome').innerText()).resolves.toContain('Approved');
    expect(resets()).toHaveLength(0);

    // The model continues; the host shows the plan view with that call's result: the plan without
    // buttons, and the progress panel following the server.
    const polls = h.viewCalls.filter((c) => c.name === 'wait_for_resources').length;
    const { frame, result } = await h.show('plan', { name: 'reset_system', arguments: { ...args, ApprovalId: id } });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(resets()).toHaveLength(1);
    expect(await frame.locator('#approve').count()).toBe(0);
    // The reset is over on the simulator's clock: the panel, following the server, shows it Running.
    clock.t += 60_000;
    await frame.locator(`#progress li[data-id="${server.instanceId}"] .state`, { hasText: 'Running' }).waitFor({ timeout: 20_000 });
    await expect(frame.locator('#progress #headline').innerText()).resolves.toBe('All done.');
    expect(h.viewCalls.filter((c) => c.name === 'wait_for_resources').length).toBeGreaterThan(polls);
    expect(h.viewCalls.filter((c) => c.name === 'wait_for_resources').at(-1)?.arguments).toMatchObject({ RegionId: DEMO.region, InstanceIds: [server.instanceId] });
    expect(resets()).toHaveLength(1); // following sends nothing
    const intent = ledger().filter((l) => l.phase === 'intent' && l.tool === 'reset_system');
    expect(intent).toHaveLength(1);
    expect(intent[0]?.consent).toEqual({ channel: 'app' });
    await h.closeView('plan');
    expect(h.requests).toEqual([]);
    expect(h.errors).toEqual([]);
  }, 60_000);

  it('Decline sends nothing, and the continued call says the person declined', async () => {
    const before = deletes().length;
    const lines = ledger().length;
    const args = { RegionId: DEMO.region, ImageIds: [DEMO.blogImageId] };
    const { frame, result } = await h.show('plan', { name: 'delete_custom_images', arguments: args });
    const id = result.structuredContent?.ApprovalId as string;
    await frame.getByRole('button', { name: 'Decline this plan' }).click();
    await expect(frame.locator('#outcome').innerText()).resolves.toContain('Declined');
    await expect(frame.getByRole('button', { name: 'Approve this plan' }).count()).resolves.toBe(0);
    const next = (await h.stack.client.callTool({ name: 'delete_custom_images', arguments: { ...args, ApprovalId: id } })) as ToolResult;
    expect(next.structuredContent?.Error?.Code).toBe('DeclinedByUser');
    expect(deletes()).toHaveLength(before);
    expect(ledger()).toHaveLength(lines);
    expect(h.requests).toEqual([]);
    expect(h.errors).toEqual([]);
  });
});
