/**
 * What lies in an inbox: its files, in the inbox and in the folders a user
 * dropped into it, and those folders. Names that are not the user's files
 * (inbox-names.ts) and the `failed` folder are passed over; symbolic links
 * are not followed, as they may lead out of the share, and stay where they
 * are.
 */
import { type BigIntStats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FAILED_FOLDER, isLeftAlone } from './inbox-names.js';

export interface InboxEntry {
  /** Absolute path. */
  readonly path: string;
  /** Path below the share root. */
  readonly segments: readonly string[];
  readonly name: string;
  readonly stats: BigIntStats;
}

export interface InboxContents {
  readonly files: InboxEntry[];
  /** The sub-folders, deepest first (the order in which emptied ones can go). */
  readonly folders: InboxEntry[];
}

export async function listInbox(inboxPath: string, inbox: readonly string[]): Promise<InboxContents> {
  const files: InboxEntry[] = [];
  const folders: InboxEntry[] = [];
  const pending: { path: string; segments: readonly string[] }[] = [{ path: inboxPath, segments: inbox }];
  while (pending.length > 0) {
    const folder = pending.shift()!;
    const top = folder.path === inboxPath;
    let names: string[];
    try {
      names = (await readdir(folder.path)).sort();
    } catch (error) {
      // A folder that went meanwhile (moved by a client) has nothing to file.
      if (!top && (error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const name of names) {
      if (isLeftAlone(name) || (top && name === FAILED_FOLDER)) continue;
      const path = join(folder.path, name);
      const stats = await lstat(path, { bigint: true }).catch(() => null);
      if (!stats) continue;
      const entry = { path, segments: [...folder.segments, name], name, stats };
      if (stats.isFile()) files.push(entry);
      else if (stats.isDirectory()) {
        folders.push(entry);
        pending.push(entry);
      }
    }
  }
  // Breadth first, so reversed is deepest first.
  return { files, folders: folders.reverse() };
}

/**
 * Settled: neither written nor renamed, moved or chmodded for `settleMs`
 * (the later of mtime and ctime). Explorer and Finder follow a PUT with
 * PROPPATCH, LOCK and UNLOCK; a file is only taken once they are done.
 */
export function isSettled(stats: BigIntStats, now: number, settleMs: number): boolean {
  const changed = Math.max(Number(stats.mtimeMs), Number(stats.ctimeMs));
  return now - changed >= settleMs;
}
