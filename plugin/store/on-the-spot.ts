/**
 * Whether small reads of a local disk may be done on the spot, on the main
 * thread, instead of through libuv's thread pool.
 *
 * Through the pool, each call wakes a pool thread and comes back through
 * the event loop: under a load of thumbnail GETs, handing `open` and `read`
 * over cost more of the main thread than the calls themselves (a profile
 * of 2 KiB GETs: 19 % and 16 % of the main thread in the hand-over). A file
 * whose inode and bytes are in the page cache opens and reads in
 * microseconds, which is what lighttpd counts on. A cold disk is another
 * matter: a call that must wait for the disk would hold every other
 * request. So every call on the spot is timed, and one that takes longer
 * than `slowMs` sends this store's reads back to the pool for `backOffMs`;
 * the loop waits for the disk at most once per period.
 */
export interface OnTheSpotOptions {
  /** A call on the spot slower than this sends reads back to the pool. */
  readonly slowMs?: number;
  /** For this long. */
  readonly backOffMs?: number;
  readonly now?: () => number;
}

export const SLOW_CALL_MS = 1;
export const BACK_OFF_MS = 5_000;

export class OnTheSpot {
  private poolUntil = 0;
  private readonly slowMs: number;
  private readonly backOffMs: number;
  private readonly now: () => number;

  constructor(options: OnTheSpotOptions = {}) {
    this.slowMs = options.slowMs ?? SLOW_CALL_MS;
    this.backOffMs = options.backOffMs ?? BACK_OFF_MS;
    this.now = options.now ?? (() => performance.now());
  }

  /** Whether a call may be made on the spot now. */
  get allowed(): boolean {
    return this.poolUntil <= this.now();
  }

  /** Makes the call on the spot, timing it; a slow one sends later calls to the pool for a while. */
  run<T>(call: () => T): T {
    const started = this.now();
    try {
      return call();
    } finally {
      const ended = this.now();
      if (ended - started > this.slowMs) this.poolUntil = ended + this.backOffMs;
    }
  }
}
