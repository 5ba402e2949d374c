import type { ConsentMode } from '../config.js';
import { apiText } from '../untrusted.js';
import { sameWord } from '../swas/status.js';
import type { SwasPlan } from '../swas/types.js';
import { checkList, type Check } from './checks.js';
import { formatMoney, moneyUnits, orderCost, type OrderCost } from './money.js';
import type { ResetImage } from './reset-system.js';

/** At most this many servers a region per account (SWAS limits). */
export const MAX_SERVERS_PER_REGION = 50;

export interface PurchaseRequest {
  regionId: string;
  imageId: string;
  planId: string;
  period: number;
  amount: number;
  dataDiskSize?: number;
  /** SWAS_MCP_MAX_ORDER_COST, in the plan's currency. */
  maxOrderCost?: number;
  consentMode: ConsentMode;
}

export interface PurchaseFacts {
  /** Undefined: no such image in the region (own, shared-in, system or app). */
  image?: ResetImage;
  /** Undefined: the region offers no such plan. */
  plan?: SwasPlan;
  /** Servers the account has in the region now. */
  serverCount: number;
}

export interface PurchaseVerdict {
  checks: Check[];
  failure?: { code: string; message: string };
  cost?: OrderCost;
}

/** Every precondition of CreateInstances that can be judged from what was read, and the cost. Pure. */
export function judgeCreateServers(req: PurchaseRequest, f: PurchaseFacts): PurchaseVerdict {
  const { checks, add, firstFailure } = checkList();
  const done = (cost?: OrderCost): PurchaseVerdict => {
    const failure = firstFailure();
    return { checks, ...(failure ? { failure } : {}), ...(cost ? { cost } : {}) };
  };
  const { image, plan } = f;
  if (!image) {
    add('ImageExists', false, `No image ${req.imageId} in region ${req.regionId}. Images are regional: list_images (RegionId "${req.regionId}") shows the images new servers there can run.`, 'InvalidImageId.NotFound');
  } else {
    const owner = image.Owner === 'shared-in' ? ', shared into this account' : image.Owner === 'self' ? ', this account\'s own' : '';
    add('ImageExists', true, `Image ${image.ImageId} ("${apiText(image.ImageName, 128)}", ${image.ImageType}${owner}) is in region ${req.regionId}.`);
    const available = image.ImageType !== 'custom' || sameWord(image.Status, 'Available');
    add('ImageAvailable', available,
      available ? (image.ImageType === 'custom' ? 'The custom image is Available.' : 'System and app images that ListImages lists are available.')
        : `The custom image is ${image.Status ? apiText(image.Status, 32) : 'in an unknown state'}, not Available; wait for it (wait_for_resources with ImageIds and Until "Available").`,
      'ImageNotAvailable');
  }
  if (!plan) {
    add('PlanExists', false, `Region ${req.regionId} offers no plan ${apiText(req.planId, 64)}. list_plans shows the plans of a region, with their prices.`, 'InvalidPlanId.NotFound');
  } else {
    add('PlanExists', true, `Plan ${plan.PlanId} is offered in ${req.regionId}: ${planWords(plan)}.`);
  }
  if (image && plan) {
    const need = image.RequiredSystemDiskSize;
    if (need === undefined || need <= 0) {
      add('SystemDiskSize', 'skipped', `The image states no minimum system disk size (ListImages gives none); the API checks it against the plan's ${plan.DiskSize ?? '?'} GB.`);
    } else if (plan.DiskSize === undefined) {
      add('SystemDiskSize', 'skipped', `The image needs a system disk of at least ${need} GB; the plan states no disk size, so the API checks it.`);
    } else {
      const ok = plan.DiskSize >= need;
      add('SystemDiskSize', ok,
        ok ? `The plan's ${plan.DiskSize} GB system disk holds the image (it needs ${need} GB).`
          : `The image needs a system disk of at least ${need} GB; plan ${plan.PlanId} has ${plan.DiskSize} GB. Choose a larger plan (list_plans with ImageId "${image.ImageId}" lists those that fit).`,
        'DiskTooSmall');
    }
    const data = req.dataDiskSize ?? 0;
    const needData = image.RequiredDataDiskSize ?? 0;
    const ssd = sameWord(plan.DiskType, 'SSD');
    if (needData > 0 && data < needData) {
      add('DataDiskSize', false, `The image holds a data disk of ${needData} GB; DataDiskSize is ${data} GB. Pass DataDiskSize of at least ${needData} (a multiple of 20).`, 'DiskTooSmall');
    } else if (ssd && data < 20) {
      add('DataDiskSize', false, `Plan ${plan.PlanId} has a standard SSD, which needs a data disk of at least 20 GB; pass DataDiskSize 20 or more (a multiple of 20), or choose an ESSD plan.`, 'InvalidParam.DataDiskSize');
    } else {
      add('DataDiskSize', true, data > 0 ? `Each server gets a ${data} GB data disk${needData > 0 ? `, enough for the image's ${needData} GB of data` : ''}.` : 'No data disk (the image holds none).');
    }
    const platform = image.Platform;
    if (!platform || plan.SupportPlatform.length === 0) {
      add('Platform', 'skipped', `The ${!platform ? 'image\'s platform' : 'plan\'s platforms'} are not listed; the API checks that the plan supports the image.`);
    } else {
      const ok = plan.SupportPlatform.some((p) => sameWord(p, platform));
      add('Platform', ok,
        ok ? `Plan ${plan.PlanId} supports ${apiText(platform, 32)}.`
          : `Plan ${plan.PlanId} supports ${plan.SupportPlatform.map((p) => apiText(p, 32)).join(', ')}, not ${apiText(platform, 32)} (the image's platform). Choose a plan that supports ${apiText(platform, 32)} (list_plans with ImageId "${image.ImageId}").`,
        'PlanPlatformMismatch');
    }
  }
  const after = f.serverCount + req.amount;
  add('ServerQuota', after <= MAX_SERVERS_PER_REGION,
    after <= MAX_SERVERS_PER_REGION
      ? `The account has ${f.serverCount} servers in ${req.regionId}; ${req.amount} more make ${after} of at most ${MAX_SERVERS_PER_REGION}.`
      : `A region holds at most ${MAX_SERVERS_PER_REGION} servers per account: there are ${f.serverCount} in ${req.regionId}, so at most ${Math.max(0, MAX_SERVERS_PER_REGION - f.serverCount)} more (Amount is ${req.amount}). If this exact order was already sent (a call that was cut off), its servers are among them: check list_instances before ordering again.`,
    'QuotaExceed.Instance');

  if (!plan) return done();
  const cost = orderCost(plan.OriginPrice, plan.Currency, req.period, req.amount);
  if (!cost) {
    add('Cost', false, `Plan ${plan.PlanId} states no price${plan.OriginPrice ? '' : ' (OriginPrice)'}${plan.Currency ? '' : ' or currency'}: an order is sent only with its cost known.`, 'PlanPriceUnknown');
    return done();
  }
  add('Cost', true, `${cost.text} (${cost.currency}), paid at once.`);
  const ceiling = req.maxOrderCost;
  if (ceiling !== undefined) {
    const ok = cost.totalUnits <= moneyUnits(ceiling);
    add('OrderCeiling', ok,
      ok ? `${formatMoney(cost.totalUnits, cost.currency)} is within the operator's ceiling of ${formatMoney(moneyUnits(ceiling), cost.currency)} an order (SWAS_MCP_MAX_ORDER_COST).`
        : `${formatMoney(cost.totalUnits, cost.currency)} is above the operator's ceiling of ${formatMoney(moneyUnits(ceiling), cost.currency)} an order (SWAS_MCP_MAX_ORDER_COST). Order fewer servers or fewer months, or ask the operator to raise the ceiling.`,
      'OrderCostAboveCeiling');
  } else if (req.consentMode !== 'human') {
    add('OrderCeiling', false, `With SWAS_MCP_CONSENT=${req.consentMode} no person approves a purchase, so one is allowed only below a ceiling the operator sets: SWAS_MCP_MAX_ORDER_COST is not set. Ask the operator to set it, or to use SWAS_MCP_CONSENT=human.`, 'PurchaseCeilingRequired');
  } else {
    add('OrderCeiling', 'skipped', 'No ceiling is set (SWAS_MCP_MAX_ORDER_COST): the person approving the plan decides.');
  }
  return done(cost);
}

/** "2 vCPU, 2 GB memory, 50 GB ESSD, 4 Mbit/s, 800 GB traffic a month, Linux/Windows" */
export function planWords(p: SwasPlan): string {
  const parts = [
    p.Core !== undefined ? `${p.Core} vCPU` : undefined,
    p.Memory !== undefined ? `${p.Memory} GB memory` : undefined,
    p.DiskSize !== undefined ? `${p.DiskSize} GB ${p.DiskType ? apiText(p.DiskType, 16) : 'disk'}` : undefined,
    p.Bandwidth !== undefined ? `${p.Bandwidth} Mbit/s` : undefined,
    p.Flow !== undefined ? `${p.Flow} GB traffic a month` : undefined,
    p.SupportPlatform.length ? p.SupportPlatform.map((x) => apiText(x, 32)).join('/') : undefined,
  ];
  return parts.filter(Boolean).join(', ');
}

/** Why a plan cannot run an image (its disk is smaller, or it lacks the image's platform), or undefined when it fits. */
export function planMisfit(plan: SwasPlan, image: ResetImage): string | undefined {
  const need = image.RequiredSystemDiskSize ?? 0;
  if (need > 0 && plan.DiskSize !== undefined && plan.DiskSize < need) return `disk ${plan.DiskSize} GB < ${need} GB`;
  const platform = image.Platform;
  if (platform && plan.SupportPlatform.length > 0 && !plan.SupportPlatform.some((p) => sameWord(p, platform))) {
    return `no ${apiText(platform, 32)}`;
  }
  return undefined;
}
