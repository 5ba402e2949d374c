/**
 * Money as the plans state it: decimal strings (OriginPrice "60.00"), kept exact in ten-thousandths
 * so that price × months × servers is never a floating-point approximation.
 */

const UNIT = 10_000;

/** A decimal string with at most 4 decimals → ten-thousandths; undefined when it is not one. */
export function parseMoney(text: string | undefined): number | undefined {
  const m = /^(\d{1,9})(?:\.(\d{1,4}))?$/.exec((text ?? '').trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT + Number((m[2] ?? '').padEnd(4, '0'));
}

/** A ceiling given as a number (SWAS_MCP_MAX_ORDER_COST) → ten-thousandths. */
export function moneyUnits(amount: number): number {
  return Math.round(amount * UNIT);
}

const SYMBOLS: Record<string, string> = { CNY: '¥', USD: '$' };

/** "¥1,440.00", "$12.50", or "1,440.00 EUR" for a currency without a symbol here. Rounded to cents. */
export function formatMoney(units: number, currency: string | undefined): string {
  const cents = Math.round(units / 100);
  const whole = Math.floor(cents / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const amount = `${whole}.${String(cents % 100).padStart(2, '0')}`;
  const symbol = currency ? SYMBOLS[currency.toUpperCase()] : undefined;
  return symbol ? `${symbol}${amount}` : `${amount}${currency ? ` ${currency}` : ''}`;
}

/** The cost of an order: the monthly price × months × servers. */
export interface OrderCost {
  /** Ten-thousandths of the currency. */
  totalUnits: number;
  monthlyUnits: number;
  currency: string;
  months: number;
  servers: number;
  /** "2 servers × 12 months × ¥60.00 = ¥1,440.00" */
  text: string;
}

export function orderCost(monthlyPrice: string | undefined, currency: string | undefined, months: number, servers: number): OrderCost | undefined {
  const monthlyUnits = parseMoney(monthlyPrice);
  if (monthlyUnits === undefined || !currency) return undefined;
  const totalUnits = monthlyUnits * months * servers;
  const s = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return {
    totalUnits, monthlyUnits, currency, months, servers,
    text: `${s(servers, 'server', 'servers')} × ${s(months, 'month', 'months')} × ${formatMoney(monthlyUnits, currency)} = ${formatMoney(totalUnits, currency)}`,
  };
}

/** Units → a plain number with two decimals, for structured output. */
export function moneyNumber(units: number): number {
  return Math.round(units / 100) / 100;
}
