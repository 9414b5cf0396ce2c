/**
 * What the index records of one file on disk: its kind, size, times and
 * capture time; null for a file that is not a photo or a video. Shared by
 * the scan, the updates after WebDAV writes and the inbox.
 */
import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { isValidName } from '../store/names.js';
import { isTemporaryName } from '../store/temporary-names.js';
import { readCaptureTime } from './capture-time.js';
import type { IndexedFile } from './media-index.js';
import { mediaKindOf } from './media-kinds.js';

/**
 * Whether the index looks at a name at all: no hidden files (`.DS_Store`,
 * `._IMG.JPG`, `.~lock`), no upload in progress, and nothing a client could
 * not name in a request.
 */
export function isIndexableName(name: string): boolean {
  return !name.startsWith('.') && !isTemporaryName(name) && isValidName(name) && !name.includes('\uFFFD');
}

/** The file at `path` below `root`, described for the index; null when it is not a photo or video (or gone). */
export async function describeFile(root: string, path: readonly string[], stats?: Stats): Promise<IndexedFile | null> {
  const name = path.at(-1);
  if (name === undefined || !isIndexableName(name)) return null;
  const kind = mediaKindOf(name);
  if (kind === null) return null;
  const file = join(root, ...path);
  let found = stats;
  if (!found) {
    try {
      found = await lstat(file);
    } catch {
      return null;
    }
  }
  if (!found.isFile()) return null;
  const capture = await readCaptureTime(file, found.mtime, kind);
  return {
    path: path.map((part) => part.normalize('NFC')),
    size: found.size,
    mtimeMs: Math.round(found.mtimeMs),
    captureMs: capture.at.getTime(),
    month: capture.month,
    source: capture.source,
    kind,
  };
}
