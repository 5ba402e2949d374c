// Programmable failures for reliability tests. A fault is checked for every authenticated call
// of a known action; the first registered fault that fires decides the outcome of that call.

import { INSUFFICIENT_BALANCE } from './rules.js';

export type FaultKind = 'error' | 'hang' | 'drop' | 'latency';

export interface FaultSpec {
  /** Action name, or `'*'` (default) for every action. */
  action?: string;
  /** Only calls for this region (their RegionId parameter); default every region. */
  regionId?: string;
  /** Default `'error'`. `latency` only delays the call (by `latencyMs`) and lets it run. */
  kind?: FaultKind;
  /** For `error`: HTTP status (default 500) and code (default `InternalError`). */
  status?: number;
  code?: string;
  message?: string;
  /** Sent as the `x-acs-retry-after` header (milliseconds), as the gateway does when throttling. */
  retryAfterMs?: number;
  /** Delay before the fault takes effect (or before the call runs, for `latency`). */
  latencyMs?: number;
  /**
   * Run the action first (its state change happens), then fail the response:
   * "the create succeeded but the answer was lost".
   */
  after?: boolean;
  /** Fire on at most this many matching calls. Default 1 unless `every` or `fraction` is set (then unlimited). */
  times?: number;
  /** Fire on every k-th matching call (k, 2k, ...). */
  every?: number;
  /** Fire on this fraction of matching calls, decided by a seeded deterministic generator. */
  fraction?: number;
  /** Seed for `fraction` (default 1). */
  seed?: number;
}

export interface Fault extends Readonly<Required<Pick<FaultSpec, 'action' | 'kind' | 'after'>>> {
  readonly id: number;
  readonly spec: Readonly<FaultSpec>;
  /** Matching calls seen so far. */
  readonly seen: number;
  /** Calls this fault fired on. */
  readonly fired: number;
}

/** mulberry32: tiny deterministic PRNG, enough for reproducible "random" faults. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FaultRecord {
  id: number;
  spec: FaultSpec;
  seen: number;
  fired: number;
  limit: number;
  random?: () => number;
}

export class Faults {
  /** Added to every request before it is handled; may be changed at any time. */
  latencyMs = 0;
  private nextId = 1;
  private records: FaultRecord[] = [];

  add(spec: FaultSpec): Fault {
    if (spec.every !== undefined && (!Number.isInteger(spec.every) || spec.every < 1)) throw new Error('fault: every must be an integer >= 1');
    if (spec.fraction !== undefined && !(spec.fraction >= 0 && spec.fraction <= 1)) throw new Error('fault: fraction must be within [0, 1]');
    const periodic = spec.every !== undefined || spec.fraction !== undefined;
    const record: FaultRecord = {
      id: this.nextId++,
      spec: { ...spec },
      seen: 0,
      fired: 0,
      limit: spec.times ?? (periodic ? Number.POSITIVE_INFINITY : 1),
      ...(spec.fraction === undefined ? {} : { random: prng(spec.seed ?? 1) }),
    };
    this.records.push(record);
    return this.view(record);
  }

  /** The next `times` calls of `action` fail with this status and code. */
  failNext(action: string, times: number, error: { status: number; code: string; message?: string; retryAfterMs?: number; after?: boolean }): Fault {
    return this.add({ action, times, kind: 'error', ...error });
  }

  /** Throttles the next `times` calls: 400 `Throttling.User` with `x-acs-retry-after`. */
  throttle(action = '*', times = 1, retryAfterMs = 1000): Fault {
    return this.add({ action, times, kind: 'error', status: 400, code: 'Throttling.User', message: 'Request was denied due to user flow control.', retryAfterMs });
  }

  /**
   * The next `times` orders (CreateInstances) fail as if the balance could not pay for them: 400
   * `PAY.INSUFFICIENT_BALANCE` (an inferred code: see rules.ts INSUFFICIENT_BALANCE). Nothing is created.
   */
  insufficientBalance(times = 1): Fault {
    return this.add({ action: 'CreateInstances', times, kind: 'error', ...INSUFFICIENT_BALANCE });
  }

  /** The next `times` calls get no answer until the client gives up (or the simulator stops). */
  hangNext(action = '*', times = 1, options: { after?: boolean } = {}): Fault {
    return this.add({ action, times, kind: 'hang', ...options });
  }

  /** The next `times` calls have their connection destroyed. */
  dropNext(action = '*', times = 1, options: { after?: boolean } = {}): Fault {
    return this.add({ action, times, kind: 'drop', ...options });
  }

  remove(id: number): boolean {
    const before = this.records.length;
    this.records = this.records.filter((r) => r.id !== id);
    return this.records.length !== before;
  }

  get(id: number): Fault | undefined {
    const r = this.records.find((x) => x.id === id);
    return r && this.view(r);
  }

  list(): Fault[] {
    return this.records.map((r) => this.view(r));
  }

  /** Removes every fault and the global latency. */
  clear(): void {
    this.records = [];
    this.latencyMs = 0;
  }

  /** Called once per call; returns the fault that fires, if any. */
  decide(action: string, regionId?: string): Fault | undefined {
    for (const r of this.records) {
      const action_ = r.spec.action ?? '*';
      if (action_ !== '*' && action_ !== action) continue;
      if (r.spec.regionId !== undefined && r.spec.regionId !== regionId) continue;
      if (r.fired >= r.limit) continue;
      r.seen++;
      let fires = true;
      if (r.spec.every !== undefined && r.seen % r.spec.every !== 0) fires = false;
      if (r.random && !(r.random() < r.spec.fraction!)) fires = false;
      if (fires) {
        r.fired++;
        return this.view(r);
      }
    }
    return undefined;
  }

  private view(r: FaultRecord): Fault {
    return {
      id: r.id,
      spec: { ...r.spec },
      action: r.spec.action ?? '*',
      kind: r.spec.kind ?? 'error',
      after: r.spec.after ?? false,
      seen: r.seen,
      fired: r.fired,
    };
  }
}
