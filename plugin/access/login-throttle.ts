/**
 * Slows down password guessing before it costs a bcrypt compare (~60 ms of
 * event loop each).
 *
 * - Hard, per (user, address): after MAX_PAIR_FAILURES failures in the
 *   window, that address may not try that user for a lockout that doubles
 *   with each further lockout (30 s up to 15 min). Answered at once (429).
 * - Soft, per user: after MAX_USER_FAILURES failures from anywhere, every
 *   further attempt for that user waits a little before it is checked. An
 *   attacker elsewhere therefore cannot lock the rightful user out; they
 *   only slow everyone's guesses for that name, and a waiting request costs
 *   a timer, not CPU.
 *
 * A success clears the pair's record. Memory is bounded: the oldest records
 * are dropped first.
 */
export const MAX_PAIR_FAILURES = 5;
export const MAX_USER_FAILURES = 20;
const WINDOW_MS = 15 * 60_000;
const FIRST_LOCKOUT_MS = 30_000;
const MAX_LOCKOUT_MS = 15 * 60_000;
const SOFT_DELAY_STEP_MS = 250;
const MAX_SOFT_DELAY_MS = 3_000;
const MAX_RECORDS = 50_000;

interface Record {
  failures: number;
  /** Attempts under way: parallel guesses must not slip past the limit while bcrypt runs. */
  pending: number;
  windowStart: number;
  lockedUntil: number;
  lockouts: number;
}

export type ThrottleVerdict = { readonly allowed: true; readonly delayMs: number } | { readonly allowed: false; readonly retryAfterSeconds: number };

export class LoginThrottle {
  private readonly pairs = new Map<string, Record>();
  private readonly users = new Map<string, Record>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Whether an attempt may go on to the password check, and how long it
   * should wait first. An allowed attempt must be followed by failed() or
   * succeeded().
   */
  check(user: string, address: string): ThrottleVerdict {
    const now = this.now();
    const pair = this.record(this.pairs, pairKey(user, address), now);
    if (pair.lockedUntil > now) {
      return { allowed: false, retryAfterSeconds: Math.ceil((pair.lockedUntil - now) / 1000) };
    }
    if (pair.failures + pair.pending >= MAX_PAIR_FAILURES) return { allowed: false, retryAfterSeconds: 1 };
    pair.pending += 1;
    const perUser = this.current(this.users, user, now);
    const excess = perUser ? perUser.failures - MAX_USER_FAILURES : 0;
    return { allowed: true, delayMs: excess > 0 ? Math.min(MAX_SOFT_DELAY_MS, excess * SOFT_DELAY_STEP_MS) : 0 };
  }

  failed(user: string, address: string): void {
    const now = this.now();
    const pair = this.record(this.pairs, pairKey(user, address), now);
    pair.pending = Math.max(0, pair.pending - 1);
    pair.failures += 1;
    if (pair.failures >= MAX_PAIR_FAILURES) {
      pair.lockedUntil = now + Math.min(MAX_LOCKOUT_MS, FIRST_LOCKOUT_MS * 2 ** pair.lockouts);
      pair.lockouts += 1;
      pair.failures = 0;
    }
    this.record(this.users, user, now).failures += 1;
  }

  /** The check could not be made (the host failed): the attempt counts neither way. */
  abandoned(user: string, address: string): void {
    const pair = this.pairs.get(pairKey(user, address));
    if (pair) pair.pending = Math.max(0, pair.pending - 1);
  }

  succeeded(user: string, address: string): void {
    this.pairs.delete(pairKey(user, address));
  }

  private current(map: Map<string, Record>, key: string, now: number): Record | undefined {
    const record = map.get(key);
    if (record && record.windowStart + WINDOW_MS <= now && record.lockedUntil <= now) {
      // The window passed: failures are forgiven, but repeated lockouts keep doubling within a day.
      record.failures = 0;
      record.windowStart = now;
      if (record.windowStart - record.lockedUntil > 24 * 3600_000) record.lockouts = 0;
    }
    return record;
  }

  private record(map: Map<string, Record>, key: string, now: number): Record {
    let record = this.current(map, key, now);
    if (!record) {
      if (map.size >= MAX_RECORDS) map.delete(map.keys().next().value!);
      record = { failures: 0, pending: 0, windowStart: now, lockedUntil: 0, lockouts: 0 };
      map.set(key, record);
    }
    return record;
  }
}

function pairKey(user: string, address: string): string {
  return `${user}\0${address}`;
}
