/**
 * Folder operations that survive a power cut: a new name in a folder (a
 * created file or sub-folder, a link, a rename, an unlink) is only on disk
 * once the folder itself has been fsynced, so every step of the inbox that
 * must not be undone by a crash ends with {@link fsyncFolder}.
 */
import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Errors of fsync on a folder that mean "this file system does not sync
 * folders" (some network and FUSE file systems): nothing more can be done
 * there, and refusing to file would help no one.
 */
const CANNOT_SYNC_FOLDERS = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EBADF', 'EISDIR', 'EPERM']);

/** Makes the folder's entries (names added or removed) durable. */
export async function fsyncFolder(folder: string): Promise<void> {
  const handle = await open(folder, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } catch (error) {
    if (!CANNOT_SYNC_FOLDERS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Creates `segments` below `base` as needed (like `mkdir -p`) and fsyncs
 * the parent of each folder it created, so that the folders outlive a crash
 * as the files later placed in them do. Answers the folder's path.
 */
export async function makeFolders(base: string, segments: readonly string[]): Promise<string> {
  let folder = base;
  for (const segment of segments) {
    folder = join(folder, segment);
    const created = await mkdir(folder).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return false;
        throw error;
      },
    );
    if (created) await fsyncFolder(dirname(folder));
  }
  return folder;
}
