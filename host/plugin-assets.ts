/**
 * Serves what plugins registered through host.ui: asset folders under
 * /plugins/<id>/assets[N]/ and single UI module files under
 * /plugins/<id>/ui/<admin|about>/<n>/<name>. Only while the plugin is active.
 */
import type { Context, Middleware, Next } from 'koa';
import path from 'node:path';
import type { PluginManager } from './plugin-loader.js';
import { resolveInside, sendFile } from './static-files.js';

const ASSETS = /^\/plugins\/([^/]+)\/assets(\d*)\/(.*)$/;
const MODULE = /^\/plugins\/([^/]+)\/ui\/(admin|about)\/(\d+)\/([^/]+)$/;

export function pluginAssets(plugins: PluginManager): Middleware {
  // Not async itself: every other request passes on without a promise of its own.
  return (ctx, next) => {
    if (!ctx.path.startsWith('/plugins/') || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    return serveAsset(plugins, ctx, next);
  };
}

async function serveAsset(plugins: PluginManager, ctx: Context, next: Next): Promise<unknown> {
  const assets = ASSETS.exec(ctx.path);
  const module = assets ? null : MODULE.exec(ctx.path);
  // Plugin ids are [a-z0-9-]: nothing to decode.
  const activation = plugins.get((assets ?? module)?.[1] ?? '')?.activation;
  if (!activation) return next();
  let file: string | null = null;
  if (assets) {
    const dir = activation.assetDirs[assets[2] === '' ? 0 : Number(assets[2])];
    if (dir && assets[2] !== '0') file = await resolveInside(dir, assets[3]!);
  } else if (module) {
    const registered = activation.modules(module[2] as 'admin' | 'about')[Number(module[3])];
    if (registered && encodeURIComponent(path.basename(registered.file)) === module[4]) {
      file = await resolveInside(
        activation.pluginFolder,
        path.relative(activation.pluginFolder, registered.file).split(path.sep).map(encodeURIComponent).join('/'),
      );
    }
  }
  if (!file || !(await sendFile(ctx, file))) return next();
}
