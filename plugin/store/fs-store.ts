/**
 * The filesystem store: one share root on a local (or shared network) disk.
 *
 * Safety: names arrive validated (no `/`, `\`, NUL, `.` or `..`), so a joined
 * path is lexically inside the root; symlinks are the remaining way out, so
 * every symlink on a path is resolved with realpath and checked against the
 * root. A symlink that leads outside is refused (403) for reading and
 * writing, and left out of listings. One that stays inside the share is
 * followed for reading (it is listed and served as what it points to), but
 * changes act on the link, never through it on the file behind it: writing
 * a file at the link's name (PUT, or COPY/MOVE onto it) replaces the link by
 * the new file, DELETE removes the link, MOVE moves the link. A file is never
 * changed under a second name (test/security/traversal.test.ts).
 *
 * Folders: which folders are real folders inside the share is cached and
 * kept true by watching them (store/folder-cache.ts), so a request for a
 * file in a known folder costs one lstat (or one open and fstat), and only a
 * symlink costs a realpath. On top of that, where the system tells
 * (/proc/self/fd on Linux), what is actually opened is checked, whatever
 * happened to the path meanwhile: a file opened for reading, a folder opened
 * for listing, a temporary file opened for an upload. A change (MKCOL,
 * DELETE, MOVE, PROPPATCH of the time) checks its folder on disk with
 * realpath first, as before the cache, and tells the cache what it changed.
 *
 * Names on disk that are not valid UTF-8, or that hold a backslash or a
 * control character, cannot be named in a request: they are left out of
 * listings with a warning. Names are stored in NFC; a lookup that misses
 * retries with the NFD spelling, which macOS tools leave on disk.
 */
import { constants, fstatSync, openSync, renameSync, type BigIntStats } from 'node:fs';
import { mkdir, opendir, realpath, rename, rmdir, stat, statfs, unlink, utimes } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import type { Logger } from '../host-api.js';
import { StoreError, storeErrorOf } from './errors.js';
import { FolderCache, type Folder, type FolderCacheOptions } from './folder-cache.js';
import { FolderSyncs } from './folder-syncs.js';
import {
  DEFAULT_LISTING_MAX_AGE_MS,
  ListingCache,
  folderStateOf,
  type ListingCacheOptions,
  type Recording,
  type Slot,
} from './listing-cache.js';
import { writeBody } from './body-writer.js';
import { LOCAL_FILE_SYSTEMS } from './local-disk.js';
import {
  closeFd,
  closeNow,
  closeQuietly,
  descriptorsTell,
  fstatFd,
  fsyncFd,
  lstatPath,
  openFd,
  pathOfFd,
  whereIs,
} from './fs-calls.js';
import { displayableName, lookAt, toInfo, type Looked } from './folder-entries.js';
import { DEFAULT_KEPT_MAX_AGE_MS, KeptDescriptors } from './kept-descriptors.js';
import { FsOpenFile, collectionFile } from './open-file.js';
import { OnTheSpot, type OnTheSpotOptions } from './on-the-spot.js';
import type { ListingStamp, OpenFile, PreparedPath, Quota, ResourceInfo, Store, StorePath } from './store.js';
import { isTemporaryName, newTemporaryName } from './temporary-names.js';

interface Located {
  /** The entry's path on disk, in its real folder, as spelled on disk (a symlink stays a symlink). */
  readonly joined: string;
  /** The real file it leads to, inside the root. */
  readonly file: string;
  /** What is there (for a symlink: what it leads to). */
  readonly stats: BigIntStats;
  /** Whether the entry itself is a folder (a symlink to a folder is not). */
  readonly isDirectory: boolean;
}

/** prepare()'s answer, with where on disk the write goes (only this store reads those). */
/** Where a change goes: the real parent folder, the entry's full name in it, and whether it is on the share's local disk. */
interface Destination {
  readonly folder: string;
  readonly file: string;
  readonly local: boolean;
}

class FsPreparedPath implements PreparedPath {
  constructor(
    readonly store: FsStore,
    readonly path: StorePath,
    readonly existing: ResourceInfo | null,
    /** Null without a parent collection. */
    readonly place: Destination | null,
  ) {}

  get parentIsCollection(): boolean {
    return this.place !== null;
  }
}

const STAT_BATCH = 128;
const QUOTA_CACHE_MS = 5000;

export interface FsStoreOptions {
  /** The cache of checked folders (tests make it small, or shorten its age). */
  readonly folders?: FolderCacheOptions;
  /** The cache of folder listings (tests bound it, or shorten its age). */
  readonly listings?: ListingCacheOptions;
  /** When small reads of a local disk are done on the main thread (tests set the clock and thresholds). */
  readonly onTheSpot?: OnTheSpotOptions;
}

/** An entry as found on disk: its path (spelled as on disk) and what lstat says of it. */
interface Entry {
  readonly path: string;
  readonly stats: BigIntStats;
}

/** How many symbolic links one lookup follows at most (Linux gives up after 40 too). */
const MAX_LINKS = 40;

/** A real folder, and the device it is on (null when not known: behind a symbolic link). */
interface Place {
  readonly real: string;
  readonly dev: bigint | null;
  /** The folder as the folder cache holds it; null when it does not (behind a link, or not cacheable). */
  readonly cached: Folder | null;
}

/*
 * On local disks (local-disk.ts), fstat of a descriptor just opened reads the inode
 * already in memory, and closing a small file only read from frees nothing
 * that needs the disk, so both are done on the spot instead of through the
 * thread pool (two of its four operations per small GET). Network and FUSE
 * file systems may answer those over the wire: there they stay in the pool,
 * and so does everything on another device than the share root (a mount
 * inside the share) and every file of more than QUICK_CLOSE_BYTES (closing
 * the last descriptor of a large file deleted meanwhile frees its blocks).
 */
const QUICK_CLOSE_BYTES = 64n * 1024n;

export class FsStore implements Store {
  private quotaCache: { value: Quota; expires: number } | null = null;
  /** The root followed by a separator: every path inside the share starts with it. */
  private readonly under: string;
  private readonly rootBytes: Buffer;
  private readonly rootPrefix: Buffer;
  private readonly folders: FolderCache;
  private readonly listings: ListingCache;
  private readonly keptFiles: KeptDescriptors;
  private readonly onTheSpot: OnTheSpot;
  private readonly folderSyncs = new FolderSyncs(syncFolder);
  /** The share root's device, and whether it is a local disk (LOCAL_FILE_SYSTEMS); learned once, at the start. */
  private device: { readonly dev: bigint; readonly local: boolean } | null = null;
  private readonly learned: Promise<void>;

  constructor(
    readonly root: string,
    private readonly log: Logger,
    options: FsStoreOptions = {},
  ) {
    this.under = root.endsWith(sep) ? root : root + sep;
    this.rootBytes = Buffer.from(root);
    this.rootPrefix = Buffer.from(this.under);
    this.folders = new FolderCache(root, {
      ...options.folders,
      onChange: (folder) => {
        this.listings.drop(folder);
        this.keptFiles.drop(folder);
      },
    });
    this.listings = new ListingCache(this.folders, {
      maxAgeMs: Math.min(DEFAULT_LISTING_MAX_AGE_MS, options.folders?.maxAgeMs ?? Infinity),
      now: options.folders?.now,
      ...options.listings,
    });
    this.keptFiles = new KeptDescriptors(this.folders, {
      maxAgeMs: Math.min(DEFAULT_KEPT_MAX_AGE_MS, options.folders?.maxAgeMs ?? Infinity),
      now: options.folders?.now,
    });
    this.onTheSpot = new OnTheSpot(options.onTheSpot);
    this.learned = this.learnDevice();
  }

  private async learnDevice(): Promise<void> {
    try {
      const [system, stats] = await Promise.all([statfs(this.root), lstatPath(this.root)]);
      this.device = { dev: stats.dev, local: LOCAL_FILE_SYSTEMS.has(system.type) };
    } catch {
      // Unknown: everything goes through the pool.
    }
  }

  /** Stops watching folders; the store keeps working, looking at the disk every time. */
  close(): void {
    this.keptFiles.close();
    this.listings.close();
    this.folders.close();
  }

  async stat(path: StorePath): Promise<ResourceInfo | null> {
    const located = await this.locate(path);
    if (!located) return null;
    return toInfo(path.at(-1) ?? '', located.stats);
  }

  /**
   * The folder comes from the cache (no realpath); it is opened and, where
   * the system tells, checked to be inside the share, then read through
   * that descriptor (/proc/self/fd/N), so the names listed are those of the
   * checked folder. Each entry then costs one lstat by its path in the
   * folder (through /proc it cost 40% more), a symbolic link a realpath and
   * a stat as well (where it leads must stay inside the share). A folder
   * the folder cache watches, on the share's local disk, has its listing
   * kept (store/listing-cache.ts): listed again unchanged, it costs a call
   * only for the entries whose description can change unseen.
   */
  async *list(path: StorePath, stamped?: (stamp: ListingStamp) => void): AsyncIterable<readonly ResourceInfo[]> {
    if (path.some(isTemporaryName)) return;
    // Whether a listing may be kept depends on the disk: the first listings wait to know it.
    if (this.device === null) await this.learned;
    const place = await this.folderAt(path);
    if (place === null) return;
    const folder = place.real;
    const cached = place.cached !== null && this.isLocal(place.dev) ? place.cached : null;
    if (cached) await this.renewListing(cached);
    const kept = cached && this.listings.get(cached);
    if (kept) {
      const stamp = this.listings.stampOf(cached);
      yield* this.listKept(folder, kept);
      // Only if the listing is still the one that was given: a listing read meanwhile may be of a changed folder.
      if (stamp && this.listings.stampOf(cached) === stamp) stamped?.(stamp);
      return;
    }
    const opened = await openForReading(folder, constants.O_DIRECTORY);
    if (typeof opened !== 'number') return;
    try {
      this.checkDescriptor(opened);
      // The folder's state before its entries are read: what the kept listing is checked against later.
      const recording = cached && this.listings.record(cached, folderStateOf(fstatSync(opened, { bigint: true })));
      const dir = await opendir(pathOfFd(opened) ?? folder, {
        encoding: 'buffer' as BufferEncoding,
        bufferSize: STAT_BATCH,
      });
      // One batch is looked at while the one before is answered (the caller writes it out).
      let names: string[] = [];
      let ahead: Promise<Looked[]> | null = null;
      for await (const entry of dir) {
        const name = displayableName(this.log, folder, entry.name as unknown as Buffer);
        if (name === null) continue;
        names.push(name);
        if (names.length === STAT_BATCH) {
          const next = this.lookAtChildren(folder, names);
          names = [];
          if (ahead) yield recorded(await ahead, recording);
          ahead = next;
        }
      }
      const last = names.length > 0 ? this.lookAtChildren(folder, names) : null;
      if (ahead) yield recorded(await ahead, recording);
      if (last) yield recorded(await last, recording);
      const stamp = recording?.end();
      if (stamp) stamped?.(stamp);
    } finally {
      closeQuietly(opened);
    }
  }

  async currentStamp(path: StorePath): Promise<ListingStamp | null> {
    if (path.some(isTemporaryName)) return null;
    const place = await this.folderAt(path);
    if (!place?.cached || !this.isLocal(place.dev)) return null;
    await this.renewListing(place.cached);
    return this.listings.stampOf(place.cached);
  }

  /** A kept listing past its age is renewed if its folder still shows the state it was read in (store/listing-cache.ts). */
  private async renewListing(folder: Folder): Promise<void> {
    const due = this.listings.due(folder);
    if (!due) return;
    const seen = this.folders.changesOf(folder);
    const stats = await lstatPath(folder.real).catch(() => null);
    this.listings.renew(folder, due, seen, stats && stats.isDirectory() ? folderStateOf(stats) : null);
  }

  /**
   * Opens the entry in its (checked) folder without following a symbolic
   * link there; a link costs a realpath, and is then opened where it leads,
   * inside the share. The description comes from the open descriptor.
   * Where /proc tells, the descriptor itself is checked to be inside the
   * share, so that no folder swapped for a link meanwhile leads outside.
   * A small plain file in a watched folder stays open for the next reads
   * (store/kept-descriptors.ts).
   */
  async open(path: StorePath): Promise<OpenFile | null> {
    if (path.some(isTemporaryName)) return null;
    const name = path.at(-1);
    const folder = await this.folderAt(name === undefined ? [] : path.slice(0, -1));
    if (folder === null) return null;
    const local = this.isLocal(folder.dev);
    const keepable = local && name !== undefined && folder.cached !== null ? folder.cached : null;
    const kept = keepable && (await this.openKept(keepable, name!, folder.dev));
    if (kept) return kept;
    const seen = keepable ? this.folders.changesOf(keepable) : 0;
    const { fd, plain } =
      name === undefined
        ? { fd: await openFolder(this.root), plain: false }
        : await this.openEntry(folder.real, name, local);
    if (fd === null) return null;
    let quick = false;
    try {
      this.checkDescriptor(fd);
      // On a local disk, fstat of a descriptor just opened reads the inode in memory: no need for the pool.
      const stats = local ? fstatSync(fd, { bigint: true }) : await fstatFd(fd);
      quick = local && stats.dev === folder.dev && stats.size <= QUICK_CLOSE_BYTES;
      if (stats.isDirectory()) {
        closeNow(fd, quick);
        return collectionFile(toInfo(name ?? '', stats));
      }
      if (!stats.isFile()) {
        closeNow(fd, quick);
        return null;
      }
      const keep = plain && keepable !== null && stats.dev === folder.dev;
      const use = keep ? this.keptFiles.offer(keepable, name!, fd, seen, quick) : null;
      return new FsOpenFile(fd, toInfo(name!, stats), quick, quick ? this.onTheSpot : null, use?.release);
    } catch (error) {
      closeNow(fd, quick);
      throw error;
    }
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
   * One look at where a write would go: the parent folder (from the cache
   * when known), then the entry itself with one lstat; only a symbolic link
   * costs more (where it leads must stay inside the share).
   */
  async prepare(path: StorePath): Promise<PreparedPath> {
    const name = path.at(-1);
    if (name === undefined) return new FsPreparedPath(this, path, await this.stat(path), null);
    if (isTemporaryName(name))
      throw new StoreError('reserved-name', 'Names starting with .~webdav-upload- are reserved');
    const found = await this.folderAt(path.slice(0, -1));
    if (found === null) return new FsPreparedPath(this, path, null, null);
    const folder = found.real;
    const entry = await entryIn(folder, name);
    const existing = entry === null ? null : await this.describe(entry, name);
    const file = entry?.path ?? join(folder, name);
    return new FsPreparedPath(this, path, existing, { folder, file, local: this.isLocal(found.dev) });
  }

  /** Where a write goes: the caller's prepared answer when it is ours, else a fresh one. */
  private async placeFor(path: StorePath, prepared?: PreparedPath): Promise<FsPreparedPath & { place: Destination }> {
    if (path.length === 0) throw new StoreError('share-root', 'The share root itself cannot be replaced');
    const ours =
      prepared instanceof FsPreparedPath && prepared.store === this
        ? prepared
        : ((await this.prepare(path)) as FsPreparedPath);
    if (ours.place === null) throw new StoreError('parent-missing', 'The parent collection does not exist');
    return ours as FsPreparedPath & { place: Destination };
  }

  /**
   * The body goes into a temporary file beside the target (store/body-writer.ts:
   * batched writes, periodic fdatasync), which is fsynced, renamed over the
   * target, and the folder fsynced: the answer comes once the new file is
   * durable, and until the rename the old one is untouched. The ETag is
   * taken from the written file itself, after the rename (which changes its
   * ctime), so it is this upload's even if another one follows at once.
   */
  async write(
    path: StorePath,
    body: AsyncIterable<Uint8Array>,
    prepared?: PreparedPath,
  ): Promise<{ created: boolean; info: ResourceInfo }> {
    const ours = await this.placeFor(path, prepared);
    if (ours.existing?.isCollection) throw new StoreError('exists', 'A collection exists at this path');
    // Where the system cannot tell where the temporary file was created, the folder is checked on disk before.
    const place = descriptorsTell() ? ours.place : await this.checkedPlace(ours.place);
    const temporary = join(place.folder, newTemporaryName());
    const quick = <T>(onTheSpot: () => T, pooled: () => Promise<T>) =>
      this.metadataCall(place.local, onTheSpot, pooled);
    let fd: number | null = null;
    let renamed = false;
    try {
      fd = await quick(
        () => openSync(temporary, WRITE_FLAGS, 0o644),
        () => openFd(temporary, WRITE_FLAGS, 0o644),
      );
      const written = fd;
      this.checkCreated(written, place.folder);
      await writeBody(written, body);
      await fsyncFd(written);
      await quick(
        () => renameSync(temporary, place.file),
        () => rename(temporary, place.file),
      );
      renamed = true;
      this.folders.forget(place.file);
      const [stats] = await Promise.all([
        quick(
          () => fstatSync(written, { bigint: true }),
          () => fstatFd(written),
        ),
        this.folderSyncs.sync(place.folder),
      ]);
      return { created: ours.existing === null, info: toInfo(path.at(-1)!, stats) };
    } catch (error) {
      if (!renamed) await unlink(temporary).catch(() => undefined);
      throw storeErrorOf(error, 'parent-missing');
    } finally {
      // Written and fsynced (or given up): closing cannot wait for the disk.
      if (fd !== null) closeNow(fd, place.local && this.onTheSpot.allowed);
    }
  }

  async makeCollection(path: StorePath, prepared?: PreparedPath): Promise<void> {
    const place = await this.checkedPlace((await this.placeFor(path, prepared)).place);
    try {
      this.folders.forget(place.file);
      await mkdir(place.file);
      await this.folderSyncs.sync(place.folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new StoreError('exists', 'Something already exists at this path');
      throw storeErrorOf(error, 'parent-missing');
    } finally {
      this.folders.forget(place.file);
    }
  }

  async removeOne(path: StorePath): Promise<void> {
    if (path.length === 0) throw new StoreError('share-root', 'The share root cannot be removed');
    const located = await this.locate(path, true);
    if (!located) throw notFound();
    try {
      this.folders.forget(located.joined);
      if (located.isDirectory) await rmdir(located.joined);
      else await unlink(located.joined);
    } catch (error) {
      throw storeErrorOf(error);
    } finally {
      this.folders.forget(located.joined);
    }
  }

  async rename(from: StorePath, to: StorePath): Promise<'renamed' | 'cross-device'> {
    if (from.length === 0) throw new StoreError('share-root', 'The share root cannot be moved');
    const source = await this.locate(from, true);
    if (!source) throw notFound();
    const place = await this.checkedPlace((await this.placeFor(to)).place);
    try {
      this.folders.forget(source.joined);
      this.folders.forget(place.file);
      await rename(source.joined, place.file);
      await this.folderSyncs.sync(place.folder);
      return 'renamed';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EXDEV') return 'cross-device';
      throw storeErrorOf(error, 'parent-missing');
    } finally {
      this.folders.forget(source.joined);
      this.folders.forget(place.file);
    }
  }

  async setModified(path: StorePath, modified: Date): Promise<void> {
    const located = await this.locate(path, true);
    if (!located) throw notFound();
    try {
      await utimes(located.file, new Date(), modified);
    } finally {
      this.folders.forget(located.file);
    }
  }

  protected contains(realPath: string): boolean {
    return realPath === this.root || realPath.startsWith(this.under);
  }

  private readonly inside = (realPath: string): boolean => this.contains(realPath);

  /**
   * What is at a path, inside the root, or null when nothing is. Temporary
   * upload files are never reachable. `checked`: before a change, the folder
   * is checked on disk (realpath), not only taken from the cache.
   */
  protected async locate(path: StorePath, checked = false): Promise<Located | null> {
    if (path.some(isTemporaryName)) return null;
    const name = path.at(-1);
    if (name === undefined) {
      const stats = await lstatPath(this.root).catch(() => null);
      return stats ? { joined: this.root, file: this.root, stats, isDirectory: true } : null;
    }
    let folder = (await this.folderAt(path.slice(0, -1)))?.real ?? null;
    if (folder === null) return null;
    if (checked) folder = await this.checkedFolder(folder).catch(nullWhenMissing);
    if (folder === null) return null;
    const entry = await entryIn(folder, name);
    if (entry === null) return null;
    const isDirectory = entry.stats.isDirectory();
    if (!entry.stats.isSymbolicLink()) return { joined: entry.path, file: entry.path, stats: entry.stats, isDirectory };
    const real = await realpath(entry.path).catch(() => null);
    if (real === null) return null;
    if (!this.contains(real)) throw outsideShare();
    const stats = await stat(real, { bigint: true }).catch(() => null);
    return stats ? { joined: entry.path, file: real, stats, isDirectory: false } : null;
  }

  /** What an entry found on disk describes: a symbolic link what it leads to, which must be inside the share. */
  private async describe(entry: Entry, name: string): Promise<ResourceInfo | null> {
    if (!entry.stats.isSymbolicLink()) return toInfo(name, entry.stats);
    const real = await realpath(entry.path).catch(() => null);
    // A dangling link: nothing is there to describe, and a write replaces the link.
    if (real === null) return null;
    if (!this.contains(real)) throw outsideShare();
    const stats = await stat(real, { bigint: true }).catch(() => null);
    return stats ? toInfo(name, stats) : null;
  }

  /**
   * The real folder at a path (symbolic links inside the share followed),
   * or null when there is no folder there. Throws 'outside-share' for a link
   * that leads out. As far as the cache knows the path, this costs nothing;
   * from there on, one lstat per folder, which is then cached, and a
   * realpath per symbolic link (nothing below a link is cached).
   */
  private async folderAt(names: StorePath): Promise<Place | null> {
    // Temporary upload files (and anything so named) are never reachable, nor anything below them.
    if (names.some(isTemporaryName)) return null;
    let cached: Folder | null = this.folders.top();
    let real = this.root;
    let dev: bigint | null = this.device?.dev ?? null;
    let index = 0;
    if (cached !== null) {
      for (; index < names.length; index++) {
        const child = this.folders.child(cached, names[index]!);
        if (!child) break;
        cached = child;
      }
      real = cached.real;
      if (index > 0) dev = cached.dev;
      this.folders.touch(cached);
    }
    let links = 0;
    let isLink = false;
    for (; index < names.length; index++) {
      const name = names[index]!;
      const seen = cached === null ? 0 : this.folders.changesOf(cached);
      const entry = await entryIn(real, name);
      if (entry === null) return null;
      if (entry.stats.isDirectory()) {
        real = entry.path;
        dev = entry.stats.dev;
        cached = cached === null ? null : this.folders.add(cached, name, real, seen, entry.stats);
        isLink = false;
        continue;
      }
      if (!entry.stats.isSymbolicLink() || ++links > MAX_LINKS) return null;
      const target = await realpath(entry.path).catch(() => null);
      if (target === null) return null;
      if (!this.contains(target)) throw outsideShare();
      real = target;
      dev = null;
      cached = null;
      isLink = true;
    }
    // A link as the last step must lead to a folder (before, the next lookup in it found out).
    if (
      isLink &&
      !(await stat(real).then(
        (stats) => stats.isDirectory(),
        () => false,
      ))
    )
      return null;
    return { real, dev, cached };
  }

  /** Whether descriptors of files in a folder on device `dev` may be looked at and closed on the spot (see Device). */
  private isLocal(dev: bigint | null): boolean {
    return dev !== null && this.device?.local === true && dev === this.device.dev;
  }

  /**
   * Before a change: where a folder from the cache leads on disk now
   * (realpath), which must be inside the share. When that is not the cached
   * path any more, the cache forgets the whole branch.
   */
  private async checkedFolder(folder: string): Promise<string> {
    if (folder === this.root) return folder;
    const real = await realpath(folder).catch(() => null);
    if (real !== folder) this.folders.forget(this.under + folder.slice(this.under.length).split(sep)[0]!);
    if (real === null) throw new StoreError('parent-missing', 'A folder on the way disappeared');
    if (!this.contains(real)) throw outsideShare();
    return real;
  }

  /** A prepared place, checked on disk before a change (see checkedFolder). */
  private async checkedPlace(place: Destination): Promise<Destination> {
    const folder = await this.checkedFolder(place.folder);
    return folder === place.folder ? place : { ...place, folder, file: join(folder, basename(place.file)) };
  }

  /** Throws when the system says an open descriptor is outside the share (a folder swapped for a link since it was checked). */
  private checkDescriptor(fd: number): void {
    const where = whereIs(fd);
    if (where === null || this.isInside(where)) return;
    throw outsideShare();
  }

  /** A file just created in `folder` must be there; if a link swapped in led it elsewhere, it goes. */
  private checkCreated(fd: number, folder: string): void {
    const where = whereIs(fd);
    if (where === null) return;
    const prefix = Buffer.from(folder.endsWith(sep) ? folder : folder + sep);
    const inFolder =
      where.length > prefix.length &&
      where.subarray(0, prefix.length).equals(prefix) &&
      !where.subarray(prefix.length).includes(sep.charCodeAt(0));
    if (inFolder && this.isInside(where)) return;
    void unlink(where).catch(() => undefined);
    throw outsideShare();
  }

  private isInside(where: Buffer): boolean {
    return (
      where.equals(this.rootBytes) ||
      (where.length > this.rootPrefix.length && where.subarray(0, this.rootPrefix.length).equals(this.rootPrefix))
    );
  }

  /**
   * The descriptor of the entry `name` in a real folder (NFC, else NFD
   * spelling), or null when there is none; `plain` unless a symbolic link
   * was followed. On a local disk it is first opened on the spot.
   */
  private async openEntry(
    folder: string,
    name: string,
    local: boolean,
  ): Promise<{ fd: number | null; plain: boolean }> {
    const composed = join(folder, name);
    const quick = local ? this.openOnTheSpot(composed) : null;
    if (quick !== null) return { fd: quick, plain: true };
    let opened = await openForReading(composed);
    if (opened === 'missing') {
      const decomposed = join(folder, name.normalize('NFD'));
      if (decomposed === composed) return { fd: null, plain: false };
      opened = await openForReading(decomposed);
      if (opened === 'link') return { fd: await this.openLink(decomposed), plain: false };
    } else if (opened === 'link') return { fd: await this.openLink(composed), plain: false };
    return { fd: typeof opened === 'number' ? opened : null, plain: true };
  }

  /**
   * A metadata call (open, rename, fstat) on the share's local disk, made on
   * the spot while that is allowed (store/on-the-spot.ts), else through the
   * pool; either way it fails as the call itself does.
   */
  private async metadataCall<T>(local: boolean, onTheSpot: () => T, pooled: () => Promise<T>): Promise<T> {
    return local && this.onTheSpot.allowed ? this.onTheSpot.run(onTheSpot) : pooled();
  }

  /**
   * The file kept open for `name` in a watched folder (store/kept-descriptors.ts),
   * described by a fresh fstat; null when none is kept, or it is no longer
   * the plain file its name holds (unlinked, replaced), or it crossed
   * QUICK_CLOSE_BYTES since it was kept (it is opened again, and kept as
   * what it is now).
   */
  private async openKept(folder: Folder, name: string, dev: bigint | null): Promise<FsOpenFile | null> {
    const kept = this.keptFiles.use(folder, name);
    if (!kept) return null;
    const stats = await this.metadataCall(
      true,
      () => fstatSync(kept.fd, { bigint: true }),
      () => fstatFd(kept.fd),
    ).catch(() => null); // treated as gone: opened again by name
    if (
      stats?.isFile() &&
      stats.nlink > 0n &&
      stats.dev === dev &&
      kept.closesAtOnce === stats.size <= QUICK_CLOSE_BYTES
    )
      return kept.closesAtOnce
        ? new FsOpenFile(kept.fd, toInfo(name, stats), true, this.onTheSpot, kept.release)
        : new FsOpenFile(kept.fd, toInfo(name, stats), false, null, kept.release);
    kept.discard();
    kept.release();
    return null;
  }

  /**
   * The plain file at `file` opened on the main thread (store/on-the-spot.ts),
   * or null when that is not allowed now or anything but a plain open
   * happens (missing, a link, an error): the pool's way then handles it.
   */
  private openOnTheSpot(file: string): number | null {
    if (!this.onTheSpot.allowed) return null;
    try {
      return this.onTheSpot.run(() => openSync(file, READ_FLAGS));
    } catch {
      return null;
    }
  }

  private async openLink(link: string): Promise<number | null> {
    const real = await realpath(link).catch(() => null);
    if (real === null) return null;
    if (!this.contains(real)) throw outsideShare();
    const opened = await openForReading(real);
    return typeof opened === 'number' ? opened : null;
  }

  private lookAtChildren(folder: string, names: readonly string[]): Promise<Looked[]> {
    return Promise.all(names.map((name) => lookAt(folder, name, this.inside)));
  }

  /** A kept listing, in batches: only the entries kept by name are looked at on disk again. */
  private async *listKept(folder: string, slots: readonly Slot[]): AsyncIterable<readonly ResourceInfo[]> {
    for (let start = 0; start < slots.length; start += STAT_BATCH) {
      const batch = slots.slice(start, start + STAT_BATCH);
      if (!batch.some((slot) => typeof slot === 'string')) {
        yield batch as ResourceInfo[];
        continue;
      }
      const infos = await Promise.all(
        batch.map((slot) =>
          typeof slot === 'string' ? lookAt(folder, slot, this.inside).then(([info]) => info) : slot,
        ),
      );
      yield infos.filter((info): info is ResourceInfo => info !== null);
    }
  }
}

/** A batch's descriptions, its entries recorded in the order they were read. */
function recorded(looked: readonly Looked[], recording: Recording | null): ResourceInfo[] {
  const infos: ResourceInfo[] = [];
  for (const [info, slot] of looked) {
    if (slot !== null) recording?.add(slot);
    if (info !== null) infos.push(info);
  }
  return infos;
}

/** The entry `name` in a real folder as found on disk (NFC, or the NFD spelling macOS leaves), or null. */
async function entryIn(folder: string, name: string): Promise<Entry | null> {
  const composed = join(folder, name);
  const stats = await lstatPath(composed).catch(() => null);
  if (stats) return { path: composed, stats };
  const decomposed = join(folder, name.normalize('NFD'));
  if (decomposed === composed) return null;
  const other = await lstatPath(decomposed).catch(() => null);
  return other ? { path: decomposed, stats: other } : null;
}

/**
 * O_NOFOLLOW: a symbolic link is not followed here (it answers 'link'), so
 * every link is checked. O_NONBLOCK: a named pipe in the share opens at once
 * (and is then refused) instead of holding a thread of the pool forever; on
 * regular files it changes nothing.
 */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** A new temporary file: never one that exists, never through a link. */
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

async function openFolder(folder: string): Promise<number | null> {
  const opened = await openForReading(folder);
  return typeof opened === 'number' ? opened : null;
}

async function openForReading(file: string, extraFlags = 0): Promise<number | 'missing' | 'link' | null> {
  try {
    return await openFd(file, READ_FLAGS | extraFlags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ELOOP') return 'link';
    return null;
  }
}

/** A rename or create is durable only once the folder entry itself is on disk. */
async function syncFolder(folder: string): Promise<void> {
  const fd = await openFd(folder, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fsyncFd(fd);
  } finally {
    await closeFd(fd);
  }
}

/** For a lookup: a folder that vanished meanwhile means nothing is there. */
function nullWhenMissing(error: unknown): null {
  if (error instanceof StoreError && error.kind === 'parent-missing') return null;
  throw error;
}

const notFound = (): StoreError => new StoreError('not-found', 'Not found');
const outsideShare = (): StoreError => new StoreError('outside-share', 'This path leads outside the share');

export { etagOf } from './folder-entries.js';
