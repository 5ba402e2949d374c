// The plans ListPlans offers, per region. The prices are EXAMPLES, in the range of the public
// price list at the time of writing; they are not Alibaba Cloud's prices. The demo account is on
// the China site, so every price is in CNY; Hong Kong and Singapore cost more, as they do.

export interface SimPlan {
  planId: string;
  core: number;
  /** GB. */
  memory: number;
  /** GB of the system disk. */
  diskSize: number;
  /** `SSD` is a standard SSD (a data disk of at least 20 GB is required with it), `ESSD` an enhanced one. */
  diskType: 'SSD' | 'ESSD';
  /** Mbit/s. */
  bandwidth: number;
  /** GB a month. */
  flow: number;
  platforms: readonly string[];
  /** Monthly price, as the API writes it: a decimal string. EXAMPLE VALUES. */
  originPrice: string;
  currency: 'CNY' | 'USD';
}

type Shape = Omit<SimPlan, 'originPrice' | 'currency'>;

const SHAPES: readonly Shape[] = [
  { planId: 'swas.s1.c1m1s20b1t02', core: 1, memory: 1, diskSize: 20, diskType: 'SSD', bandwidth: 1, flow: 200, platforms: ['Linux'] },
  { planId: 'swas.s2.c2m1s40b3t04', core: 2, memory: 1, diskSize: 40, diskType: 'ESSD', bandwidth: 3, flow: 400, platforms: ['Linux'] },
  { planId: 'swas.s2.c2m2s50b4t08', core: 2, memory: 2, diskSize: 50, diskType: 'ESSD', bandwidth: 4, flow: 800, platforms: ['Linux', 'Windows'] },
  { planId: 'swas.s2.c2m4s60b5t10', core: 2, memory: 4, diskSize: 60, diskType: 'ESSD', bandwidth: 5, flow: 1000, platforms: ['Linux', 'Windows'] },
  { planId: 'swas.s3.c4m8s80b8t15', core: 4, memory: 8, diskSize: 80, diskType: 'ESSD', bandwidth: 8, flow: 1500, platforms: ['Linux', 'Windows'] },
];

/** Example monthly prices (CNY) in the same order as SHAPES: mainland regions, then Hong Kong and Singapore. */
const MAINLAND_PRICES = ['24.00', '34.00', '60.00', '90.00', '198.00'] as const;
const OVERSEAS_PRICES = ['34.00', '48.00', '84.00', '126.00', '276.00'] as const;

/** The plans of a region (a fresh copy). */
export function plansOf(regionId: string): SimPlan[] {
  const prices = regionId.startsWith('cn-') && regionId !== 'cn-hongkong' ? MAINLAND_PRICES : OVERSEAS_PRICES;
  return SHAPES.map((s, i) => ({ ...s, platforms: [...s.platforms], originPrice: prices[i]!, currency: 'CNY' }));
}

/** The wire shape of one plan, as ListPlans returns it. */
export function planView(p: SimPlan): Record<string, unknown> {
  return {
    PlanId: p.planId,
    Core: p.core,
    Memory: p.memory,
    DiskSize: p.diskSize,
    DiskType: p.diskType,
    Bandwidth: p.bandwidth,
    Flow: p.flow,
    // A JSON list inside a string, as the SDK's example shows it.
    SupportPlatform: JSON.stringify(p.platforms),
    OriginPrice: p.originPrice,
    Currency: p.currency,
    PlanType: 'NORMAL',
    PublicIpNum: '1',
    IspType: 'BGP',
    Tags: [],
  };
}
