import { setImmediate as nextTurn } from 'node:timers/promises';
import { cancelledBy } from '../../src/swas/errors.js';
import { sleep as realSleep } from '../../src/swas/retry.js';
import type { WaitClock } from '../../src/wait.js';

/**
 * One clock for a test's simulator and its server's waits: real time plus an offset that the
 * waits move on instead of sleeping. A wait of 400 ms between two polls passes at once, and the
 * simulator, reading the same clock, sees those 400 ms gone: images and snapshots get ready on its
 * clock, in as many polls as real time would take, without the test waiting them out.
 *
 * Keep the offset under the simulator's 15-minute signature window: its signature check reads
 * this clock, the SDK signs with the real one.
 */
export interface VirtualClock extends WaitClock {
  /** Moves the clock on by `ms` (the time between an agent's turns, say). */
  advance(ms: number): void;
  /**
   * Stops the clock where it is until `release`: the simulator's work stays where it is, and a wait
   * meanwhile sleeps on a real timer (the test, not the wait, decides when time goes on).
   */
  hold(): void;
  /** Starts a held clock again, `ms` after the time it was held at. */
  release(ms?: number): void;
}

export function virtualClock(): VirtualClock {
  let offset = 0;
  let heldAt: number | undefined;
  const now = () => heldAt ?? Date.now() + offset;
  return {
    now,
    advance: (ms) => { offset += ms; },
    hold: () => { heldAt = now(); },
    release: (ms = 0) => {
      if (heldAt === undefined) return;
      offset = heldAt + ms - Date.now();
      heldAt = undefined;
    },
    // The time passes at once; the next poll still waits for the event loop's next turn, so a
    // cancel that arrived meanwhile stops it, as it would stop a real timer.
    sleep: async (ms, signal) => {
      if (heldAt !== undefined) return realSleep(ms, signal);
      if (signal?.aborted) throw cancelledBy(signal);
      offset += ms;
      await nextTurn();
      if (signal?.aborted) throw cancelledBy(signal);
    },
  };
}
