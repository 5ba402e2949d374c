import { planWords } from '../../preflight/create-servers.js';
import { formatMoney, type OrderCost } from '../../preflight/money.js';
import type { ResetImage } from '../../preflight/reset-system.js';
import type { SwasPlan } from '../../swas/types.js';
import { apiText } from '../../untrusted.js';
import { planDetail, type Plan } from '../plan.js';

/** The facts the plan of create_servers_from_image is written from: the order as judged, and its cost. */
export interface CreateServersPlanFacts {
  regionId: string;
  amount: number;
  period: number;
  dataDiskSize?: number;
  autoRenew: boolean;
  autoRenewPeriod?: number;
  image: ResetImage;
  plan: SwasPlan;
  cost: OrderCost;
  request: { Action: string; Parameters: object };
}

function imageWords(m: ResetImage): string {
  const owner = m.Owner === 'shared-in' ? ', shared into this account' : '';
  return `image ${m.ImageId} ("${apiText(m.ImageName, 128)}", ${m.ImageType}${m.Platform ? `, ${apiText(m.Platform, 32)}` : ''}${owner})`;
}

/** The plan of buying servers from an image: pure, facts in. */
export function createServersPlan(f: CreateServersPlanFacts): Plan {
  const { image, plan, cost } = f;
  const servers = `${f.amount} new server${f.amount === 1 ? '' : 's'}`;
  const total = formatMoney(cost.totalUnits, cost.currency);
  return {
    Summary: `Buy ${servers} in ${f.regionId} running ${imageWords(image)} on plan ${plan.PlanId}, for ${f.period} month${f.period === 1 ? '' : 's'}: ${cost.text}, paid now from the account balance; coupons apply first.`,
    Steps: [
      `Create ${servers} (${planWords(plan)}${f.dataDiskSize ? `, plus a ${f.dataDiskSize} GB data disk each` : ''}) from ${imageWords(image)}; they start Pending and are Running within minutes.`,
      f.autoRenew
        ? `They renew automatically every ${f.autoRenewPeriod} month(s) at expiry, charged then.`
        : 'They do not renew automatically: they stop at the end of the period unless renewed.',
    ],
    Irreversible: [
      `${total} is charged at once (list price; discounts may lower it). The account balance must cover it, or the order fails.`,
      'Subscriptions are not refunded in full if the servers are released early.',
    ],
    Warnings: ['No login password is set: set it in the SWAS console (the server, then Reset Password).'],
    Details: [planDetail(f.request, `${f.amount} × ${plan.PlanId} from ${image.ImageId}`)],
  };
}
