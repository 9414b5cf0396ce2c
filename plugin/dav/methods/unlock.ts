/**
 * UNLOCK (RFC 4918 §9.11): "removes the lock identified by the lock token
 * in the Lock-Token request header. The Request-URI MUST identify a
 * resource within the scope of the lock."
 *
 * §9.11.1 status codes:
 * - 204 No Content: the lock is gone (the resource stays, even one a LOCK of
 *   an unmapped URL created, §7.3);
 * - 400: "No lock token was provided" (or one that is not a Coded-URL,
 *   §10.5: `Lock-Token = "Lock-Token" ":" Coded-URL`);
 * - 403: "The currently authenticated principal does not have permission to
 *   remove the lock" — only its creator may (§6.4);
 * - 409 with `lock-token-matches-request-uri`: "The resource was not locked,
 *   or the request was made to a Request-URI that was not within the scope
 *   of the lock." An unknown or expired token is such a case.
 *
 * An inherited lock may be removed through any resource it covers; it goes
 * as a whole (§9.10.3: "if an UNLOCK is successfully executed on this token,
 * all associated resources are unlocked").
 */
import { covers } from '../../locks/model.js';
import { shareTarget, type MethodHandler } from '../context.js';
import { DavError, badRequest, forbidden } from '../errors.js';

export const unlock: MethodHandler = async (request) => {
  const { ctx } = request;
  const target = shareTarget(request);
  const { locks } = request.services;

  const token = codedUrl(ctx.get('lock-token'));
  const held = await locks.find(token);
  if (!held || held.mount !== target.mount || !covers(held, target.path)) {
    throw new DavError(409, 'No lock with this token covers the Request-URI', {
      condition: 'lock-token-matches-request-uri',
    });
  }
  if (held.user !== request.user.name) throw forbidden('Only the user who created a lock can remove it');

  await locks.release(token);
  ctx.body = null;
  ctx.status = 204;
};

/** `<urn:uuid:…>` → `urn:uuid:…`; 400 when absent or not a Coded-URL. */
function codedUrl(header: string): string {
  const match = /^[ \t]*<([A-Za-z][A-Za-z0-9+.-]*:[^<>\s]*)>[ \t]*$/.exec(header);
  if (!match) {
    throw badRequest(
      header ? 'The Lock-Token header must be a Coded-URL: <token>' : 'UNLOCK needs a Lock-Token header',
    );
  }
  return match[1]!;
}
