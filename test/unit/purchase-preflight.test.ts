import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { judgeCreateServers, planMisfit, type PurchaseFacts, type PurchaseRequest } from '../../src/preflight/create-servers.js';
import { formatMoney, orderCost, parseMoney } from '../../src/preflight/money.js';
import type { ResetImage } from '../../src/preflight/reset-system.js';
import type { SwasPlan } from '../../src/swas/types.js';
import { platformList } from '../../src/swas/client.js';

const image: ResetImage = { ImageId: 'm-abc', ImageName: 'shop-prod-2026', ImageType: 'custom', Owner: 'self', Platform: 'Linux', Status: 'Available', RequiredSystemDiskSize: 40, RequiredDataDiskSize: 0 };
const plan: SwasPlan = { PlanId: 'swas.s2.c2m2s50b4t08', Core: 2, Memory: 2, DiskSize: 50, DiskType: 'ESSD', Bandwidth: 4, Flow: 800, SupportPlatform: ['Linux', 'Windows'], OriginPrice: '60.00', Currency: 'CNY' };
const req: PurchaseRequest = { regionId: 'cn-hangzhou', imageId: 'm-abc', planId: plan.PlanId, period: 12, amount: 2, consentMode: 'human' };
const facts: PurchaseFacts = { image, plan, serverCount: 4 };
const failed = (v: ReturnType<typeof judgeCreateServers>) => v.checks.filter((c) => c.Outcome === 'failed').map((c) => c.Name);

describe('money', () => {
  it('is exact: price × months × servers, in the plan\'s currency, in words', () => {
    expect(orderCost('60.00', 'CNY', 12, 2)!.text).toBe('2 servers × 12 months × ¥60.00 = ¥1,440.00');
    expect(orderCost('0.1', 'USD', 3, 1)!.text).toBe('1 server × 3 months × $0.10 = $0.30');
    expect(orderCost('19.99', 'EUR', 36, 20)!.text).toBe('20 servers × 36 months × 19.99 EUR = 14,392.80 EUR');
    expect(orderCost(undefined, 'CNY', 1, 1)).toBeUndefined();
    expect(orderCost('60', undefined, 1, 1)).toBeUndefined();
    expect(parseMoney('1e3')).toBeUndefined();
    expect(parseMoney('-5')).toBeUndefined();
    expect(formatMoney(12_345_678_9000, 'CNY')).toBe('¥12,345,678.90');
  });
});

describe('judgeCreateServers', () => {
  it('passes a plan that fits and states the cost', () => {
    const v = judgeCreateServers(req, facts);
    expect(v.failure).toBeUndefined();
    expect(v.cost!.totalUnits).toBe(1440 * 10_000);
    expect(v.checks.map((c) => c.Name)).toEqual(['ImageExists', 'ImageAvailable', 'PlanExists', 'SystemDiskSize', 'DataDiskSize', 'Platform', 'ServerQuota', 'Cost', 'OrderCeiling']);
  });

  it.each<[string, Partial<PurchaseRequest>, Partial<PurchaseFacts>, string]>([
    ['plan disk smaller than the image', {}, { plan: { ...plan, DiskSize: 20 } }, 'DiskTooSmall'],
    ['image data larger than DataDiskSize', { dataDiskSize: 20 }, { image: { ...image, RequiredDataDiskSize: 40 } }, 'DiskTooSmall'],
    ['standard SSD without a data disk', {}, { plan: { ...plan, DiskType: 'SSD' } }, 'InvalidParam.DataDiskSize'],
    ['platform mismatch', {}, { image: { ...image, Platform: 'Windows' }, plan: { ...plan, SupportPlatform: ['Linux'] } }, 'PlanPlatformMismatch'],
    ['more than 50 servers', {}, { serverCount: 49 }, 'QuotaExceed.Instance'],
    ['image not available', {}, { image: { ...image, Status: 'Creating' } }, 'ImageNotAvailable'],
    ['no such plan', {}, { plan: undefined }, 'InvalidPlanId.NotFound'],
    ['no such image', {}, { image: undefined }, 'InvalidImageId.NotFound'],
    ['no price', {}, { plan: { ...plan, OriginPrice: undefined } }, 'PlanPriceUnknown'],
    ['cost above the ceiling', { maxOrderCost: 1439.99 }, {}, 'OrderCostAboveCeiling'],
    ['confirm mode without a ceiling', { consentMode: 'confirm' }, {}, 'PurchaseCeilingRequired'],
    ['off mode without a ceiling', { consentMode: 'off' }, {}, 'PurchaseCeilingRequired'],
  ])('refuses: %s', (_name, r, f, code) => {
    const v = judgeCreateServers({ ...req, ...r }, { ...facts, ...f });
    expect(v.failure?.code).toBe(code);
  });

  it('allows an order exactly at the ceiling, in any mode', () => {
    for (const consentMode of ['human', 'confirm', 'off'] as const) {
      expect(judgeCreateServers({ ...req, consentMode, maxOrderCost: 1440 }, facts).failure).toBeUndefined();
    }
    expect(failed(judgeCreateServers({ ...req, amount: 46 }, facts))).toEqual([]);
    expect(failed(judgeCreateServers({ ...req, amount: 47 }, facts))).toEqual(['ServerQuota']);
  });

  it('planMisfit filters by disk and platform only', () => {
    expect(planMisfit(plan, image)).toBeUndefined();
    expect(planMisfit({ ...plan, DiskSize: 20 }, image)).toMatch(/20 GB < 40 GB/);
    expect(planMisfit({ ...plan, SupportPlatform: ['Windows'] }, image)).toMatch(/Linux/);
  });

  it('reads SupportPlatform as the API writes it', () => {
    expect(platformList('["Linux","Windows"]')).toEqual(['Linux', 'Windows']);
    expect(platformList('Linux')).toEqual(['Linux']);
    expect(platformList(undefined)).toEqual([]);
  });
});

describe('purchase settings', () => {
  it('are off by default; SWAS_MCP_CONSENT defaults to human', () => {
    const c = loadConfig([], { HOME: '/home/u' });
    expect(c).toMatchObject({ allowPurchase: false, consentMode: 'human' });
    expect(c.maxOrderCost).toBeUndefined();
  });

  it('come from the flag or the environment; unfilled placeholders count as unset', () => {
    expect(loadConfig(['--allow-purchase'], {}).allowPurchase).toBe(true);
    const c = loadConfig([], { SWAS_MCP_ALLOW_PURCHASE: 'true', SWAS_MCP_MAX_ORDER_COST: '1440.50', SWAS_MCP_CONSENT: 'Confirm' });
    expect(c).toMatchObject({ allowPurchase: true, maxOrderCost: 1440.5, consentMode: 'confirm' });
    expect(loadConfig([], { SWAS_MCP_MAX_ORDER_COST: '${user_config.max_order_cost}', SWAS_MCP_ALLOW_PURCHASE: '${user_config.allow_purchase}' })).toMatchObject({ allowPurchase: false });
  });

  it.each([['SWAS_MCP_MAX_ORDER_COST', '0'], ['SWAS_MCP_MAX_ORDER_COST', '-5'], ['SWAS_MCP_MAX_ORDER_COST', '12.345'], ['SWAS_MCP_MAX_ORDER_COST', 'lots'], ['SWAS_MCP_CONSENT', 'maybe'], ['SWAS_MCP_ALLOW_PURCHASE', 'sure']])(
    'refuse a bad %s (%s), naming it', (name, value) => {
      expect(() => loadConfig([], { [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig([], { [name]: value })).toThrow(name);
    });
});

describe('the image_server prompt', () => {
  it('ends with "and two more like it" when purchases are allowed, and says nothing of buying otherwise', async () => {
    const { imageServerText } = await import('../../src/prompts/image-server.js');
    const withPurchase = imageServerText({ InstanceName: 'shop-prod' }, { readOnly: false, allowPurchase: true });
    const lastParagraph = withPurchase.split('\n\n').at(-1)!;
    expect(lastParagraph).toMatch(/^And two more like it/);
    expect(lastParagraph).toContain('list_plans');
    expect(lastParagraph).toContain('create_servers_from_image');
    expect(imageServerText({ InstanceName: 'shop-prod' }, { readOnly: false })).not.toContain('create_servers_from_image');
    expect(imageServerText({ InstanceName: 'shop-prod' }, { readOnly: true, allowPurchase: true })).not.toContain('create_servers_from_image');
  });
});
