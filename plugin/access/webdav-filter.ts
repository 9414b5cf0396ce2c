/**
 * The gate in front of every `/webdav` request, where it is resolved once:
 *
 *   raw path decoded → OPTIONS answered (no credentials needed) →
 *   Basic credentials checked → share looked up → group `WebDAV.<mount>`
 *   checked → the method's rights checked (dav/permissions.ts) → handler,
 *   with one DavRequest holding all of it.
 *
 * A caller who may not use a share gets the same 403 whether the share (or
 * the path below it) exists or not: the answer must not tell a stranger
 * what is there.
 */
import type { Context, Middleware, Next } from 'koa';
import type { Authenticator } from './authenticator.js';
import { parseBasicAuth } from './basic-auth.js';
import { ShareResolver, type ShareDirectory } from './share-resolver.js';
import type { DavRequest, DavServices } from '../dav/context.js';
import { DavError } from '../dav/errors.js';
import { WEBDAV_SEGMENT } from '../dav/hrefs.js';
import { answerOptions } from '../dav/methods/options.js';
import { parseRequestPath } from '../dav/paths.js';
import { ROOT_RIGHTS, authorize, methodNeeds } from '../dav/permissions.js';
import { answeringDavErrors } from '../dav/respond.js';

export const REALM = 'WebDAV';

/** Case matters in the path (the router would also match /WebDAV/): only the exact prefix is ours. */
const WEBDAV_TARGET = new RegExp(`^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/]*)?/${WEBDAV_SEGMENT}(?:[/?#]|$)`);

export function isWebdavTarget(rawTarget: string): boolean {
  return WEBDAV_TARGET.test(rawTarget);
}

export function webdavFilter(
  authenticator: Authenticator,
  directory: ShareDirectory,
  services: DavServices,
): Middleware {
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

      const resolver = new ShareResolver(directory, user.name);
      const [, mount, ...path] = requestPath.segments;
      const target = mount === undefined ? null : await resolver.inShare(mount, path);
      if (mount !== undefined && !target) throw new DavError(403, 'You have no access to this share');
      const rights = target?.rights ?? ROOT_RIGHTS;
      authorize(rights, methodNeeds(ctx.method));

      const request: DavRequest = {
        ctx,
        method: ctx.method,
        user,
        requestPath,
        target,
        rights,
        services,
        resolve: (other) => resolver.resolve(other),
        sharesOfCaller: () => resolver.sharesOfCaller(),
      };
      (ctx.state as { dav?: DavRequest }).dav = request;
      await next();
    });
  };
}
