// Public API of the SWAS API simulator. Importing this module has no side effects.
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import { demoSeed } from './demo.js';
import { Faults } from './faults.js';
import { createRequestHandler } from './server.js';
import { NonceStore, type KeyPair } from './signature.js';
import { SimState } from './state.js';
import { Stats } from './stats.js';
import { SimAccounts } from './accounts.js';
import type { TimingProfile } from './timing.js';
import type { SeedData } from './types.js';

export { DEMO, demoSeed } from './demo.js';
export { SimulatedApiError } from './errors.js';
export type { Fault, FaultKind, FaultSpec, Faults } from './faults.js';
export { API_VERSION } from './server.js';
export type { KeyPair } from './signature.js';
export { ACCOUNT_ID as SIM_ACCOUNT_ID, DEFAULT_REGIONS, type InstancePatch, type SimState } from './state.js';
export { FIXED_TIMINGS, REALISTIC_TIMINGS, realisticSeconds, type TimingProfile } from './timing.js';
export type { LoggedRequest, Outcome, Stats } from './stats.js';
export type * from './types.js';

export const SIM_ACCESS_KEY_ID = 'sim-access-key-id';
export const SIM_ACCESS_KEY_SECRET = 'sim-access-key-secret';

export interface SimulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** `'demo'` (default), `'empty'` (regions only), or your own data. */
  seed?: 'demo' | 'empty' | SeedData;
  /** Extra key pairs (e.g. with an STS `securityToken`); the default pair is always accepted. */
  keys?: KeyPair[];
  /**
   * `'fixed'` (default): the *Ms options below, the same for every resource.
   * `'realistic'`: minutes of simulated time sized by disk (REALISTIC_TIMINGS), divided by `timeScale`.
   */
  profile?: TimingProfile;
  /** Realistic profile: simulated time runs this many times faster (600 = ten minutes a second). Default 1. */
  timeScale?: number;
  /** Fixed profile: milliseconds until a new custom image leaves Status "4". Default 3000. */
  imageReadyMs?: number;
  /** Fixed profile: milliseconds until a new snapshot is `accomplished`. Default 2000. */
  snapshotReadyMs?: number;
  /** Fixed profile: milliseconds after CreateCustomImage during which the list calls do not show the image. Default 0. */
  imageListDelayMs?: number;
  /** Fixed profile: milliseconds a deleted image stays listed before it disappears. Default 1000. */
  imageDeleteMs?: number;
  /** Fixed profile: milliseconds a server stays Resetting after ResetSystem. Default 2000. */
  resetMs?: number;
  /** Fixed profile: milliseconds a new server (CreateInstances) takes from Pending to Running. Default 2000. */
  launchMs?: number;
  /**
   * List calls filtered by unknown IDs answer errors as the real API may (404 InvalidInstanceId.NotFound,
   * InvalidDiskId.NotFound) instead of empty lists. Default false; `sim.state.unknownIdErrors` changes it later.
   */
  unknownIdErrors?: boolean;
  /** Initial global per-request latency (also settable later via `faults.latencyMs`). */
  latencyMs?: number;
  /** Clock for timestamps, signature dates and async progress. Default `Date.now`. */
  now?: () => number;
  /** How many requests `stats.requests()` keeps (the newest). Default 5,000; 0 keeps none. The counters stay exact either way. */
  requestLogLimit?: number;
  /**
   * More Alibaba Cloud accounts beside the default one (SIM_ACCOUNT_ID, with the default key pair,
   * `keys` and `seed`): each with its own access keys and its own state (`'empty'` by default).
   * STS (GetCallerIdentity, AssumeRole) is then served too.
   */
  accounts?: SimAccountOptions[];
  /**
   * Serve HTTPS with this key and certificate instead of HTTP (clients that only speak https, such
   * as @alicloud/credentials' AssumeRole, trust it through NODE_EXTRA_CA_CERTS).
   */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface SimAccountOptions {
  accountId: string;
  keys: KeyPair[];
  seed?: 'demo' | 'empty' | SeedData;
}

export interface Simulator {
  /** e.g. `http://127.0.0.1:41234` */
  url: string;
  /** `127.0.0.1:41234`: what the SDK's `endpoint` config wants (with `protocol: 'HTTP'`). */
  endpoint: string;
  port: number;
  state: SimState;
  faults: Faults;
  stats: Stats;
  /** Each account's state by account ID, the default account's (`state`) included. */
  accounts: ReadonlyMap<string, SimState>;
  /** Closes the listener and destroys every open connection, including hanging ones. */
  stop(): Promise<void>;
}

/** Drops keys whose value is undefined (exactOptionalPropertyTypes). */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function resolveSeed(seed: SimulatorOptions['seed']): SeedData {
  if (seed === undefined || seed === 'demo') return demoSeed();
  if (seed === 'empty') return {};
  return seed;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const o = options;
  const state = new SimState(
    resolveSeed(o.seed),
    definedOnly({
      now,
      profile: o.profile,
      timeScale: o.timeScale,
      imageReadyMs: o.imageReadyMs,
      snapshotReadyMs: o.snapshotReadyMs,
      imageListDelayMs: o.imageListDelayMs,
      imageDeleteMs: o.imageDeleteMs,
      resetMs: o.resetMs,
      launchMs: o.launchMs,
      unknownIdErrors: o.unknownIdErrors,
    }),
  );
  const faults = new Faults();
  faults.latencyMs = options.latencyMs ?? 0;
  const stats = new Stats(options.requestLogLimit);
  const keys = new Map<string, KeyPair>([[SIM_ACCESS_KEY_ID, { accessKeyId: SIM_ACCESS_KEY_ID, accessKeySecret: SIM_ACCESS_KEY_SECRET }]]);
  for (const k of options.keys ?? []) keys.set(k.accessKeyId, { ...k });

  const states = new Map<string, SimState>([[state.accountId, state]]);
  let accounts: SimAccounts | undefined;
  // Only with more accounts, so a one-account simulator answers exactly as before.
  if (o.accounts?.length) {
    for (const a of o.accounts) {
      if (states.has(a.accountId)) throw new Error(`simulator: account ${a.accountId} is given twice`);
      states.set(a.accountId, new SimState(resolveSeed(a.seed ?? 'empty'), definedOnly({
        now, profile: o.profile, timeScale: o.timeScale, imageReadyMs: o.imageReadyMs, snapshotReadyMs: o.snapshotReadyMs,
        imageListDelayMs: o.imageListDelayMs, imageDeleteMs: o.imageDeleteMs, resetMs: o.resetMs, unknownIdErrors: o.unknownIdErrors,
        accountId: a.accountId,
      })));
    }
    accounts = new SimAccounts(states, keys, state.accountId, now);
    for (const a of o.accounts) {
      for (const k of a.keys) {
        keys.set(k.accessKeyId, { ...k });
        accounts.own(k.accessKeyId, a.accountId);
      }
    }
  }

  const handler = createRequestHandler({ state, faults, stats, keys, nonces: new NonceStore(), now, ...(accounts ? { accounts } : {}) });
  const server: Server = o.tls ? createTlsServer({ key: o.tls.key, cert: o.tls.cert }, handler) : createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const hostPart = host.includes(':') ? `[${host}]` : host;

  let stopping: Promise<void> | undefined;
  return {
    url: `${o.tls ? 'https' : 'http'}://${hostPart}:${port}`,
    endpoint: `${hostPart}:${port}`,
    port,
    state,
    faults,
    stats,
    accounts: states,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
