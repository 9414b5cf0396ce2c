/**
 * What the access filter hands the method handlers: who asks, and which
 * resource of which share the request names.
 */
import type { Context } from 'koa';
import type { Share, ShareSnapshot } from '../config/shares.js';
import type { HostUser, Logger } from '../host-api.js';
import type { Store } from '../store/store.js';
import type { DeadPropertyStore } from '../props/dead-properties.js';
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
  /** The shares as they are now (settings may change between requests). */
  snapshot(): ShareSnapshot;
  storeOf(share: Share): Store;
  /** Group check, cached within the 5 s DESIGN allows. */
  isMember(user: string, group: string): Promise<boolean>;
  readonly deadProperties?: DeadPropertyStore;
  /** Class 2 locks; absent, nothing is ever locked. */
  readonly locks?: LockChecks;
}

/** What the write path asks of the lock manager. */
export interface LockChecks {
  /** Tokens of the locks that cover a resource (for If header evaluation). */
  tokensCovering(mount: string, path: readonly string[]): Promise<string[]>;
  /** Hrefs of locks that cover the resource (or, with depth infinity, anything below it) whose token was not submitted by their owner. */
  blocking(mount: string, path: readonly string[], depth: 0 | 'infinity', submitted: readonly string[], user: string): Promise<string[]>;
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
