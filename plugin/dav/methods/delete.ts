/**
 * DELETE (RFC 4918 §9.6).
 *
 * §9.6.1: "The DELETE method on a collection MUST act as if a "Depth:
 * infinity" header was used on it. A client MUST NOT submit a Depth header
 * with a DELETE on a collection with any value but infinity." — anything
 * else is a 400.
 *
 * "If any resource identified by a member URL cannot be deleted, then none
 * of the member's ancestors can be deleted" — the tree is removed children
 * first (tree/removal.ts). "If an error occurs deleting a member resource ... the
 * response can be a 207 (Multi-Status)" naming what could NOT be deleted;
 * "424 (Failed Dependency) status codes SHOULD NOT be in the 207" and
 * "204 (No Content) errors SHOULD NOT be returned in the 207": so it lists
 * exactly the resources that failed on their own account. "The server MAY
 * return a 4xx status response, rather than a 207, if the request failed
 * completely": when nothing was removed and the only failure is the
 * resource the request names, its status is the answer.
 *
 * The share root is never deleted: it is the share itself, not a resource in it.
 */
import { shareTarget, type MethodHandler } from '../context.js';
import { answerEmpty, answerFailures } from '../answers.js';
import { statTarget } from '../collection-url.js';
import { checkPreconditions } from '../conditional.js';
import { DavError, badRequest, forbidden, notFound } from '../errors.js';
import { followRemoval } from '../followers.js';
import { parseDepth } from '../headers/depth.js';
import { requireMembershipUnlocked, requireUnlocked } from '../lock-check.js';
import { mediaRemoved } from '../media-events.js';
import { removeTree } from '../tree/removal.js';

export const del: MethodHandler = async (request) => {
  const { ctx, services } = request;
  const target = shareTarget(request);
  if (target.path.length === 0) throw forbidden('The share root cannot be deleted');
  const info = await statTarget(request, target);
  if (!info) throw notFound();
  if (info.isCollection && parseDepth(ctx.get('depth') || undefined, 'infinity') !== 'infinity') {
    throw badRequest('DELETE of a collection removes the whole tree: Depth must be infinity or absent');
  }
  checkPreconditions(ctx, info);
  await requireUnlocked(request, target, 'infinity');
  await requireMembershipUnlocked(request, target);

  const removal = await removeTree(target, info, services.log);
  await followRemoval(services, target.mount, removal);
  if (removal.removedRoots.length > 0) mediaRemoved(services, target);
  if (removal.complete) return answerEmpty(ctx, 204);
  const [only] = removal.failures;
  if (removal.removedRoots.length === 0 && removal.failures.length === 1 && only!.path.length === target.path.length) {
    throw new DavError(only!.status, only!.description);
  }
  await answerFailures(ctx, removal.failures);
};
