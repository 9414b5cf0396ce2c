/**
 * What makes shares photo-aware (docs/photo-shares.md, docs/inbox.md), kept
 * in step with the settings: for every share with a date view or an inbox,
 * its capture-date index is scanned when the share appears and every
 * `webdav.media.scanminutes`, kept true after WebDAV writes (index-updates.ts),
 * and read by the share's date view (date-view-store.ts); every inbox has
 * its filer (plugin/inbox/), whose filings reach the index and the host's
 * media library as a WebDAV move would.
 */
import { join } from 'node:path';
import type { Knex } from 'knex';
import type { ShareSnapshot, Share } from '../config/shares.js';
import type { WebdavSettings } from '../config/settings.js';
import type { HostMedia, Logger } from '../host-api.js';
import { InboxFiler, type InboxEvent, type InboxStatus } from '../inbox/inbox-filer.js';
import type { LockManager } from '../locks/lock-manager.js';
import type { Store } from '../store/store.js';
import { onLocalDisk } from '../store/local-disk.js';
import { readCaptureTime } from './capture-time.js';
import { FolderWatch } from './folder-watch.js';
import { DateViewStore } from './date-view-store.js';
import { IndexUpdates } from './index-updates.js';
import { MediaIndex } from './media-index.js';
import { MediaScanner, type ScanStatus } from './media-scan.js';

export interface IndexStatus {
  readonly files: number;
  readonly undated: number;
  readonly scan: ScanStatus;
}

/** An inbox filing, for the audit log: what was moved (or dropped) where. */
export interface InboxRecord {
  readonly mount: string;
  readonly event: InboxEvent;
}

export interface PhotoSharesOptions {
  readonly exclusive: boolean;
  /** The host's media library: told of every filing. */
  readonly media: HostMedia;
  /** Whether a WebDAV lock covers a path: a locked file in an inbox is not filed. */
  readonly locks: Pick<LockManager, 'discover'>;
  /** Records a filing in the audit log, while it is on. */
  record(record: InboxRecord): void;
}

interface RunningInbox {
  /** What the filer was made from: a change makes a new one. */
  readonly key: string;
  readonly filer: InboxFiler;
}

/** How often an inbox is looked at: a few times per settle time, at least every 10 s. */
const inboxIntervalMs = (settleSeconds: number): number => Math.min(10_000, Math.max(1000, (settleSeconds * 1000) / 3));

/** Whether a share keeps a capture-date index: it has a date view or an inbox. */
function indexed(snapshot: ShareSnapshot, share: Share): boolean {
  return share.inbox !== undefined || [...snapshot.dateViews.values()].some((view) => view.dateViewOf === share.mount);
}

export class PhotoShares {
  private readonly index: MediaIndex;
  private readonly scanners = new Map<string, MediaScanner>();
  /** The folder watches of the indexed shares on a local disk. */
  private readonly watches = new Map<MediaScanner, FolderWatch>();
  private readonly updates: IndexUpdates;
  private readonly inboxes = new Map<string, RunningInbox>();
  /** The host's media library with the index told first. */
  private readonly media: HostMedia;
  private timer: NodeJS.Timeout | null = null;
  private intervalMinutes = 0;
  private stopped = false;

  constructor(
    db: Knex,
    private readonly log: Logger,
    private readonly options: PhotoSharesOptions,
  ) {
    this.index = new MediaIndex(db, { exclusive: options.exclusive });
    this.updates = new IndexUpdates(this.index, () => this.scanners.values(), log);
    this.media = this.updates.wrap(options.media);
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
        this.watches.get(scanner)?.close();
        this.watches.delete(scanner);
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
      void this.watchAndScan(scanner);
    }
    this.schedule(snapshot.settings.mediaScanMinutes);
    this.applyInboxes(snapshot);
  }

  /** On a local disk, the first scan starts a watch on every folder it walks; then it scans. */
  private async watchAndScan(scanner: MediaScanner): Promise<void> {
    const { root, mount } = scanner.target;
    if ((await onLocalDisk(root)) && this.scanners.get(mount) === scanner && !this.stopped) {
      const watch: FolderWatch = new FolderWatch(
        root,
        mount,
        (paths) => this.updates.heard(scanner, paths, (gone) => watch.unwatchUnder(gone)),
        this.log,
      );
      this.watches.set(scanner, watch);
      scanner.onFolder = (folder) => watch.watch(folder);
    }
    await scanner.scan();
  }

  private applyInboxes(snapshot: ShareSnapshot): void {
    const { settings } = snapshot;
    const keys = new Map<string, [Share, string]>();
    for (const share of snapshot.shares.values()) {
      if (!share.inbox) continue;
      const key = JSON.stringify([share.root, share.inbox, settings.inboxSettleSeconds, settings.zipLimits]);
      keys.set(share.mount, [share, key]);
    }
    for (const [mount, running] of this.inboxes) {
      if (keys.get(mount)?.[1] === running.key) continue;
      this.inboxes.delete(mount);
      void running.filer.stop();
    }
    for (const [mount, [share, key]] of keys) {
      if (this.inboxes.has(mount)) continue;
      const filer = this.inboxFiler(share, settings);
      this.inboxes.set(mount, { key, filer });
      filer.start(inboxIntervalMs(settings.inboxSettleSeconds)).catch((error: unknown) => {
        this.log.error(
          { err: error, mount },
          `WebDAV inbox of "${mount}" could not be started: its folder ${share.inbox?.join('/')} cannot be made`,
        );
      });
    }
  }

  private inboxFiler(share: Share, settings: WebdavSettings): InboxFiler {
    const { mount, root } = share;
    return new InboxFiler({
      root,
      inbox: share.inbox ?? [],
      settleMs: settings.inboxSettleSeconds * 1000,
      zipLimits: settings.zipLimits,
      isLocked: async (path) => (await this.options.locks.discover({ mount, path })).length > 0,
      captureTime: (file, modified, name) => readCaptureTime(file, modified, undefined, name),
      onEvent: (event) => this.filed(share, event),
      log: this.log,
    });
  }

  /** A filing reaches the index and the host's media library as a WebDAV MOVE would, and the audit log. */
  private filed(share: Share, event: InboxEvent): void {
    const at = (path: readonly string[]) => join(share.root, ...path);
    const fromZip = event.member !== undefined;
    if (event.kind === 'filed') {
      if (!fromZip) this.media.removed(at(event.from));
      if (event.to) this.media.changed(at(event.to));
    } else if (event.kind === 'duplicate') {
      if (!fromZip) this.media.removed(at(event.from));
      this.log.info(
        { mount: share.mount, from: event.from.join('/'), member: event.member, to: event.to?.join('/') },
        `WebDAV inbox of "${share.mount}": dropped ${event.from.join('/')}${fromZip ? ` (${event.member})` : ''}, ` +
          `the same file is already at ${event.to?.join('/') ?? 'its place'}`,
      );
    } else if (event.kind === 'unzipped') {
      this.media.removed(at(event.from));
    }
    this.options.record({ mount: share.mount, event });
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

  /** Stops scanning and filing; resolves once an inbox pass under way is over. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.scanners.clear();
    for (const watch of this.watches.values()) watch.close();
    this.watches.clear();
    const filers = [...this.inboxes.values()].map((running) => running.filer.stop());
    this.inboxes.clear();
    await Promise.all(filers);
  }

  /** The host's media library as the WebDAV methods should see it: the index hears every change first. */
  hostMedia(): HostMedia {
    return this.media;
  }

  /** For the admin page: null when the share has no inbox. */
  inboxStatus(mount: string): Promise<InboxStatus | null> {
    return this.inboxes.get(mount)?.filer.status() ?? Promise.resolve(null);
  }

  /** The store of a date view, over the store of its share. */
  viewStore(view: Share, files: Store): Store {
    const mount = view.dateViewOf ?? view.mount;
    return new DateViewStore({ mount, index: this.index, files, settled: () => this.updates.settled(mount) });
  }

  /** Scans the share now (tests, and the admin's "scan now"); resolves when done. */
  async scanNow(mount: string): Promise<void> {
    await this.scanners.get(mount)?.scanAfresh();
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
