/**
 * Which requests a replica takes on: at most `maxConcurrent` MCP exchanges at a time, and none once
 * it drains for shutdown. Waiting for the in-flight ones is event-driven (each `leave()` checks),
 * bounded by a timer, never polled.
 */
export type Admit = 'ok' | 'busy' | 'draining';

export class Admission {
  private inFlight = 0;
  private draining = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly maxConcurrent: number) {}

  get active(): number { return this.inFlight; }
  get isDraining(): boolean { return this.draining; }

  tryEnter(): Admit {
    if (this.draining) return 'draining';
    if (this.inFlight >= this.maxConcurrent) return 'busy';
    this.inFlight += 1;
    return 'ok';
  }

  leave(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Refuses new requests from now on; resolves true once none is in flight, false after `withinMs`. */
  drain(withinMs: number): Promise<boolean> {
    this.draining = true;
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(false);
      }, withinMs);
      timer.unref();
      const done = (): void => { clearTimeout(timer); resolve(true); };
      this.idleWaiters.push(done);
    });
  }
}
