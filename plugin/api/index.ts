/**
 * The plugin's web face: JSON endpoints under /api/plugins/webdav/ and the
 * admin-ui modules (admin page, About control) registered with the host.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Host } from '../host-api.js';
import { aboutRoutes } from './about.js';
import { adminRoutes } from './admin.js';
import { pluginManifest, type ApiServices } from './services.js';

export type { ApiServices } from './services.js';
export { API_PREFIX } from './services.js';

export function registerApi(services: ApiServices): void {
  adminRoutes(services.host.router, services);
  aboutRoutes(services.host.router, services);
}

/** dist/admin-ui/, built by scripts/build-ui.mjs (dist/plugin/api → dist/admin-ui). */
export const UI_DIR = fileURLToPath(new URL('../../admin-ui/', import.meta.url));

/**
 * Registers `<webdav-admin>` and `<webdav-about>` from the built admin-ui.
 * Without a build (only tsc ran) the API still works and the log says why the
 * pages are missing.
 */
export function registerUi(host: Host): void {
  const admin = path.join(UI_DIR, 'webdav-admin.js');
  const about = path.join(UI_DIR, 'webdav-about.js');
  if (!existsSync(admin) || !existsSync(about)) {
    host.log.warn(
      { dir: UI_DIR },
      'WebDAV admin page and About control are not built (npm run build); only their API is served',
    );
    return;
  }
  const { ui } = pluginManifest();
  // The whole folder: the modules import a shared chunk (lit) by relative URL.
  host.ui.serveAssets(UI_DIR);
  host.ui.registerAdminPage({ file: admin, element: 'webdav-admin', title: ui?.adminPage?.title ?? 'WebDAV shares' });
  host.ui.registerAboutControl({ file: about, element: 'webdav-about', title: ui?.aboutControl?.title ?? 'WebDAV' });
}
