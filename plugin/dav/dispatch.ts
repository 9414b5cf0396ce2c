/**
 * Routes a request that passed the access filter to its method handler.
 * The filter resolved the request and checked the method's rights; here it
 * only finds the handler and accepts an XML body (http/expect-continue.ts).
 */
import type { Context } from 'koa';
import { acceptBodyUpTo } from '../http/expect-continue.js';
import { davRequestOf, type MethodHandler } from './context.js';
import { DavError } from './errors.js';
import { answeringDavErrors } from './respond.js';
import { get } from './methods/get.js';
import { propfind } from './methods/propfind.js';
import { proppatch } from './methods/proppatch.js';
import { put } from './methods/put.js';
import { del } from './methods/delete.js';
import { mkcol } from './methods/mkcol.js';
import { copy, move } from './methods/copy-move.js';
import { lock } from './methods/lock.js';
import { unlock } from './methods/unlock.js';
import { SUPPORTED_METHODS } from './methods/options.js';
import { DEFAULT_MAX_XML_BYTES } from './xml/request-body.js';

const HANDLERS: Readonly<Record<string, MethodHandler>> = {
  GET: get,
  HEAD: get,
  PROPFIND: propfind,
  PROPPATCH: proppatch,
  PUT: put,
  DELETE: del,
  MKCOL: mkcol,
  COPY: copy,
  MOVE: move,
  LOCK: lock,
  UNLOCK: unlock,
};

export async function dispatch(ctx: Context): Promise<void> {
  const request = davRequestOf(ctx);
  // The router matches /WebDAV/ too; only what the filter admitted is ours.
  if (!request) return;
  await answeringDavErrors(ctx, async () => {
    const handler = HANDLERS[request.method];
    if (!handler) {
      throw new DavError(405, `${request.method} is not supported here`, {
        headers: { Allow: SUPPORTED_METHODS.join(', ') },
      });
    }
    // Every body but PUT's is a small, capped XML document: accepted now. PUT accepts its own after its checks.
    if (request.method !== 'PUT') acceptBodyUpTo(ctx, DEFAULT_MAX_XML_BYTES);
    await handler(request);
  });
}
