/**
 * COPY (RFC 4918 §9.8) and MOVE (§9.9), within a share and across the
 * shares of this server.
 *
 * Headers:
 * - Destination (§10.3): a full URL or an absolute path (Total Commander);
 *   on another server → 502 ("This may occur when the destination is on
 *   another server", §9.8.5). It must lie in a share the caller belongs to
 *   (else 403, saying no more) where the caller may write: the destination
 *   share's group and rights are checked like the source's.
 * - Depth: §9.8.3 says that a COPY without Depth acts as infinity, and "A
 *   client may submit a Depth header on a COPY on a collection with a value
 *   of "0" or "infinity"". §9.9.2: "The MOVE method on a collection MUST act
 *   as if a "Depth: infinity" header was used on it. A client MUST NOT submit
 *   a Depth header on a MOVE on a collection with any value but "infinity"."
 *   Other values are a 400.
 * - Overwrite (§10.6, absent = T): F onto an existing resource → 412. With T,
 *   §9.8.4/§9.9.3: "prior to performing the copy the server MUST perform a
 *   DELETE with "Depth: infinity" on the destination resource"; the answer
 *   is then 204 instead of 201. (A file replacing a file skips that step:
 *   the store replaces it atomically, with the same result and no moment
 *   without a file.)
 *
 * Refusals (403 unless said otherwise; nothing changes):
 * - source and destination are the same resource (§9.8.5: "A special case
 *   for COPY could be that the source and destination resources are the
 *   same resource"; §9.9.4 recommends 403 for MOVE alike);
 * - the destination lies inside the source (§9.8.3 warns that "an
 *   infinite-depth COPY of /A/ into /A/B/ could lead to infinite
 *   recursion"), or, when it would be overwritten, the source inside the
 *   destination (the DELETE would take the source with it);
 * - the share root moved or replaced (it is the share, not a resource in
 *   it); copying it elsewhere is fine;
 * - the rights (dav/permissions.ts): COPY/MOVE into a share is an upload;
 *   MOVE removes its source and Overwrite: T onto an existing resource
 *   removes that, so both need deleting to be allowed;
 * - 409 when the destination's parent collection is missing: "The server
 *   MUST NOT create those intermediate collections automatically".
 *
 * A MOVE within one store is a rename (atomic, instant); across stores, or
 * when the store says the rename would cross devices, it copies and removes
 * each source once its copy is complete. Partial failures answer 207 naming
 * each resource that failed; "The 424 (Failed Dependency) status code SHOULD
 * NOT be returned" and "201 (Created)/204 (No Content) status codes SHOULD
 * NOT be returned as values in 207 (Multi-Status) responses" (§9.8.3).
 *
 * Dead properties go with their resources (§9.8.2: "all dead properties on
 * the source resource SHOULD be duplicated on the destination resource");
 * locks do not: a COPY creates unlocked resources, and the lock manager
 * keeps locks on URLs.
 */
import type { ResourceInfo } from '../../store/store.js';
import { isBelow, samePlace } from '../../config/shares.js';
import { shareTarget, type DavRequest, type MethodHandler, type Resource } from '../context.js';
import { answerEmpty, answerFailures } from '../answers.js';
import { statTarget } from '../collection-url.js';
import { checkPreconditions } from '../conditional.js';
import { DavError, badRequest, conflict, forbidden, notFound, preconditionFailed } from '../errors.js';
import { copyOwnProperties, followMove, followRemoval, followTransfer } from '../followers.js';
import { parseDepth } from '../headers/depth.js';
import { parseDestination } from '../headers/destination.js';
import { requestAuthority } from '../request-authority.js';
import { parseOverwrite } from '../headers/overwrite.js';
import { requireMembershipUnlocked, requireUnlocked } from '../lock-check.js';
import { mediaChanged, mediaRemoved } from '../media-events.js';
import { authorize, effectNeeds } from '../permissions.js';
import type { Failure } from '../tree/failures.js';
import { removeTree } from '../tree/removal.js';
import { transferTree, type Transfer } from '../tree/transfer.js';

type Method = 'COPY' | 'MOVE';

export const copy: MethodHandler = (request) => copyOrMove(request, 'COPY');
export const move: MethodHandler = (request) => copyOrMove(request, 'MOVE');

async function copyOrMove(request: DavRequest, method: Method): Promise<void> {
  const { ctx, services } = request;
  const from = shareTarget(request);
  const to = await destinationOf(request);
  const overwrite = parseOverwrite(ctx.get('overwrite') || undefined);

  if (method === 'MOVE' && from.path.length === 0) throw forbidden('The share root cannot be moved');
  const info = await statTarget(request, from);
  if (!info) throw notFound();
  const depth = depthOf(method, info, ctx.get('depth') || undefined);
  refuseNesting(from, to);

  const existing = await to.store.stat(to.path);
  if (existing) refuseOverwriting(from, to, info, existing, overwrite);
  else await requireParent(to);
  checkPreconditions(ctx, info);
  if (method === 'MOVE') {
    await requireUnlocked(request, from, 'infinity');
    await requireMembershipUnlocked(request, from);
  }
  await requireUnlocked(request, to, 'infinity');
  if (!existing) await requireMembershipUnlocked(request, to);

  if (existing && (info.isCollection || existing.isCollection)) {
    const removal = await removeTree(to, existing, services.log);
    await followRemoval(services, to.mount, removal);
    // The destination is half gone: copying into what is left would mix two trees.
    if (!removal.complete) return answerFailures(ctx, removal.failures);
  }

  const failures =
    method === 'MOVE'
      ? await moveResource(request, from, to, info)
      : await copyResource(request, from, to, info, depth);
  if (method === 'MOVE') mediaRemoved(services, from);
  mediaChanged(services, to);
  if (failures.length > 0) return answerFailures(ctx, failures);
  answerEmpty(ctx, existing ? 204 : 201);
}

/** The Destination header as a resource in a share the caller may bring things into. */
async function destinationOf(request: DavRequest): Promise<Resource> {
  const path = parseDestination(request.ctx.get('destination') || undefined, requestAuthority(request));
  const to = await request.resolve(path);
  if (!to) throw forbidden('The destination is not in a share you have access to');
  authorize(to.rights, effectNeeds('copy-into'));
  return to;
}

function depthOf(method: Method, info: ResourceInfo, header: string | undefined): 0 | 'infinity' {
  const depth = parseDepth(header, 'infinity');
  if (method === 'COPY') {
    if (depth === 1) throw badRequest('COPY takes Depth 0 or infinity');
    return depth;
  }
  if (info.isCollection && depth !== 'infinity')
    throw badRequest('MOVE of a collection moves the whole tree: Depth must be infinity or absent');
  return 'infinity';
}

function refuseNesting(from: Resource, to: Resource): void {
  if (samePlace(from, to)) throw forbidden('Source and destination are the same resource');
  if (isBelow(to, from)) throw forbidden('The destination lies inside the source');
}

/** The checks that apply only when something is at the destination. */
function refuseOverwriting(
  from: Resource,
  to: Resource,
  info: ResourceInfo,
  existing: ResourceInfo,
  overwrite: boolean,
): void {
  // Another URL of the same file: a hard link, or shares whose folders overlap.
  if (existing.etag === info.etag && existing.isCollection === info.isCollection) {
    throw forbidden('Source and destination are the same resource');
  }
  if (!overwrite) throw preconditionFailed('The destination exists and Overwrite is F');
  authorize(to.rights, effectNeeds('overwrite'));
  if (to.path.length === 0) throw forbidden('A share root cannot be replaced');
  if (isBelow(from, to)) throw forbidden('The source lies inside the destination, which would be deleted first');
}

async function requireParent(to: Resource): Promise<void> {
  const parent = await to.store.stat(to.path.slice(0, -1));
  if (!parent?.isCollection) throw conflict('The destination’s parent collection does not exist');
}

/** COPY: stream files, recreate collections, duplicate dead properties. */
async function copyResource(
  request: DavRequest,
  from: Resource,
  to: Resource,
  info: ResourceInfo,
  depth: 0 | 'infinity',
): Promise<readonly Failure[]> {
  const { services } = request;
  const transfer = await transferTree(from, to, info, { depth, removeSource: false, log: services.log });
  refuseWhenNothingDone(transfer, to);
  if (info.isCollection && depth === 0) await copyOwnProperties(services, from, to);
  else await followTransfer(services, from, to, transfer, false);
  return transfer.failures;
}

/** MOVE: a rename when the store can do it atomically, else copy and remove what was copied. */
async function moveResource(
  request: DavRequest,
  from: Resource,
  to: Resource,
  info: ResourceInfo,
): Promise<readonly Failure[]> {
  const { services } = request;
  if (from.mount === to.mount && (await from.store.rename(from.path, to.path)) === 'renamed') {
    await followMove(services, from, to);
    return [];
  }
  const transfer = await transferTree(from, to, info, { depth: 'infinity', removeSource: true, log: services.log });
  refuseWhenNothingDone(transfer, to);
  await followTransfer(services, from, to, transfer, true);
  return transfer.failures;
}

/**
 * When the resource the request names failed and nothing at all was done,
 * its status is the whole answer: a 207 is for errors "with a resource other
 * than the resource identified in the Request-URI" (§9.8.3). Thrown before
 * any dead property is touched, so a file that was to be replaced keeps its own.
 */
function refuseWhenNothingDone(transfer: Transfer, to: Resource): void {
  const [only] = transfer.failures;
  const [gap] = transfer.gaps;
  const nothingDone = transfer.failures.length === 1 && transfer.gaps.length === 1 && gap!.length === to.path.length;
  if (nothingDone) throw new DavError(only!.status, only!.description);
}
