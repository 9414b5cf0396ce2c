/**
 * What makes shares photo-aware (docs/photo-shares.md), kept in step with
 * the settings: for every share with a date view or an inbox, its
 * capture-date index is scanned when the share appears and every
 * `webdav.media.scanminutes`, kept true after WebDAV writes (index-updates.ts),
 * and read by the share's date view (date-view-store.ts).
 */
import type { Knex } from 'knex';
import type { ShareSnapshot, Share } from '../config/shares.js';
import type { HostMedia, Logger } from '../host-api.js';
import type { Store } from '../store/store.js';
import { DateViewStore } from './date-view-store.js';
import { IndexUpdates } from './index-updates.js';
import { MediaIndex } from './media-index.js';
import { MediaScanner, type ScanStatus } from './media-scan.js';

export interface IndexStatus {
  readonly files: number;
  readonly undated: number;
  readonly scan: ScanStatus;
}

/** Whether a share keeps a capture-date index: it has a date view or an inbox. */
function indexed(snapshot: ShareSnapshot, share: Share): boolean {
  return share.inbox !== undefined || [...snapshot.dateViews.values()].some((view) => view.dateViewOf === share.mount);
}

export class PhotoShares {
  readonly index: MediaIndex;
  private readonly scanners = new Map<string, MediaScanner>();
  private readonly updates: IndexUpdates;
  private timer: NodeJS.Timeout | null = null;
  private intervalMinutes = 0;
  private stopped = false;

  constructor(
    db: Knex,
    private readonly log: Logger,
    options: { readonly exclusive: boolean },
  ) {
    this.index = new MediaIndex(db, options);
    this.updates = new IndexUpdates(this.index, () => this.scanners.values(), log);
  }

  /** Follows a new snapshot: new indexed shares are scanned now (in the background), gone ones forgotten. */
  apply(snapshot: ShareSnapshot): void {
    if (this.stopped) return;
    const wanted = new Map<string, Share>();
    for (const share of snapshot.shares.values()) if (indexed(snapshot, share)) wanted.set(share.mount, share);
    for (const [mount, scanner] of this.scanners) {
      const share = wanted.get(mount);
      if (!share || share.root !== scanner.target.root || !sameFolders(share.inbox, scanner.target.excluded)) {
        this.scanners.delete(mount);
      }
    }
    for (const share of wanted.values()) {
      if (this.scanners.has(share.mount)) continue;
      const scanner = new MediaScanner(
        this.index,
        { mount: share.mount, root: share.root, excluded: share.inbox ? [share.inbox] : [] },
        this.log,
      );
      this.scanners.set(share.mount, scanner);
      void scanner.scan();
    }
    this.schedule(snapshot.settings.mediaScanMinutes);
  }

  private schedule(minutes: number): void {
    if (this.timer && minutes === this.intervalMinutes) return;
    if (this.timer) clearInterval(this.timer);
    this.intervalMinutes = minutes;
    this.timer = setInterval(() => {
      for (const scanner of this.scanners.values()) void scanner.scan();
    }, minutes * 60_000);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.scanners.clear();
  }

  /** The host's media library as the WebDAV methods should see it: the index hears every change first. */
  media(host: HostMedia): HostMedia {
    return this.updates.wrap(host);
  }

  /** The store of a date view, over the store of its share. */
  viewStore(view: Share, files: Store): Store {
    const mount = view.dateViewOf ?? view.mount;
    return new DateViewStore({ mount, index: this.index, files, settled: () => this.updates.settled(mount) });
  }

  /** Scans the share now (tests, and the admin's "scan now"); resolves when done. */
  async scanNow(mount: string): Promise<void> {
    await this.scanners.get(mount)?.scan();
  }

  /** For the admin page: null when the share keeps no index. */
  async status(mount: string): Promise<IndexStatus | null> {
    const scanner = this.scanners.get(mount);
    if (!scanner) return null;
    return { ...(await this.index.counts(mount)), scan: scanner.status() };
  }
}

function sameFolders(inbox: readonly string[] | undefined, excluded: readonly (readonly string[])[]): boolean {
  const [only] = excluded;
  if (!inbox || !only) return !inbox && !only;
  return inbox.join('/') === only.join('/');
}
