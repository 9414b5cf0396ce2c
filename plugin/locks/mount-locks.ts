/**
 * The active locks of one share mount, held in memory, answering what
 * knex-lock-manager.ts otherwise asks the database: the locks rooted at a
 * resource or its ancestors (and below it), and a folder's member locks.
 * The same rows as those queries, so the same pure functions of model.ts
 * decide on them.
 *
 * Locks expire while a snapshot is kept: every answer leaves out those whose
 * expiry has passed by the clock it is given, as the queries do with
 * `expires_at > now`.
 */
import { MemberLocks } from './lock-manager.js';
import { isBelow, type ActiveLock } from './model.js';

const keyOf = (path: readonly string[]): string => path.join('/');

export class MountLocks {
  /** By the lock root's path: a resource's own and its ancestors' locks are a few map lookups. */
  private readonly byRoot = new Map<string, ActiveLock[]>();
  /** By the lock root's parent: a folder's members' own locks. */
  private readonly byParent = new Map<string, ActiveLock[]>();

  constructor(private readonly locks: readonly ActiveLock[]) {
    for (const lock of locks) {
      push(this.byRoot, keyOf(lock.path), lock);
      if (lock.path.length > 0) push(this.byParent, keyOf(lock.path.slice(0, -1)), lock);
    }
  }

  get size(): number {
    return this.locks.length;
  }

  /**
   * The active locks rooted at the resource or at an ancestor, whatever
   * their depth, and with `below` those rooted anywhere under it: what
   * conflictsWith() and locksLackingTokens() need to see.
   */
  affecting(path: readonly string[], below: boolean, now: number): ActiveLock[] {
    if (this.locks.length === 0) return [];
    const found: ActiveLock[] = [];
    for (let i = 0; i <= path.length; i++) {
      for (const lock of this.byRoot.get(keyOf(path.slice(0, i))) ?? []) if (lock.expiresAt > now) found.push(lock);
    }
    if (below) for (const lock of this.locks) if (lock.expiresAt > now && isBelow(lock.path, path)) found.push(lock);
    return found;
  }

  /** The active locks covering the resource: its own, and its ancestors' of depth infinity (DAV:lockdiscovery). */
  covering(path: readonly string[], now: number): ActiveLock[] {
    if (this.locks.length === 0) return [];
    return this.affecting(path, false, now).filter(
      (lock) => lock.path.length === path.length || lock.depth === 'infinity',
    );
  }

  /** What discoverMembers() answers: the locks every member inherits, and those rooted at each member. */
  members(folder: readonly string[], now: number): MemberLocks {
    if (this.locks.length === 0) return EMPTY_MEMBERS;
    const inherited = this.affecting(folder, false, now).filter((lock) => lock.depth === 'infinity');
    const own = new Map<string, ActiveLock[]>();
    for (const lock of this.byParent.get(keyOf(folder)) ?? []) {
      if (lock.expiresAt > now) push(own, lock.path[lock.path.length - 1]!, lock);
    }
    return new MemberLocks(inherited, own);
  }

  /** Whether any lock, active or not, is rooted at the resource or below it (a removal has something to delete). */
  anyRootedWithin(path: readonly string[]): boolean {
    if (this.locks.length === 0) return false;
    if (this.byRoot.has(keyOf(path))) return true;
    return this.locks.some((lock) => isBelow(lock.path, path));
  }
}

const EMPTY_MEMBERS = new MemberLocks([], new Map());

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
