/**
 * Which names in an inbox are not the user's files to file: uploads still
 * being written, the clients' own bookkeeping, and the folder where refused
 * ZIP files wait.
 */
import { isTemporaryName } from '../store/temporary-names.js';

/** The sub-folder of the inbox that receives refused ZIP files with a note why. */
export const FAILED_FOLDER = 'failed';

const CLIENT_FILES = new Set(['thumbs.db', 'desktop.ini']);

/**
 * Left where it is: a PUT still writing (its temporary file), names starting
 * with '.' (`.DS_Store`, AppleDouble `._x`, LibreOffice's `.~lock.x#`, and
 * any hidden file the user keeps), and Windows' `Thumbs.db` and
 * `desktop.ini`. None of them is a photo, and the lock files must stay for
 * as long as their document is open.
 */
export function isLeftAlone(name: string): boolean {
  return isTemporaryName(name) || name.startsWith('.') || CLIENT_FILES.has(name.toLowerCase());
}

/**
 * What Finder and Explorer leave in a folder by themselves. A dropped
 * folder that holds nothing else once its files are filed is removed with
 * them; anything else (a lock file, an upload under way) keeps it.
 */
export function isClientJunk(name: string): boolean {
  return name === '.DS_Store' || name.startsWith('._') || CLIENT_FILES.has(name.toLowerCase());
}

export function isZipName(name: string): boolean {
  return name.toLowerCase().endsWith('.zip');
}
