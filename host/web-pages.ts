/**
 * The host's pages: home, About, and the admin panel with its plugin switches
 * and the plugins' own admin pages.
 */
import type Router from '@koa/router';
import { bodyOf, readBody } from './body.js';
import { esc, page, sendHtml } from './html.js';
import type { HostServices } from './index.js';
import { photoRoots } from './photo-roots.js';
import type { LoadedPlugin, PluginManager, UiModuleInfo } from './plugin-loader.js';
import { requireAdmin, requireCsrf, requireUser } from './web-auth.js';

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

function pluginRow(p: LoadedPlugin, csrfToken: string): string {
  const name = p.manifest?.name ?? p.id;
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
<td>${esc(STATE_TEXT[p.state])}${p.error ? `<div class="error">${esc(p.error)}</div>` : ''}<div class="muted optional">${esc(p.folder)}</div></td>
<td>${action}</td>
</tr>`;
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
    const rows = roots
      .map((r) => {
        const count = r.error
          ? `unreadable (${esc(r.error)})`
          : `${r.files.toLocaleString('en')}${r.more ? '+' : ''} files`;
        const share = r.mount
          ? `<a href="/webdav/${encodeURIComponent(r.mount)}/">/webdav/${esc(r.mount)}/</a>`
          : '<span class="muted">not shared</span>';
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

  router.get('/admin', async (ctx) => {
    const session = await requireAdmin(ctx, services);
    if (!session) return;
    const pages = plugins.uiModules('admin');
    const body = `<h2>Plugins</h2>
<table><thead><tr><th scope="col">Plugin</th><th scope="col" class="optional">Version</th><th scope="col">State</th><th scope="col">Switch</th></tr></thead>
<tbody>${plugins
      .list()
      .map((p) => pluginRow(p, session.csrfToken))
      .join('\n')}</tbody></table>
<h2>Plugin pages</h2>
${pages.length ? `<ul>${pages.map((m, i) => `<li><a href="/admin/pages/${i}">${esc(m.title)}</a></li>`).join('')}</ul>` : '<p class="muted">None.</p>'}`;
    sendHtml(ctx, 200, page({ title: 'Administration', session, body }));
  });

  router.get('/admin/pages/:n', async (ctx) => {
    const session = await requireAdmin(ctx, services);
    if (!session) return;
    const m = plugins.uiModules('admin')[Number(ctx.params['n'])];
    if (!m || !/^\d+$/.test(ctx.params['n']!)) return;
    sendHtml(
      ctx,
      200,
      page({ title: m.title, session, body: element(m, session.csrfToken), head: moduleScripts([m]), wide: true }),
    );
  });

  // The form version of POST /api/host/plugins/:id, for browsers without JavaScript.
  router.post('/admin/plugins/:id', async (ctx) => {
    const session = await requireAdmin(ctx, services);
    if (!session) return;
    await readBody(ctx);
    if (!requireCsrf(ctx, services, session)) return;
    const plugin = plugins.get(ctx.params['id']!);
    if (!plugin) return;
    await plugins.setEnabled(plugin.id, bodyOf(ctx)['enabled'] === 'true');
    ctx.status = 303;
    ctx.redirect('/admin');
  });
}
