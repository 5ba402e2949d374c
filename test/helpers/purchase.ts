// What the create_servers_from_image repeat tests share, in this process and across processes: the
// order, a simulator of each test's own, and the environment of a server allowed to buy. Whatever a
// test starts is closed after it.
import { afterEach } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { isolatedEnv, SIM_CREDENTIALS } from './stack.js';

export const ORDER = { RegionId: DEMO.region, ImageId: DEMO.blogOldImageId, PlanId: 'swas.s2.c2m2s50b4t08', Period: 12, Amount: 2 };

export interface PurchaseFixture {
  /** The test's simulator (stopped after the test). */
  simulator(): Promise<Simulator>;
  /** A server environment that may buy, against the test's simulator; the ledger off. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Closes `handle` after the test. */
  keep<T extends { close(): Promise<void> }>(handle: T): T;
}

/** Call at a file's top level: registers the cleanup after each test. */
export function purchaseFixture(): PurchaseFixture {
  let sim: Simulator | undefined;
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((h) => h.close().catch(() => undefined)));
    await sim?.stop();
    sim = undefined;
  });
  return {
    simulator: async () => (sim = await startSimulator()),
    env: (extra = {}) => {
      if (!sim) throw new Error('start the test\'s simulator first');
      return isolatedEnv({
        ...SIM_CREDENTIALS, SWAS_ENDPOINT: sim.url, ALIBABA_CLOUD_REGION_ID: DEMO.region, SWAS_MCP_ALLOW_PURCHASE: 'true', SWAS_MCP_AUDIT_LOG: 'off', ...extra,
      });
    },
    keep: (handle) => { open.push(handle); return handle; },
  };
}
