/**
 * Tells the host's media library about changes made through WebDAV, so that
 * an uploaded photo shows up in the library and a deleted one disappears
 * without waiting for the host's next scan. The host speaks in file-system
 * paths; the plugin's stores in share paths.
 */
import { join } from 'node:path';
import type { DavServices } from './context.js';

export function mediaChanged(services: DavServices, mount: string, path: readonly string[]): void {
  const root = services.snapshot().shares.get(mount)?.root;
  if (root !== undefined) services.media.changed(join(root, ...path));
}

export function mediaRemoved(services: DavServices, mount: string, path: readonly string[]): void {
  const root = services.snapshot().shares.get(mount)?.root;
  if (root !== undefined) services.media.removed(join(root, ...path));
}
