/**
 * What the store makes of one entry of a folder: the name it is listed
 * under, its description (ResourceInfo, ETag), and, for a listing the
 * store keeps (store/listing-cache.ts), whether that description can be
 * kept or must be looked at again every time.
 */
import type { BigIntStats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import type { Logger } from '../host-api.js';
import { lstatPath } from './fs-calls.js';
import type { Slot } from './listing-cache.js';
import { isValidName } from './names.js';
import type { ResourceInfo } from './store.js';
import { isTemporaryName } from './temporary-names.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The name an entry read from disk is listed under, or null when it is left out (logged). */
export function displayableName(log: Logger, folder: string, raw: Buffer): string | null {
  let name: string;
  try {
    name = utf8.decode(raw);
  } catch {
    log.warn({ folder, name: raw.toString('latin1') }, 'file name is not valid UTF-8; left out of WebDAV listings');
    return null;
  }
  if (isTemporaryName(name)) return null;
  if (!isValidName(name)) {
    // A backslash or a control character (CR, LF, ...): a request naming it is refused (400), so
    // listing it would show clients a file they can never open, move or delete.
    log.warn({ folder, name }, 'file name contains a backslash or a control character; left out of WebDAV listings');
    return null;
  }
  return name;
}

/** What a listing found of one entry: its description (null: not listed), and what a kept listing keeps of it. */
export type Looked = readonly [info: ResourceInfo | null, slot: Slot | null];
const NOTHING: Looked = [null, null];

/**
 * The entry `name` (as spelled on disk) of a real folder being listed; a
 * symbolic link is listed as what it leads to, only if that is inside the
 * share (`inside`). Its description is kept by a listing only when nothing
 * but a change in this folder can change it: not for a symbolic link, a
 * folder, nor a file with other hard links. Descriptions are frozen: a
 * kept listing hands the same objects to every caller.
 */
export async function lookAt(folder: string, name: string, inside: (real: string) => boolean): Promise<Looked> {
  const file = folder.endsWith(sep) ? folder + name : folder + sep + name;
  try {
    let stats = await lstatPath(file);
    let again = stats.isDirectory() || stats.nlink > 1n;
    if (stats.isSymbolicLink()) {
      again = true;
      const real = await realpath(file);
      if (!inside(real)) return [null, name];
      stats = await stat(real, { bigint: true });
    }
    if (!stats.isFile() && !stats.isDirectory()) return again ? [null, name] : NOTHING;
    const info = Object.freeze(toInfo(name.normalize('NFC'), stats));
    return [info, again ? name : info];
  } catch {
    // Deleted while we listed (its event keeps the listing from being kept), or a dangling link.
    return [null, name];
  }
}

/**
 * ETags come from inode, nanosecond ctime and size: clients set mtime
 * themselves (Win32LastModifiedTime), so mtime alone would let a changed file
 * keep its old tag.
 */
export function etagOf(stats: BigIntStats): string {
  return `"${stats.ino.toString(16)}-${stats.ctimeNs.toString(16)}-${stats.size.toString(16)}"`;
}

export function toInfo(name: string, stats: BigIntStats): ResourceInfo {
  const isCollection = stats.isDirectory();
  const birth = Number(stats.birthtimeMs) > 0 ? stats.birthtime : stats.ctime;
  return {
    name,
    isCollection,
    size: isCollection ? 0 : Number(stats.size),
    modified: stats.mtime,
    created: birth,
    etag: etagOf(stats),
  };
}
