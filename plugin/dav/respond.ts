/**
 * Turns a DavError (or a storage failure, dav/storage-status.ts) into the
 * HTTP answer: the status, its headers, and either an RFC 4918 §16
 * `<D:error>` body naming the condition or a short plain-text message that
 * names the problem.
 */
import type { Context } from 'koa';
import type { DavError } from './errors.js';
import { davErrorOfStorage } from './storage-status.js';
import { errorBody } from './xml/writer.js';

export function sendError(ctx: Context, error: DavError): void {
  ctx.status = error.status;
  for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
  if (error.condition) {
    ctx.type = 'application/xml; charset=utf-8';
    ctx.body = errorBody(error.condition, error.conditionXml);
  } else {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = `${error.message}\n`;
  }
}

/** Runs the rest of the chain, answering any DavError or storage failure it throws; other errors are bugs and go on up. */
export async function answeringDavErrors(ctx: Context, next: () => Promise<unknown>): Promise<void> {
  try {
    await next();
  } catch (error) {
    const answer = davErrorOfStorage(error);
    if (!answer) throw error;
    sendError(ctx, answer);
  }
}
