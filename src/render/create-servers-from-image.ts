import type { z } from 'zod';
import { apiText } from '../untrusted.js';
import { checkLine } from '../preflight/checks.js';
import { moneyNumber, type OrderCost } from '../preflight/money.js';
import { sameWord } from '../swas/status.js';
import { SIMULATED_NOTE } from '../tools/common.js';
import type { createServersOutput } from '../tools/create-servers-from-image.js';

type Output = z.input<ReturnType<typeof createServersOutput>>;

/** The order's cost as the result states it (Cost). */
export function costOut(cost: OrderCost): NonNullable<Output['Cost']> {
  return {
    Total: moneyNumber(cost.totalUnits), MonthlyPrice: moneyNumber(cost.monthlyUnits), Currency: cost.currency,
    Months: cost.months, Servers: cost.servers, Text: `${cost.text}, paid now from the account balance; coupons apply first.`,
  };
}

export function createServersText(out: Output): string {
  const image = `image ${out.ImageId}${out.ImageName ? ` ("${apiText(out.ImageName, 128)}")` : ''}`;
  const ids = out.InstanceIds ?? [];
  const running = (out.Servers ?? []).filter((s) => sameWord(s.Status, 'Running')).length;
  const lines = [out.Repeated
    ? `This exact order was placed before: servers ${ids.join(', ')} already exist, and nothing new was bought.`
    : `Bought ${ids.length} server(s) in ${out.RegionId} on plan ${out.PlanId}, running ${image}${out.Cost ? `: ${out.Cost.Text}` : '.'}`];
  for (const s of out.Servers ?? []) {
    lines.push(`- ${s.InstanceId}: ${s.Status ? apiText(s.Status, 32) : 'status unknown'}, runs ${s.ImageId ?? out.ImageId}${s.ImageName ? ` ("${apiText(s.ImageName, 128)}")` : ''}`);
  }
  if (ids.length && running === ids.length) lines.push('All are Running.');
  if (out.RequestId) lines.push(`RequestId: ${out.RequestId} (CreateInstances)`);
  lines.push('Checks:', ...out.Checks.map(checkLine));
  for (const note of out.Notes) lines.push(`Note: ${note}`);
  if (out.Simulated) lines.push(`${SIMULATED_NOTE} Simulated prices are examples.`);
  return lines.join('\n');
}
