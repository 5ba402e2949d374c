import { readFileSync } from 'node:fs';
import { constants } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { transformSync } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleCollector } from '../../src/idle-gc.js';

describe('IdleCollector: one full collection once a burst of calls is over', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  const burst = async (idle: IdleCollector, n: number) => {
    const calls = Array.from({ length: n }, () => idle.track(Promise.resolve()));
    await Promise.all(calls);
    await vi.advanceTimersByTimeAsync(0);
  };

  it('collects three times after the quiet time that follows the last call, the last one memory-reducing', async () => {
    const collect = vi.fn();
    const idle = new IdleCollector(collect, 5_000, 20);
    await burst(idle, 30);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(collect).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(collect.mock.calls).toEqual([[false]]);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(collect.mock.calls).toEqual([[false]]);
    await vi.advanceTimersByTimeAsync(1);
    expect(collect.mock.calls).toEqual([[false], [false]]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(collect.mock.calls).toEqual([[false], [false], [true]]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(collect).toHaveBeenCalledTimes(3);
  });

  it('by default a single call is enough: its quiet period ends in the same series', async () => {
    const collect = vi.fn();
    const idle = new IdleCollector(collect);
    await burst(idle, 1);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(collect.mock.calls).toEqual([[false], [false], [true]]);
    await burst(idle, 1);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(collect).toHaveBeenCalledTimes(6);
  });

  it('a call during the series stops it; the next quiet period starts a new one only after enough calls', async () => {
    const collect = vi.fn();
    const idle = new IdleCollector(collect, 5_000, 20);
    await burst(idle, 30);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(collect).toHaveBeenCalledTimes(1);
    await burst(idle, 2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('never collects while a call is in flight, nor after a handful of calls', async () => {
    const collect = vi.fn();
    const idle = new IdleCollector(collect, 5_000, 20);
    await burst(idle, 5);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(collect).not.toHaveBeenCalled();
    let finish!: () => void;
    void idle.track(new Promise<void>((r) => { finish = r; }));
    await burst(idle, 30);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(collect).not.toHaveBeenCalled();
    finish();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('a call that fails counts as settled too', async () => {
    const collect = vi.fn();
    const idle = new IdleCollector(collect, 1_000, 1, 1);
    await idle.track(Promise.reject(new Error('x'))).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(collect.mock.calls).toEqual([[true]]);
  });

  it('runs the same series once after start, unless a call comes first (the call postpones it to its own quiet time)', async () => {
    const collect = vi.fn();
    const idle = new IdleCollector(collect, 5_000, 20);
    idle.afterStart();
    await vi.advanceTimersByTimeAsync(15_000);
    expect(collect.mock.calls).toEqual([[false], [false], [true]]);

    const busy = new IdleCollector(collect.mockClear(), 5_000, 20);
    busy.afterStart();
    let finish!: () => void;
    void busy.track(new Promise<void>((r) => { finish = r; }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(collect).not.toHaveBeenCalled();
    finish();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(collect).not.toHaveBeenCalled();
  });
});

describe('fullCollection: what the IdleCollector runs', () => {
  // Each case runs in a worker thread: an isolate of its own with a heap of a few MB, so the full
  // collections it measures are cheap, and the code flush of the last one leaves the compiled code
  // of this test worker (vitest, the SDKs, the tools, reused by the files after this one) alone.
  const source = transformSync(readFileSync(new URL('../../src/idle-gc.ts', import.meta.url), 'utf8'), { loader: 'ts', format: 'cjs' }).code;
  /** Runs `body` (plain JavaScript given `fullCollection` and `done(value)`) in a worker thread; resolves with its value. */
  const inWorker = <T>(body: string) => new Promise<T>((resolve, reject) => {
    const worker = new Worker(`
      const { parentPort } = require('node:worker_threads');
      const idleGc = { exports: {} };
      (function (module, exports) { ${source} })(idleGc, idleGc.exports);
      const { fullCollection } = idleGc.exports;
      const done = (value) => parentPort.postMessage(value);
      ${body}
    `, { eval: true });
    worker.once('message', (value: T) => { resolve(value); void worker.terminate(); });
    worker.once('error', reject);
  });

  it('runs a full (mark-compact) collection each time, the last of a series too, and can run again after it', async () => {
    // The kind of each V8 collection observed until three full ones were seen.
    const kinds = await inWorker<number[]>(`
      const { PerformanceObserver } = require('node:perf_hooks');
      const kinds = [];
      const observer = new PerformanceObserver((list) => {
        kinds.push(...list.getEntries().map((e) => e.detail.kind));
        if (kinds.filter((k) => k === ${constants.NODE_PERFORMANCE_GC_MAJOR}).length >= 3) { observer.disconnect(); done(kinds); }
      });
      observer.observe({ entryTypes: ['gc'] });
      fullCollection(false);
      fullCollection(true);
      fullCollection(false);
    `);
    expect(kinds.filter((k) => k === constants.NODE_PERFORMANCE_GC_MAJOR)).toHaveLength(3);
  });

  it('leaves compiled code working: a function whose code was dropped compiles again on its next call', async () => {
    expect(await inWorker<number[]>(`
      const square = (x) => x * x;
      const before = square(3);
      fullCollection(true);
      done([before, square(4)]);
    `)).toEqual([9, 16]);
  });
});
