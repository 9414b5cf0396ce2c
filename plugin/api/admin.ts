/**
 * The admin page's endpoints, under /api/plugins/webdav/admin/. Administrators
 * of the host only (checked here, on the server); every state-changing call
 * also needs the session's CSRF token.
 *
 *   GET    admin/status                         the plugin as it runs, and where the host switches it
 *   GET    admin/shares                         every configured share, served or not, with its problems
 *   POST   admin/shares                         {mount, folder, readonly?, dateMount?, inbox?} → a new webdav.N share
 *   PUT    admin/shares/:id                     {mount?, folder?, readonly?, dateMount?, inbox?} (a photo root: all but folder)
 *   DELETE admin/shares/:id                     stops sharing (webdav.N: all its keys; photo root: its WebDAV keys)
 *   POST   admin/shares/:id/scan                scans the share for its capture-date index now; the share as it is then
 *   POST   admin/shares/:id/members/:user       adds the user to WebDAV.<mount>
 *   DELETE admin/shares/:id/members/:user       removes the user from it
 *   POST   admin/shares/:id/view/members/:user  adds the user to WebDAV.<dateMount>, the group of the share's date view
 *   DELETE admin/shares/:id/view/members/:user  removes the user from it
 *   GET    admin/users                          user names to pick from
 *   GET    admin/audit?q=&offset=&limit=        the audit log, newest first
 *   GET    admin/traffic?days=&utcOffset=&user=&share=   requests and bytes per day, from the audit log
 *   GET    admin/locks                          the active WebDAV locks
 *   DELETE admin/locks/:token                   removes a lock a client left behind
 *
 * Settings are written through host.settings and applied without a restart;
 * answers come once the new shares are in place.
 */
import type Router from '@koa/router';
import { auditLog } from './admin-audit.js';
import { adminContext, type AdminHandler } from './admin-context.js';
import { listLocks, removeLock } from './admin-locks.js';
import { addMember, addViewMember, listUsers, removeMember, removeViewMember } from './admin-members.js';
import { addShare, editShare, listShares, removeShare, scanShare } from './admin-shares.js';
import { pluginStatus } from './admin-status.js';
import { trafficPerDay } from './admin-traffic.js';
import { handle, requireAdmin, requireCsrf } from './http.js';
import { API_PREFIX, type ApiServices } from './services.js';

export function adminRoutes(router: Router, services: ApiServices): void {
  const admin = adminContext(services);
  const base = `${API_PREFIX}/admin`;

  /** Admin, and for a state-changing call the CSRF token: in that order, before any body is read. */
  const adminOnly = (handler: AdminHandler) =>
    handle(async (ctx) => {
      await requireAdmin(services.host.session, ctx);
      if (!['GET', 'HEAD', 'OPTIONS'].includes(ctx.method)) requireCsrf(services.host.session, ctx);
      await handler(ctx, admin);
    });

  router.get(`${base}/status`, adminOnly(pluginStatus));
  router.get(`${base}/shares`, adminOnly(listShares));
  router.post(`${base}/shares`, adminOnly(addShare));
  router.put(`${base}/shares/:id`, adminOnly(editShare));
  router.delete(`${base}/shares/:id`, adminOnly(removeShare));
  router.post(`${base}/shares/:id/scan`, adminOnly(scanShare));
  router.post(`${base}/shares/:id/members/:user`, adminOnly(addMember));
  router.delete(`${base}/shares/:id/members/:user`, adminOnly(removeMember));
  router.post(`${base}/shares/:id/view/members/:user`, adminOnly(addViewMember));
  router.delete(`${base}/shares/:id/view/members/:user`, adminOnly(removeViewMember));
  router.get(`${base}/users`, adminOnly(listUsers));
  router.get(`${base}/audit`, adminOnly(auditLog));
  router.get(`${base}/traffic`, adminOnly(trafficPerDay));
  router.get(`${base}/locks`, adminOnly(listLocks));
  router.delete(`${base}/locks/:token`, adminOnly(removeLock));
}
