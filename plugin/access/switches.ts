/**
 * The global switches of DESIGN §3 (Orthanc-style): `webdav.uploadallowed`
 * and `webdav.deleteallowed`. A refused request answers 403 and changes
 * nothing, so handlers call these before touching anything.
 */
import type { DavRequest } from '../dav/context.js';
import { DavError } from '../dav/errors.js';

export function requireUploadAllowed(request: DavRequest): void {
  if (!request.services.snapshot().settings.uploadAllowed) {
    throw new DavError(403, 'Uploads are switched off on this server (webdav.uploadallowed=false)');
  }
}

export function requireDeleteAllowed(request: DavRequest): void {
  if (!request.services.snapshot().settings.deleteAllowed) {
    throw new DavError(403, 'Deleting is switched off on this server (webdav.deleteallowed=false)');
  }
}
