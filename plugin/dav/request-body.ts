/**
 * Facts about a request's body that several methods need before reading it.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';

/** Whether the request carries a body: a non-zero Content-Length, or any Transfer-Encoding (chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Sends `100 Continue` when the client waits for it. Node does not answer
 * `Expect: 100-continue` by itself here (the host handles `checkContinue`),
 * so a handler calls this only once it will accept the body.
 */
export function inviteBody(ctx: Context): void {
  if (/\b100-continue\b/i.test(ctx.get('expect')) && !ctx.res.headersSent) ctx.res.writeContinue();
}
