/**
 * Tells the host's media library about changes made through WebDAV, so that
 * an uploaded photo shows up in the library and a deleted one disappears
 * without waiting for the host's next scan. The host speaks in file-system
 * paths; the plugin's stores in share paths.
 */
import { join } from 'node:path';
import type { DavServices, Resource } from './context.js';

type Changed = Pick<Resource, 'share' | 'path'>;

export function mediaChanged(services: DavServices, at: Changed): void {
  services.media.changed(join(at.share.root, ...at.path));
}

export function mediaRemoved(services: DavServices, at: Changed): void {
  services.media.removed(join(at.share.root, ...at.path));
}
