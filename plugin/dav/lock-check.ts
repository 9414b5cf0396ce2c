/**
 * The write preconditions of RFC 4918 §10.4 for every modifying method:
 * first the If header is evaluated as a whole (all lists false → 412), then
 * each lock covering a resource the method changes must have had its token
 * submitted (missing → 423 with `lock-token-submitted`, §16).
 */
import { DavError } from './errors.js';
import type { DavRequest } from './context.js';
import { evaluateIf, parseIfHeader, submittedLockTokens, type IfList } from './headers/if-header.js';
import { locateInShares } from './resolve.js';

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
  const lists: IfList[] = parseIfHeader(header, {
    host: request.ctx.get('host') || undefined,
    baseUrl: request.services.snapshot().settings.baseUrl,
  });
  const holds = await evaluateIf(lists, request.requestPath, async (path) => {
    const located = await locateInShares(request.services, request.user.name, path);
    const info = located ? await located.store.stat(located.path).catch(() => null) : null;
    const lockTokens = located && request.services.locks ? await request.services.locks.tokensCovering(located.share.mount, located.path) : [];
    return { etag: info && !info.isCollection ? info.etag : null, lockTokens };
  });
  if (!holds) throw new DavError(412, 'The If header does not match the resource’s current state');
  return submittedLockTokens(lists);
}

/**
 * Refuses with 423 when a lock held by someone else covers `path` (or, for a
 * whole tree, anything below it) and its token was not submitted.
 */
export async function requireUnlocked(
  request: DavRequest,
  mount: string,
  path: readonly string[],
  depth: 0 | 'infinity',
): Promise<void> {
  const submitted = await checkIfHeader(request);
  const locks = request.services.locks;
  if (!locks) return;
  const blocking = await locks.blocking(mount, path, depth, submitted, request.user.name);
  if (blocking.length > 0) {
    const hrefs = blocking.map((href) => `<D:href>${href}</D:href>`).join('');
    throw new DavError(423, 'The resource is locked and no lock token for it was submitted', {
      condition: 'lock-token-submitted',
      conditionXml: hrefs,
    });
  }
}

/**
 * Adding or removing a member changes its parent collection: "a depth-0 lock
 * on a collection … prevents the addition or removal of members" (RFC 4918
 * §7.4), so the parent's lock tokens are needed too. Call it when a request
 * creates or removes the resource at `path`.
 */
export async function requireMembershipUnlocked(request: DavRequest, mount: string, path: readonly string[]): Promise<void> {
  if (path.length > 0) await requireUnlocked(request, mount, path.slice(0, -1), 0);
}
