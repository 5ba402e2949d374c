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
}

export interface PollResult<T> { value: T; settled: boolean; polls: number; elapsedMs: number }

/**
 * Polls until `settled(value)` or the time runs out, backing off 1.5× between polls. A wait that
 * would end past the deadline is shortened to end on it; cancellation stops it at once.
 */
export async function pollUntil<T>(poll: () => Promise<T>, settled: (value: T) => boolean, opts: PollOptions<T>): Promise<PollResult<T>> {
  const now = opts.now ?? Date.now;
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
    await sleep(Math.min(interval, left), opts.signal);
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
  /** In words: Creating, Available, progressing, accomplished, Running, Resetting, NotFound, … */
  State: string;
  /** Snapshots only: the API's percentage, e.g. "45%". */
  Progress?: string;
  /** Reached the target. */
  Done: boolean;
  /** Can no longer reach the target (failed, or gone while waiting for it to appear). */
  Failed: boolean;
}

const FAILED_STATES: Record<ResourceKind, string[]> = {
  image: ['Failed', 'Unavailable'],
  snapshot: ['failed'],
  instance: ['Disabled'],
};

/** Judges one read state against its target. Missing means not listed (or deleted). */
export function judgeState(w: Watch, state: string | undefined, progress?: string): ResourceState {
  const missing = state === undefined;
  const word = missing ? 'NotFound' : state;
  let done: boolean;
  if (w.until === 'Deleted') done = missing;
  else done = !missing && sameWord(word, w.until);
  const failed = !done && !missing && w.until !== 'Deleted' && FAILED_STATES[w.kind].some((f) => sameWord(word, f));
  return { Kind: w.kind, Id: w.id, Until: w.until, State: word, ...(progress ? { Progress: progress } : {}), Done: done, Failed: failed };
}

/** Reads the state of every watched resource: one list call per kind, all at once. */
export async function readStates(api: SwasApi, regionId: string, watches: Watch[], signal?: AbortSignal): Promise<ResourceState[]> {
  const ids = (kind: ResourceKind) => watches.filter((w) => w.kind === kind).map((w) => w.id);
  const opts = { signal };
  const [images, snapshots, instances] = await Promise.all([
    ids('image').length ? api.listCustomImages(regionId, { ImageIds: ids('image') }, opts) : undefined,
    ids('snapshot').length ? api.listSnapshots(regionId, { SnapshotIds: ids('snapshot') }, opts) : undefined,
    ids('instance').length ? api.listInstanceStatus(regionId, { InstanceIds: ids('instance') }, opts) : undefined,
  ]);
  return watches.map((w) => {
    if (w.kind === 'image') {
      const m = images?.items.find((i) => i.ImageId === w.id);
      // A new image is not listed for a while after CreateCustomImage answers: it is being created.
      const state = m ? imageStatusWord(m.StatusCode) : (w.until === 'Available' ? 'Creating' : undefined);
      return judgeState(w, state);
    }
    if (w.kind === 'snapshot') {
      const s = snapshots?.items.find((i) => i.SnapshotId === w.id);
      return judgeState(w, s?.Status, s?.Progress);
    }
    return judgeState(w, instances?.find((i) => i.InstanceId === w.id)?.Status);
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
  progress(progress: number, message: string, total?: number): Promise<void>;
  now?: () => number;
}

export interface WaitOutcome { states: ResourceState[]; allDone: boolean; anyFailed: boolean; elapsedMs: number }

/**
 * Waits until every watched resource is done (or one can no longer get there), or the time runs
 * out. Progress: the snapshots' real percentage when only snapshots are watched, otherwise the
 * seconds waited out of the time allowed.
 */
export async function waitForResources(api: SwasApi, regionId: string, watches: Watch[], opts: WaitOptions): Promise<WaitOutcome> {
  const onlySnapshots = watches.every((w) => w.kind === 'snapshot' && w.until === 'Accomplished');
  let last = 0;
  const result = await pollUntil(
    () => readStates(api, regionId, watches, opts.signal),
    (states) => states.every((s) => s.Done || s.Failed),
    {
      timeoutMs: opts.timeoutMs,
      initialIntervalMs: opts.pollIntervalMs,
      maxIntervalMs: 5_000,
      signal: opts.signal,
      now: opts.now,
      onPoll: (states, _n, elapsedMs) => {
        const seconds = Math.round(elapsedMs / 1000);
        const summary = states.map((s) => `${s.Id} ${s.State}${s.Progress ? ` ${s.Progress}` : ''}`).join(', ');
        if (onlySnapshots) {
          const percents = states.map((s) => (s.Done ? 100 : progressPercent(s.Progress) ?? 0));
          last = nextProgress(last, Math.min(...percents));
          return opts.progress(last, `${summary} after ${seconds} s`, 100);
        }
        last = nextProgress(last, elapsedMs / 1000);
        return opts.progress(last, `${summary} after ${seconds} s of at most ${Math.round(opts.timeoutMs / 1000)} s`, Math.max(last, opts.timeoutMs / 1000));
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
