/**
 * Files kept open between requests (like nginx's open_file_cache), so that
 * a thumbnail GET of a file in a watched folder costs an fstat and a read
 * instead of open, fstat, a look at /proc, read and close: on this kind of
 * machine each of those calls costs as much as the read itself. A video
 * that a player seeks in is kept too: each Range GET then saves the open
 * and the close, calls that hand over to the thread pool for a large file.
 *
 * A descriptor is kept only for a plain file (no symbolic link) opened in a
 * folder that the folder cache holds and watches (store/folder-cache.ts),
 * after it was checked to be inside the share, and only when no change in
 * the folder was heard of while it was opened. It is let go:
 *
 * - at any change the folder cache hears of in its folder, whatever the
 *   name (as the listing cache does): an event, the store's own change, the
 *   folder dropped;
 * - when the caller finds its file unlinked (fstat says no link is left:
 *   deleted, or another file renamed over its name), even without an event;
 * - after `maxAgeMs`, because the kernel drops events when its queue
 *   overflows;
 * - beyond `capacity`, the least recently used first; and at close().
 *
 * Every use still takes a fresh fstat (the caller's), so a file written in
 * place answers with its new size and ETag; the bytes are read from the
 * descriptor itself, as for a file just opened (store/open-file.ts).
 *
 * A descriptor is closed only once nobody reads from it: the cache holds it
 * once, and every open file made from it once more, until it closes.
 */
import type { Folder, FolderCache } from './folder-cache.js';
import { closeNow } from './fs-calls.js';

export interface KeptDescriptorsOptions {
  /** The most descriptors kept open. */
  readonly capacity?: number;
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

export const DEFAULT_KEPT_CAPACITY = 256;
export const DEFAULT_KEPT_MAX_AGE_MS = 5_000;

/** A kept descriptor in use: read from `fd`, then release() it exactly once. */
export interface KeptDescriptor {
  readonly fd: number;
  /** Whether it was offered as a small file, to be closed on the spot (see FsStore). */
  readonly closesAtOnce: boolean;
  release(): void;
  /** The file is not what its name holds any more: the cache lets it go (the descriptor closes after the last use). */
  discard(): void;
}

class Kept {
  /** The cache's hold and one per use. */
  private holds = 1;
  private kept = true;

  constructor(
    readonly fd: number,
    readonly folder: Folder,
    readonly name: string,
    readonly expires: number,
    readonly closesAtOnce: boolean,
    private readonly discarded: (kept: Kept) => void,
  ) {}

  /** A use: the descriptor stays open until it is released. */
  use(): KeptDescriptor {
    this.holds += 1;
    let released = false;
    return {
      fd: this.fd,
      closesAtOnce: this.closesAtOnce,
      release: () => {
        if (released) return;
        released = true;
        this.letGo();
      },
      discard: () => this.discarded(this),
    };
  }

  /** Taken out of the cache: the cache's hold goes. */
  unkeep(): void {
    if (!this.kept) return;
    this.kept = false;
    this.letGo();
  }

  private letGo(): void {
    this.holds -= 1;
    if (this.holds === 0) closeNow(this.fd, this.closesAtOnce);
  }
}

export class KeptDescriptors {
  private readonly byFolder = new Map<Folder, Map<string, Kept>>();
  /** In order of last use, oldest first. */
  private readonly recent = new Set<Kept>();
  private closed = false;
  private readonly capacity: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly folders: FolderCache,
    options: KeptDescriptorsOptions = {},
  ) {
    this.capacity = Math.max(0, options.capacity ?? DEFAULT_KEPT_CAPACITY);
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_KEPT_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  /** How many descriptors are kept open. */
  get size(): number {
    return this.recent.size;
  }

  /** A use of the descriptor kept for `name` (NFC) in a folder, or undefined (none, or too old: then let go). */
  use(folder: Folder, name: string): KeptDescriptor | undefined {
    const kept = this.byFolder.get(folder)?.get(name);
    if (!kept) return undefined;
    if (kept.expires <= this.now()) {
      this.forget(kept);
      return undefined;
    }
    this.recent.delete(kept);
    this.recent.add(kept);
    return kept.use();
  }

  /**
   * Offers the descriptor `fd` of the plain file `name` (NFC) in a folder,
   * opened after changesOf(folder) answered `seen`; `closeAtOnce` when it may
   * be closed on the main thread (closeNow). Answers a use of it when
   * it is kept (the cache then closes it), or null when it is not (the
   * caller still owns it): the cache is closed or full of nothing, the
   * folder is no longer cached, or it changed meanwhile.
   */
  offer(folder: Folder, name: string, fd: number, seen: number, closeAtOnce = true): KeptDescriptor | null {
    if (this.closed || this.capacity === 0) return null;
    if (!this.folders.holds(folder) || this.folders.changesOf(folder) !== seen) return null;
    const existing = this.byFolder.get(folder)?.get(name);
    if (existing) this.forget(existing);
    let named = this.byFolder.get(folder);
    if (!named) this.byFolder.set(folder, (named = new Map()));
    const expires = this.now() + this.maxAgeMs;
    const kept = new Kept(fd, folder, name, expires, closeAtOnce, (gone) => this.forget(gone));
    named.set(name, kept);
    this.recent.add(kept);
    for (const oldest of this.recent) {
      if (this.recent.size <= this.capacity) break;
      this.forget(oldest);
    }
    return kept.use();
  }

  /** Something in the folder changed, or the folder cache let it go: every descriptor kept there goes. */
  drop(folder: Folder): void {
    const named = this.byFolder.get(folder);
    if (!named) return;
    this.byFolder.delete(folder);
    for (const kept of named.values()) {
      this.recent.delete(kept);
      kept.unkeep();
    }
  }

  close(): void {
    this.closed = true;
    for (const folder of [...this.byFolder.keys()]) this.drop(folder);
  }

  /** Lets one kept descriptor go (it closes once its last use is released). */
  private forget(kept: Kept): void {
    const named = this.byFolder.get(kept.folder);
    if (named?.get(kept.name) !== kept) return;
    named.delete(kept.name);
    if (named.size === 0) this.byFolder.delete(kept.folder);
    this.recent.delete(kept);
    kept.unkeep();
  }
}
