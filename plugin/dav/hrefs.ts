/**
 * Where resources live in URL space: every share under `/webdav/<mount>/`,
 * and `/webdav/` itself as the collection of the caller's shares.
 */
import type { SharePath } from '../config/shares.js';
import { encodeHref, encodeSegment } from './paths.js';

/** The URL prefix of every share: `/webdav/<mount>/...`. */
export const WEBDAV_SEGMENT = 'webdav';

export const ROOT_HREF = `/${WEBDAV_SEGMENT}/`;

/** The href of a resource in a share (collections end with `/`, as RFC 4918 §8.3 recommends). */
export function shareHref(mount: string, path: readonly string[], isCollection: boolean): string {
  return encodeHref([WEBDAV_SEGMENT, mount, ...path], isCollection || path.length === 0);
}

export function hrefOf(at: SharePath, isCollection: boolean): string {
  return shareHref(at.mount, at.path, isCollection);
}

/**
 * The hrefs of a collection's members: the collection's own href is encoded
 * once, and each member only adds its encoded name (a listing has thousands).
 */
export function memberHrefs(collection: SharePath): (name: string, isCollection: boolean) => string {
  const base = shareHref(collection.mount, collection.path, true);
  return (name, isCollection) => base + encodeSegment(name) + (isCollection ? '/' : '');
}
