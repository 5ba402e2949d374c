import { afterEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/simulator/index.js';
import { call, callWithProgress, textOf, type Stack, ledgerLines, newLedgerPath } from '../helpers/stack.js';
import { startToolStack } from '../helpers/in-process.js';

const R = DEMO.region;
const PLAN = 'swas.s2.c2m2s50b4t08';
const WINDOWS = 'e2b4c6d8f0a1437596b8d0f2a4c6e8f0';
/** blog-base-2025: 40 GB system disk, no data, Linux. On the ¥60 plan: 2 × 12 × ¥60.00 = ¥1,440.00. */
const order = { RegionId: R, ImageId: DEMO.blogOldImageId, PlanId: PLAN, Period: 12, Amount: 2 };

let stack: Stack | undefined;
let ledgerPath = '';
let clockOffsetMs = 0;
afterEach(async () => { await stack?.close(); stack = undefined; });

async function start(env: Record<string, string>): Promise<Stack> {
  ledgerPath = newLedgerPath();
  clockOffsetMs = 0;
  stack = await startToolStack({
    sim: { launchMs: 60_000, now: () => Date.now() + clockOffsetMs },
    env: { SWAS_MCP_ALLOW_PURCHASE: 'true', SWAS_MCP_AUDIT_LOG: ledgerPath, ...env },
  });
  return stack;
}
const ledger = () => (ledgerLines(ledgerPath));
const servers = (s: Stack) => s.sim.state.instances(R).length;
const bought = (s: Stack) => s.sim.stats.count('CreateInstances');

describe('create_servers_from_image, confirm mode under a ceiling', () => {
  const env = { SWAS_MCP_CONSENT: 'confirm', SWAS_MCP_MAX_ORDER_COST: '5000' };

  it('DryRun and the consent answer state the total cost in words; nothing is sent, nothing is in the ledger', async () => {
    const s = await start(env);
    const dry = await call(s.client, 'create_servers_from_image', { ...order, DryRun: true });
    expect(dry.isError, textOf(dry)).toBeFalsy();
    expect(dry.structuredContent!.Cost).toMatchObject({ Total: 1440, MonthlyPrice: 60, Currency: 'CNY', Months: 12, Servers: 2 });
    const words = '2 servers × 12 months × ¥60.00 = ¥1,440.00, paid now from the account balance; coupons apply first';
    expect(textOf(dry)).toContain(words);
    expect(textOf(dry).split('\n')[0]).toBe('Dry run: every check passed; nothing was sent.');
    const plan = dry.structuredContent!.Plan;
    expect(plan.Summary).toContain(words);
    expect(plan.Summary).toContain(`${DEMO.blogOldImageId} ("blog-base-2025"`);
    expect(plan.Summary).toContain(PLAN);
    expect(plan.Irreversible.join(' ')).toMatch(/balance must cover it/);
    expect(plan.Irreversible.join(' ')).toMatch(/not refunded in full if the servers are released early/);
    expect(plan.Summary).not.toContain('CreateInstances');
    expect(dry.structuredContent!.Request.Parameters).toMatchObject({ ImageId: DEMO.blogOldImageId, PlanId: PLAN, Period: 12, Amount: 2, ChargeType: 'PrePaid', AutoRenew: false });

    const asked = await call(s.client, 'create_servers_from_image', order);
    expect(asked.isError).toBe(true);
    expect(asked.structuredContent!.Error).toMatchObject({ Code: 'ConfirmationRequired', Stage: 'consent' });
    expect(textOf(asked)).toContain('= ¥1,440.00');
    expect(bought(s)).toBe(0);
    expect(ledger()).toEqual([]);
  });

  it('with the token: one CreateInstances with the right parameters, the cost in the ledger, and the servers come up Running on the image', async () => {
    const s = await start(env);
    const before = servers(s);
    const dry = await call(s.client, 'create_servers_from_image', { ...order, DryRun: true });
    const token = dry.structuredContent!.ConfirmToken as string;
    const progress: unknown[] = [];
    // Once the call reports that it waits, a minute passes on the simulator's clock.
    const res = await callWithProgress(s, 'create_servers_from_image', { ...order, ConfirmToken: token, WaitForRunning: true }, (p) => { progress.push(p); clockOffsetMs = 60_000; });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(bought(s)).toBe(1);
    const params = s.sim.stats.requests('CreateInstances')[0]!.params;
    expect(params).toMatchObject({ RegionId: R, ImageId: DEMO.blogOldImageId, PlanId: PLAN, Period: '12', Amount: '2', ChargeType: 'PrePaid', AutoRenew: 'false' });
    expect(params.ClientToken).toMatch(/^mcp-/);
    expect(params).not.toHaveProperty('Password');
    const ids = res.structuredContent!.InstanceIds as string[];
    expect(ids).toHaveLength(2);
    expect(servers(s)).toBe(before + 2);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(res.structuredContent!.Servers).toEqual(ids.map((id) => ({ InstanceId: id, Status: 'Running', ImageId: DEMO.blogOldImageId, ImageName: 'blog-base-2025' })));
    const text = textOf(res);
    expect(text.split('\n')[0]).toContain(`Bought 2 server(s) in ${R} on plan ${PLAN}, running image ${DEMO.blogOldImageId} ("blog-base-2025")`);
    expect(text).toMatch(/password/i);
    expect(text).toContain('Reset Password');

    const lines = ledger();
    expect(lines.map((l) => `${l.action as string}:${l.phase as string}`)).toEqual(['CreateInstances:intent', 'CreateInstances:outcome']);
    for (const l of lines) expect(l.cost).toEqual({ amount: '1440.00', currency: 'CNY' });
    expect(lines[1]!.resourceIds).toEqual([DEMO.blogOldImageId, ...ids]);
    expect(lines[1]!.ok).toBe(true);

    const listed = await call(s.client, 'list_instances', { RegionId: R, InstanceIds: ids });
    expect(listed.structuredContent!.Instances.map((i: Record<string, unknown>) => [i.Status, i.ImageName, i.PlanId])).toEqual([['Running', 'blog-base-2025', PLAN], ['Running', 'blog-base-2025', PLAN]]);
  });

  it('two concurrent approved calls buy once', async () => {
    const s = await start(env);
    const before = servers(s);
    const token = (await call(s.client, 'create_servers_from_image', { ...order, DryRun: true })).structuredContent!.ConfirmToken as string;
    const [a, b] = await Promise.all([
      call(s.client, 'create_servers_from_image', { ...order, ConfirmToken: token }),
      call(s.client, 'create_servers_from_image', { ...order, ConfirmToken: token }),
    ]);
    // A ConfirmToken is single-use: one call buys, the other is refused (nothing sent).
    const [done, refused] = a.isError ? [b, a] : [a, b];
    expect(done.isError, textOf(done)).toBeFalsy();
    expect(refused.structuredContent!.Error.Code).toBe('ConfirmationRequired');
    expect(textOf(refused)).toContain('used already');
    expect(servers(s)).toBe(before + 2);
    // A later repeat of the same order says it bought nothing new.
    const token2 = (await call(s.client, 'create_servers_from_image', { ...order, DryRun: true })).structuredContent!.ConfirmToken as string;
    const again = await call(s.client, 'create_servers_from_image', { ...order, ConfirmToken: token2 });
    expect(again.structuredContent).toMatchObject({ Repeated: true, InstanceIds: done.structuredContent!.InstanceIds });
    expect(textOf(again).split('\n')[0]).toContain('nothing new was bought');
    expect(servers(s)).toBe(before + 2);
  });

  it('refuses, sends nothing and names the rule: plan disk smaller than the image, platform mismatch, Amount 21, Period 5, more than 50 servers, cost above the ceiling', async () => {
    const s = await start(env);
    const refused = async (args: Record<string, unknown>) => {
      const r = await call(s.client, 'create_servers_from_image', { ...order, ...args });
      expect(r.isError, JSON.stringify(args)).toBe(true);
      return r;
    };
    let r = await refused({ PlanId: 'swas.s1.c1m1s20b1t02', DataDiskSize: 20 });
    expect(r.structuredContent!.Error).toMatchObject({ Code: 'DiskTooSmall', Stage: 'preflight' });
    expect(textOf(r)).toContain('needs a system disk of at least 40 GB; plan swas.s1.c1m1s20b1t02 has 20 GB');
    r = await refused({ ImageId: WINDOWS, PlanId: 'swas.s2.c2m1s40b3t04' });
    expect(r.structuredContent!.Error).toMatchObject({ Code: 'PlanPlatformMismatch', Stage: 'preflight' });
    expect(textOf(r)).toContain('supports Linux, not Windows');
    r = await refused({ Amount: 21 });
    expect(textOf(r)).toMatch(/Amount must be from 1 to 20/);
    r = await refused({ Period: 5 });
    expect(textOf(r)).toMatch(/Period must be 1, 3, 6, 12, 24 or 36/);
    r = await refused({ Amount: 20, Period: 36 });
    expect(r.structuredContent!.Error).toMatchObject({ Code: 'OrderCostAboveCeiling' });
    expect(textOf(r)).toContain('¥43,200.00 is above the operator\'s ceiling of ¥5,000.00');
    expect(textOf(r)).toContain('SWAS_MCP_MAX_ORDER_COST');
    for (let i = servers(s); i < 49; i++) s.sim.state.addInstance({ regionId: R });
    r = await refused({ Period: 1 });
    expect(r.structuredContent!.Error).toMatchObject({ Code: 'QuotaExceed.Instance' });
    expect(textOf(r)).toContain('at most 50 servers');
    expect(bought(s)).toBe(0);
    expect(ledger()).toEqual([]);
  });

  it('an order the balance cannot pay: PAY.INSUFFICIENT_BALANCE explained, nothing bought, the ledger says so', async () => {
    const s = await start(env);
    const before = servers(s);
    s.sim.faults.insufficientBalance();
    const token = (await call(s.client, 'create_servers_from_image', { ...order, DryRun: true })).structuredContent!.ConfirmToken as string;
    const r = await call(s.client, 'create_servers_from_image', { ...order, ConfirmToken: token });
    expect(r.isError).toBe(true);
    expect(r.structuredContent!.Error).toMatchObject({ Code: 'PAY.INSUFFICIENT_BALANCE', Stage: 'api' });
    expect(textOf(r)).toMatch(/Top up the account balance/);
    expect(servers(s)).toBe(before);
    expect(ledger().map((l) => [l.phase, l.ok, l.errorCode])).toEqual([['intent', undefined, undefined], ['outcome', false, 'PAY.INSUFFICIENT_BALANCE']]);
  });
});

describe('who may spend', () => {
  it('confirm mode without SWAS_MCP_MAX_ORDER_COST: refused naming the setting, nothing sent, even with a DryRun', async () => {
    const s = await start({ SWAS_MCP_CONSENT: 'confirm' });
    for (const args of [order, { ...order, DryRun: true }]) {
      const r = await call(s.client, 'create_servers_from_image', args);
      expect(r.isError).toBe(true);
      expect(r.structuredContent!.Error).toMatchObject({ Code: 'PurchaseCeilingRequired' });
      expect(textOf(r)).toContain('SWAS_MCP_MAX_ORDER_COST');
    }
    expect(bought(s)).toBe(0);
  });

  it('off mode without a ceiling is refused too; with one, an order below it goes through without a token', async () => {
    let s = await start({ SWAS_MCP_CONSENT: 'off' });
    expect((await call(s.client, 'create_servers_from_image', order)).structuredContent!.Error).toMatchObject({ Code: 'PurchaseCeilingRequired' });
    expect(bought(s)).toBe(0);
    await s.close(); stack = undefined;
    s = await start({ SWAS_MCP_CONSENT: 'off', SWAS_MCP_MAX_ORDER_COST: '1440' });
    const r = await call(s.client, 'create_servers_from_image', order);
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(r.structuredContent!.InstanceIds).toHaveLength(2);
    expect(bought(s)).toBe(1);
  });

  it('human mode: a scripted model that cannot ask the person gets no purchase, even with a token it was handed', async () => {
    const s = await start({});
    const r = await call(s.client, 'create_servers_from_image', order);
    expect(r.isError).toBe(true);
    expect(r.structuredContent!.Error.Stage).toBe('consent');
    const handed = [r.structuredContent!.ConfirmToken, (await call(s.client, 'create_servers_from_image', { ...order, DryRun: true })).structuredContent!.ConfirmToken];
    for (const token of handed.filter((t): t is string => typeof t === 'string')) {
      const again = await call(s.client, 'create_servers_from_image', { ...order, ConfirmToken: token });
      expect(again.isError).toBe(true);
      expect(again.structuredContent!.Error.Stage).toBe('consent');
    }
    expect(bought(s)).toBe(0);
  });

  it('a ceiling applies in human mode too: above it, refused before anyone is asked', async () => {
    const s = await start({ SWAS_MCP_MAX_ORDER_COST: '100' });
    const r = await call(s.client, 'create_servers_from_image', order);
    expect(r.structuredContent!.Error).toMatchObject({ Code: 'OrderCostAboveCeiling' });
    expect(bought(s)).toBe(0);
  });
});

describe('list_plans', () => {
  it('lists a region\'s plans cheapest first with price and currency, and with ImageId only those that can run the image', async () => {
    const s = await start({});
    const all = await call(s.client, 'list_plans', { RegionId: R });
    expect(all.isError, textOf(all)).toBeFalsy();
    const plans = all.structuredContent!.Plans as Array<Record<string, unknown>>;
    expect(plans.length).toBe(5);
    const prices = plans.map((p) => p.MonthlyPrice as number);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(plans.find((p) => p.PlanId === PLAN)).toMatchObject({ Core: 2, Memory: 2, DiskSize: 50, DiskType: 'ESSD', Bandwidth: 4, Flow: 800, SupportPlatform: ['Linux', 'Windows'], MonthlyPrice: 60, Currency: 'CNY' });
    expect(textOf(all)).toContain(`- ${PLAN}: ¥60.00 a month`);

    // blog-base-2025 needs 40 GB: the 20 GB plan is left out.
    const fit = await call(s.client, 'list_plans', { RegionId: R, ImageId: DEMO.blogOldImageId });
    expect((fit.structuredContent!.Plans as Array<{ PlanId: string }>).map((p) => p.PlanId)).not.toContain('swas.s1.c1m1s20b1t02');
    expect(fit.structuredContent).toMatchObject({ LeftOut: 1, Image: { ImageId: DEMO.blogOldImageId, RequiredSystemDiskSize: 40 } });
    // A Windows image: only the plans that support Windows.
    const win = await call(s.client, 'list_plans', { RegionId: R, ImageId: WINDOWS });
    expect((win.structuredContent!.Plans as Array<{ SupportPlatform: string[] }>).every((p) => p.SupportPlatform.includes('Windows'))).toBe(true);
    expect(win.structuredContent!.LeftOut).toBe(2);

    const missing = await call(s.client, 'list_plans', { RegionId: R, ImageId: DEMO.sgImageId });
    expect(missing.isError).toBe(true);
    expect(missing.structuredContent!.Error).toMatchObject({ Code: 'InvalidImageId.NotFound' });
  });
});
