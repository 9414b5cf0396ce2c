/**
 * The host's JSON API: the plugin list and its switches, for scripts and for
 * admin UIs that prefer fetch() to forms.
 */
import type Router from '@koa/router';
import { bodyOf, readBody } from './body.js';
import type { HostServices } from './index.js';
import type { LoadedPlugin, PluginManager } from './plugin-loader.js';
import { requireAdmin, requireCsrf } from './web-auth.js';

function describe(p: LoadedPlugin): Record<string, unknown> {
  return {
    id: p.id,
    name: p.manifest?.name ?? p.id,
    version: p.manifest?.version ?? null,
    description: p.manifest?.description ?? '',
    enabled: p.enabled,
    state: p.state,
    ...(p.error ? { error: p.error } : {}),
  };
}

export function apiRoutes(router: Router, services: HostServices, plugins: PluginManager): void {
  router.get('/api/host/plugins', async (ctx) => {
    if (!(await requireAdmin(ctx, services))) return;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = plugins.list().map(describe);
  });

  router.post('/api/host/plugins/:id', async (ctx) => {
    const session = await requireAdmin(ctx, services);
    if (!session) return;
    await readBody(ctx);
    if (!requireCsrf(ctx, services, session)) return;
    const plugin = plugins.get(ctx.params['id']!);
    if (!plugin) {
      ctx.status = 404;
      ctx.body = { error: `there is no plugin "${ctx.params['id']}"` };
      return;
    }
    const body = bodyOf(ctx);
    const extra = Object.keys(body).filter((k) => k !== 'enabled' && k !== '_csrf');
    if (!ctx.is('application/json') || typeof body['enabled'] !== 'boolean' || extra.length > 0) {
      ctx.status = 400;
      ctx.body = { error: 'send a JSON body {"enabled": true} or {"enabled": false}' };
      return;
    }
    ctx.body = describe(await plugins.setEnabled(plugin.id, body['enabled']));
  });
}
