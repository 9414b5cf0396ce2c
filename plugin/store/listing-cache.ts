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
 *   the folder dropped (an event without a name, a watcher error, another
 *   folder found in its place, eviction, close());
 * - a listing is kept only if the folder's changes count (the one folder
 *   lookups use) did not move while it was read, so a listing that raced
 *   a change never keeps what it saw before it;
 * - after `maxAgeMs` (5 s) without an event it is not given any more
 *   until it is checked (due, renew): the kernel drops events when its
 *   queue overflows, and a write through a shared mapping tells nothing.
 *   The check is one lstat of the folder: the same inode, mtime and ctime
 *   as when the listing was read (an entry added, removed or renamed
 *   changes them) renews it for another `maxAgeMs`. Up to `trustMs` (60 s)
 *   after it was read; then it is read again whole. That is the one thing
 *   taken on trust: a file written in place whose event the kernel
 *   dropped shows its old size and ETag for at most `trustMs` (GET is never
 *   stale: it describes what it opened). Reading 100,000 entries takes
 *   about 0.5 s even for Node's bare minimum (bench/bare-listing.mjs), and
 *   a file manager lists an open folder again every few seconds;
 * - at most `maxEntries` entries in all, no folder of more than
 *   `maxFolderEntries`; the least recently used listing goes first.
 *
 * A listing whose every entry is a description (nothing to look at again)
 * is stamped (ListingStamp in store.ts): the kept listing itself stands for
 * it, and of a folder too big to keep, a stamp is kept alone. A stamp lives
 * by the same rules as a listing (any change in the folder, its age and
 * check, close()), so while it is current, listing the folder again gives the
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

/**
 * What a listing is checked against after `maxAgeMs`: the folder's
 * identity and times as read before its entries (folderStateOf).
 */
export type FolderState = string;

/** A kept listing or stamp past its age, to be checked (renew). */
export interface DueListing {
  readonly folderState: FolderState;
}

export interface ListingCacheOptions {
  /** The most entries kept, in all listings together. */
  readonly maxEntries?: number;
  /** A folder with more entries is not kept. */
  readonly maxFolderEntries?: number;
  readonly maxAgeMs?: number;
  /** The longest a listing is renewed by its folder's state alone, from when it was read. */
  readonly trustMs?: number;
  readonly now?: () => number;
}

/** About 550 bytes of heap an entry (measured on 10,000 photos): 50,000 keep the cache below 30 MB. */
export const DEFAULT_MAX_ENTRIES = 50_000;
export const DEFAULT_MAX_FOLDER_ENTRIES = 20_000;
export const DEFAULT_LISTING_MAX_AGE_MS = 5_000;
export const DEFAULT_LISTING_TRUST_MS = 60_000;

/** The folder's identity and times, as a listing is checked against them. */
export function folderStateOf(stats: { dev: bigint; ino: bigint; mtimeNs: bigint; ctimeNs: bigint }): FolderState {
  return `${stats.dev}:${stats.ino}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

interface Kept extends DueListing {
  /** Given until then; after, only once checked (renew). */
  expires: number;
  /** Never renewed past this. */
  readonly trustedUntil: number;
}

interface Listing extends Kept {
  readonly slots: readonly Slot[];
  /** No entry to look at again: the listing is its own stamp. */
  readonly plain: boolean;
}

interface Stamp extends Kept {
  readonly stamp: ListingStamp;
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
  private readonly trustMs: number;
  private readonly now: () => number;

  constructor(
    private readonly folders: FolderCache,
    options: ListingCacheOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.maxFolderEntries = Math.min(options.maxFolderEntries ?? DEFAULT_MAX_FOLDER_ENTRIES, this.maxEntries - 1);
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_LISTING_MAX_AGE_MS;
    this.trustMs = Math.max(this.maxAgeMs, options.trustMs ?? DEFAULT_LISTING_TRUST_MS);
    this.now = options.now ?? Date.now;
  }

  /** How many entries are kept, in all listings. */
  get entries(): number {
    return this.total;
  }

  /** The kept listing of a folder, or undefined (none, or past its age and not renewed). */
  get(folder: Folder): readonly Slot[] | undefined {
    const listing = this.current(this.listings, folder);
    if (!listing) return undefined;
    this.listings.delete(folder);
    this.listings.set(folder, listing);
    return listing.slots;
  }

  /** The stamp of the folder's listing, while it is current (see the top of this file). */
  stampOf(folder: Folder): ListingStamp | null {
    const listing = this.current(this.listings, folder);
    if (listing) return listing.plain ? listing : null;
    return this.current(this.stamps, folder)?.stamp ?? null;
  }

  /** The folder's kept listing or stamp, when it is past its age but may still be renewed; null otherwise. */
  due(folder: Folder): DueListing | null {
    const kept = this.keptOf(folder);
    if (!kept || kept.expires > this.now()) return null;
    if (kept.trustedUntil > this.now()) return kept;
    this.drop(folder);
    return null;
  }

  /**
   * The folder's state, looked at (lstat) after due() answered `due` and
   * changesOf() answered `seen`: the same state, with no change heard of
   * meanwhile, renews the listing for another `maxAgeMs` (never past its
   * trust); anything else drops it. `state` null: the folder is gone.
   */
  renew(folder: Folder, due: DueListing, seen: number, state: FolderState | null): void {
    const kept = this.keptOf(folder);
    if (kept !== due) return;
    const now = this.now();
    const same =
      state === kept.folderState &&
      this.folders.holds(folder) &&
      this.folders.changesOf(folder) === seen &&
      kept.trustedUntil > now;
    if (same) kept.expires = Math.min(now + this.maxAgeMs, kept.trustedUntil);
    else this.drop(folder);
  }

  /**
   * Begins recording a folder's listing: call before reading the folder's
   * entries, with its state (folderStateOf) as read before them, or null
   * when unknown (the listing is then never renewed).
   */
  record(folder: Folder, state: FolderState | null = null): Recording {
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
        if (kept !== null) return this.keep(folder, seen, kept, plain, state);
        if (tooBig && plain) return this.keepStamp(folder, seen, state);
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

  private keepStamp(folder: Folder, seen: number, state: FolderState | null): ListingStamp | null {
    if (this.closed || !this.folders.holds(folder) || this.folders.changesOf(folder) !== seen) return null;
    const stamp: ListingStamp = Object.freeze({});
    // The folder's earlier listing, if any, is of a folder that has grown since.
    this.drop(folder);
    this.stamps.set(folder, { stamp, ...this.lifetime(state) });
    for (const oldest of this.stamps.keys()) {
      if (this.stamps.size <= this.maxEntries) break;
      this.stamps.delete(oldest);
    }
    return stamp;
  }

  private keep(
    folder: Folder,
    seen: number,
    slots: readonly Slot[],
    plain: boolean,
    state: FolderState | null,
  ): ListingStamp | null {
    if (this.closed || !this.folders.holds(folder) || this.folders.changesOf(folder) !== seen) return null;
    this.drop(folder);
    const listing: Listing = Object.seal({ slots, plain, ...this.lifetime(state) });
    this.listings.set(folder, listing);
    this.total += weight(listing);
    for (const oldest of this.listings.keys()) {
      if (this.total <= this.maxEntries) break;
      this.drop(oldest);
    }
    return plain ? listing : null;
  }

  /** What is kept of the folder: its listing, or its stamp alone (never both: keep and keepStamp drop first). */
  private keptOf(folder: Folder): Kept | undefined {
    return this.listings.get(folder) ?? this.stamps.get(folder);
  }

  /** A listing or stamp read now; one of a folder whose state is unknown cannot be renewed. */
  private lifetime(state: FolderState | null): Kept {
    const now = this.now();
    const trusted = state === null ? this.maxAgeMs : this.trustMs;
    return { folderState: state ?? '', expires: now + this.maxAgeMs, trustedUntil: now + trusted };
  }

  /** A kept listing or stamp while it is within its age; dropped once past its trust. */
  private current<T extends Kept>(kept: Map<Folder, T>, folder: Folder): T | undefined {
    const found = kept.get(folder);
    if (!found) return undefined;
    const now = this.now();
    if (found.expires > now) return found;
    if (found.trustedUntil <= now) this.drop(folder);
    return undefined;
  }
}

/** An empty folder's listing costs too: it counts as one entry. */
function weight(listing: Listing): number {
  return listing.slots.length + 1;
}
