/**
 * The host's pages: home, About, and the admin panel with its plugin switches
 * and the plugins' own admin pages.
 */
import type Router from '@koa/router';
import { bodyOf, readBody } from './body.js';
import { esc, page, sendHtml } from './html.js';
import type { HostServices } from './index.js';
import { photoRoots } from './photo-roots.js';
import type { AdminPage, LoadedPlugin, PluginManager, UiModuleInfo } from './plugin-loader.js';
import type { LoadedSession } from './sessions.js';
import { tlsSection } from './tls-panel.js';
import { requireAdmin, requireCsrf, requireUser } from './web-auth.js';
import { standingIn, webdavGroup, webdavPath } from './webdav-shares.js';

const STATE_TEXT: Record<LoadedPlugin['state'], string> = {
  active: 'Enabled',
  inactive: 'Disabled',
  failed: 'Enabled, but failed to start',
  invalid: 'Cannot be loaded',
};

const moduleScripts = (modules: readonly UiModuleInfo[]): string =>
  [...new Set(modules.map((m) => m.url))].map((url) => `<script type="module" src="${esc(url)}"></script>`).join('\n');

const element = (m: UiModuleInfo, csrfToken: string): string =>
  `<${m.element} csrf-token="${esc(csrfToken)}"></${m.element}>`;

const nameOf = (p: LoadedPlugin): string => p.manifest?.name ?? p.id;

/** What the admin just did to a plugin (POST /admin/plugins/:id redirects to /admin?enabled=ID or ?disabled=ID). */
interface Switched {
  readonly id: string;
  readonly enabled: boolean;
  /** Set when the switch itself failed; the row shows it. */
  readonly error?: string;
}

function switchedIn(query: Record<string, unknown>): Switched | undefined {
  for (const [key, enabled] of [
    ['enabled', true],
    ['disabled', false],
  ] as const) {
    if (typeof query[key] === 'string') return { id: query[key], enabled };
  }
  return undefined;
}

/** A confirmation that stays in view (fixed) and fades away by itself (CSS); a failure is shown in the row instead. */
function switchNotice(switched: Switched | undefined, plugins: PluginManager): string {
  const p = switched && !switched.error ? plugins.get(switched.id) : undefined;
  if (!p || p.enabled !== switched!.enabled || p.state === 'failed') return '';
  return `<p class="notice" role="status">${esc(nameOf(p))} is switched ${p.enabled ? 'on' : 'off'}.</p>`;
}

/** Why the admin's switch did not work, in the plugin's row. */
function rowError(p: LoadedPlugin, switched: Switched | undefined): string {
  if (switched?.id !== p.id) return p.error ? `<div class="error">${esc(p.error)}</div>` : '';
  const verb = switched.enabled ? 'switch it on' : 'switch it off';
  if (switched.error) return `<div class="error" role="alert">Could not ${verb}: ${esc(switched.error)}</div>`;
  if (switched.enabled && p.state === 'failed')
    return `<div class="error" role="alert">It did not start: ${esc(p.error ?? 'unknown error')}</div>`;
  return p.error ? `<div class="error">${esc(p.error)}</div>` : '';
}

function pluginRow(p: LoadedPlugin, csrfToken: string, switched: Switched | undefined): string {
  const name = nameOf(p);
  const action =
    p.state === 'invalid'
      ? ''
      : `<form method="post" action="/admin/plugins/${encodeURIComponent(p.id)}">
<input type="hidden" name="_csrf" value="${esc(csrfToken)}">
<input type="hidden" name="enabled" value="${p.enabled ? 'false' : 'true'}">
<button type="submit" aria-label="${p.enabled ? 'Disable' : 'Enable'} ${esc(name)}">${p.enabled ? 'Disable' : 'Enable'}</button></form>`;
  return `<tr data-plugin="${esc(p.id)}">
<td>${esc(name)}<div class="muted">${esc(p.id)}</div></td>
<td class="optional">${esc(p.manifest?.version ?? '')}</td>
<td>${esc(STATE_TEXT[p.state])}${rowError(p, switched)}<div class="muted optional">${esc(p.folder)}</div></td>
<td>${action}</td>
</tr>`;
}

/** A plugin page in the admin panel's list: a link while its plugin is active. */
function pageItem(p: AdminPage): string {
  if (p.module) return `<li><a href="/admin/pages/${p.number}">${esc(p.title)}</a></li>`;
  const name = nameOf(p.plugin);
  const why = p.title === name ? 'switched off' : `the plugin ${name} is switched off`;
  return `<li>${esc(p.title)} <span class="muted">(${esc(why)})</span></li>`;
}

/** Why an admin page that this host numbered is not there now: status and sentence. */
function pageAbsence({ plugin }: AdminPage): [number, string] {
  const name = nameOf(plugin);
  if (!plugin.enabled) return [404, `The plugin ${name} is switched off.`];
  if (plugin.state === 'failed') return [503, `The plugin ${name} is switched on but did not start: ${plugin.error}`];
  if (plugin.state === 'inactive') return [503, `The plugin ${name} is starting; try again in a moment.`];
  return [404, `The plugin ${name} has no such page now.`];
}

/**
 * The WebDAV column of the home page: the share's address while a plugin
 * serves it, for its members and for admins (who may not be members; WebDAV
 * then refuses them, and they manage the group); others learn only that it
 * is not theirs.
 */
function shareCell(mount: string, session: LoadedSession, groups: ReadonlySet<string>, plugins: PluginManager): string {
  const admin = session.user.admin;
  if (!plugins.serves(webdavPath(mount)))
    return admin
      ? '<span class="muted">not served: the WebDAV plugin is switched off (<a href="/admin">plugins</a>)</span>'
      : '<span class="muted">not available</span>';
  const standing = standingIn(mount, session.user, groups);
  if (standing === 'none') return '<span class="muted">not shared with you</span>';
  const link = `<a href="${esc(webdavPath(mount))}">/webdav/${esc(mount)}/</a>`;
  return standing === 'member'
    ? link
    : `${link}<div class="muted">You are not in the group ${esc(webdavGroup(mount))}: add yourself to use it.</div>`;
}

export function pageRoutes(router: Router, services: HostServices, plugins: PluginManager): void {
  router.get('/', async (ctx) => {
    const session = await services.sessions.current(ctx);
    if (!session) {
      return sendHtml(
        ctx,
        200,
        page({
          title: 'Photos',
          session,
          body: '<p>This is a private photo server. <a href="/login">Log in</a> to see it.</p>',
        }),
      );
    }
    const roots = await photoRoots(services.settings);
    const groups = new Set(await services.groups.groupsOf(session.user.name));
    const rows = roots
      .map((r) => {
        const count = r.error
          ? `unreadable (${esc(r.error)})`
          : `${r.files.toLocaleString('en')}${r.more ? '+' : ''} files`;
        const share = r.mount ? shareCell(r.mount, session, groups, plugins) : '<span class="muted">not shared</span>';
        // Only admins see where the photos are on the server.
        const where = session.user.admin ? `<div class="muted">${esc(r.path)}</div>` : '';
        return `<tr><td>${esc(r.mount ?? r.key)}${where}</td><td>${count}</td><td>${share}</td></tr>`;
      })
      .join('\n');
    const body = roots.length
      ? `<table><caption class="muted">Photo folders</caption><thead><tr><th scope="col">Folder</th><th scope="col">Files</th><th scope="col">WebDAV</th></tr></thead><tbody>${rows}</tbody></table>`
      : '<p>No photo folders are configured (setting <code>robot.root.0.path</code>).</p>';
    sendHtml(ctx, 200, page({ title: 'Photos', session, body }));
  });

  router.get('/about', async (ctx) => {
    const session = await requireUser(ctx, services);
    if (!session) return;
    const { info } = services;
    const controls = plugins.uiModules('about');
    const active = plugins.list().filter((p) => p.state === 'active');
    const body = `<p>${esc(info.name)} ${esc(info.version)} (host-api ${esc(info.apiVersion)})</p>
<h2>Plugins</h2>
<ul>${active.map((p) => `<li>${esc(p.manifest!.name)} ${esc(p.manifest!.version)}</li>`).join('') || '<li>none</li>'}</ul>
${controls.map((c) => `<section aria-label="${esc(c.title)}"><h2>${esc(c.title)}</h2>${element(c, session.csrfToken)}</section>`).join('\n')}`;
    sendHtml(ctx, 200, page({ title: 'About', session, body, head: moduleScripts(controls) }));
  });

  const adminPanel = (session: LoadedSession, switched: Switched | undefined): string => {
    const pages = plugins.adminPages();
    return `${switchNotice(switched, plugins)}<h2>Users</h2>
<p><a href="/admin/users">Users and their shares</a>: create users, set passwords, choose groups.</p>
<h2>Plugins</h2>
<table><thead><tr><th scope="col">Plugin</th><th scope="col" class="optional">Version</th><th scope="col">State</th><th scope="col">Switch</th></tr></thead>
<tbody>${plugins
      .list()
      .map((p) => pluginRow(p, session.csrfToken, switched))
      .join('\n')}</tbody></table>
<h2>Plugin pages</h2>
${pages.length ? `<ul>${pages.map(pageItem).join('')}</ul>` : '<p class="muted">None.</p>'}
${tlsSection(services.tls)}`;
  };

  router.get('/admin', async (ctx) => {
    const session = await requireAdmin(ctx, services);
    if (!session) return;
    const body = adminPanel(session, switchedIn(ctx.query));
    sendHtml(ctx, 200, page({ title: 'Administration', session, body }));
  });

  router.get('/admin/pages/:n', async (ctx) => {
    const session = await requireAdmin(ctx, services);
    if (!session) return;
    const n = ctx.params['n']!;
    const found = /^\d{1,6}$/.test(n) ? plugins.adminPages()[Number(n)] : undefined;
    if (found?.module) {
      const m = found.module;
      return sendHtml(
        ctx,
        200,
        page({ title: m.title, session, body: element(m, session.csrfToken), head: moduleScripts([m]), wide: true }),
      );
    }
    const [status, why] = found ? pageAbsence(found) : [404, `There is no plugin page ${n}.`];
    const where = `the <a href="/admin">host's plugin list</a>`;
    const next =
      found && !found.plugin.enabled ? `Switch it on in ${where}.` : `Plugins are switched on and off in ${where}.`;
    const body = `<p>${esc(why)}</p><p>${next}</p>`;
    sendHtml(ctx, status, page({ title: found?.title ?? 'No such page', session, body }));
  });

  // The form version of POST /api/host/plugins/:id, for browsers without JavaScript.
  router.post('/admin/plugins/:id', async (ctx) => {
    const session = await requireAdmin(ctx, services);
    if (!session) return;
    await readBody(ctx);
    if (!requireCsrf(ctx, services, session)) return;
    const plugin = plugins.get(ctx.params['id']!);
    if (!plugin) return;
    const enabled = bodyOf(ctx)['enabled'] === 'true';
    try {
      await plugins.setEnabled(plugin.id, enabled);
    } catch (err) {
      services.log.error({ err, plugin: plugin.id }, 'cannot switch the plugin');
      const switched = { id: plugin.id, enabled, error: (err as Error).message };
      return sendHtml(ctx, 500, page({ title: 'Administration', session, body: adminPanel(session, switched) }));
    }
    ctx.status = 303;
    ctx.redirect(`/admin?${enabled ? 'enabled' : 'disabled'}=${encodeURIComponent(plugin.id)}`);
  });
}
