/**
 * Write locks (RFC 4918 §6, §7) as the rest of the plugin sees them, and the
 * rules that decide which locks cover a resource, which locks conflict, and
 * which locks a modifying request must present tokens for.
 *
 * Locks are kept on URLs (share mount + path), not on files: a lock covers
 * whatever is at its root, and with depth infinity whatever is below it,
 * members added later included, as §7.4 requires of a depth-infinity lock
 * ("the new resource MUST be automatically protected by the lock").
 *
 * Pure functions only: the store (knex-lock-manager.ts) selects the
 * candidate rows, these decide.
 */
import type { SharePath } from '../config/shares.js';

export type LockScope = 'exclusive' | 'shared';
export type LockDepth = 0 | 'infinity';

/** What a LOCK request asks for; its mount and path are the lock root. */
export interface LockRequest extends SharePath {
  /** Whether the lock root was a collection when it was locked (for its href). */
  readonly collection: boolean;
  readonly depth: LockDepth;
  readonly scope: LockScope;
  /** The DAV:owner element as the client sent it, serialised self-contained; null when none was sent. */
  readonly ownerXml: string | null;
  /** The authenticated user who created the lock (§6.4: the lock creator). */
  readonly user: string;
  readonly timeoutSeconds: number;
}

/** A granted lock: the request, its token and its lifetime. */
export interface ActiveLock extends LockRequest {
  /** `urn:uuid:…` (§6.5: unique across all resources for all time). */
  readonly token: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
  readonly createdAt: number;
}

const startsWith = (path: readonly string[], prefix: readonly string[]): boolean =>
  prefix.length <= path.length && prefix.every((name, i) => path[i] === name);

const samePath = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && startsWith(a, b);

/** Whether `path` lies strictly below `ancestor`. */
export function isBelow(path: readonly string[], ancestor: readonly string[]): boolean {
  return path.length > ancestor.length && startsWith(path, ancestor);
}

/**
 * Whether the lock covers the resource at `path`: it is the lock root, or the
 * lock has depth infinity and the root is an ancestor (§6.1: a resource is
 * "directly locked" at the root, "indirectly locked" below it).
 */
export function covers(lock: Pick<ActiveLock, 'path' | 'depth'>, path: readonly string[]): boolean {
  return samePath(lock.path, path) || (lock.depth === 'infinity' && isBelow(path, lock.path));
}

/**
 * The existing locks a new lock would conflict with (§6.1, §6.2): an
 * exclusive lock conflicts with any other lock on the same resource, direct
 * or inherited; shared locks coexist. Two locks compete when some resource
 * would be covered by both: the new root is covered by an existing lock, or
 * (for a depth-infinity request) an existing lock lies below the new root —
 * §7.4: "If a depth-infinity write LOCK request is issued to a collection
 * containing member URLs identifying resources that are currently locked in
 * a manner that conflicts with the new lock …, the request MUST fail".
 */
export function conflictsWith(
  request: Pick<LockRequest, 'path' | 'depth' | 'scope'>,
  existing: readonly ActiveLock[],
): ActiveLock[] {
  return existing.filter((lock) => {
    if (request.scope === 'shared' && lock.scope === 'shared') return false;
    return covers(lock, request.path) || (request.depth === 'infinity' && isBelow(lock.path, request.path));
  });
}

/**
 * The locks whose tokens a modifying request lacks (→ 423 with
 * lock-token-submitted).
 *
 * §7.5: "a lock token MUST be submitted by an authorized principal for all
 * locked resources that a method may change or the method MUST fail". The
 * unit is the locked resource, not the lock: a resource under several shared
 * locks (held by different principals, by the nature of shared locks) is
 * unlocked for the request by any one of their tokens. §6.4: "a server MUST
 * check that the authenticated principal matches the lock creator (in
 * addition to checking for valid lock token submission)", so a token
 * submitted by someone else counts as not submitted.
 *
 * The resources a request changes: the target, and for a depth-infinity
 * operation (DELETE, MOVE, a tree COPY's destination) every locked resource
 * below it; `locks` must contain every lock covering any of them.
 */
export function locksLackingTokens(
  locks: readonly ActiveLock[],
  path: readonly string[],
  depth: LockDepth,
  submitted: ReadonlySet<string>,
  user: string,
): ActiveLock[] {
  const changed: (readonly string[])[] = [path];
  if (depth === 'infinity') {
    for (const lock of locks) if (isBelow(lock.path, path)) changed.push(lock.path);
  }
  const held = (lock: ActiveLock): boolean => submitted.has(lock.token) && lock.user === user;
  const lacking = new Map<string, ActiveLock>();
  for (const resource of changed) {
    const covering = locks.filter((lock) => covers(lock, resource));
    if (covering.length === 0 || covering.some(held)) continue;
    for (const lock of covering) lacking.set(lock.token, lock);
  }
  return [...lacking.values()];
}

/** Seconds left before the lock expires (rounded up, never negative): the DAV:timeout of lockdiscovery. */
export function secondsLeft(lock: Pick<ActiveLock, 'expiresAt'>, now: number): number {
  return Math.max(0, Math.ceil((lock.expiresAt - now) / 1000));
}
