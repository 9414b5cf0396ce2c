/**
 * Who is asking: Basic credentials checked through the host, and group
 * membership, both cached briefly so that bcrypt (~60 ms of event loop per
 * compare) stays off the hot path.
 *
 * The credential cache is keyed by an HMAC of user and password under a key
 * that lives only in this process: no password is kept in clear, and a
 * changed password simply stops matching the old entry.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { HostGroups, HostUser, HostUsers } from '../host-api.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { DavError } from '../dav/errors.js';
import type { BasicCredentials } from './basic-auth.js';
import type { Knex } from 'knex';
import { LoginThrottle } from './login-throttle.js';
import { SharedThrottle } from './shared-throttle.js';
import { TtlCache } from './ttl-cache.js';

/** Below the 5 s within which a changed password or membership takes effect (docs/architecture.md), leaving room for the request in flight. */
export const ACCESS_CACHE_TTL_MS = 4000;
const MAX_CACHED = 10_000;

export class Authenticator {
  private readonly secret = randomBytes(32);
  private readonly credentials: TtlCache<HostUser | null>;
  private readonly memberships: TtlCache<boolean>;
  private readonly throttle = new LoginThrottle();
  /** Checks under way, by the same key as the cache: a promise holds no password. */
  private readonly checking = new Map<string, Promise<HostUser | null>>();

  /** Present where instances share the database: the throttle's records live there too. */
  private readonly shared: SharedThrottle | null;

  constructor(
    private readonly users: HostUsers,
    private readonly groups: HostGroups,
    ttlMs = ACCESS_CACHE_TTL_MS,
    sharedDb?: Knex,
  ) {
    this.credentials = new TtlCache(ttlMs, MAX_CACHED);
    this.memberships = new TtlCache(ttlMs, MAX_CACHED);
    this.shared = sharedDb ? new SharedThrottle(sharedDb, this.throttle) : null;
  }

  /**
   * The user, or null for wrong credentials. Throws 429 while the throttle
   * refuses this user from this address. Credentials already known to be
   * right skip the throttle: the rightful user is never slowed by guessers.
   * Neither are the same credentials arriving on several connections at
   * once (a client starting up: rclone, Explorer and Finder open several):
   * they wait for the one check under way instead of each counting as an
   * attempt, which would have run into the pair limit meant for guessers.
   */
  async authenticate(credentials: BasicCredentials, address: string): Promise<HostUser | null> {
    const key = createHmac('sha256', this.secret)
      .update(credentials.user)
      .update('\0')
      .update(credentials.password)
      .digest('base64');
    // Known right: served at once; once due, checked again in the background (TtlCache).
    const known = this.credentials.peek(key, () => this.users.verify(credentials.user, credentials.password));
    if (known) return known;
    const running = this.checking.get(key);
    if (running) return running;
    if (this.shared) await this.shared.pull(credentials.user, address);
    const verdict = this.throttle.check(credentials.user, address);
    if (!verdict.allowed) {
      throw new DavError(429, `Too many failed logins; try again in ${verdict.retryAfterSeconds} s`, {
        headers: { 'Retry-After': String(verdict.retryAfterSeconds) },
      });
    }
    const check = this.verify(key, credentials, address, verdict.delayMs);
    this.checking.set(key, check);
    try {
      return await check;
    } finally {
      this.checking.delete(key);
    }
  }

  private async verify(
    key: string,
    credentials: BasicCredentials,
    address: string,
    delayMs: number,
  ): Promise<HostUser | null> {
    let user: HostUser | null;
    try {
      if (delayMs > 0) await sleep(delayMs);
      user = await this.credentials.get(key, () => this.users.verify(credentials.user, credentials.password));
    } catch (error) {
      this.throttle.abandoned(credentials.user, address);
      throw error;
    }
    const outcome = user
      ? () => this.throttle.succeeded(credentials.user, address)
      : () => this.throttle.failed(credentials.user, address);
    if (this.shared) await this.shared.settle(credentials.user, address, outcome);
    else outcome();
    return user;
  }

  isMember(user: string, group: string): Promise<boolean> {
    return this.memberships.get(`${user}\0${group}`, () => this.groups.isMember(user, group));
  }

  /** Forgets shared throttle records older than a day (their doubling lockouts have lapsed). */
  async purgeSharedThrottle(): Promise<void> {
    await this.shared?.purge(24 * 3600_000);
  }

  clear(): void {
    this.credentials.clear();
    this.memberships.clear();
  }
}
