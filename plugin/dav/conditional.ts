/**
 * HTTP preconditions (RFC 9110 §13.2.2, evaluated in the order it gives):
 * If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since.
 * If-Range is the GET handler's business. The WebDAV If header (RFC 4918
 * §10.4) is evaluated elsewhere, before these.
 */
import type { Context } from 'koa';
import type { ResourceInfo } from '../store/store.js';
import { DavError } from './errors.js';

/** Entity tags of an If-Match / If-None-Match list; '*' is returned as is. */
export function entityTags(header: string): string[] {
  return header.match(/\*|(?:W\/)?"[^"]*"/g) ?? [];
}

export function strongMatch(a: string, b: string): boolean {
  return !a.startsWith('W/') && !b.startsWith('W/') && a === b;
}

function weakMatch(a: string, b: string): boolean {
  return a.replace(/^W\//, '') === b.replace(/^W\//, '');
}

function parseDate(header: string): number | null {
  const time = Date.parse(header);
  return Number.isNaN(time) ? null : time;
}

/** HTTP dates have whole seconds: compare at that precision. */
function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000) * 1000;
}

/**
 * Throws 412 when a precondition fails; returns 304 when a GET or HEAD may be
 * answered "Not Modified"; otherwise null. `info` is null for a missing resource.
 */
export function checkPreconditions(ctx: Context, info: ResourceInfo | null): 304 | null {
  const readOnly = ctx.method === 'GET' || ctx.method === 'HEAD';
  const etag = info && !info.isCollection ? info.etag : null;
  const ifMatch = ctx.get('if-match');
  if (ifMatch) {
    const tags = entityTags(ifMatch);
    const ok = info !== null && tags.some((tag) => tag === '*' || (etag !== null && strongMatch(tag, etag)));
    if (!ok) throw new DavError(412, 'If-Match: the resource does not have that entity tag');
  } else {
    const since = parseDate(ctx.get('if-unmodified-since'));
    if (since !== null && info && seconds(info.modified) > since) {
      throw new DavError(412, 'If-Unmodified-Since: the resource was modified since');
    }
  }
  const ifNoneMatch = ctx.get('if-none-match');
  if (ifNoneMatch) {
    const tags = entityTags(ifNoneMatch);
    const matches = info !== null && tags.some((tag) => tag === '*' || (etag !== null && weakMatch(tag, etag)));
    if (matches) {
      if (readOnly) return 304;
      throw new DavError(412, 'If-None-Match: the resource exists with a matching entity tag');
    }
  } else if (readOnly && info) {
    const since = parseDate(ctx.get('if-modified-since'));
    if (since !== null && seconds(info.modified) <= since) return 304;
  }
  return null;
}
