/**
 * A date view (docs/photo-shares.md): a read-only tree over a share's files,
 * built from the capture-date index:
 *
 *   /YYYY/YYYY-MM/<original name>   photos and videos by capture month
 *   /undated/<original name>        those with no date of their own
 *
 * It is a Store like any other, so every WebDAV method works on it as on a
 * real share: PROPFIND, GET and HEAD with ranges and ETags come from the real
 * file (through the share's own store, with all its checks), only the name
 * and `creationdate` (the capture time) are the view's. Each file is stored
 * once. Every write is refused here too, though the permission table refuses
 * them first (a view is a read-only share).
 *
 * Two files of one folder with the same name (compared without case, as
 * Windows and macOS clients do) are told apart by " (2)", " (3)" before the
 * extension, handed out oldest capture first, so the same files get the same
 * names in every listing.
 */
import type { Readable } from 'node:stream';
import { StoreError } from '../store/errors.js';
import { collectionFile } from '../store/open-file.js';
import type {
  ByteSpan,
  ChunkConsumer,
  ListingStamp,
  OpenFile,
  PreparedPath,
  Quota,
  ResourceInfo,
  Store,
  StorePath,
} from '../store/store.js';
import type { FolderSummary, IndexedFile, MediaIndex, ViewFolder } from './media-index.js';

export const UNDATED = 'undated';
const YEAR = /^\d{4}$/;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
/** How long what was read of the index is believed on a database other instances write too. */
const SHARED_CACHE_MS = 1000;
/** A real folder holding at least this many of a view folder's files is listed rather than stat'ed file by file. */
const LIST_RATHER_THAN_STAT = 16;

export interface ViewSource {
  /** The real share's mount (the index is kept under it). */
  readonly mount: string;
  readonly index: MediaIndex;
  /** The real share's store. */
  readonly files: Store;
  /** Waits for the index updates of the share under way. */
  settled(): Promise<void>;
}

interface ViewEntry {
  readonly name: string;
  readonly file: IndexedFile;
  /**
   * The view's description of the last real description a kept listing
   * handed out for this file (frozen, store/listing-cache.ts), made once:
   * handed out again, it lets PROPFIND reuse the XML it wrote for it
   * (dav/propstats.ts), as for a real folder. A field, not a WeakMap keyed
   * by the frozen description: that lookup cost more than the rest of a
   * listing of 5,000 files.
   */
  described?: { readonly real: ResourceInfo; readonly view: ResourceInfo };
}

interface FolderListing {
  readonly entries: readonly ViewEntry[];
  readonly byName: ReadonlyMap<string, ViewEntry>;
  /** The entries by the real folder that holds them, then by their real name. */
  readonly byRealFolder: ReadonlyMap<string, { readonly path: StorePath; readonly byRealName: Map<string, ViewEntry> }>;
}

const READ_ONLY = new StoreError('denied', 'A date view is read-only: change the files in the share itself');

/** The names a folder's files are shown under, in the order given. */
export function viewNames(files: readonly IndexedFile[]): ViewEntry[] {
  const taken = new Set<string>();
  return files.map((file) => {
    const original = file.path.at(-1) ?? '';
    const dot = original.lastIndexOf('.');
    const [stem, extension] = dot > 0 ? [original.slice(0, dot), original.slice(dot)] : [original, ''];
    let name = original;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${stem} (${n})${extension}`;
    taken.add(name.toLowerCase());
    return { name, file };
  });
}

export class DateViewStore implements Store {
  private cached: {
    readonly generation: number;
    readonly readAt: number;
    readonly folders: FolderSummary[];
    readonly listings: Map<string, FolderListing>;
  } | null = null;

  /**
   * What a month's listing was made of, when its real store vouched for
   * every real folder it listed (Store.currentStamp): the view vouches for
   * the same listing of the month for as long as the index gives the same
   * FolderListing and every real folder the same stamp.
   */
  private readonly stamps = new WeakMap<
    FolderListing,
    { readonly real: readonly ListingStamp[]; readonly stamp: ListingStamp }
  >();

  constructor(private readonly source: ViewSource) {}

  close(): void {
    this.cached = null;
  }

  /**
   * What was read of the index, kept while this process changed nothing.
   * On a database other instances write too, it is also kept no longer than
   * SHARED_CACHE_MS: what another instance filed shows within that second,
   * and one PROPFIND (which looks at its folder several times) still costs
   * one query for the folders and one for the listing.
   */
  private async cache() {
    const { index, mount } = this.source;
    await this.source.settled();
    const generation = index.generation(mount);
    const cached = this.cached;
    const fresh = index.options.exclusive || Date.now() - (cached?.readAt ?? 0) < SHARED_CACHE_MS;
    if (cached && cached.generation === generation && fresh) return cached;
    const readAt = Date.now();
    const next = {
      generation,
      readAt,
      folders: await index.folders(mount),
      listings: new Map<string, FolderListing>(),
    };
    this.cached = next;
    return next;
  }

  private async listing(folder: ViewFolder): Promise<FolderListing> {
    const cache = await this.cache();
    const key = 'month' in folder ? folder.month : UNDATED;
    let listing = cache.listings.get(key);
    if (!listing) {
      const files = await this.source.index.filesIn(this.source.mount, folder);
      // Code-unit order, the same on every database.
      files.sort((a, b) => a.captureMs - b.captureMs || compare(a.path.join('/'), b.path.join('/')));
      const entries = viewNames(files);
      const byRealFolder = new Map<string, { path: StorePath; byRealName: Map<string, ViewEntry> }>();
      for (const entry of entries) {
        const path = entry.file.path.slice(0, -1);
        const key = path.join('/');
        let folder = byRealFolder.get(key);
        if (!folder) byRealFolder.set(key, (folder = { path, byRealName: new Map() }));
        folder.byRealName.set(entry.file.path.at(-1) ?? '', entry);
      }
      listing = {
        entries,
        byName: new Map(entries.map((entry) => [entry.name, entry])),
        byRealFolder,
      };
      cache.listings.set(key, listing);
    }
    return listing;
  }

  /** The view folder a path names, or null when it names none. */
  private async folderAt(path: StorePath): Promise<{ folder: ViewFolder; summary: FolderSummary } | null> {
    const { folders } = await this.cache();
    if (path.length === 1 && path[0] === UNDATED) {
      const summary = folders.find((f) => f.month === null);
      return summary ? { folder: { undated: true }, summary } : null;
    }
    const [year, month] = path;
    const match = month === undefined ? null : MONTH.exec(month);
    if (path.length !== 2 || !match || match[1] !== year) return null;
    const summary = folders.find((f) => f.month === month);
    return summary ? { folder: { month }, summary } : null;
  }

  async stat(path: StorePath): Promise<ResourceInfo | null> {
    if (path.length === 0) return this.rootInfo();
    const { folders } = await this.cache();
    if (path.length === 1 && YEAR.test(path[0] ?? '')) {
      const months = folders.filter((f) => f.month?.startsWith(`${path[0]}-`));
      return months.length > 0 ? collection(path[0] ?? '', months) : null;
    }
    const folder = await this.folderAt(path);
    if (folder) return collection(path.at(-1) ?? '', [folder.summary]);
    const entry = await this.entryAt(path);
    if (!entry) return null;
    const info = await this.source.files.stat(entry.file.path);
    return info && !info.isCollection ? viewInfo(info, entry) : null;
  }

  async *list(path: StorePath, stamped?: (stamp: ListingStamp) => void): AsyncIterable<readonly ResourceInfo[]> {
    const { folders } = await this.cache();
    if (path.length === 0) {
      const years = new Map<string, FolderSummary[]>();
      for (const f of folders) {
        const key = f.month === null ? UNDATED : f.month.slice(0, 4);
        years.set(key, [...(years.get(key) ?? []), f]);
      }
      yield [...years].map(([name, summaries]) => collection(name, summaries));
      return;
    }
    if (path.length === 1 && YEAR.test(path[0] ?? '')) {
      yield folders.filter((f) => f.month?.startsWith(`${path[0]}-`)).map((f) => collection(f.month ?? '', [f]));
      return;
    }
    const folder = await this.folderAt(path);
    if (!folder) return;
    yield* this.filesOf(await this.listing(folder.folder), stamped);
  }

  async currentStamp(path: StorePath): Promise<ListingStamp | null> {
    const stampOfReal = this.source.files.currentStamp?.bind(this.source.files);
    const folder = stampOfReal && (await this.folderAt(path));
    if (!folder) return null;
    const listing = await this.listing(folder.folder);
    const known = this.stamps.get(listing);
    if (!known) return null;
    let i = 0;
    for (const { path: real } of listing.byRealFolder.values()) {
      if ((await stampOfReal(real)) !== known.real[i++]) return null;
    }
    return known.stamp;
  }

  /**
   * The real files behind a view folder, as their share's store describes
   * them now (a file deleted outside WebDAV since the last scan is left
   * out). Files are grouped by their real folder: a folder holding many of
   * them is listed once (a kept listing costs little), the others are
   * stat'ed one by one.
   */
  private async *filesOf(
    listing: FolderListing,
    stamped?: (stamp: ListingStamp) => void,
  ): AsyncIterable<readonly ResourceInfo[]> {
    const single: ViewEntry[] = [];
    const real: (ListingStamp | null)[] = [];
    for (const { path, byRealName } of listing.byRealFolder.values()) {
      if (byRealName.size < LIST_RATHER_THAN_STAT) {
        single.push(...byRealName.values());
        continue;
      }
      let vouched: ListingStamp | null = null;
      for await (const batch of this.source.files.list(path, (given) => (vouched = given))) {
        const found: ResourceInfo[] = [];
        for (const info of batch) {
          const entry = byRealName.get(info.name);
          if (entry && !info.isCollection) found.push(describedOnce(info, entry));
        }
        if (found.length > 0) yield found;
      }
      real.push(vouched);
    }
    const stated = await Promise.all(
      single.map(async (entry) => {
        const info = await this.source.files.stat(entry.file.path);
        return info && !info.isCollection ? viewInfo(info, entry) : null;
      }),
    );
    const found = stated.filter((info): info is ResourceInfo => info !== null);
    if (found.length > 0) yield found;
    // A file looked at on its own has no stamp: the view can vouch only for a month made of listings only.
    if (stamped && single.length === 0 && real.every((stamp) => stamp !== null)) {
      const known = this.stamps.get(listing);
      const same = known?.real.length === real.length && known.real.every((stamp, i) => stamp === real[i]);
      const record = same ? known : { real: real as ListingStamp[], stamp: Object.freeze({}) };
      this.stamps.set(listing, record);
      stamped(record.stamp);
    }
  }

  private async entryAt(path: StorePath): Promise<ViewEntry | null> {
    const folder = await this.folderAt(path.slice(0, -1));
    if (!folder) return null;
    return (await this.listing(folder.folder)).byName.get(path.at(-1) ?? '') ?? null;
  }

  private async rootInfo(): Promise<ResourceInfo | null> {
    const info = await this.source.files.stat([]);
    return info ? { ...info, name: '' } : null;
  }

  async open(path: StorePath): Promise<OpenFile | null> {
    if (path.length < 2 || (path.length === 2 && path[0] !== UNDATED)) {
      const info = await this.stat(path);
      return info && info.isCollection ? collectionFile(info) : null;
    }
    const entry = await this.entryAt(path);
    if (!entry) return null;
    const opened = await this.source.files.open(entry.file.path);
    if (!opened) return null;
    if (opened.info.isCollection) {
      opened.close();
      return null;
    }
    return {
      info: viewInfo(opened.info, entry),
      bytes: (span?: ByteSpan, consumer?: ChunkConsumer) => opened.bytes(span, consumer),
      stream: (span?: ByteSpan, consumer?: ChunkConsumer): Readable => opened.stream(span, consumer),
      close: () => opened.close(),
    };
  }

  quota(): Promise<Quota> {
    return this.source.files.quota();
  }

  prepare(): Promise<PreparedPath> {
    return Promise.reject(READ_ONLY);
  }
  write(): Promise<{ created: boolean; info: ResourceInfo }> {
    return Promise.reject(READ_ONLY);
  }
  makeCollection(): Promise<void> {
    return Promise.reject(READ_ONLY);
  }
  removeOne(): Promise<void> {
    return Promise.reject(READ_ONLY);
  }
  rename(): Promise<'renamed' | 'cross-device'> {
    return Promise.reject(READ_ONLY);
  }
  setModified(): Promise<void> {
    return Promise.reject(READ_ONLY);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function describedOnce(info: ResourceInfo, entry: ViewEntry): ResourceInfo {
  if (entry.described?.real === info) return entry.described.view;
  if (!Object.isFrozen(info)) return viewInfo(info, entry);
  const view = Object.freeze(viewInfo(info, entry));
  entry.described = { real: info, view };
  return view;
}

/** A real file as the view shows it: its view name, and its capture time as its creation date. */
function viewInfo(info: ResourceInfo, entry: ViewEntry): ResourceInfo {
  return { ...info, name: entry.name, created: new Date(entry.file.captureMs) };
}

function collection(name: string, summaries: readonly FolderSummary[]): ResourceInfo {
  const newest = Math.max(...summaries.map((s) => s.newestMtimeMs));
  const oldest = Math.min(...summaries.map((s) => s.oldestCaptureMs));
  return { name, isCollection: true, size: 0, modified: new Date(newest), created: new Date(oldest), etag: '' };
}
