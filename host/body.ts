/**
 * Body parsing for the host's own routes only. Mounted globally, koa-body
 * would read (and cap) the bodies that plugins stream, e.g. WebDAV uploads.
 */
import type { Middleware } from 'koa';
import { koaBody } from 'koa-body';

const parser = koaBody({
  json: true,
  urlencoded: true,
  text: false,
  multipart: false,
  jsonLimit: '64kb',
  formLimit: '64kb',
  jsonStrict: true,
});

/** Accepts the body (answers a waiting `Expect: 100-continue`) and parses JSON or a form into ctx.request.body. */
export const parseBody: Middleware = async (ctx, next) => {
  ctx.res.writeContinue();
  await parser(ctx, next);
};

/** parseBody for a route that first checked who is asking. */
export async function readBody(ctx: Parameters<Middleware>[0]): Promise<void> {
  await parseBody(ctx, async () => undefined);
}

/** The parsed body as a plain object ({} when there was none or it was not an object). */
export function bodyOf(ctx: { request: unknown }): Record<string, unknown> {
  const body = (ctx.request as { body?: unknown }).body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
