/**
 * OPTIONS (RFC 4918 §9.1 is silent on it; §10.1 defines the DAV header).
 * Answered without credentials and identically for every path, existing or
 * not: Windows probes the server root before it sends any credentials, and
 * a different answer per path would tell strangers what exists.
 */
import type { Context } from 'koa';

export const SUPPORTED_METHODS = [
  'OPTIONS',
  'GET',
  'HEAD',
  'PROPFIND',
  'PROPPATCH',
  'PUT',
  'DELETE',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
] as const;
/** Class 2: LOCK and UNLOCK (RFC 4918 §18.2); Windows and macOS Finder mount read-only without it. */
export const COMPLIANCE_CLASSES = '1, 2';

export function answerOptions(ctx: Context): void {
  ctx.status = 200;
  ctx.set('DAV', COMPLIANCE_CLASSES);
  // Windows' Mini-Redirector and Office only treat the server as writable WebDAV with this.
  ctx.set('MS-Author-Via', 'DAV');
  ctx.set('Allow', SUPPORTED_METHODS.join(', '));
  ctx.set('Content-Length', '0');
  ctx.body = null;
  ctx.status = 200;
}
