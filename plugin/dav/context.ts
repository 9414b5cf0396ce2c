/**
 * The one value a request becomes once the access layer has resolved it
 * (plugin/access/webdav-filter.ts), and what the method handlers may use
 * besides it. Handlers never look a share up again nor decide a permission:
 * both come with the request.
 */
import type { Context } from 'koa';
import type { Share, SharePath, ShareSnapshot } from '../config/shares.js';
import type { HostMedia, HostUser, Logger } from '../host-api.js';
import type { DeadPropertyStore } from '../props/dead-properties.js';
import type { LockManager } from '../locks/lock-manager.js';
import type { Store } from '../store/store.js';
import { DavError } from './errors.js';
import type { RequestPath } from './paths.js';
import { ROOT_REFUSAL, type Rights } from './permissions.js';

/** A resource in a share the caller belongs to: the share, its store, the names below its root, and the caller's rights there. */
export interface Resource extends SharePath {
  readonly share: Share;
  readonly store: Store;
  readonly rights: Rights;
}

/** Everything a method handler may use besides the request itself. */
export interface DavServices {
  readonly log: Logger;
  /** The host's media library, told about uploads and deletes. */
  readonly media: HostMedia;
  /** The shares as they are now (settings may change between requests). */
  snapshot(): ShareSnapshot;
  readonly deadProperties: DeadPropertyStore;
  readonly locks: LockManager;
}

export interface DavRequest {
  readonly ctx: Context;
  readonly method: string;
  readonly user: HostUser;
  /** The Request-URI, decoded (dav/paths.ts). */
  readonly requestPath: RequestPath;
  /** The resource the Request-URI names; null for `/webdav/` itself. */
  readonly target: Resource | null;
  /** The caller's rights where the Request-URI points (on `/webdav/` itself: read only). */
  readonly rights: Rights;
  readonly services: DavServices;
  /**
   * Another path of this server (a Destination, an If resource tag) as a
   * resource for the same caller; null when it lies outside every share the
   * caller belongs to. Callers answer 403 without telling which.
   */
  resolve(path: RequestPath): Promise<Resource | null>;
  /** The shares the caller belongs to, sorted by mount (the members of `/webdav/`). */
  sharesOfCaller(): Promise<Resource[]>;
}

export type MethodHandler = (request: DavRequest) => Promise<void>;

/**
 * The target of a method that only shares serve. The permission table
 * already refused every such method on `/webdav/` itself; this only makes
 * that visible to the type checker.
 */
export function shareTarget(request: DavRequest): Resource {
  if (!request.target) throw new DavError(403, ROOT_REFUSAL);
  return request.target;
}

export function davRequestOf(ctx: Context): DavRequest | undefined {
  return (ctx.state as { dav?: DavRequest }).dav;
}
