import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, withRetries, DEFAULT_RETRY } from '../../src/swas/retry.js';
import { SwasError } from '../../src/swas/errors.js';
import { startInProcess, type InProcess } from '../helpers/in-process.js';

let s: InProcess;
beforeAll(async () => { s = await startInProcess(); });
afterAll(async () => { await s?.close(); });

describe('one abort listener per call, however many requests it runs at once', () => {
  it('RegionId "all" on the list tools prints no MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => { warnings.push(w); };
    process.on('warning', onWarning);
    try {
      for (const tool of ['list_instances', 'list_custom_images', 'list_snapshots', 'list_images']) {
        const res = await s.call(tool, { RegionId: 'all' });
        expect(res.isError, tool).toBeFalsy();
      }
      // Warnings are emitted on the next tick of the process.
      await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
  });

  it('fifty concurrent calls and sleeps on one signal hold at most one listener, none once done', async () => {
    const ctrl = new AbortController();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const calls = Array.from({ length: 50 }, () => withRetries(() => gate, (e) => e as SwasError, DEFAULT_RETRY, ctrl.signal));
    const sleeps = Array.from({ length: 50 }, () => sleep(60_000, ctrl.signal).catch(() => 'cancelled'));
    expect(getEventListeners(ctrl.signal, 'abort').length).toBeLessThanOrEqual(1);
    release();
    await Promise.all(calls);
    ctrl.abort();
    expect(await Promise.all(sleeps)).toEqual(Array(50).fill('cancelled'));
    expect(getEventListeners(ctrl.signal, 'abort').length).toBe(0);
  });
});
