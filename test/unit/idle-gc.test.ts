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
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(collect.mock.calls).toEqual([[false], [false], [true]]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(collect).toHaveBeenCalledTimes(3);
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
    await vi.advanceTimersByTimeAsync(25_000);
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
