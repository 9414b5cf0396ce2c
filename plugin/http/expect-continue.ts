/**
 * Request bodies and `Expect: 100-continue` (RFC 9110 §10.1.1), the
 * plugin's side. The host never answers 100 by itself (plugin/host-api.ts):
 * a client waiting for it sends its body only once a handler accepts it
 * here. Every rule about when that happens lives in this module:
 *
 * - A body is accepted only after everything that could refuse the request
 *   has passed (credentials, permission, If header, locks, preconditions),
 *   so a refused 4 GB upload is never sent. PUT accepts its body itself,
 *   after its checks; every other method's body is a small XML document,
 *   accepted as the request reaches its handler (acceptBodyUpTo).
 * - An XML body announced as larger than its cap is not invited at all:
 *   the handler answers 413 without the client sending a byte of it.
 * - A request refused while its body is still unread closes the
 *   connection (closeUnlessBodyRead): Node would otherwise read and discard
 *   all of it to reuse the connection, and a client trickling it a byte at
 *   a time would hold the connection as long as it liked.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';

/** Whether the request carries a body: a non-zero Content-Length, or any Transfer-Encoding (chunked). */
export function announcesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Sends `100 Continue` when the client waits for it; call it once the body is wanted. */
export function acceptBody(ctx: Context): void {
  if (/\b100-continue\b/i.test(ctx.get('expect')) && !ctx.res.headersSent) ctx.res.writeContinue();
}

/** Accepts the body unless its announced length is past `maxBytes` (then its reader answers 413); says which. */
export function acceptBodyUpTo(ctx: Context, maxBytes: number): boolean {
  if (Number(ctx.get('content-length') || 0) > maxBytes) return false;
  acceptBody(ctx);
  return true;
}

/** Marks a refusal so that the connection closes when the body was never read. */
export function closeUnlessBodyRead(ctx: Context): void {
  if (!ctx.req.readableEnded && announcesBody(ctx.req)) ctx.set('Connection', 'close');
}
