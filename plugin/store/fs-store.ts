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
import { constants, type BigIntStats } from 'node:fs';
import { lstat, mkdir, open, opendir, realpath, rename, rmdir, stat, statfs, unlink, utimes } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join, sep } from 'node:path';
import type { Logger } from '../host-api.js';
import { StoreError, storeErrorOf } from './errors.js';
import { closeQuietly, fstatFd, lstatPath, openFd, whereIs } from './fs-calls.js';
import { isValidName } from './names.js';
import { FsOpenFile, collectionFile } from './open-file.js';
import type { OpenFile, PreparedPath, Quota, ResourceInfo, Store, StorePath } from './store.js';
import { isTemporaryName, newTemporaryName } from './temporary-names.js';

interface Located {
  /** The path under the root as spelled on disk (a symlink stays a symlink). */
  readonly joined: string;
  /** The real file it leads to, inside the root. */
  readonly file: string;
  readonly stats: BigIntStats;
}

/** prepare()'s answer, with where on disk the write goes (only this store reads those). */
class FsPreparedPath implements PreparedPath {
  constructor(
    readonly store: FsStore,
    readonly path: StorePath,
    readonly existing: ResourceInfo | null,
    /** The real parent folder and the entry's full name in it; null without a parent collection. */
    readonly place: { readonly folder: string; readonly file: string } | null,
  ) {}

  get parentIsCollection(): boolean {
    return this.place !== null;
  }
}

const STAT_BATCH = 128;
const QUOTA_CACHE_MS = 5000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class FsStore implements Store {
  private quotaCache: { value: Quota; expires: number } | null = null;
  private readonly rootBytes: Buffer;
  private readonly rootPrefix: Buffer;

  constructor(
    readonly root: string,
    private readonly log: Logger,
  ) {
    this.rootBytes = Buffer.from(root);
    this.rootPrefix = Buffer.from(root.endsWith(sep) ? root : root + sep);
  }

  close(): void {}

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

  /**
   * Opens the entry in its (checked) folder without following a symbolic
   * link there; a link costs a realpath, and is then opened where it leads,
   * inside the share. The description comes from the open descriptor.
   * Where /proc tells, the descriptor itself is checked to be inside the
   * share, so that no folder swapped for a link meanwhile leads outside.
   */
  async open(path: StorePath): Promise<OpenFile | null> {
    if (path.some(isTemporaryName)) return null;
    const name = path.at(-1);
    const folder = name === undefined ? null : await this.folderAt(path.slice(0, -1));
    if (name !== undefined && folder === null) return null;
    const fd = name === undefined ? await openFolder(this.root) : await this.openEntry(folder!, name);
    if (fd === null) return null;
    try {
      this.checkDescriptor(fd);
      const stats = await fstatFd(fd);
      if (stats.isDirectory()) {
        closeQuietly(fd);
        return collectionFile(toInfo(name ?? '', stats));
      }
      if (!stats.isFile()) {
        closeQuietly(fd);
        return null;
      }
      return new FsOpenFile(fd, toInfo(name!, stats));
    } catch (error) {
      closeQuietly(fd);
      throw error;
    }
  }

  /** The descriptor of the entry `name` in a real folder (NFC, else NFD spelling), or null when there is none. */
  private async openEntry(folder: string, name: string): Promise<number | null> {
    const composed = join(folder, name);
    let opened = await openForReading(composed);
    if (opened === 'missing') {
      const decomposed = join(folder, name.normalize('NFD'));
      if (decomposed === composed) return null;
      opened = await openForReading(decomposed);
      if (opened === 'link') return this.openLink(decomposed);
    } else if (opened === 'link') return this.openLink(composed);
    return typeof opened === 'number' ? opened : null;
  }

  private async openLink(link: string): Promise<number | null> {
    const real = await realpath(link).catch(() => null);
    if (real === null) return null;
    if (!this.contains(real)) throw outsideShare();
    const opened = await openForReading(real);
    return typeof opened === 'number' ? opened : null;
  }

  /** Throws when the system says an open descriptor is outside the share (a folder swapped for a link since it was checked). */
  private checkDescriptor(fd: number): void {
    const where = whereIs(fd);
    if (where === null) return;
    if (where.equals(this.rootBytes)) return;
    if (where.length > this.rootPrefix.length && where.subarray(0, this.rootPrefix.length).equals(this.rootPrefix))
      return;
    throw outsideShare();
  }

  /** The real folder at a path (links inside the share followed), or null when there is no folder there. */
  private async folderAt(names: StorePath): Promise<string | null> {
    if (names.length === 0) return this.root;
    const located = await this.locate(names);
    return located?.stats.isDirectory() ? located.file : null;
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
    if (!this.contains(real)) throw outsideShare();
    const stats = await stat(real, { bigint: true }).catch(() => null);
    return stats ? { joined, file: real, stats } : null;
  }

  /**
   * The parent folder is located (symlinks checked); the entry itself is
   * looked at with one lstat, and only a symbolic link costs more (where it
   * leads must stay inside the share).
   */
  async prepare(path: StorePath): Promise<PreparedPath> {
    const name = path.at(-1);
    if (name === undefined) return new FsPreparedPath(this, path, await this.stat(path), null);
    if (isTemporaryName(name))
      throw new StoreError('reserved-name', 'Names starting with .~webdav-upload- are reserved');
    const parent = await this.locate(path.slice(0, -1));
    if (!parent || !parent.stats.isDirectory()) return new FsPreparedPath(this, path, null, null);
    const spelled = await this.childSpelling(parent.file, name);
    const existing = spelled === null ? null : await this.entryInfo(spelled, name);
    return new FsPreparedPath(this, path, existing, { folder: parent.file, file: spelled ?? join(parent.file, name) });
  }

  /** Where a write goes: the caller's prepared answer when it is ours, else a fresh one. */
  private async placeFor(
    path: StorePath,
    prepared?: PreparedPath,
  ): Promise<FsPreparedPath & { place: { folder: string; file: string } }> {
    if (path.length === 0) throw new StoreError('share-root', 'The share root itself cannot be replaced');
    const ours =
      prepared instanceof FsPreparedPath && prepared.store === this
        ? prepared
        : ((await this.prepare(path)) as FsPreparedPath);
    if (ours.place === null) throw new StoreError('parent-missing', 'The parent collection does not exist');
    return ours as FsPreparedPath & { place: { folder: string; file: string } };
  }

  async write(
    path: StorePath,
    body: AsyncIterable<Uint8Array>,
    prepared?: PreparedPath,
  ): Promise<{ created: boolean; info: ResourceInfo }> {
    const { existing, place } = await this.placeFor(path, prepared);
    if (existing?.isCollection) throw new StoreError('exists', 'A collection exists at this path');
    const temporary = join(place.folder, newTemporaryName());
    let written: BigIntStats;
    try {
      const handle = await open(temporary, 'wx', 0o644);
      // flush: the data is on disk before the rename makes it visible.
      await pipeline(body, handle.createWriteStream({ flush: true, highWaterMark: 1024 * 1024 } as object));
      await rename(temporary, place.file);
      await syncFolder(place.folder);
      written = await stat(place.file, { bigint: true });
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw storeErrorOf(error, 'parent-missing');
    }
    return { created: existing === null, info: toInfo(path.at(-1)!, written) };
  }

  async makeCollection(path: StorePath, prepared?: PreparedPath): Promise<void> {
    const { place } = await this.placeFor(path, prepared);
    try {
      await mkdir(place.file);
      await syncFolder(place.folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new StoreError('exists', 'Something already exists at this path');
      throw storeErrorOf(error, 'parent-missing');
    }
  }

  async removeOne(path: StorePath): Promise<void> {
    if (path.length === 0) throw new StoreError('share-root', 'The share root cannot be removed');
    const located = await this.locate(path);
    if (!located) throw notFound();
    const link = await lstat(located.joined);
    try {
      if (link.isDirectory()) await rmdir(located.joined);
      else await unlink(located.joined);
    } catch (error) {
      throw storeErrorOf(error);
    }
  }

  async rename(from: StorePath, to: StorePath): Promise<'renamed' | 'cross-device'> {
    if (from.length === 0) throw new StoreError('share-root', 'The share root cannot be moved');
    const source = await this.locate(from);
    if (!source) throw notFound();
    const { place } = await this.placeFor(to);
    try {
      await rename(source.joined, place.file);
      await syncFolder(place.folder);
      return 'renamed';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EXDEV') return 'cross-device';
      throw storeErrorOf(error, 'parent-missing');
    }
  }

  async setModified(path: StorePath, modified: Date): Promise<void> {
    const located = await this.locate(path);
    if (!located) throw notFound();
    await utimes(located.file, new Date(), modified);
  }

  protected contains(realPath: string): boolean {
    return realPath === this.root || realPath.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep);
  }

  /** The entry `name` in a real folder as spelled on disk (NFC, or the NFD spelling macOS leaves), or null. */
  private async childSpelling(folder: string, name: string): Promise<string | null> {
    const composed = join(folder, name);
    if (await exists(composed)) return composed;
    const decomposed = join(folder, name.normalize('NFD'));
    return decomposed !== composed && (await exists(decomposed)) ? decomposed : null;
  }

  /** What is at an entry on disk; a symbolic link is described by what it leads to, which must be inside the share. */
  private async entryInfo(file: string, name: string): Promise<ResourceInfo | null> {
    const link = await lstatFast(file).catch(() => null);
    if (!link) return null;
    if (!link.isSymbolicLink()) return toInfo(name, link);
    const real = await realpath(file).catch(() => null);
    // A dangling link: nothing is there to describe, and a write replaces the link.
    if (real === null) return null;
    if (!this.contains(real)) throw outsideShare();
    const stats = await stat(real, { bigint: true }).catch(() => null);
    return stats ? toInfo(name, stats) : null;
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
      this.log.warn(
        { folder, name: raw.toString('latin1') },
        'file name is not valid UTF-8; left out of WebDAV listings',
      );
      return null;
    }
    if (isTemporaryName(name)) return null;
    if (!isValidName(name)) {
      // A backslash or a control character (CR, LF, ...): a request naming it is refused (400), so
      // listing it would show clients a file they can never open, move or delete.
      this.log.warn(
        { folder, name },
        'file name contains a backslash or a control character; left out of WebDAV listings',
      );
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

const lstatFast = lstatPath;

/**
 * O_NOFOLLOW: a symbolic link is not followed here (it answers 'link'), so
 * every link is checked. O_NONBLOCK: a named pipe in the share opens at once
 * (and is then refused) instead of holding a thread of the pool forever; on
 * regular files it changes nothing.
 */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

async function openFolder(folder: string): Promise<number | null> {
  const opened = await openForReading(folder);
  return typeof opened === 'number' ? opened : null;
}

async function openForReading(file: string): Promise<number | 'missing' | 'link' | null> {
  try {
    return await openFd(file, READ_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ELOOP') return 'link';
    return null;
  }
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

const notFound = (): StoreError => new StoreError('not-found', 'Not found');
const outsideShare = (): StoreError => new StoreError('outside-share', 'This path leads outside the share');

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
