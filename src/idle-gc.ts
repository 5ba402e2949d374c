import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Hands memory back after a burst of calls. A burst grows V8's heap (the new space to 32 MB, the old
 * space with it), and an idle server allocates nothing afterwards, so V8's memory reducer, which
 * waits for allocation to slow down after a mark-compact, never ran: a server that had answered
 * 1,000 calls still held 125 MB a minute later, 47 MB of it heap of which 18 MB was live.
 *
 * Once the calls have stopped, it runs three full collections 5, 15 and 25 s later (the last one
 * memory-reducing): V8 shrinks the new space only after it has measured a low allocation rate
 * between collections, so one collection gave back half as much. Measured: 76 MB 20 s after the
 * same burst. A call in between cancels the rest.
 */
export class IdleCollector {
  private inFlight = 0;
  private callsSinceCollect = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly collect: (last: boolean) => void = fullCollection,
    /** Quiet time after the last call before the first collection. */
    private readonly delayMs = 5_000,
    /** Fewer calls than this since the last collection are not worth one. */
    private readonly minCalls = 20,
    private readonly collections = 3,
  ) {}

  /**
   * The same series once the server has started and gone quiet: start-up grows the young
   * generation too, and whether V8's own memory reducer hands it back within seconds or not at
   * all varied from run to run (idle RSS 55 MB in one, 66 MB in another). A call postpones it.
   */
  afterStart(): void {
    if (this.inFlight === 0) this.collectAfter(this.delayMs, this.collections - 1);
  }

  /** Wraps one call: counts it in flight until it settles. */
  track<T>(call: Promise<T>): Promise<T> {
    this.inFlight++;
    this.callsSinceCollect++;
    clearTimeout(this.timer);
    const done = () => { this.inFlight--; this.schedule(); };
    call.then(done, done);
    return call;
  }

  private schedule(): void {
    if (this.inFlight > 0 || this.callsSinceCollect < this.minCalls) return;
    this.collectAfter(this.delayMs, this.collections - 1);
  }

  private collectAfter(ms: number, more: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.inFlight > 0) return;
      this.callsSinceCollect = 0;
      this.collect(more === 0);
      if (more > 0) this.collectAfter(this.delayMs * 2, more - 1);
    }, ms);
    this.timer.unref();
  }
}

type Gc = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;
let gc: Gc | undefined;

/** V8's `gc`, exposed on first use only; the last of a series is the memory-reducing flavour. */
function fullCollection(last: boolean): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as Gc;
  }
  gc(last ? { type: 'major', execution: 'sync', flavor: 'last-resort' } : undefined);
}
