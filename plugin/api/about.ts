/**
 * GET /api/plugins/webdav/about: for the logged-in user, the shares they may
 * use (members of WebDAV.<mount> only) with the ways to connect to each; an
 * empty list when there is none. A date view (docs/photo-shares.md) is listed
 * like a share, to the members of its own group, right after the share it
 * shows, read-only and naming that share. Never a server folder: this answer
 * goes to every user, not only to admins, and where the files lie on the
 * server's disk is for admins to know.
 */
import type Router from '@koa/router';
import type { Share } from '../config/shares.js';
import { connectionMethods, shareUrl } from './connect.js';
import { handle, requireUser, sendJson } from './http.js';
import { API_PREFIX, publicOriginOf, type ApiServices } from './services.js';

/** A view sorts under the name of its share, just after it. */
const byShareThenView = (a: Share, b: Share): number =>
  (a.dateViewOf ?? a.mount).localeCompare(b.dateViewOf ?? b.mount) ||
  Number(a.dateViewOf !== undefined) - Number(b.dateViewOf !== undefined) ||
  a.mount.localeCompare(b.mount);

export function aboutRoutes(router: Router, services: ApiServices): void {
  const { host } = services;
  router.get(
    `${API_PREFIX}/about`,
    handle(async (ctx) => {
      const session = await requireUser(host.session, ctx);
      const user = session.user.name;
      const { settings, shares, dateViews } = services.snapshot();
      // One query for all of the user's groups, straight from the host: what the page shows is current.
      const groups = new Set(await host.groups.groupsOf(user));
      const base = settings.baseUrl ?? publicOriginOf(ctx.state);
      const mine = [...shares.values(), ...dateViews.values()]
        .filter((share) => groups.has(share.group))
        .sort(byShareThenView)
        .map((share) => {
          const url = shareUrl(base, share.mount);
          return {
            mount: share.mount,
            path: `/webdav/${encodeURIComponent(share.mount)}/`,
            url,
            readonly: share.readonly,
            uploadAllowed: !share.readonly && settings.uploadAllowed,
            deleteAllowed: !share.readonly && settings.deleteAllowed,
            dateViewOf: share.dateViewOf ?? null,
            connect: connectionMethods(url, user),
          };
        });
      // The host's certificate (host-api 1.1.0), so a user can check a self-signed one's fingerprint.
      const tls = host.tls?.current() ?? null;
      sendJson(ctx, 200, { user, baseUrl: settings.baseUrl ?? null, shares: mine, tls });
    }),
  );
}
