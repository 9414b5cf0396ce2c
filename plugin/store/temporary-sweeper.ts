/**
 * Removes upload leftovers: temporary files of uploads that were cut off by
 * a crash or a power cut. Only files older than a day go, so that an upload
 * another host instance is running right now on the same shared storage is
 * never touched. Runs at activation and then periodically; it
 * walks the tree, so it runs rarely and yields between folders.
 */
import { lstat, opendir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../host-api.js';
import { isTemporaryName } from './temporary-names.js';

export const TEMPORARY_MAX_AGE_MS = 24 * 3600_000;

export async function sweepTemporaryFiles(root: string, log: Logger, now = Date.now()): Promise<number> {
  let removed = 0;
  const folders = [root];
  while (folders.length > 0) {
    const folder = folders.pop()!;
    let dir;
    try {
      dir = await opendir(folder);
    } catch {
      continue;
    }
    for await (const entry of dir) {
      const file = join(folder, entry.name);
      // Symlinks are not followed: they may lead out of the share.
      if (entry.isDirectory()) folders.push(file);
      else if (entry.isFile() && isTemporaryName(entry.name)) {
        const stats = await lstat(file).catch(() => null);
        if (
          stats &&
          now - stats.mtimeMs > TEMPORARY_MAX_AGE_MS &&
          (await unlink(file).then(
            () => true,
            () => false,
          ))
        )
          removed += 1;
      }
    }
  }
  if (removed > 0) log.info({ root, removed }, 'removed leftover temporary upload files');
  return removed;
}
