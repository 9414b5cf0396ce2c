/**
 * Routes a request that passed the access filter to its method handler.
 */
import type { Context } from 'koa';
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
import { DEFAULT_MAX_XML_BYTES } from './xml/reader.js';
import { inviteBody } from './request-body.js';

/** A Content-Length larger than any XML body may be. */
const pastXmlCap = (ctx: Context): boolean => Number(ctx.get('content-length') || 0) > DEFAULT_MAX_XML_BYTES;

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
    // Access was checked by the filter; XML bodies are small and capped, so
    // they are invited at once, unless the announced size is past the cap
    // already: that one is refused (413) without inviting 100 MB first.
    // PUT decides for itself, after its own checks.
    if (request.method !== 'PUT' && !pastXmlCap(ctx)) inviteBody(ctx);
    await handler(request);
  });
}
