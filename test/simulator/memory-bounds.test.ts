// Issue 8 item 21: the simulator runs inside the server in --simulate mode and behind the HTTP load
// bench for as long as they live; neither its request log nor its replay-check nonces may grow with every request.
import * as swas from '@alicloud/swas-open20200601';
import { describe, expect, test } from 'vitest';
import { DEMO, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { NonceStore } from '../../src/simulator/signature.js';
import { DEFAULT_REQUEST_LOG_LIMIT, Stats, type LoggedRequest } from '../../src/simulator/stats.js';
import { sdkClient } from './helpers.js';

const entry = (i: number, action = 'ListInstances'): LoggedRequest => ({
  time: i, requestId: `r-${i}`, action, params: { N: String(i) }, accessKeyId: 'k', status: 200, outcome: 'response',
});

describe('the request log is bounded, the counters are not', () => {
  test('keeps the newest logLimit requests, oldest first, and counts every request', () => {
    const stats = new Stats(10);
    for (let i = 0; i < 25; i++) stats.record(entry(i, i % 5 === 0 ? 'CreateCustomImage' : 'ListInstances'));
    expect(stats.requests().map((r) => r.requestId)).toEqual(Array.from({ length: 10 }, (_, k) => `r-${15 + k}`));
    expect(stats.calls()).toEqual({ CreateCustomImage: 5, ListInstances: 20 });
    expect(stats.requests('CreateCustomImage').map((r) => r.requestId)).toEqual(['r-15', 'r-20']);
  });

  test('a limit of 0 keeps no log but still counts', () => {
    const stats = new Stats(0);
    for (let i = 0; i < 3; i++) stats.record(entry(i));
    expect(stats.requests()).toEqual([]);
    expect(stats.count('ListInstances')).toBe(3);
  });

  test('the log keeps its own copy, not the caller\'s object', () => {
    const stats = new Stats();
    const e = entry(1);
    stats.record(e);
    e.params.N = 'changed';
    expect(stats.requests()[0]!.params).toEqual({ N: '1' });
  });

  test('refuses a limit that is not a whole number >= 0', () => {
    expect(() => new Stats(-1)).toThrow(/request log limit/);
    expect(() => new Stats(1.5)).toThrow(/request log limit/);
  });

  test('a started simulator is bounded by default, and takes requestLogLimit', async () => {
    const byDefault = await startSimulator();
    const small: Simulator = await startSimulator({ requestLogLimit: 3 });
    try {
      expect(byDefault.stats.logLimit).toBe(DEFAULT_REQUEST_LOG_LIMIT);
      const client = sdkClient(small);
      for (let i = 0; i < 5; i++) await client.listInstances(new swas.ListInstancesRequest({ regionId: DEMO.region }));
      expect(small.stats.count('ListInstances')).toBe(5);
      expect(small.stats.requests()).toHaveLength(3);
    } finally {
      await byDefault.stop();
      await small.stop();
    }
  });
});

describe('the replay-check nonces are bounded', () => {
  test('at most `limit` nonces are kept, the oldest forgotten first; a recent replay is still caught', () => {
    const nonces = new NonceStore(3);
    const now = Date.now();
    for (const n of ['a', 'b', 'c', 'd']) expect(nonces.use(n, now)).toBe(true);
    expect(nonces.size).toBe(3);
    expect(nonces.use('d', now)).toBe(false);
    expect(nonces.use('a', now)).toBe(true); // forgotten: the oldest went first
  });
});
