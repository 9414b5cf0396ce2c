/**
 * Body parsing for the host's own routes only. Mounted globally, koa-body
 * would read (and cap) the bodies that plugins stream, e.g. WebDAV uploads.
 */
import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { acceptBody } from './expect-continue.js';
import { TIMEOUTS } from './timeouts.js';

const parser = koaBody({
  json: true,
  urlencoded: true,
  text: false,
  multipart: false,
  jsonLimit: '64kb',
  formLimit: '64kb',
  jsonStrict: true,
});

/**
 * Accepts the body (answers a waiting `Expect: 100-continue`) and parses JSON
 * or a form into ctx.request.body. The body must arrive within
 * TIMEOUTS.hostBody: the parser itself waits forever, and a client sending
 * the login form a byte a second would otherwise hold the connection as long
 * as it liked (the idle timeout restarts with every byte).
 */
export const parseBody: Middleware = async (ctx, next) => {
  acceptBody(ctx);
  const stop = bodyDeadline(ctx.req, TIMEOUTS.hostBody);
  let parsed = false;
  try {
    await parser(ctx, async () => {
      parsed = true;
      stop();
      await next();
    });
  } finally {
    if (!parsed) stop();
  }
};

/** Destroys the request when its body has not fully arrived within `ms`; the returned function disarms it. */
function bodyDeadline(req: IncomingMessage, ms: number): () => void {
  if (req.complete) return () => undefined;
  // No error object: nobody may be listening for "error" on the request by then.
  const timer = setTimeout(() => req.destroy(), ms);
  timer.unref();
  const stop = (): void => clearTimeout(timer);
  req.once('end', stop);
  req.once('close', stop);
  return stop;
}

/** parseBody for a route that first checked who is asking. */
export async function readBody(ctx: Parameters<Middleware>[0]): Promise<void> {
  await parseBody(ctx, async () => undefined);
}

/** The parsed body as a plain object ({} when there was none or it was not an object). */
export function bodyOf(ctx: { request: unknown }): Record<string, unknown> {
  const body = (ctx.request as { body?: unknown }).body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
