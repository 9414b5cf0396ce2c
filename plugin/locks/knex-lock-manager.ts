/**
 * Locks in the `webdav_locks` table, so that they survive a restart and are
 * the same for every host instance on the same database.
 *
 * - Expired locks never count: every query asks for `expires_at > now`, and
 *   purgeExpired() deletes them now and then.
 * - Subtrees are selected with substr() on the path rather than LIKE: LIKE is
 *   case-insensitive on SQLite and would need escaping of `%` and `_`, which
 *   are legal in file names. substr() counts characters on both databases,
 *   so lengths are counted in code points here too.
 * - Granting a lock is check-then-insert; two instances must not both grant
 *   an exclusive lock. The transaction first takes the share's row in
 *   `webdav_lock_guards` FOR UPDATE (PostgreSQL: later LOCKs on the share
 *   wait for this one to commit; READ COMMITTED then shows them its row).
 *   SQLite ignores FOR UPDATE, but the guard INSERT makes the transaction a
 *   writer at once, and SQLite admits one writer at a time.
 * - Almost every resource has no lock, so on a database `exclusive` to this
 *   process, where our own writes are all there are, each mount's active
 *   locks are kept in memory (mount-snapshots.ts, mount-locks.ts), loaded
 *   with one query and dropped by every write of ours that changes them. On
 *   a shared database every read asks the database, PROPFIND's
 *   lockdiscovery included: behind a round-robin proxy (docs/deploy.md) a
 *   client's LOCK through one instance and its PROPFIND through another
 *   follow each other within milliseconds. Granting a lock always checks for
 *   conflicts in its transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { SharePath } from '../config/shares.js';
import type { CreateResult, LockManager } from './lock-manager.js';
import { MemberLocks } from './lock-manager.js';
import { MountLocks } from './mount-locks.js';
import { MountSnapshots } from '../cache/mount-snapshots.js';
import {
  conflictsWith,
  covers,
  locksLackingTokens,
  type ActiveLock,
  type LockDepth,
  type LockRequest,
} from './model.js';

export const LOCKS_TABLE = 'webdav_locks';
export const LOCK_GUARDS_TABLE = 'webdav_lock_guards';

/** A row of webdav_locks (see migrations.ts '002-locks'). */
interface Row {
  token: string;
  mount: string;
  path: string;
  parent: string | null;
  collection: boolean | number;
  depth: string;
  scope: string;
  owner: string | null;
  user_name: string;
  timeout_seconds: number;
  /** PostgreSQL hands bigint columns back as strings. */
  expires_at: number | string;
  created_at: number | string;
}

const pathOf = (path: readonly string[]): string => path.join('/');
const parentOf = (path: readonly string[]): string | null => (path.length === 0 ? null : pathOf(path.slice(0, -1)));
const segmentsOf = (path: string): string[] => (path === '' ? [] : path.split('/'));
const codePoints = (text: string): number => [...text].length;

/** '' (the share root), 'a', 'a/b', … up to and including the path itself. */
function selfAndAncestors(path: readonly string[]): string[] {
  return Array.from({ length: path.length + 1 }, (_, i) => pathOf(path.slice(0, i)));
}

function toLock(row: Row): ActiveLock {
  return {
    token: row.token,
    mount: row.mount,
    path: segmentsOf(row.path),
    collection: row.collection === true || row.collection === 1,
    depth: row.depth === 'infinity' ? 'infinity' : 0,
    scope: row.scope === 'shared' ? 'shared' : 'exclusive',
    ownerXml: row.owner,
    user: row.user_name,
    timeoutSeconds: Number(row.timeout_seconds),
    expiresAt: Number(row.expires_at),
    createdAt: Number(row.created_at),
  };
}

export interface KnexLockManagerOptions {
  /** The clock, in ms since the epoch (tests move it). */
  readonly now?: () => number;
  /**
   * No other process writes this database (the embedded SQLite): the
   * write-path checks may be answered from the locks kept in memory. Leave it
   * off for a database several instances share (PostgreSQL), where a lock
   * granted by another instance must stop a write here at once.
   */
  readonly exclusive?: boolean;
  /** On an exclusive database, how long a mount's locks are kept in memory before they are read again; 0 reads them for every request. */
  readonly cacheTtlMs?: number;
  /** A mount with more active locks than this is not kept in memory: its requests query the database. */
  readonly maxCachedLocks?: number;
}

/** Short enough that another instance's LOCK shows in lockdiscovery at once for a person, long enough to spare the database under load. */
const DEFAULT_CACHE_TTL_MS = 1000;
/** Locks are few; a mount with thousands of them is someone's experiment and gets the queries it asked for. */
const DEFAULT_MAX_CACHED_LOCKS = 1000;
/** A mount found to have too many locks is counted again after this long. */
const OVERFLOW_TTL_MS = 30_000;

/** More shared locks than this on one resource answer 507 (RFC 4918 §9.10.6 allows it for lack of resources). */
export const MAX_LOCKS_PER_RESOURCE = 64;

export class KnexLockManager implements LockManager {
  private readonly now: () => number;
  private readonly exclusive: boolean;
  private readonly maxCachedLocks: number;
  /** Per mount, its active locks; null for a mount with more than maxCachedLocks. */
  private readonly cache: MountSnapshots<MountLocks>;

  constructor(
    private readonly db: Knex,
    options: KnexLockManagerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.exclusive = options.exclusive ?? false;
    this.maxCachedLocks = options.maxCachedLocks ?? DEFAULT_MAX_CACHED_LOCKS;
    this.cache = new MountSnapshots((mount) => this.loadMount(mount), {
      ttlMs: options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS,
      overflowTtlMs: OVERFLOW_TTL_MS,
      now: this.now,
    });
  }

  // ------------------------------------------------------------ LockChecks

  async tokensCovering(at: SharePath): Promise<string[]> {
    const kept = await this.forChecks(at.mount);
    const locks = kept ? kept.covering(at.path, this.now()) : await this.queryCovering(at);
    return locks.map((lock) => lock.token);
  }

  async blocking(
    { mount, path }: SharePath,
    depth: LockDepth,
    submitted: readonly string[],
    user: string,
  ): Promise<ActiveLock[]> {
    const kept = await this.forChecks(mount);
    const below = depth === 'infinity';
    const locks = kept ? kept.affecting(path, below, this.now()) : await this.affecting(this.db, mount, path, below);
    return locks.length === 0 ? [] : locksLackingTokens(locks, path, depth, new Set(submitted), user);
  }

  async removed({ mount, path }: SharePath): Promise<void> {
    // Deleting a photo almost never deletes a lock: on our own database, memory knows there is none to delete.
    if (this.exclusive && (await this.cache.get(mount))?.anyRootedWithin(path) === false) return;
    try {
      await this.subtree(this.db(LOCKS_TABLE), mount, path).delete();
    } finally {
      this.cache.invalidate(mount);
    }
  }

  async moved(from: SharePath, to: SharePath): Promise<void> {
    if (this.exclusive) {
      const [source, destination] = [await this.cache.get(from.mount), await this.cache.get(to.mount)];
      if (source?.anyRootedWithin(from.path) === false && destination?.anyRootedWithin(to.path) === false) return;
    }
    try {
      await this.db.transaction(async (trx) => {
        await this.subtree(trx(LOCKS_TABLE), from.mount, from.path).delete();
        await this.subtree(trx(LOCKS_TABLE), to.mount, to.path).delete();
      });
    } finally {
      this.cache.invalidate(from.mount);
      this.cache.invalidate(to.mount);
    }
  }

  // ----------------------------------------------------------- LockManager

  async discover(at: SharePath): Promise<ActiveLock[]> {
    const kept = await this.forChecks(at.mount);
    return kept ? kept.covering(at.path, this.now()) : this.queryCovering(at);
  }

  async discoverMembers({ mount, path: folder }: SharePath): Promise<MemberLocks> {
    const kept = await this.forChecks(mount);
    if (kept) return kept.members(folder, this.now());
    const folderPath = pathOf(folder);
    const rows = await this.active(this.db, mount).where((where) =>
      where.whereIn('path', selfAndAncestors(folder)).orWhere('parent', folderPath),
    );
    const inherited: ActiveLock[] = [];
    const own = new Map<string, ActiveLock[]>();
    for (const lock of rows.map(toLock)) {
      if (lock.path.length > folder.length) {
        const name = lock.path[lock.path.length - 1]!;
        own.set(name, [...(own.get(name) ?? []), lock]);
      } else if (lock.depth === 'infinity') {
        inherited.push(lock);
      }
    }
    return new MemberLocks(inherited, own);
  }

  async create(request: LockRequest): Promise<CreateResult> {
    // The conflict check is made in the transaction on every database: a LOCK is rare, and there it has to be exact.
    try {
      return await this.insertUnlessConflicting(request);
    } finally {
      this.cache.invalidate(request.mount);
    }
  }

  private insertUnlessConflicting(request: LockRequest): Promise<CreateResult> {
    return this.db.transaction(async (trx) => {
      await trx(LOCK_GUARDS_TABLE).insert({ mount: request.mount }).onConflict('mount').ignore();
      await trx(LOCK_GUARDS_TABLE).where({ mount: request.mount }).forUpdate().first();
      const existing = await this.affecting(trx, request.mount, request.path, request.depth === 'infinity');
      const conflicts = conflictsWith(request, existing);
      if (conflicts.length > 0) return { conflicts };
      // Shared locks never conflict with each other; without a bound, one client could pile up enough to bloat every listing.
      if (
        existing.filter((lock) => lock.mount === request.mount && pathOf(lock.path) === pathOf(request.path)).length >=
        MAX_LOCKS_PER_RESOURCE
      ) {
        return { tooMany: MAX_LOCKS_PER_RESOURCE };
      }

      const now = this.now();
      const lock: ActiveLock = {
        token: `urn:uuid:${randomUUID()}`,
        mount: request.mount,
        path: [...request.path],
        collection: request.collection,
        depth: request.depth,
        scope: request.scope,
        ownerXml: request.ownerXml,
        user: request.user,
        timeoutSeconds: request.timeoutSeconds,
        expiresAt: now + request.timeoutSeconds * 1000,
        createdAt: now,
      };
      await trx(LOCKS_TABLE).insert({
        token: lock.token,
        mount: lock.mount,
        path: pathOf(lock.path),
        parent: parentOf(lock.path),
        collection: lock.collection,
        depth: lock.depth === 'infinity' ? 'infinity' : '0',
        scope: lock.scope,
        owner: lock.ownerXml,
        user_name: lock.user,
        timeout_seconds: lock.timeoutSeconds,
        expires_at: lock.expiresAt,
        created_at: lock.createdAt,
      });
      return { lock };
    });
  }

  async refresh(at: SharePath, tokens: readonly string[], user: string, timeoutSeconds: number): Promise<ActiveLock[]> {
    const wanted = new Set(tokens);
    const kept = await this.forChecks(at.mount);
    const covering = kept ? kept.covering(at.path, this.now()) : await this.queryCovering(at);
    const mine = covering.filter((lock) => wanted.has(lock.token) && lock.user === user);
    if (mine.length === 0) return [];
    const expiresAt = this.now() + timeoutSeconds * 1000;
    try {
      await this.db(LOCKS_TABLE)
        .whereIn(
          'token',
          mine.map((lock) => lock.token),
        )
        .update({ timeout_seconds: timeoutSeconds, expires_at: expiresAt });
    } finally {
      this.cache.invalidate(at.mount);
    }
    return mine.map((lock) => ({ ...lock, timeoutSeconds, expiresAt }));
  }

  /** Always the database: UNLOCK is rare, and it names a token, not a place. */
  async find(token: string): Promise<ActiveLock | null> {
    const row = await this.active(this.db, undefined).where('token', token).first();
    return row ? toLock(row) : null;
  }

  async release(token: string): Promise<boolean> {
    try {
      return (await this.db(LOCKS_TABLE).where('token', token).delete()) > 0;
    } finally {
      // The token does not say which mount it was on; UNLOCK is rare enough to forget them all.
      this.cache.invalidateAll();
    }
  }

  /** Always the database: an administrator's look must show every instance's locks as they are. */
  async list(limit: number): Promise<ActiveLock[]> {
    const rows = await this.active(this.db, undefined)
      .orderBy([{ column: 'mount' }, { column: 'path' }, { column: 'created_at' }, { column: 'token' }])
      .limit(limit);
    return rows.map(toLock);
  }

  /** Deletes only locks that no longer count anyway, in memory as in the table: nothing kept goes stale. */
  async purgeExpired(): Promise<number> {
    return this.db(LOCKS_TABLE).where('expires_at', '<=', this.now()).delete();
  }

  // ----------------------------------------------------------------- cache

  /** The mount's locks in memory (exclusive database), or null: ask the database. */
  private async forChecks(mount: string): Promise<MountLocks | null> {
    return this.exclusive ? this.cache.get(mount) : null;
  }

  /** A mount's active locks with one query; null when there are more than maxCachedLocks. */
  private async loadMount(mount: string): Promise<MountLocks | null> {
    const rows = await this.active(this.db, mount).limit(this.maxCachedLocks + 1);
    return rows.length > this.maxCachedLocks ? null : new MountLocks(rows.map(toLock));
  }

  // --------------------------------------------------------------- queries

  private async queryCovering({ mount, path }: SharePath): Promise<ActiveLock[]> {
    const locks = await this.affecting(this.db, mount, path, false);
    return locks.filter((lock) => covers(lock, path));
  }

  private active(db: Knex | Knex.Transaction, mount: string | undefined): Knex.QueryBuilder<Row, Row[]> {
    const query = db<Row>(LOCKS_TABLE).select('*').where('expires_at', '>', this.now());
    return mount === undefined ? query : query.where('mount', mount);
  }

  /**
   * Every active lock that may cover the resource (those rooted at it or at an
   * ancestor), and with `below` also those rooted anywhere under it.
   */
  private async affecting(
    db: Knex | Knex.Transaction,
    mount: string,
    path: readonly string[],
    below: boolean,
  ): Promise<ActiveLock[]> {
    const prefix = path.length === 0 ? '' : `${pathOf(path)}/`;
    const rows = await this.active(db, mount).where((where) => {
      where.whereIn('path', selfAndAncestors(path));
      if (below) {
        if (prefix === '') where.orWhere('path', '<>', '');
        else where.orWhereRaw('substr(path, 1, ?) = ?', [codePoints(prefix), prefix]);
      }
    });
    return rows.map(toLock);
  }

  /** The locks rooted at the resource or anywhere below it. */
  private subtree(query: Knex.QueryBuilder, mount: string, path: readonly string[]): Knex.QueryBuilder {
    query.where('mount', mount);
    if (path.length === 0) return query;
    const self = pathOf(path);
    const prefix = `${self}/`;
    return query.where((where) =>
      where.where('path', self).orWhereRaw('substr(path, 1, ?) = ?', [codePoints(prefix), prefix]),
    );
  }
}
