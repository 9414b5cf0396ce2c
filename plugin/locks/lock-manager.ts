/**
 * What the LOCK, UNLOCK and PROPFIND handlers ask of the lock store, on top
 * of the checks every modifying method makes (LockChecks, dav/context.ts).
 */
import type { LockChecks } from '../dav/context.js';
import type { ActiveLock, LockRequest } from './model.js';

export type CreateResult =
  | { readonly lock: ActiveLock }
  | { readonly conflicts: readonly ActiveLock[] }
  /** The resource already carries the most locks one resource may have. */
  | { readonly tooMany: number };

export interface LockManager extends LockChecks {
  /** The active locks covering a resource: its own and its ancestors' depth-infinity locks (DAV:lockdiscovery). */
  discover(mount: string, path: readonly string[]): Promise<ActiveLock[]>;
  /** The active locks of every member of a folder, with one query (a PROPFIND Depth 1 listing). */
  discoverMembers(mount: string, folder: readonly string[]): Promise<MemberLocks>;
  /** Grants a lock unless it conflicts (§6.2); conflict check and insert are atomic across instances. */
  create(request: LockRequest): Promise<CreateResult>;
  /**
   * Refreshes (§7.7) each lock that covers the resource, whose token is in
   * `tokens` and that `user` created, to a new timeout; returns them.
   */
  refresh(mount: string, path: readonly string[], tokens: readonly string[], user: string, timeoutSeconds: number): Promise<ActiveLock[]>;
  /** An active lock by its token, or null (unknown or expired). */
  find(token: string): Promise<ActiveLock | null>;
  /** Removes a lock; false when it was not there. */
  release(token: string): Promise<boolean>;
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

  of(name: string): readonly ActiveLock[] {
    const own = this.own.get(name);
    if (!own) return this.inherited;
    return this.inherited.length === 0 ? own : [...this.inherited, ...own];
  }
}
