/**
 *   GET admin/status   the plugin as it runs, and where the host switches it
 *
 * The share counts come from the same live look at every folder as the share
 * listing, so "2 of 3 served" never counts a share whose folder is gone.
 */
import type { Context } from 'koa';
import { problemCounts, shareListing } from './admin-share-view.js';
import type { AdminContext } from './admin-context.js';
import { sendJson } from './http.js';
import { pluginManifest } from './services.js';

export async function pluginStatus(ctx: Context, admin: AdminContext): Promise<void> {
  const { host } = admin;
  const listing = await shareListing(ctx, admin);
  const counts = problemCounts(listing);
  const manifest = pluginManifest();
  sendJson(ctx, 200, {
    plugin: { id: manifest.id, name: manifest.name, version: manifest.version, state: 'enabled' },
    host: { name: host.info.name, version: host.info.version, apiVersion: host.info.apiVersion },
    // The reference host's admin panel, where plugins are switched on and off, and its login page,
    // which takes the local path to return to in `next`.
    pluginListUrl: '/admin',
    loginUrl: '/login',
    shares: { served: listing.shares.filter((s) => s.served).length, configured: listing.shares.length },
    problems: counts.error,
    warnings: counts.warning,
    switches: listing.switches,
    baseUrl: listing.baseUrl,
  });
}
