/**
 *   GET admin/status   the plugin as it runs, and where the host switches it
 */
import type { Context } from 'koa';
import type { AdminContext } from './admin-context.js';
import { sendJson } from './http.js';
import { pluginManifest } from './services.js';
import { configuredShares } from './share-entries.js';

export async function pluginStatus(ctx: Context, admin: AdminContext): Promise<void> {
  const { host } = admin;
  const { settings, shares, problems } = admin.services.snapshot();
  const configured = configuredShares(host.settings.all());
  const manifest = pluginManifest();
  sendJson(ctx, 200, {
    plugin: { id: manifest.id, name: manifest.name, version: manifest.version, state: 'enabled' },
    host: { name: host.info.name, version: host.info.version, apiVersion: host.info.apiVersion },
    // Where the host lists its plugins and switches them on and off (the reference host's admin panel).
    pluginListUrl: '/admin',
    shares: { served: shares.size, configured: configured.shares.length },
    problems: problems.filter((p) => p.severity === 'error').length,
    switches: {
      uploadAllowed: settings.uploadAllowed,
      deleteAllowed: settings.deleteAllowed,
      auditEnabled: settings.auditEnabled,
    },
    baseUrl: settings.baseUrl ?? null,
  });
}
