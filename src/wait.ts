import { sleep, throwIfCancelled } from './swas/retry.js';
import { imageStatusWord, sameWord } from './swas/status.js';
import type { SwasApi } from './swas/types.js';

export interface PollOptions<T> {
  /** Give up after this long; the caller then reports "still in progress". */
  timeoutMs: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
  signal?: AbortSignal;
  /** Called after every poll, e.g. to send a progress notification. */
  onPoll?: (value: T, pollNumber: number, elapsedMs: number) => Promise<void> | void;
  /** Injected clock (tests); Date.now otherwise. */
  now?: () => number;
  /** Injected wait between polls (tests, with `now`: time that passes without being waited out); a real timer otherwise. */
  sleep?: Sleep;
}

/** Waits `ms` (or rejects once `signal` fires): a real timer, or a test's clock. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A clock for the waits: what time it is, and how to let time pass. Tests inject one; production has none. */
export interface WaitClock { now: () => number; sleep: Sleep }

export interface PollResult<T> { value: T; settled: boolean; polls: number; elapsedMs: number }

/**
 * Polls until `settled(value)` or the time runs out, backing off 1.5× between polls. A wait that
 * would end past the deadline is shortened to end on it; cancellation stops it at once.
 */
export async function pollUntil<T>(poll: () => Promise<T>, settled: (value: T) => boolean, opts: PollOptions<T>): Promise<PollResult<T>> {
  const now = opts.now ?? Date.now;
  const pause = opts.sleep ?? sleep;
  const started = now();
  let interval = opts.initialIntervalMs;
  for (let n = 1; ; n++) {
    throwIfCancelled(opts.signal);
    const value = await poll();
    const elapsedMs = now() - started;
    await opts.onPoll?.(value, n, elapsedMs);
    if (settled(value)) return { value, settled: true, polls: n, elapsedMs };
    const left = opts.timeoutMs - (now() - started);
    if (left <= 0) return { value, settled: false, polls: n, elapsedMs };
    await pause(Math.min(interval, left), opts.signal);
    interval = Math.min(opts.maxIntervalMs, Math.round(interval * 1.5));
  }
}

// ---- waiting for resources: one machinery for every long operation ----

export type ResourceKind = 'image' | 'snapshot' | 'instance';
/** What a wait is for: images Available, snapshots Accomplished, servers Running, anything Deleted. */
export type WaitTarget = 'Available' | 'Accomplished' | 'Running' | 'Deleted';

export const DEFAULT_TARGET: Record<ResourceKind, WaitTarget> = { image: 'Available', snapshot: 'Accomplished', instance: 'Running' };

export interface Watch { kind: ResourceKind; id: string; until: WaitTarget }

/** One resource's state as last read. */
export interface ResourceState {
  Kind: ResourceKind;
  Id: string;
  Until: WaitTarget;
  /** In words: Creating, Available, progressing, accomplished, Running, Resetting, Deleted, NotFound, … */
  State: string;
  /** Snapshots only: the API's percentage, e.g. "45%". */
  Progress?: string;
  /** Reached the target. */
  Done: boolean;
  /** Can no longer reach the target: failed, not found, or gone while waited on. */
  Failed: boolean;
  /** Not published: listed earlier in this wait, then no longer (for the words of the answer). */
  Vanished?: boolean;
}

const FAILED_STATES: Record<ResourceKind, string[]> = {
  image: ['Failed', 'Unavailable'],
  snapshot: ['failed'],
  instance: ['Disabled'],
};

/**
 * Images and snapshots this process created, with when: a new custom image is not listed for a
 * while after CreateCustomImage answers (fidelity audit, Terraform waits for it too), so until it
 * first appears it is being created, not missing. Other processes (HTTP replicas, a new stdio
 * session) do not know it: for them an ID not listed is NotFound, and the answer says to try again
 * if it was created moments ago.
 */
const CREATED = new Map<string, number>();
/** How long a created resource may stay unlisted before it counts as not found. */
export const UNLISTED_GRACE_MS = 10 * 60_000;
const CREATED_CAP = 1_000;

/** Notes a resource this process just created (sendWrite does, for every answer with an ImageId or SnapshotId). */
export function noteCreated(id: string, atMs: number): void {
  CREATED.delete(id);
  CREATED.set(id, atMs);
  for (const oldest of CREATED.keys()) {
    if (CREATED.size <= CREATED_CAP) break;
    CREATED.delete(oldest);
  }
}

function createdRecently(id: string, nowMs: number): boolean {
  const at = CREATED.get(id);
  return at !== undefined && nowMs - at < UNLISTED_GRACE_MS;
}

/** What a resource not (yet) listed is while it is being created. */
const BEING_CREATED: Partial<Record<ResourceKind, string>> = { image: 'Creating', snapshot: 'progressing' };

/**
 * Judges one read state against its target. `state` undefined: not listed. Not listed is done when
 * waiting for Deleted; being created when this process just created it and it was never listed;
 * otherwise NotFound, which can no longer reach the target (and `seen`: it vanished while waited on).
 */
export function judgeState(w: Watch, state: string | undefined, progress?: string, opts: { seen?: boolean; fresh?: boolean } = {}): ResourceState {
  const base = { Kind: w.kind, Id: w.id, Until: w.until };
  if (state === undefined) {
    if (w.until === 'Deleted') return { ...base, State: 'Deleted', Done: true, Failed: false };
    const creating = BEING_CREATED[w.kind];
    if (opts.fresh && !opts.seen && creating) return { ...base, State: creating, Done: false, Failed: false };
    return { ...base, State: 'NotFound', Done: false, Failed: true, ...(opts.seen ? { Vanished: true } : {}) };
  }
  const done = w.until !== 'Deleted' && sameWord(state, w.until);
  const failed = !done && w.until !== 'Deleted' && FAILED_STATES[w.kind].some((f) => sameWord(state, f));
  return { ...base, State: state, ...(progress ? { Progress: progress } : {}), Done: done, Failed: failed };
}

/** The list action whose failure stopped a read (for the error's explanation: which permission, say). */
const FAILED_ACTION = new WeakMap<object, string>();

/** The list action a wait's read failed in, if the error came from one. */
export function failedReadAction(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? FAILED_ACTION.get(err) : undefined;
}

function tagged<T>(action: string, work: Promise<T>): Promise<T> {
  return work.catch((err: unknown) => {
    if (typeof err === 'object' && err !== null) FAILED_ACTION.set(err, action);
    throw err;
  });
}

/**
 * Reads the state of every watched resource: one list call per kind, all at once. `seen` holds the
 * IDs listed by earlier reads of the same wait (it is updated).
 */
export async function readStates(api: SwasApi, regionId: string, watches: Watch[], signal?: AbortSignal,
  seen: Set<string> = new Set(), now: () => number = Date.now): Promise<ResourceState[]> {
  const ids = (kind: ResourceKind) => watches.filter((w) => w.kind === kind).map((w) => w.id);
  const opts = { signal };
  const [images, snapshots, instances] = await Promise.all([
    ids('image').length ? tagged('ListCustomImages', api.listCustomImages(regionId, { ImageIds: ids('image') }, opts)) : undefined,
    ids('snapshot').length ? tagged('ListSnapshots', api.listSnapshots(regionId, { SnapshotIds: ids('snapshot') }, opts)) : undefined,
    ids('instance').length ? tagged('ListInstanceStatus', api.listInstanceStatus(regionId, { InstanceIds: ids('instance') }, opts)) : undefined,
  ]);
  const at = now();
  return watches.map((w) => {
    let state: string | undefined;
    let progress: string | undefined;
    if (w.kind === 'image') {
      const m = images?.items.find((i) => i.ImageId === w.id);
      state = m ? imageStatusWord(m.StatusCode) : undefined;
    } else if (w.kind === 'snapshot') {
      const s = snapshots?.items.find((i) => i.SnapshotId === w.id);
      state = s?.Status;
      progress = s?.Progress;
    } else {
      state = instances?.find((i) => i.InstanceId === w.id)?.Status;
    }
    const judged = judgeState(w, state, progress, { seen: seen.has(w.id), fresh: createdRecently(w.id, at) });
    if (state !== undefined) seen.add(w.id);
    return judged;
  });
}

/** "45%" → 45; anything unreadable → undefined. */
export function progressPercent(progress: string | undefined): number | undefined {
  const m = /^\s*(\d{1,3}(?:\.\d+)?)\s*%?\s*$/.exec(progress ?? '');
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= 0 && n <= 100 ? n : undefined;
}

/**
 * The next value of a progress notification: MCP wants it to increase on every notification, so it
 * follows the given value when that rises and otherwise creeps up by a hundredth.
 */
export function nextProgress(last: number, value: number | undefined): number {
  if (value !== undefined && value > last) return value;
  return Math.round((last + 0.01) * 100) / 100;
}

export interface WaitOptions {
  timeoutMs: number;
  pollIntervalMs: number;
  signal: AbortSignal;
  progress: (progress: number, message: string, total?: number) => Promise<void>;
  /** Injected clock (tests): what time it is and how to let time pass; Date.now and real timers otherwise. */
  clock?: WaitClock;
}

export interface WaitOutcome { states: ResourceState[]; allDone: boolean; anyFailed: boolean; elapsedMs: number }

/** One state in the words of a progress message: "m-1 Creating", "s-1 progressing 45%", "m-2 deleted". */
export function stateWords(s: ResourceState): string {
  if (s.Until === 'Deleted' && s.Done) return `${s.Id} deleted`;
  return `${s.Id} ${s.State}${s.Progress ? ` ${s.Progress}` : ''}`;
}

/**
 * Waits until every watched resource is done (or one can no longer get there), or the time runs
 * out. Progress carries a `total` only where there is a real fraction: the snapshots' own
 * percentage when only snapshots are watched. Otherwise it counts the seconds waited, without a
 * total, so that no client draws a bar that fills when the time runs out rather than when the work
 * is done.
 */
export async function waitForResources(api: SwasApi, regionId: string, watches: Watch[], opts: WaitOptions): Promise<WaitOutcome> {
  const onlySnapshots = watches.every((w) => w.kind === 'snapshot' && w.until === 'Accomplished');
  const now = opts.clock?.now ?? Date.now;
  const seen = new Set<string>();
  let last = 0;
  const result = await pollUntil(
    () => readStates(api, regionId, watches, opts.signal, seen, now),
    (states) => states.every((s) => s.Done || s.Failed),
    {
      timeoutMs: opts.timeoutMs,
      initialIntervalMs: opts.pollIntervalMs,
      maxIntervalMs: 5_000,
      signal: opts.signal,
      now,
      ...(opts.clock ? { sleep: opts.clock.sleep } : {}),
      onPoll: (states, _n, elapsedMs) => {
        const seconds = Math.round(elapsedMs / 1000);
        const summary = states.map(stateWords).join(', ');
        if (onlySnapshots) {
          const percents = states.map((s) => (s.Done ? 100 : progressPercent(s.Progress) ?? 0));
          last = nextProgress(last, Math.min(...percents));
          return opts.progress(last, `${summary} after ${seconds} s`, 100);
        }
        last = nextProgress(last, elapsedMs / 1000);
        return opts.progress(last, `${summary} after ${seconds} s (this call waits at most ${Math.round(opts.timeoutMs / 1000)} s)`);
      },
    },
  );
  return {
    states: result.value,
    allDone: result.value.every((s) => s.Done),
    anyFailed: result.value.some((s) => s.Failed),
    elapsedMs: result.elapsedMs,
  };
}
