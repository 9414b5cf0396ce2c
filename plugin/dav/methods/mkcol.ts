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
import { shareTarget, type MethodHandler } from '../context.js';
import { answerEmpty } from '../answers.js';
import { noteCollectionUrl } from '../collection-url.js';
import { DavError } from '../errors.js';
import { forgetStaleProperties } from '../followers.js';
import { requireMembershipUnlocked, requireUnlocked } from '../lock-check.js';
import { announcesBody } from '../../http/expect-continue.js';

export const mkcol: MethodHandler = async (request) => {
  const { ctx } = request;
  const target = shareTarget(request);
  if (announcesBody(ctx.req)) {
    // Read and dropped by Node, so the connection stays usable.
    ctx.req.resume();
    throw new DavError(415, 'MKCOL takes no request body');
  }
  const prepared = await target.store.prepare(target.path);
  noteCollectionUrl(request, prepared.existing);
  if (prepared.existing) throw new DavError(405, 'Something already exists at this URL');
  await requireUnlocked(request, target, 0);
  await requireMembershipUnlocked(request, target);
  // Without a parent collection the store answers 409: "The server MUST NOT create those intermediate collections automatically".
  await target.store.makeCollection(target.path, prepared);
  await forgetStaleProperties(request.services, target);
  answerEmpty(ctx, 201);
};
