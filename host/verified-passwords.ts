/**
 * Passwords already found to match a stored bcrypt hash, so that checking
 * one again costs a keyed hash instead of a bcrypt compare.
 *
 * The plugin checks an active user's credentials again every few seconds,
 * so that a changed password takes effect within 5 s. Each check used to
 * be a bcrypt compare, 60–100 ms of CPU in a worker thread, for every
 * active user all the time. A compare's outcome depends on nothing but the
 * password and the stored hash, so a match is remembered as an HMAC of
 * both under a key that lives only in this process: no password is kept.
 * A changed password is a new hash, which nothing remembered matches.
 * Failures are not remembered: a wrong guess keeps costing a compare.
 * Bounded; the least recently used goes first.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const DEFAULT_REMEMBERED = 1000;

export class VerifiedPasswords {
  private readonly secret = randomBytes(32);
  /** In order of last use, oldest first. */
  private readonly known = new Set<string>();

  constructor(private readonly capacity = DEFAULT_REMEMBERED) {}

  /** Whether `password` was found to match `hash` before. */
  matched(hash: string, password: string): boolean {
    const key = this.keyOf(hash, password);
    if (!this.known.delete(key)) return false;
    this.known.add(key);
    return true;
  }

  /** `password` matches `hash` (bcrypt said so). */
  remember(hash: string, password: string): void {
    const key = this.keyOf(hash, password);
    this.known.delete(key);
    this.known.add(key);
    for (const oldest of this.known) {
      if (this.known.size <= this.capacity) break;
      this.known.delete(oldest);
    }
  }

  private keyOf(hash: string, password: string): string {
    return createHmac('sha256', this.secret).update(hash).update('\0').update(password).digest('base64');
  }
}
