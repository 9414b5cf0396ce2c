/**
 * Slows password guessing on the login form: after a few failures for a
 * (name, address) pair, that pair must wait. Keyed on the pair so that an
 * attacker elsewhere cannot lock the rightful user out. In memory: one
 * process on SQLite; instances sharing PostgreSQL use
 * host/shared-login-throttle.ts instead.
 */
export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60 * 1000;
const MAX_ENTRIES = 10_000;

export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  /** Milliseconds to wait before the next attempt, 0 when allowed. */
  waitMs(name: string, address: string, now = Date.now()): number {
    const entry = this.failures.get(`${address}\n${name}`);
    if (!entry || now - entry.since > WINDOW_MS) return 0;
    return entry.count >= MAX_FAILURES ? entry.since + WINDOW_MS - now : 0;
  }

  failed(name: string, address: string, now = Date.now()): void {
    const key = `${address}\n${name}`;
    const entry = this.failures.get(key);
    if (entry && now - entry.since <= WINDOW_MS) entry.count++;
    else this.failures.set(key, { count: 1, since: now });
    if (this.failures.size > MAX_ENTRIES) this.prune(now);
  }

  succeeded(name: string, address: string): void {
    this.failures.delete(`${address}\n${name}`);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.failures) if (now - entry.since > WINDOW_MS) this.failures.delete(key);
    // Still full: forget the oldest rather than grow without bound.
    for (const key of this.failures.keys()) {
      if (this.failures.size <= MAX_ENTRIES) break;
      this.failures.delete(key);
    }
  }
}
