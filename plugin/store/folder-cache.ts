/**
 * Which folders of a share are known to be real folders inside it, so that
 * a request does not resolve its whole path on disk every time (like
 * lighttpd's stat cache, kept true by file-system notifications).
 *
 * A cached folder was reached from the share root through real folders only
 * (no symbolic link on the way; nothing below a link is cached), so its path
 * leads inside the share for as long as none of those folders is replaced.
 * Each cached folder is watched (fs.watch, inotify on Linux), and so are all
 * its ancestors, which are cached too:
 *
 * - any event in a folder about an entry drops the cached child of that
 *   name and everything below it (a folder renamed, removed, or replaced by
 *   a symbolic link shows up as an event in its parent);
 * - an event without a name, or one about the folder itself, or a watcher
 *   error, drops the folder and everything below it;
 * - the store drops what its own changes touch (forget), without waiting for
 *   the event;
 * - a folder found on disk is added only if no event about its name (or
 *   about an unknown name) arrived in its parent since the lookup began, so
 *   a lookup that raced a change never caches what it saw before it;
 * - every entry is looked at again on disk after `maxAgeMs` even without an
 *   event, because the kernel drops events when its queue overflows: past
 *   its age, child() no longer gives it, and the lookup that finds the same
 *   folder on disk again (the same path, device and inode) renews it in
 *   add(), with what is cached below it (each child is looked at again in
 *   its turn, as its own age is never past its parent's); a different
 *   folder there replaces it;
 * - at most `capacity` folders (and watchers); the least recently used
 *   folder without cached children goes first;
 * - close() stops every watcher and caches nothing more;
 * - `onChange` hears of every change above (an event in a folder, forget()
 *   of an entry in it, the folder dropped), so that what is cached of a
 *   folder's entries (store/listing-cache.ts) goes with it.
 *
 * Names: children are found by their NFC spelling (requests are NFC), and
 * each keeps the real path, which holds the name as spelled on disk.
 */
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface Folder {
  /** The folder's path on disk: the root, then names as spelled on disk; no symbolic link in it. */
  readonly real: string;
  /** The device the folder is on (st_dev); null for the root, whose device the store knows. */
  readonly dev: bigint | null;
}

/** Which folder was found on disk: st_dev and st_ino. */
export interface FolderIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
}

/** What the cache needs of a watcher (fs.FSWatcher has it). */
export interface FolderWatcher {
  close(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export type WatchFolder = (
  folder: string,
  listener: (event: string, name: string | Buffer | null) => void,
) => FolderWatcher;

export interface FolderCacheOptions {
  /** The most folders cached, and so watched. */
  readonly capacity?: number;
  /** A folder is looked at again on disk after this long, even without an event. */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
  /** How folders are watched (tests count and fire events). */
  readonly watch?: WatchFolder;
  /** Told when what is in a folder may have changed, or the folder is dropped. */
  readonly onChange?: (folder: Folder) => void;
}

export const DEFAULT_CAPACITY = 1000;
export const DEFAULT_MAX_AGE_MS = 10_000;

/** The most names an entry remembers events of; beyond, lookups under way start over. */
const RECENT_NAMES = 256;

class Entry implements Folder {
  readonly children = new Map<string, Entry>();
  /** Events seen in this folder, counted. */
  changes = 0;
  /** The count at the last event about each name (NFC) since `floor`. */
  private readonly recent = new Map<string, number>();
  /** A lookup that began before this count cannot tell what changed meanwhile. */
  private floor = 0;
  live = true;
  watcher: FolderWatcher | null = null;

  /** An event about the entry `name` (NFC), or about an unknown one (null). */
  noteChange(name: string | null): void {
    this.changes += 1;
    if (name === null || this.recent.size >= RECENT_NAMES) {
      this.recent.clear();
      this.floor = this.changes;
    } else this.recent.set(name, this.changes);
  }

  /** Whether the child `name`, looked up when `changes` was `seen`, is still as the lookup found it. */
  unchangedSince(name: string, seen: number): boolean {
    return seen >= this.floor && (this.recent.get(name) ?? 0) <= seen;
  }

  constructor(
    readonly real: string,
    /** The NFC spelling of the folder's name, its key among its parent's children. */
    readonly key: string,
    readonly parent: Entry | null,
    public expires: number,
    readonly dev: bigint | null,
    readonly ino: bigint | null,
  ) {}
}

const defaultWatch: WatchFolder = (folder, listener) => watch(folder, { persistent: false }, listener);

export class FolderCache {
  /** Every live entry by real path; the order of the map is the order of last use (oldest first). */
  private readonly entries = new Map<string, Entry>();
  private rootEntry: Entry | null = null;
  /** When the root could not be watched: not tried again before this. */
  private retryRootAt = 0;
  private closed = false;
  private readonly capacity: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly watchFolder: WatchFolder;
  private readonly onChange: (folder: Folder) => void;

  constructor(
    readonly root: string,
    options: FolderCacheOptions = {},
  ) {
    this.capacity = Math.max(1, options.capacity ?? DEFAULT_CAPACITY);
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
    this.watchFolder = options.watch ?? defaultWatch;
    this.onChange = options.onChange ?? (() => undefined);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The share root, watched; null when nothing can be cached (closed, or the root cannot be watched). */
  top(): Folder | null {
    if (this.rootEntry?.live) return this.rootEntry;
    if (this.closed || this.now() < this.retryRootAt) return null;
    const entry = new Entry(this.root, '', null, Infinity, null, null);
    if (!this.startWatching(entry)) {
      this.retryRootAt = this.now() + this.maxAgeMs;
      return null;
    }
    this.rootEntry = entry;
    this.entries.set(entry.real, entry);
    return entry;
  }

  /**
   * The cached child folder `name` (NFC) of a cached folder, or undefined
   * (not cached, or past its age: to be looked at on disk, then add()).
   */
  child(folder: Folder, name: string): Folder | undefined {
    const entry = (folder as Entry).children.get(name);
    return entry && entry.expires > this.now() ? entry : undefined;
  }

  /** Marks a folder as just used (the least recently used go first when the cache is full). */
  touch(folder: Folder): void {
    const entry = folder as Entry;
    if (!entry.live || entry === this.rootEntry) return;
    this.entries.delete(entry.real);
    this.entries.set(entry.real, entry);
  }

  /** How many events a folder has seen: read it before looking for a child on disk, and pass it to add(). */
  changesOf(folder: Folder): number {
    return (folder as Entry).changes;
  }

  /** Whether a folder is still cached (and watched). */
  holds(folder: Folder): boolean {
    return (folder as Entry).live;
  }

  /**
   * Caches the real folder `real`, found on disk (`found`: its device and
   * inode) as the child `name` (NFC) of `folder` after changesOf(folder)
   * answered `seen`. The same folder cached already is renewed (see the
   * top of this file). Answers the entry, or null when it cannot be cached
   * (the parent changed or was dropped meanwhile, the cache is closed, or
   * the folder cannot be watched).
   */
  add(folder: Folder, name: string, real: string, seen: number, found: FolderIdentity | null = null): Folder | null {
    const parent = folder as Entry;
    if (this.closed || !parent.live || !parent.unchangedSince(name, seen)) return null;
    const expires = Math.min(this.now() + this.maxAgeMs, parent.expires);
    const [dev, ino] = [found?.dev ?? null, found?.ino ?? null];
    const existing = parent.children.get(name);
    if (existing) {
      if (existing.real === real && existing.dev === dev && existing.ino === ino) {
        existing.expires = expires;
        return existing;
      }
      this.drop(existing);
    }
    const clash = this.entries.get(real);
    if (clash) this.drop(clash);
    const entry = new Entry(real, name, parent, expires, dev, ino);
    if (!this.startWatching(entry)) return null;
    parent.children.set(name, entry);
    this.entries.set(real, entry);
    this.evictBeyondCapacity();
    return entry.live ? entry : null;
  }

  /**
   * The store changed something at `real` (created, removed or renamed it):
   * forget the folder there and below, and make lookups under way in its
   * parent start over.
   */
  forget(real: string): void {
    const entry = this.entries.get(real);
    if (entry) this.drop(entry);
    const parent = this.entries.get(dirname(real));
    if (!parent) return;
    parent.noteChange(basename(real).normalize('NFC'));
    this.onChange(parent);
  }

  /** Stops every watcher; nothing is cached from now on. */
  close(): void {
    this.closed = true;
    if (this.rootEntry) this.drop(this.rootEntry);
    for (const entry of [...this.entries.values()]) this.drop(entry);
  }

  private startWatching(entry: Entry): boolean {
    try {
      const watcher = this.watchFolder(entry.real, (event, name) => this.changed(entry, event, name));
      watcher.on('error', () => this.drop(entry));
      entry.watcher = watcher;
      return true;
    } catch {
      // Too many watches (fs.inotify.max_user_watches), or the folder went away: not cached.
      return false;
    }
  }

  private changed(entry: Entry, event: string, name: string | Buffer | null): void {
    if (!entry.live) return;
    const spelled = typeof name === 'string' ? name : null;
    if (spelled === null || spelled.includes('\uFFFD')) {
      // Which entry changed is unknown: forget all of this folder.
      entry.noteChange(null);
      this.drop(entry);
      return;
    }
    const key = spelled.normalize('NFC');
    entry.noteChange(key);
    this.onChange(entry);
    const child = entry.children.get(key);
    if (child) this.drop(child);
    // Events about the watched folder itself (moved, removed) carry its own name.
    if (event === 'rename' && spelled === basename(entry.real)) this.drop(entry);
  }

  /** Removes an entry and everything cached below it, and stops their watchers. */
  private drop(entry: Entry): void {
    if (!entry.live) return;
    entry.live = false;
    this.onChange(entry);
    for (const child of [...entry.children.values()]) this.drop(child);
    entry.watcher?.close();
    entry.watcher = null;
    if (this.entries.get(entry.real) === entry) this.entries.delete(entry.real);
    if (entry.parent?.children.get(entry.key) === entry) entry.parent.children.delete(entry.key);
    if (entry === this.rootEntry) this.rootEntry = null;
  }

  private evictBeyondCapacity(): void {
    if (this.entries.size <= this.capacity) return;
    for (const entry of this.entries.values()) {
      if (this.entries.size <= this.capacity) return;
      // A folder with cached children guards them (its watcher sees them replaced): they go first.
      if (entry === this.rootEntry || entry.children.size > 0) continue;
      this.drop(entry);
    }
  }
}
