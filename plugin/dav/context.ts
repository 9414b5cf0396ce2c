/**
 * What the access filter hands the method handlers: who asks, and which
 * resource of which share the request names.
 */
import type { Context } from 'koa';
import type { Share, ShareSnapshot } from '../config/shares.js';
import type { HostMedia, HostUser, Logger } from '../host-api.js';
import type { Store } from '../store/store.js';
import type { DeadPropertyStore } from '../props/dead-properties.js';
import type { LockManager } from '../locks/lock-manager.js';
import { encodeHref, type RequestPath } from './paths.js';

/** The URL prefix of every share: `/webdav/<mount>/...`. */
export const WEBDAV_SEGMENT = 'webdav';

/** `/webdav/` itself: a read-only collection listing the caller's shares. */
export interface RootTarget {
  readonly kind: 'root';
}

export interface ShareTarget {
  readonly kind: 'share';
  readonly share: Share;
  readonly store: Store;
  /** Names below the share root. */
  readonly path: readonly string[];
  readonly trailingSlash: boolean;
}

export type Target = RootTarget | ShareTarget;

/** Everything a method handler may use besides the request itself. */
export interface DavServices {
  readonly log: Logger;
  /** The host's media library, told about uploads and deletes. */
  readonly media: HostMedia;
  /** The shares as they are now (settings may change between requests). */
  snapshot(): ShareSnapshot;
  storeOf(share: Share): Store;
  /** Group check, cached within the 5 s DESIGN allows. */
  isMember(user: string, group: string): Promise<boolean>;
  readonly deadProperties?: DeadPropertyStore;
  /** Class 2 locks (LOCK/UNLOCK, lockdiscovery, and the checks below); absent, nothing is ever locked. */
  readonly locks?: LockManager;
}

/**
 * What the write path asks of the lock manager. Paths are a share's mount
 * and the names below its root, as in ShareTarget.
 */
export interface LockChecks {
  /** Tokens of the locks that cover a resource: its own and its ancestors' depth-infinity locks (If header state, §10.4). */
  tokensCovering(mount: string, path: readonly string[]): Promise<string[]>;
  /**
   * Hrefs of the roots of locks whose token the request lacks, for a change
   * to the resource (depth 0) or to it and everything below it (infinity).
   * A locked resource is cleared by the token of any one lock covering it,
   * submitted by that lock's creator (RFC 4918 §6.4, §7.5): a token a
   * non-owner submits counts as not submitted. [] = go ahead.
   */
  blocking(mount: string, path: readonly string[], depth: 0 | 'infinity', submitted: readonly string[], user: string): Promise<string[]>;
  /**
   * The resource and everything below it are gone (DELETE, a destination
   * cleared before COPY/MOVE): "A server processing a successful DELETE
   * request … MUST destroy locks rooted on the deleted resource" (§9.6).
   * Call it once per removed subtree root.
   */
  removed(mount: string, path: readonly string[]): Promise<void>;
  /**
   * After a complete MOVE: "A successful MOVE request on a write locked
   * resource MUST NOT move the write lock with the resource" (§7.6), and the
   * destination was DELETEd first (§9.9.3); so locks rooted at or below
   * either end are destroyed. Locks of the destination's ancestors cover the
   * moved resource by themselves ("the server MUST add the moved resource to
   * the destination lock scope"): locks are kept on URLs.
   */
  moved(fromMount: string, fromPath: readonly string[], toMount: string, toPath: readonly string[]): Promise<void>;
}

export interface DavRequest {
  readonly ctx: Context;
  readonly method: string;
  readonly user: HostUser;
  readonly target: Target;
  readonly requestPath: RequestPath;
  readonly services: DavServices;
}

export type MethodHandler = (request: DavRequest) => Promise<void>;

/** The href of a resource in a share (collections end with `/`, as RFC 4918 §8.3 recommends). */
export function shareHref(mount: string, path: readonly string[], isCollection: boolean): string {
  return encodeHref([WEBDAV_SEGMENT, mount, ...path], isCollection || path.length === 0);
}

export const ROOT_HREF = `/${WEBDAV_SEGMENT}/`;

export function davRequestOf(ctx: Context): DavRequest | undefined {
  return (ctx.state as { dav?: DavRequest }).dav;
}
