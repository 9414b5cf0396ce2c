/**
 * LOCK (RFC 4918 §9.10): creating a write lock, or refreshing one.
 *
 * A LOCK with a DAV:lockinfo body creates a lock (§9.10.1); one without a
 * body refreshes the lock its If header names (§9.10.2: "This request MUST
 * NOT have a body and it MUST specify which lock to refresh by using the
 * 'If' header").
 *
 * Headers:
 * - Depth (§9.10.3): 0 or infinity; absent means infinity ("If no Depth
 *   header is submitted on a LOCK request, then the request MUST act as if
 *   a 'Depth:infinity' had been submitted"); 1 is a 400.
 * - Timeout (§10.7): the first value we can honour, capped by
 *   `webdav.lock.maxtimeout` (headers/timeout.ts).
 * - If (§10.4): evaluated first, like for every method that may change
 *   state: all lists false → 412.
 *
 * Answers:
 * - 200, or 201 when the URL was unmapped and LOCK created an empty file
 *   (§9.10.4, §7.3: "A successful lock request to an unmapped URL MUST
 *   result in the creation of a locked (non-collection) resource with empty
 *   content"). That is an upload (`webdav.uploadallowed`), needs the parent
 *   collection (409 otherwise), and must not slip past a depth-infinity lock
 *   on the parent whose token was not submitted (423).
 * - 423 with `no-conflicting-lock` and the root of each conflicting lock, on
 *   the resource, above it, or (Depth: infinity) below it. §7.4: "the
 *   request MUST fail with a 423 (Locked) status code, and the response
 *   SHOULD contain the 'no-conflicting-lock' precondition"; its hrefs name
 *   the roots of the conflicting locks, "avoiding a separate lookup of the
 *   'lockdiscovery' property" (§16).
 * - 412 with `lock-token-matches-request-uri` when a refresh names no lock of
 *   the caller that covers the Request-URI (§9.10.6). The lock's creator is
 *   the only one who may refresh it (§6.4).
 * - The share root cannot be locked (it cannot be deleted or moved either): 403.
 *
 * The body holds the lockdiscovery of the lock just granted or refreshed:
 * "This MUST contain the full information about the lock just granted,
 * while information about other (shared) locks is OPTIONAL" (§9.10.1).
 * A new lock's token also goes into the Lock-Token header.
 */
import type { LockManager } from '../../locks/lock-manager.js';
import type { ActiveLock, LockDepth } from '../../locks/model.js';
import { shareTarget, type DavRequest, type MethodHandler, type Resource } from '../context.js';
import { statTarget } from '../collection-url.js';
import { DavError, badRequest, conflict, forbidden } from '../errors.js';
import { forgetStaleProperties } from '../followers.js';
import { parseDepth } from '../headers/depth.js';
import { parseTimeout } from '../headers/timeout.js';
import { checkIfHeader, requireMembershipUnlocked, requireUnlocked } from '../lock-check.js';
import { lockResponseBody, lockRootHrefsXml, parseLockInfo } from '../lock-xml.js';
import { mediaChanged } from '../media-events.js';
import { authorize, effectNeeds } from '../permissions.js';
import { readXmlBody } from '../xml/request-body.js';
import type { XmlElement } from '../xml/parse.js';

export const lock: MethodHandler = async (request) => {
  const target = shareTarget(request);
  const { locks } = request.services;
  if (target.path.length === 0) throw forbidden('The share root cannot be locked');
  const body = await readXmlBody(request.ctx.req);
  const timeoutSeconds = parseTimeout(
    request.ctx.get('timeout') || undefined,
    request.services.snapshot().settings.lockTimeoutMaxSeconds,
  );
  if (body === null) return refreshLock(request, target, locks, timeoutSeconds);
  return createLock(request, target, locks, body, timeoutSeconds);
};

/** §9.10.1, §9.10.4: a new lock, on an existing resource or on an unmapped URL. */
async function createLock(
  request: DavRequest,
  target: Resource,
  locks: LockManager,
  body: XmlElement,
  timeoutSeconds: number,
): Promise<void> {
  const info = parseLockInfo(body);
  const depth = lockDepth(request.ctx.get('depth') || undefined);
  const existing = await statTarget(request, target);
  if (!existing) {
    authorize(target.rights, effectNeeds('create-by-lock'));
    const parent = await target.store.stat(target.path.slice(0, -1));
    if (!parent?.isCollection) throw conflict('The parent collection does not exist');
  }
  await checkIfHeader(request);
  // Creating the empty resource adds a member to the parent: a lock covering the new URL guards that.
  if (!existing) {
    await requireUnlocked(request, target, 0);
    await requireMembershipUnlocked(request, target);
  }

  const result = await locks.create({
    mount: target.mount,
    path: target.path,
    collection: existing?.isCollection ?? false,
    depth,
    scope: info.scope,
    ownerXml: info.ownerXml,
    user: request.user.name,
    timeoutSeconds,
  });
  if ('tooMany' in result) {
    throw new DavError(507, `This resource already has ${result.tooMany} locks; release some before taking another`);
  }
  if ('conflicts' in result) {
    throw new DavError(
      423,
      'A conflicting lock is held on this resource, an ancestor, or (for Depth: infinity) a member',
      {
        condition: 'no-conflicting-lock',
        conditionXml: lockRootHrefsXml(result.conflicts),
      },
    );
  }

  if (!existing) await createEmptyResource(request, target, locks, result.lock);
  request.ctx.set('Lock-Token', `<${result.lock.token}>`);
  answer(request, existing ? 200 : 201, [result.lock]);
}

/**
 * The empty resource of §7.3, written only once the lock is granted (a LOCK
 * that fails must leave nothing behind). If writing fails, so does the LOCK.
 */
async function createEmptyResource(
  request: DavRequest,
  target: Resource,
  locks: LockManager,
  granted: ActiveLock,
): Promise<void> {
  try {
    await target.store.write(target.path, emptyBody());
  } catch (error) {
    await locks.release(granted.token);
    throw error;
  }
  // Like a PUT that creates a file: properties a vanished file of that name left behind do not apply.
  await forgetStaleProperties(request.services, target);
  mediaChanged(request.services, target);
}

/** §9.10.2: a LOCK without a body refreshes the caller's lock named in the If header. */
async function refreshLock(
  request: DavRequest,
  target: Resource,
  locks: LockManager,
  timeoutSeconds: number,
): Promise<void> {
  if (!request.ctx.get('if'))
    throw badRequest('A LOCK without a body refreshes a lock and needs an If header naming its token');
  const submitted = await checkIfHeader(request);
  const refreshed = await locks.refresh(target, submitted, request.user.name, timeoutSeconds);
  if (refreshed.length === 0) {
    throw new DavError(412, 'The If header names no lock of yours that covers this resource', {
      condition: 'lock-token-matches-request-uri',
    });
  }
  answer(request, 200, refreshed);
}

function lockDepth(header: string | undefined): LockDepth {
  const depth = parseDepth(header, 'infinity');
  if (depth === 1) throw badRequest('LOCK takes Depth 0 or infinity (RFC 4918 §9.10.3)');
  return depth;
}

function answer(request: DavRequest, status: 200 | 201, locks: readonly ActiveLock[]): void {
  const { ctx } = request;
  ctx.status = status;
  ctx.type = 'application/xml; charset=utf-8';
  ctx.body = lockResponseBody(locks, Date.now());
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {
  // No bytes: the store still writes a temporary file and renames it into place.
}
