/**
 * Moves a file into a folder without ever overwriting anything and without
 * a moment, crash or SIGKILL included, where its content is in neither
 * place or half-written under its final name:
 *
 * - on one file system: link(2) the file under its new name, which fails
 *   with EEXIST instead of replacing a file that appeared meanwhile (a
 *   rename would replace it), fsync the target folder, then unlink the old
 *   name and fsync its folder. A crash between the two leaves both names;
 *   the next pass finds the same content at the target and drops the inbox
 *   copy as a duplicate.
 * - across file systems (EXDEV) or where hard links are not supported:
 *   copy into a temporary name in the target folder (a name the store hides
 *   and sweeps: plugin/store/temporary-names.ts), fsync it, give it its
 *   final name (link again, or rename after checking that the name is free
 *   where links are not supported at all), fsync the folder, and only then
 *   unlink the source.
 */
import { constants, type BigIntStats } from 'node:fs';
import { copyFile, link as fsLink, lstat, open, rename, unlink, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { newTemporaryName } from '../store/temporary-names.js';
import { fsyncFolder } from './durable-folders.js';
import { candidateName, sameContent } from './placement.js';

export interface Placement {
  /** 'placed': moved under `name`; 'duplicate': `name` held the same content already, the source is gone. */
  readonly kind: 'placed' | 'duplicate';
  readonly name: string;
}

export interface MoveOptions {
  /** link(2); tests pass one that fails as a file system without hard links does. */
  readonly link?: (existing: string, newPath: string) => Promise<void>;
}

/** link(2) failures that mean "not possible here", not "the name is taken". */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

/** No folder holds 10,000 copies of one name: something is wrong (a loop), stop. */
const MAX_CANDIDATES = 10_000;

/**
 * Moves `source` into `folder` under `name`, or the first free ` (n)`
 * variant; if one of the names on the way holds the same content, the
 * source is dropped instead (a duplicate). The source is only removed if it
 * is still the file that was moved: a client that replaced it meanwhile
 * (a new PUT on the same name) keeps its new file.
 */
export async function moveIntoPlace(
  source: string,
  folder: string,
  name: string,
  options: MoveOptions = {},
): Promise<Placement> {
  const link = options.link ?? fsLink;
  const original = await lstat(source, { bigint: true });
  /** A copy of the source in `folder`, once linking the source there failed. */
  let staged: string | null = null;
  try {
    for (let n = 1; n <= MAX_CANDIDATES; n++) {
      const candidate = candidateName(name, n);
      const target = join(folder, candidate);
      if (target === source) throw new Error(`${source} is already where it would be moved to`);
      const existing = await lstatOrNull(target);
      if (existing) {
        if (existing.isFile() && (await sameContent(source, target))) {
          await removeIfUnchanged(source, original);
          return { kind: 'duplicate', name: candidate };
        }
        continue;
      }
      try {
        await link(staged ?? source, target);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (code === 'EEXIST') {
          n -= 1; // taken meanwhile: look at it again, it may be this very content
          continue;
        }
        if (!NO_LINK.has(code)) throw error;
        if (staged === null) {
          staged = await copyBeside(source, folder);
          n -= 1; // try the same name again, from the copy
          continue;
        }
        // Hard links are not supported at all: rename, but only onto a free name.
        if (await lstatOrNull(target)) continue;
        await rename(staged, target);
        staged = null;
      }
      await fsyncFolder(folder);
      await removeIfUnchanged(source, original);
      return { kind: 'placed', name: candidate };
    }
    throw new Error(`no free name for ${name} in ${folder}`);
  } finally {
    if (staged !== null) await unlink(staged).catch(() => undefined);
  }
}

/**
 * Unlinks `path` if it is still the file `before` describes (same inode,
 * size and modification time), then makes that durable. Answers whether it
 * did.
 */
export async function removeIfUnchanged(path: string, before: BigIntStats): Promise<boolean> {
  const now = await lstatOrNull(path);
  if (
    !now ||
    now.dev !== before.dev ||
    now.ino !== before.ino ||
    now.size !== before.size ||
    now.mtimeNs !== before.mtimeNs
  )
    return false;
  await unlink(path);
  await fsyncFolder(dirname(path));
  return true;
}

/** A durable copy of `source` under a temporary name in `folder`, with the source's times. */
async function copyBeside(source: string, folder: string): Promise<string> {
  const copy = join(folder, newTemporaryName());
  try {
    await copyFile(source, copy, constants.COPYFILE_EXCL);
    const { atime, mtime } = await lstat(source);
    await utimes(copy, atime, mtime);
    const handle = await open(copy, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    return copy;
  } catch (error) {
    await unlink(copy).catch(() => undefined);
    throw error;
  }
}

export async function lstatOrNull(path: string): Promise<BigIntStats | null> {
  try {
    return await lstat(path, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
