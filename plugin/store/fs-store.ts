/**
 * The filesystem store: one share root on a local (or shared network) disk.
 *
 * Safety: names arrive validated (no `/`, `\`, NUL, `.` or `..`), so a joined
 * path is lexically inside the root; symlinks are the remaining way out, so
 * every resolved path is checked with realpath against the root. A symlink
 * that leads outside is refused (403) for reading and writing, and left out
 * of listings. One that stays inside the share is followed for reading (it
 * is listed and served as what it points to), but changes act on the link,
 * never through it on the file behind it: writing a file at the link's name
 * (PUT, or COPY/MOVE onto it) replaces the link by the new file, DELETE
 * removes the link, MOVE moves the link. A file is never changed under a
 * second name (test/security/traversal.test.ts).
 *
 * Names on disk that are not valid UTF-8, or that hold a backslash or a
 * control character, cannot be named in a request: they are left out of
 * listings with a warning. Names are stored in NFC; a lookup that misses
 * retries with the NFD spelling, which macOS tools leave on disk.
 */
import { constants, lstat as lstatCallback, type BigIntStats } from 'node:fs';
import { lstat, mkdir, open, opendir, realpath, rename, rmdir, stat, statfs, unlink, utimes } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { DavError } from '../dav/errors.js';
import { isValidName } from '../dav/paths.js';
import type { Logger } from '../host-api.js';
import type { ByteSpan, Quota, ResourceInfo, Store, StorePath } from './store.js';
import { isTemporaryName, newTemporaryName } from './temporary-names.js';

interface Located {
  /** The path under the root as spelled on disk (a symlink stays a symlink). */
  readonly joined: string;
  /** The real file it leads to, inside the root. */
  readonly file: string;
  readonly stats: BigIntStats;
}

const STAT_BATCH = 128;
const QUOTA_CACHE_MS = 5000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class FsStore implements Store {
  private quotaCache: { value: Quota; expires: number } | null = null;

  constructor(
    readonly root: string,
    private readonly log: Logger,
  ) {}

  async stat(path: StorePath): Promise<ResourceInfo | null> {
    const located = await this.locate(path);
    if (!located) return null;
    return toInfo(path.at(-1) ?? '', located.stats);
  }

  async *list(path: StorePath): AsyncIterable<readonly ResourceInfo[]> {
    const located = await this.locate(path);
    if (!located || !located.stats.isDirectory()) return;
    const dir = await opendir(located.file, { encoding: 'buffer' as BufferEncoding, bufferSize: STAT_BATCH });
    let names: string[] = [];
    for await (const entry of dir) {
      const name = this.displayableName(located.file, entry.name as unknown as Buffer);
      if (name === null) continue;
      names.push(name);
      if (names.length === STAT_BATCH) {
        yield await this.statChildren(located.file, names);
        names = [];
      }
    }
    if (names.length > 0) yield await this.statChildren(located.file, names);
  }

  async read(path: StorePath, span?: ByteSpan): Promise<Readable> {
    const located = await this.locate(path);
    if (!located || located.stats.isDirectory()) throw new DavError(404, 'Not found');
    // O_NOFOLLOW: the real path was checked; a symlink swapped in since then is not followed.
    const handle = await open(located.file, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => null);
    if (!handle) throw new DavError(404, 'Not found');
    return handle.createReadStream({
      highWaterMark: 1024 * 1024,
      ...(span ? { start: span.start, end: span.end } : {}),
    });
  }

  async quota(): Promise<Quota> {
    const now = Date.now();
    if (this.quotaCache && this.quotaCache.expires > now) return this.quotaCache.value;
    const fsStats = await statfs(this.root);
    const value: Quota = {
      availableBytes: fsStats.bavail * fsStats.bsize,
      usedBytes: (fsStats.blocks - fsStats.bfree) * fsStats.bsize,
    };
    this.quotaCache = { value, expires: now + QUOTA_CACHE_MS };
    return value;
  }

  /**
   * The real file behind a path, inside the root, or null when missing.
   * Temporary upload files are never reachable.
   */
  protected async locate(path: StorePath): Promise<Located | null> {
    if (path.some(isTemporaryName)) return null;
    const joined = await this.existingSpelling(path);
    if (joined === null) return null;
    const real = await realpath(joined).catch(() => null);
    if (real === null) return null;
    if (!this.contains(real)) throw new DavError(403, 'This path leads outside the share');
    const stats = await stat(real, { bigint: true }).catch(() => null);
    return stats ? { joined, file: real, stats } : null;
  }

  /** The folder a new entry goes into, and the entry's full name there. */
  private async placeFor(path: StorePath): Promise<{ folder: string; file: string }> {
    const name = path.at(-1);
    if (name === undefined) throw new DavError(403, 'The share root itself cannot be replaced');
    if (isTemporaryName(name)) throw new DavError(403, 'Names starting with .~webdav-upload- are reserved');
    const parent = await this.locate(path.slice(0, -1));
    if (!parent || !parent.stats.isDirectory()) throw new DavError(409, 'The parent collection does not exist');
    const existing = await this.existingSpelling(path);
    return { folder: parent.file, file: existing ?? join(parent.file, name) };
  }

  async write(path: StorePath, body: AsyncIterable<Uint8Array>): Promise<{ created: boolean; info: ResourceInfo }> {
    const { folder, file } = await this.placeFor(path);
    const before = await lstat(file).catch(() => null);
    if (before?.isDirectory()) throw new DavError(405, 'A collection exists at this path');
    const temporary = join(folder, newTemporaryName());
    try {
      const handle = await open(temporary, 'wx', 0o644);
      // flush: the data is on disk before the rename makes it visible.
      await pipeline(body, handle.createWriteStream({ flush: true, highWaterMark: 1024 * 1024 } as object));
      await rename(temporary, file);
      await syncFolder(folder);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw storageError(error);
    }
    const info = await this.stat(path);
    if (!info) throw new DavError(500, 'The file vanished right after it was written');
    return { created: before === null, info };
  }

  async makeCollection(path: StorePath): Promise<void> {
    const { folder, file } = await this.placeFor(path);
    try {
      await mkdir(file);
      await syncFolder(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new DavError(405, 'Something already exists at this path');
      throw storageError(error);
    }
  }

  async removeOne(path: StorePath): Promise<void> {
    if (path.length === 0) throw new DavError(403, 'The share root cannot be removed');
    const located = await this.locate(path);
    if (!located) throw new DavError(404, 'Not found');
    const link = await lstat(located.joined);
    try {
      if (link.isDirectory()) await rmdir(located.joined);
      else await unlink(located.joined);
    } catch (error) {
      throw storageError(error);
    }
  }

  async rename(from: StorePath, to: StorePath): Promise<'renamed' | 'cross-device'> {
    if (from.length === 0) throw new DavError(403, 'The share root cannot be moved');
    const source = await this.locate(from);
    if (!source) throw new DavError(404, 'Not found');
    const { folder, file } = await this.placeFor(to);
    try {
      await rename(source.joined, file);
      await syncFolder(folder);
      return 'renamed';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EXDEV') return 'cross-device';
      throw storageError(error);
    }
  }

  async setModified(path: StorePath, modified: Date): Promise<void> {
    const located = await this.locate(path);
    if (!located) throw new DavError(404, 'Not found');
    await utimes(located.file, new Date(), modified);
  }

  protected contains(realPath: string): boolean {
    return realPath === this.root || realPath.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep);
  }

  /** The path joined under the root as asked, or with NFD names where only those exist. */
  private async existingSpelling(path: StorePath): Promise<string | null> {
    const direct = join(this.root, ...path);
    if (await exists(direct)) return direct;
    let current = this.root;
    for (const name of path) {
      const composed = join(current, name);
      const decomposed = join(current, name.normalize('NFD'));
      if (await exists(composed)) current = composed;
      else if (decomposed !== composed && (await exists(decomposed))) current = decomposed;
      else return null;
    }
    return current;
  }

  private displayableName(folder: string, raw: Buffer): string | null {
    let name: string;
    try {
      name = utf8.decode(raw);
    } catch {
      this.log.warn({ folder, name: raw.toString('latin1') }, 'file name is not valid UTF-8; left out of WebDAV listings');
      return null;
    }
    if (isTemporaryName(name)) return null;
    if (!isValidName(name)) {
      // A backslash or a control character (CR, LF, ...): a request naming it is refused (400), so
      // listing it would show clients a file they can never open, move or delete.
      this.log.warn({ folder, name }, 'file name contains a backslash or a control character; left out of WebDAV listings');
      return null;
    }
    return name;
  }

  private async statChildren(folder: string, names: readonly string[]): Promise<ResourceInfo[]> {
    const infos = await Promise.all(names.map((name) => this.statChild(folder, name)));
    return infos.filter((info): info is ResourceInfo => info !== null);
  }

  private async statChild(folder: string, name: string): Promise<ResourceInfo | null> {
    const file = join(folder, name);
    try {
      let stats = await lstatFast(file);
      if (stats.isSymbolicLink()) {
        const real = await realpath(file);
        if (!this.contains(real)) return null;
        stats = await stat(real, { bigint: true });
      }
      if (!stats.isFile() && !stats.isDirectory()) return null;
      return toInfo(name.normalize('NFC'), stats);
    } catch {
      // Deleted while we listed, or a dangling link: not part of the listing.
      return null;
    }
  }
}

/**
 * lstat through the callback API: a listing makes one call per entry, and
 * the promise API's per-call overhead made it the largest cost of a
 * 10,000-photo PROPFIND (about twice the callback's).
 */
function lstatFast(file: string): Promise<BigIntStats> {
  return new Promise((resolve, reject) => {
    lstatCallback(file, { bigint: true }, (error, stats) => (error ? reject(error) : resolve(stats)));
  });
}

/** A rename or create is durable only once the folder entry itself is on disk. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** File-system errors a client can act on become their WebDAV status; others stay 500. */
function storageError(error: unknown): unknown {
  if (error instanceof DavError) return error;
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new DavError(507, 'Insufficient storage: the disk is full');
    case 'ENOENT':
      return new DavError(409, 'A folder on the way disappeared');
    case 'ENOTEMPTY':
    case 'EEXIST':
      return new DavError(409, 'The folder is not empty');
    case 'EISDIR':
    case 'ENOTDIR':
      return new DavError(409, 'A file and a folder stand in each other\'s way');
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new DavError(403, 'The server may not change this file');
    case 'ENAMETOOLONG':
      return new DavError(400, 'The name is too long for the disk');
    default:
      return error;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
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

function toInfo(name: string, stats: BigIntStats): ResourceInfo {
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
