/**
 * An inbox item that fails (a file the server may not read, a disk that is
 * full) is not tried again at every pass, and its error is not logged at
 * every pass either: it waits one minute, then two, four… up to an hour
 * between tries, and its failure is logged the first time and then at most
 * once an hour.
 */
const FIRST_DELAY_MS = 60_000;
const MAX_DELAY_MS = 3600_000;
const LOG_EVERY_MS = 3600_000;

interface Failing {
  delayMs: number;
  retryAt: number;
  loggedAt: number;
}

export class RetryBackoff {
  private readonly failing = new Map<string, Failing>();

  constructor(private readonly now: () => number) {}

  /** Whether `key` may be tried now. */
  due(key: string): boolean {
    const failing = this.failing.get(key);
    return !failing || this.now() >= failing.retryAt;
  }

  /** Notes a failure of `key`; answers whether to log it. */
  failed(key: string): boolean {
    const now = this.now();
    const failing = this.failing.get(key);
    if (!failing) {
      this.failing.set(key, { delayMs: FIRST_DELAY_MS, retryAt: now + FIRST_DELAY_MS, loggedAt: now });
      return true;
    }
    failing.delayMs = Math.min(failing.delayMs * 2, MAX_DELAY_MS);
    failing.retryAt = now + failing.delayMs;
    if (now - failing.loggedAt < LOG_EVERY_MS) return false;
    failing.loggedAt = now;
    return true;
  }

  /** How many items are failing. */
  get size(): number {
    return this.failing.size;
  }

  succeeded(key: string): void {
    this.failing.delete(key);
  }

  /** Forgets the keys not in `present` (items that are gone), so the map does not grow forever. */
  keepOnly(present: ReadonlySet<string>): void {
    for (const key of this.failing.keys()) if (!present.has(key)) this.failing.delete(key);
  }
}
