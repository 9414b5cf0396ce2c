/**
 * The listings of folders that the folder cache holds and watches
 * (store/folder-cache.ts), so that listing an unchanged folder again costs
 * no call per entry (like lighttpd's stat cache). A listing is the entries
 * in the order they were read, each kept as its description or, when that
 * can change without an event in the folder, as its name on disk, looked
 * at again at every listing:
 *
 * - a symbolic link (what it leads to changes elsewhere, and a dangling one
 *   may start leading somewhere), a folder (its time and ETag change with
 *   its own entries, which only its own watcher would see), and a file with
 *   other hard links (it can be written under another name);
 * - any change the folder cache hears of in the folder drops the whole
 *   listing, whatever the name (simplest; reading a folder again is cheap
 *   next to being wrong): an event, the store's own change (forget), and
 *   the folder dropped (an event without a name, a watcher error, its age,
 *   eviction, close());
 * - a listing is kept only if the folder's changes count (the one folder
 *   lookups use) did not move while it was read, so a listing that raced
 *   a change never keeps what it saw before it;
 * - it is read again after `maxAgeMs` even without an event: the kernel
 *   drops events when its queue overflows, and a write through a shared
 *   mapping tells nothing. Shorter than folders (10 s): a stale listing
 *   shows wrong sizes and ETags, which sync clients act on;
 * - at most `maxEntries` entries in all, no folder of more than
 *   `maxFolderEntries`; the least recently used listing goes first.
 *
 * A listing whose every entry is a description (nothing to look at again)
 * is stamped (ListingStamp in store.ts): the kept listing itself stands for
 * it, and of a folder too big to keep, a stamp is kept alone. A stamp lives
 * by the same rules as a listing (any change in the folder, its age,
 * close()), so while it is current, listing the folder again gives the
 * same entries: what was made of that listing may be used again (a
 * PROPFIND answer, dav/kept-renderings.ts).
 *
 * Like every cache fed by events, a listing can be a moment behind a change
 * made by another program: until its event is read, on the next turn of
 * the event loop. The store only caches folders on its own local disk
 * (a network file system tells nothing of other machines' changes).
 * Descriptions are frozen: the same objects go to every later listing.
 */
import type { Folder, FolderCache } from './folder-cache.js';
import type { ListingStamp, ResourceInfo } from './store.js';

/** An entry of a listing: its description, or its name on disk to be looked at again. */
export type Slot = ResourceInfo | string;

/**
 * A listing being read from disk: kept at end() unless too big or raced by
 * a change; end() answers its stamp, if it has one (see the top of this
 * file): the kept listing itself, or the stamp kept alone for one too big.
 */
export interface Recording {
  add(slot: Slot): void;
  end(): ListingStamp | null;
}

export interface ListingCacheOptions {
  /** The most entries kept, in all listings together. */
  readonly maxEntries?: number;
  /** A folder with more entries is not kept. */
  readonly maxFolderEntries?: number;
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

/** About 550 bytes of heap an entry (measured on 10,000 photos): 50,000 keep the cache below 30 MB. */
export const DEFAULT_MAX_ENTRIES = 50_000;
export const DEFAULT_MAX_FOLDER_ENTRIES = 20_000;
export const DEFAULT_LISTING_MAX_AGE_MS = 5_000;

interface Listing {
  readonly slots: readonly Slot[];
  readonly expires: number;
  /** No entry to look at again: the listing is its own stamp. */
  readonly plain: boolean;
}

interface Stamp {
  readonly stamp: ListingStamp;
  readonly expires: number;
}

export class ListingCache {
  /** In order of last use, oldest first. */
  private readonly listings = new Map<Folder, Listing>();
  /** Of folders too big to keep: a stamp each, at most maxEntries of them (they weigh almost nothing). */
  private readonly stamps = new Map<Folder, Stamp>();
  private total = 0;
  private closed = false;
  private readonly maxEntries: number;
  private readonly maxFolderEntries: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly folders: FolderCache,
    options: ListingCacheOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.maxFolderEntries = Math.min(options.maxFolderEntries ?? DEFAULT_MAX_FOLDER_ENTRIES, this.maxEntries - 1);
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_LISTING_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  /** How many entries are kept, in all listings. */
  get entries(): number {
    return this.total;
  }

  /** The kept listing of a folder, or undefined (none, or too old: then dropped). */
  get(folder: Folder): readonly Slot[] | undefined {
    const listing = this.listings.get(folder);
    if (!listing) return undefined;
    if (listing.expires <= this.now()) {
      this.drop(folder);
      return undefined;
    }
    this.listings.delete(folder);
    this.listings.set(folder, listing);
    return listing.slots;
  }

  /** The stamp of the folder's listing, while it is current (see the top of this file). */
  stampOf(folder: Folder): ListingStamp | null {
    const listing = this.listings.get(folder);
    if (listing) return listing.plain && listing.expires > this.now() ? listing : null;
    const kept = this.stamps.get(folder);
    if (!kept) return null;
    if (kept.expires > this.now()) return kept.stamp;
    this.stamps.delete(folder);
    return null;
  }

  /** Begins recording a folder's listing: call before reading the folder. */
  record(folder: Folder): Recording {
    const seen = this.folders.changesOf(folder);
    let slots: Slot[] | null = this.closed ? null : [];
    let tooBig = false;
    let plain = true;
    return {
      add: (slot) => {
        if (typeof slot === 'string') plain = false;
        if (slots === null) return;
        // Too big to keep: what was recorded is let go at once.
        if (slots.length < this.maxFolderEntries) slots.push(slot);
        else [slots, tooBig] = [null, true];
      },
      end: () => {
        const kept = slots;
        slots = null;
        if (kept !== null) return this.keep(folder, seen, kept, plain);
        if (tooBig && plain) return this.keepStamp(folder, seen);
        return null;
      },
    };
  }

  /** Something in the folder changed, or the folder cache let it go. */
  drop(folder: Folder): void {
    this.stamps.delete(folder);
    const listing = this.listings.get(folder);
    if (!listing) return;
    this.listings.delete(folder);
    this.total -= weight(listing);
  }

  close(): void {
    this.closed = true;
    this.stamps.clear();
    this.listings.clear();
    this.total = 0;
  }

  private keepStamp(folder: Folder, seen: number): ListingStamp | null {
    if (this.closed || !this.folders.holds(folder) || this.folders.changesOf(folder) !== seen) return null;
    const stamp: ListingStamp = Object.freeze({});
    this.stamps.delete(folder);
    this.stamps.set(folder, { stamp, expires: this.now() + this.maxAgeMs });
    for (const oldest of this.stamps.keys()) {
      if (this.stamps.size <= this.maxEntries) break;
      this.stamps.delete(oldest);
    }
    return stamp;
  }

  private keep(folder: Folder, seen: number, slots: readonly Slot[], plain: boolean): ListingStamp | null {
    if (this.closed || !this.folders.holds(folder) || this.folders.changesOf(folder) !== seen) return null;
    this.drop(folder);
    const listing: Listing = Object.freeze({ slots, expires: this.now() + this.maxAgeMs, plain });
    this.listings.set(folder, listing);
    this.total += weight(listing);
    for (const oldest of this.listings.keys()) {
      if (this.total <= this.maxEntries) break;
      this.drop(oldest);
    }
    return plain ? listing : null;
  }
}

/** An empty folder's listing costs too: it counts as one entry. */
function weight(listing: Listing): number {
  return listing.slots.length + 1;
}
