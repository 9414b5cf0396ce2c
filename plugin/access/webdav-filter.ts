/**
 * The gate in front of every `/webdav` request:
 *
 *   raw path decoded → OPTIONS answered (no credentials needed) →
 *   Basic credentials checked → share looked up → group `WebDAV.<mount>`
 *   checked → read-only shares refuse writes → handler.
 *
 * A caller who may not use a share gets the same 403 whether the share (or
 * the path below it) exists or not: the answer must not tell a stranger
 * what is there.
 */
import type { Context, Middleware, Next } from 'koa';
import type { Authenticator } from './authenticator.js';
import { parseBasicAuth } from './basic-auth.js';
import { DavError } from '../dav/errors.js';
import { parseRequestPath } from '../dav/paths.js';
import { answeringDavErrors } from '../dav/respond.js';
import { answerOptions } from '../dav/methods/options.js';
import { WEBDAV_SEGMENT, type DavRequest, type DavServices, type Target } from '../dav/context.js';

export const REALM = 'WebDAV';
/** Methods that never change anything: the only ones a read-only share or /webdav/ itself accepts. */
export const READ_METHODS: ReadonlySet<string> = new Set(['OPTIONS', 'GET', 'HEAD', 'PROPFIND']);

/** Case matters in the path (the router would also match /WebDAV/): only the exact prefix is ours. */
const WEBDAV_TARGET = new RegExp(`^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/]*)?/${WEBDAV_SEGMENT}(?:[/?#]|$)`);

export function isWebdavTarget(rawTarget: string): boolean {
  return WEBDAV_TARGET.test(rawTarget);
}

export function webdavFilter(authenticator: Authenticator, services: DavServices): Middleware {
  return async (ctx: Context, next: Next) => {
    if (!isWebdavTarget(ctx.req.url ?? '')) return next();
    await answeringDavErrors(ctx, async () => {
      const requestPath = parseRequestPath(ctx.req.url ?? '/');
      if (ctx.method === 'OPTIONS') return answerOptions(ctx);

      const credentials = parseBasicAuth(ctx.get('authorization') || undefined);
      const address = String((ctx.state as { remoteAddress?: string }).remoteAddress ?? ctx.ip);
      const user = credentials ? await authenticator.authenticate(credentials, address) : null;
      if (!user) {
        throw new DavError(401, 'Authentication required', {
          headers: { 'WWW-Authenticate': `Basic realm="${REALM}", charset="UTF-8"` },
        });
      }

      const target = await targetOf(requestPath.segments.slice(1), requestPath.trailingSlash, user.name, services);
      if (!READ_METHODS.has(ctx.method)) {
        if (target.kind === 'root') throw new DavError(403, 'Nothing can be written at /webdav/ itself; use a share below it');
        if (target.share.readonly) throw new DavError(403, `Share "${target.share.mount}" is read-only`);
      }
      const request: DavRequest = { ctx, method: ctx.method, user, target, requestPath, services };
      (ctx.state as { dav?: DavRequest }).dav = request;
      await next();
    });
  };
}

async function targetOf(
  segments: readonly string[],
  trailingSlash: boolean,
  user: string,
  services: DavServices,
): Promise<Target> {
  const [mount, ...path] = segments;
  if (mount === undefined) return { kind: 'root' };
  const share = services.snapshot().shares.get(mount);
  if (!share || !(await services.isMember(user, share.group))) {
    throw new DavError(403, 'You have no access to this share');
  }
  return { kind: 'share', share, store: services.storeOf(share), path, trailingSlash };
}
