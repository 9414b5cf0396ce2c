/**
 * The write preconditions of RFC 4918 §10.4 for every modifying method:
 * first the If header is evaluated as a whole (all lists false → 412), then
 * each lock covering a resource the method changes must have had its token
 * submitted (missing → 423 with `lock-token-submitted`, §16).
 */
import type { SharePath } from '../config/shares.js';
import type { LockDepth } from '../locks/model.js';
import type { DavRequest } from './context.js';
import { DavError } from './errors.js';
import { evaluateIf, parseIfHeader, submittedLockTokens, type IfList } from './headers/if-header.js';
import { lockRootHrefsXml } from './lock-xml.js';
import { requestAuthority } from './request-authority.js';

const evaluated = new WeakMap<DavRequest, Promise<readonly string[]>>();

/** Evaluates the If header once per request; resolves to the lock tokens it submits. */
export function checkIfHeader(request: DavRequest): Promise<readonly string[]> {
  let result = evaluated.get(request);
  if (!result) {
    result = evaluate(request);
    evaluated.set(request, result);
  }
  return result;
}

async function evaluate(request: DavRequest): Promise<readonly string[]> {
  const header = request.ctx.get('if');
  if (!header) return [];
  const lists: IfList[] = parseIfHeader(header, requestAuthority(request));
  const holds = await evaluateIf(lists, request.requestPath, async (path) => {
    // A tag outside the caller's shares names nothing: its conditions never hold.
    const resource = await request.resolve(path);
    if (!resource) return { etag: null, lockTokens: [] };
    const info = await resource.store.stat(resource.path).catch(() => null);
    const lockTokens = await request.services.locks.tokensCovering(resource);
    return { etag: info && !info.isCollection ? info.etag : null, lockTokens };
  });
  if (!holds) throw new DavError(412, 'The If header does not match the resource’s current state');
  return submittedLockTokens(lists);
}

/**
 * Refuses with 423 when a lock held by someone else covers `at` (or, for a
 * whole tree, anything below it) and its token was not submitted.
 */
export async function requireUnlocked(request: DavRequest, at: SharePath, depth: LockDepth): Promise<void> {
  const submitted = await checkIfHeader(request);
  const blocking = await request.services.locks.blocking(at, depth, submitted, request.user.name);
  if (blocking.length > 0) {
    throw new DavError(423, 'The resource is locked and no lock token for it was submitted', {
      condition: 'lock-token-submitted',
      conditionXml: lockRootHrefsXml(blocking),
    });
  }
}

/**
 * Adding or removing a member changes its parent collection: "a depth-0 lock
 * on a collection … prevents the addition or removal of members" (RFC 4918
 * §7.4), so the parent's lock tokens are needed too. Call it when a request
 * creates or removes the resource at `at`.
 */
export async function requireMembershipUnlocked(request: DavRequest, at: SharePath): Promise<void> {
  if (at.path.length > 0) await requireUnlocked(request, { mount: at.mount, path: at.path.slice(0, -1) }, 0);
}
