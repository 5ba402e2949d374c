import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fullCollection, IdleCollector } from '../../src/idle-gc.js';

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
  /** The kind of each V8 collection observed until `n` full ones were seen. */
  const collectionsUntil = (n: number) => new Promise<number[]>((resolve) => {
    const kinds: number[] = [];
    const observer = new PerformanceObserver((list) => {
      kinds.push(...list.getEntries().map((e) => (e as PerformanceEntry & { detail: { kind: number } }).detail.kind));
      if (kinds.filter((k) => k === constants.NODE_PERFORMANCE_GC_MAJOR).length >= n) { observer.disconnect(); resolve(kinds); }
    });
    observer.observe({ entryTypes: ['gc'] });
  });

  it('runs a full (mark-compact) collection each time, the last of a series too, and can run again after it', async () => {
    const seen = collectionsUntil(3);
    fullCollection(false);
    fullCollection(true);
    fullCollection(false);
    const kinds = await seen;
    expect(kinds.filter((k) => k === constants.NODE_PERFORMANCE_GC_MAJOR)).toHaveLength(3);
  });

  it('leaves compiled code working: a function whose code was dropped compiles again on its next call', () => {
    const square = (x: number) => x * x;
    expect(square(3)).toBe(9);
    fullCollection(true);
    expect(square(4)).toBe(16);
  });
});
