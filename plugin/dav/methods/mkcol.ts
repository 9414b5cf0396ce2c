/**
 * MKCOL (RFC 4918 §9.3): creates one collection.
 *
 * - "If the server receives a MKCOL request entity type it does not support
 *   or understand, it MUST respond with a 415 (Unsupported Media Type)"; this
 *   specification defines no body for MKCOL, so any body is one we do not
 *   understand.
 * - 405: "MKCOL can only be executed on an unmapped URL."
 * - 409: "A collection cannot be made at the Request-URI until one or more
 *   intermediate collections have been created. The server MUST NOT create
 *   those intermediate collections automatically."
 */
import { requireUploadAllowed } from '../../access/switches.js';
import type { MethodHandler, ShareTarget } from '../context.js';
import { DavError } from '../errors.js';
import { requireMembershipUnlocked, requireUnlocked } from '../lock-check.js';
import { answerEmpty } from '../tree.js';
import { hasBody } from '../request-body.js';

export const mkcol: MethodHandler = async (request) => {
  const { ctx } = request;
  const target = request.target as ShareTarget;
  requireUploadAllowed(request);
  if (hasBody(ctx.req)) {
    // Read and dropped by Node, so the connection stays usable.
    ctx.req.resume();
    throw new DavError(415, 'MKCOL takes no request body');
  }
  if (await target.store.stat(target.path)) throw new DavError(405, 'Something already exists at this URL');
  await requireUnlocked(request, target.share.mount, target.path, 0);
  await requireMembershipUnlocked(request, target.share.mount, target.path);
  await target.store.makeCollection(target.path);
  // A new collection must not inherit properties a folder of that name left behind outside WebDAV.
  await request.services.deadProperties?.removeTree({ mount: target.share.mount, path: target.path });
  answerEmpty(ctx, 201);
};
