/**
 * What the protocol asks of the lock store: the checks every modifying
 * method makes (LockChecks), and what LOCK, UNLOCK and PROPFIND need on top.
 * Resources are share paths; turning locks into XML and hrefs is the
 * protocol layer's business (dav/lock-xml.ts).
 */
import type { SharePath } from '../config/shares.js';
import type { ActiveLock, LockDepth, LockRequest } from './model.js';

/** What the write path asks of the lock store. */
export interface LockChecks {
  /** Tokens of the locks that cover a resource: its own and its ancestors' depth-infinity locks (If header state, RFC 4918 §10.4). */
  tokensCovering(at: SharePath): Promise<string[]>;
  /**
   * The locks whose token the request lacks, for a change to the resource
   * (depth 0) or to it and everything below it (infinity). A locked resource
   * is cleared by the token of any one lock covering it, submitted by that
   * lock's creator (RFC 4918 §6.4, §7.5): a token a non-owner submits
   * counts as not submitted. [] = go ahead.
   */
  blocking(at: SharePath, depth: LockDepth, submitted: readonly string[], user: string): Promise<ActiveLock[]>;
  /**
   * The resource and everything below it are gone (DELETE, a destination
   * cleared before COPY/MOVE): "A server processing a successful DELETE
   * request … MUST destroy locks rooted on the deleted resource" (§9.6).
   * Call it once per removed subtree root.
   */
  removed(at: SharePath): Promise<void>;
  /**
   * After a complete MOVE: "A successful MOVE request on a write locked
   * resource MUST NOT move the write lock with the resource" (§7.6), and the
   * destination was DELETEd first (§9.9.3); so locks rooted at or below
   * either end are destroyed. Locks of the destination's ancestors cover the
   * moved resource by themselves ("the server MUST add the moved resource to
   * the destination lock scope"): locks are kept on URLs.
   */
  moved(from: SharePath, to: SharePath): Promise<void>;
}

export type CreateResult =
  | { readonly lock: ActiveLock }
  | { readonly conflicts: readonly ActiveLock[] }
  /** The resource already carries the most locks one resource may have. */
  | { readonly tooMany: number };

export interface LockManager extends LockChecks {
  /** The active locks covering a resource: its own and its ancestors' depth-infinity locks (DAV:lockdiscovery). */
  discover(at: SharePath): Promise<ActiveLock[]>;
  /** The active locks of every member of a folder, with one query (a PROPFIND Depth 1 listing). */
  discoverMembers(folder: SharePath): Promise<MemberLocks>;
  /** Grants a lock unless it conflicts (§6.2); conflict check and insert are atomic across instances. */
  create(request: LockRequest): Promise<CreateResult>;
  /**
   * Refreshes (§7.7) each lock that covers the resource, whose token is in
   * `tokens` and that `user` created, to a new timeout; returns them.
   */
  refresh(at: SharePath, tokens: readonly string[], user: string, timeoutSeconds: number): Promise<ActiveLock[]>;
  /** An active lock by its token, or null (unknown or expired). */
  find(token: string): Promise<ActiveLock | null>;
  /** Removes a lock; false when it was not there. */
  release(token: string): Promise<boolean>;
  /**
   * The active locks of every share, by share and path, at most `limit` of
   * them: what an administrator looks through for a lock a client left behind.
   */
  list(limit: number): Promise<ActiveLock[]>;
  /** Deletes expired locks; returns how many. */
  purgeExpired(): Promise<number>;
}

/** The locks of a folder's members, as discoverMembers found them. */
export class MemberLocks {
  constructor(
    /** Depth-infinity locks on the folder or above it: they cover every member. */
    private readonly inherited: readonly ActiveLock[],
    /** Locks rooted at a member, by member name. */
    private readonly own: ReadonlyMap<string, readonly ActiveLock[]>,
  ) {}

  /** Whether no member is locked. */
  get none(): boolean {
    return this.inherited.length === 0 && this.own.size === 0;
  }

  of(name: string): readonly ActiveLock[] {
    const own = this.own.get(name);
    if (!own) return this.inherited;
    return this.inherited.length === 0 ? own : [...this.inherited, ...own];
  }
}
