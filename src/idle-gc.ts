import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Hands memory back after a burst of calls. A burst grows V8's heap (the new space to 32 MB, the old
 * space with it), and an idle server allocates nothing afterwards, so V8's memory reducer, which
 * waits for allocation to slow down after a mark-compact, never ran: a server that had answered
 * 1,000 calls still held 125 MB a minute later, 47 MB of it heap of which 18 MB was live.
 *
 * Once the calls have stopped, it runs three full collections 5, 10 and 15 s later: V8 shrinks the
 * new space only after it has measured a low allocation rate between two collections (over its last
 * 5 s, so closer ones still see the burst and keep 32 MB), so one collection gave back half as much.
 * The last one also compacts the old space and drops compiled code that is not running (see
 * `fullCollection`). A call in between cancels the rest.
 */
export class IdleCollector {
  private inFlight = 0;
  private callsSinceCollect = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly collect: (last: boolean) => void = fullCollection,
    /** Quiet time after the last call before the first collection. */
    private readonly delayMs = 5_000,
    /**
     * Fewer calls than this since the last collection are not worth one. One is: the first call
     * loads the SDK, and a session of three calls held 2.3 MB more a minute later without a series.
     */
    private readonly minCalls = 1,
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
      if (more > 0) this.collectAfter(this.delayMs, more - 1);
    }, ms);
    this.timer.unref();
  }
}

type Gc = () => void;
let gc: Gc | undefined;

/**
 * What V8's memory reducer does to an idle heap and a plain full collection does not, as V8 flags
 * set for the last collection of a series only: compact the old space (freed objects otherwise stay
 * scattered over pages that remain resident: 11.8 MB of pages held 9.5 MB of objects after start),
 * and drop the bytecode and baseline code of functions that are not running (a function compiles
 * again, lazily, on its next call; V8 itself drops bytecode only after five collections without a
 * call, and baseline code never). After a burst that was 2 MB of code for the SDK's and the tools'
 * functions, and 0.5 MB after start.
 *
 * Node 20's V8 runs a minor collection, not a full one, for gc() given options with
 * `execution: 'sync'` (whatever `type` says), so gc() is called without options.
 */
const LAST_COLLECTION_FLAGS = ['compact-on-every-full-gc', 'stress-flush-code', 'flush-baseline-code'];

/**
 * V8's `gc` (a full, synchronous collection), exposed on first use only. The flag is turned off again
 * at once (the function stays): V8 stamps each code cache it makes with a hash of its flags, and a
 * cache made with --expose-gc on (an on-demand bundle's, written when the process exits) is one that
 * every later start rejects (src/code-cache.ts).
 */
export function fullCollection(last: boolean): void {
  if (!gc) {
    const given = (globalThis as { gc?: Gc }).gc;
    if (given) {
      gc = given;
    } else {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as Gc;
      setFlagsFromString('--no-expose-gc');
    }
  }
  if (!last) {
    gc();
    return;
  }
  setFlagsFromString(LAST_COLLECTION_FLAGS.map((f) => `--${f}`).join(' '));
  try {
    gc();
  } finally {
    setFlagsFromString(LAST_COLLECTION_FLAGS.map((f) => `--no-${f}`).join(' '));
  }
}
