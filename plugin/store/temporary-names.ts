/**
 * Uploads are written to a temporary file beside their target and renamed
 * over it when complete. Those files carry a name no client may create: the
 * prefix below is refused in every request path, and such files are never
 * listed, served, moved or deleted through WebDAV.
 */
import { randomUUID } from 'node:crypto';

const PREFIX = '.~webdav-upload-';
const SUFFIX = '.part';

/** The target's name is not part of it: with the prefix it could exceed NAME_MAX. */
export function newTemporaryName(): string {
  return `${PREFIX}${randomUUID()}${SUFFIX}`;
}

export function isTemporaryName(name: string): boolean {
  return name.startsWith(PREFIX);
}
