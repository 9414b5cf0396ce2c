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
 * - Hard, per address, whatever the user names (password spraying: one
 *   guess each for many names would otherwise cost a bcrypt compare per
 *   guess, unthrottled): after MAX_ADDRESS_FAILURES failures in the window
 *   the address is locked out like a pair. And at most MAX_ADDRESS_PENDING
 *   checks from one address run at once; more are refused at once (429,
 *   Retry-After: 1), so that one address cannot queue up seconds of bcrypt
 *   work in front of everybody else's logins.
 *
 * A success clears the pair's record (not the address's: one valid account
 * must not reset a spraying run). Memory is bounded: the oldest records are
 * dropped first, and a refused attempt creates no record.
 */
export const MAX_PAIR_FAILURES = 5;
export const MAX_USER_FAILURES = 20;
export const MAX_ADDRESS_FAILURES = 30;
export const MAX_ADDRESS_PENDING = 5;
const WINDOW_MS = 15 * 60_000;
const FIRST_LOCKOUT_MS = 30_000;
const MAX_LOCKOUT_MS = 15 * 60_000;
const SOFT_DELAY_STEP_MS = 250;
const MAX_SOFT_DELAY_MS = 3_000;
const MAX_RECORDS = 50_000;

/** What a record holds that other instances must see (plugin/access/shared-throttle.ts); `pending` stays local. */
export interface ThrottleState {
  readonly failures: number;
  readonly windowStart: number;
  readonly lockedUntil: number;
  readonly lockouts: number;
}

export type ThrottleKind = 'pair' | 'user' | 'address';

/** One of the records an attempt reads and writes: its kind and its key in this process. */
export interface ThrottleKey {
  readonly kind: ThrottleKind;
  readonly key: string;
}

/** The three records one attempt touches. */
export function throttleKeys(user: string, address: string): readonly ThrottleKey[] {
  return [
    { kind: 'pair', key: pairKey(user, address) },
    { kind: 'user', key: user },
    { kind: 'address', key: address },
  ];
}

interface Record {
  failures: number;
  /** Attempts under way: parallel guesses must not slip past the limit while bcrypt runs. */
  pending: number;
  windowStart: number;
  lockedUntil: number;
  lockouts: number;
}

export type ThrottleVerdict =
  | { readonly allowed: true; readonly delayMs: number }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

export class LoginThrottle {
  private readonly pairs = new Map<string, Record>();
  private readonly users = new Map<string, Record>();
  private readonly addresses = new Map<string, Record>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Whether an attempt may go on to the password check, and how long it
   * should wait first. An allowed attempt must be followed by failed() or
   * succeeded().
   */
  check(user: string, address: string): ThrottleVerdict {
    const now = this.now();
    const byAddress = this.current(this.addresses, address, now);
    if (byAddress) {
      const refused =
        refusal(byAddress, now, MAX_ADDRESS_FAILURES) ?? (byAddress.pending >= MAX_ADDRESS_PENDING ? 1 : null);
      if (refused !== null) return { allowed: false, retryAfterSeconds: refused };
    }
    const existingPair = this.current(this.pairs, pairKey(user, address), now);
    if (existingPair) {
      const refused = refusal(existingPair, now, MAX_PAIR_FAILURES);
      if (refused !== null) return { allowed: false, retryAfterSeconds: refused };
    }
    this.record(this.pairs, pairKey(user, address), now).pending += 1;
    this.record(this.addresses, address, now).pending += 1;
    const perUser = this.current(this.users, user, now);
    const excess = perUser ? perUser.failures - MAX_USER_FAILURES : 0;
    return { allowed: true, delayMs: excess > 0 ? Math.min(MAX_SOFT_DELAY_MS, excess * SOFT_DELAY_STEP_MS) : 0 };
  }

  failed(user: string, address: string): void {
    const now = this.now();
    countFailure(this.record(this.pairs, pairKey(user, address), now), now, MAX_PAIR_FAILURES);
    countFailure(this.record(this.addresses, address, now), now, MAX_ADDRESS_FAILURES);
    this.record(this.users, user, now).failures += 1;
  }

  /** The check could not be made (the host failed): the attempt counts neither way. */
  abandoned(user: string, address: string): void {
    for (const record of [this.pairs.get(pairKey(user, address)), this.addresses.get(address)]) {
      if (record) record.pending = Math.max(0, record.pending - 1);
    }
  }

  succeeded(user: string, address: string): void {
    this.pairs.delete(pairKey(user, address));
    const byAddress = this.addresses.get(address);
    if (byAddress) byAddress.pending = Math.max(0, byAddress.pending - 1);
  }

  /** The shared part of a record; undefined when there is none. */
  state({ kind, key: inner }: ThrottleKey): ThrottleState | undefined {
    const map = this.mapOf(kind);
    const record = map.get(inner);
    if (!record) return undefined;
    const { failures, windowStart, lockedUntil, lockouts } = record;
    return { failures, windowStart, lockedUntil, lockouts };
  }

  /** Takes another instance's word for a record (undefined: it has none); attempts under way here stay counted. */
  adopt({ kind, key: inner }: ThrottleKey, state: ThrottleState | undefined): void {
    const map = this.mapOf(kind);
    const record = map.get(inner);
    if (!state) {
      if (record && record.pending === 0) map.delete(inner);
      else if (record) Object.assign(record, { failures: 0, lockedUntil: 0 });
      return;
    }
    if (record) Object.assign(record, state);
    else {
      if (map.size >= MAX_RECORDS) map.delete(map.keys().next().value!);
      map.set(inner, { ...state, pending: 0 });
    }
  }

  private mapOf(kind: ThrottleKind): Map<string, Record> {
    return kind === 'pair' ? this.pairs : kind === 'user' ? this.users : this.addresses;
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

/** Seconds to wait when the record refuses attempts (locked out, or its limit taken by failures and checks under way); null when it allows one. */
function refusal(record: Record, now: number, limit: number): number | null {
  if (record.lockedUntil > now) return Math.ceil((record.lockedUntil - now) / 1000);
  return record.failures + record.pending >= limit ? 1 : null;
}

/** One failed check: its place is freed, and the limit reached means a lockout that doubles each time. */
function countFailure(record: Record, now: number, limit: number): void {
  record.pending = Math.max(0, record.pending - 1);
  record.failures += 1;
  if (record.failures >= limit) {
    record.lockedUntil = now + Math.min(MAX_LOCKOUT_MS, FIRST_LOCKOUT_MS * 2 ** record.lockouts);
    record.lockouts += 1;
    record.failures = 0;
  }
}

function pairKey(user: string, address: string): string {
  return `${user}\0${address}`;
}
