/**
 * One activation of the plugin: everything `activate` starts and
 * `deactivate` must stop. Settings changes rebuild the share snapshot in
 * place; requests read whichever snapshot is current.
 */
import type { Knex } from 'knex';
import type { Host } from './host-api.js';
import { Authenticator } from './access/authenticator.js';
import { isWebdavTarget, webdavFilter } from './access/webdav-filter.js';
import type { ShareDirectory } from './access/share-resolver.js';
import { AuditLog, auditFilter } from './access/audit.js';
import {
  dateViewGroupDescription,
  loadShares,
  shareGroupDescription,
  type Share,
  type ShareSnapshot,
} from './config/shares.js';
import type { DavServices } from './dav/context.js';
import { dispatch } from './dav/dispatch.js';
import { answerOptions } from './dav/methods/options.js';
import { FsStore } from './store/fs-store.js';
import { migrate } from './store/migrations.js';
import { sweepTemporaryFiles } from './store/temporary-sweeper.js';
import type { Store } from './store/store.js';
import { KnexDeadProperties } from './props/knex-dead-properties.js';
import { KnexLockManager } from './locks/knex-lock-manager.js';
import { registerApi, registerUi } from './api/index.js';
import { PhotoShares } from './media/photo-shares.js';
import { inboxAuditEntry } from './access/inbox-audit.js';

/** How often expired locks are deleted from webdav_locks. */
const LOCK_PURGE_INTERVAL_MS = 60_000;

const SWEEP_INTERVAL_MS = 6 * 3600_000;

/**
 * Whether no other process writes the plugin's tables: true for SQLite, the
 * embedded database one host process owns (docs/architecture.md); false for
 * a server database (PostgreSQL), which several instances may share. On an
 * exclusive database the lock checks of the write path and the clearing of
 * dead properties may trust what this process keeps in memory
 * (plugin/locks/knex-lock-manager.ts, plugin/props/knex-dead-properties.ts).
 * A client given as a class rather than a name is not recognised: shared.
 */
export function isExclusiveDatabase(db: Knex): boolean {
  const client: unknown = db.client.config.client;
  return client === 'sqlite3' || client === 'sqlite' || client === 'better-sqlite3';
}

export interface ActivationOptions {
  /** How a share's store is made; tests swap in one that fails on purpose. */
  readonly storeFactory?: (root: string, host: Host) => Store;
}

interface StoreEntry {
  readonly root: string;
  readonly store: Store;
  /** A date view's: the store of its share it reads through (replaced with it). */
  readonly files?: Store;
}

export class Activation {
  private snapshot!: ShareSnapshot;
  private readonly stores = new Map<string, StoreEntry>();
  private readonly stopListening: () => void;
  private reloading: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly authenticator: Authenticator;
  private readonly locks: KnexLockManager;
  private readonly deadProperties: KnexDeadProperties;
  /** Deletes expired locks now and then; they never count anyway, this only keeps the table small. */
  private purgeTimer: NodeJS.Timeout | null = null;
  /** Sweeps leftover temporary upload files out of every share now and then. */
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly swept = new Set<string>();
  /** Present while `user.log.webdav=true`. */
  private audit: AuditLog | null = null;
  /** Date views, inboxes and the capture-date index they share. */
  private readonly photos: PhotoShares;

  private constructor(
    private readonly host: Host,
    private readonly options: ActivationOptions,
  ) {
    const exclusive = isExclusiveDatabase(host.db);
    this.authenticator = new Authenticator(host.users, host.groups, undefined, exclusive ? undefined : host.db);
    this.locks = new KnexLockManager(host.db, { exclusive });
    this.deadProperties = new KnexDeadProperties(host.db, { exclusive });
    this.photos = new PhotoShares(host.db, host.log, {
      exclusive,
      media: host.media,
      locks: this.locks,
      record: ({ mount, event }) => this.audit?.record(inboxAuditEntry(mount, event)),
    });
    this.stopListening = host.settings.onChange(() => void this.reloadSoon());
  }

  /** Rebuilds the snapshot after the reloads already queued; resolves once it is in place. */
  private reloadSoon(): Promise<void> {
    this.reloading = this.reloading
      .then(() => this.reload())
      .catch((error: unknown) => {
        this.host.log.error({ err: error }, 'WebDAV settings could not be applied');
      });
    return this.reloading;
  }

  static async start(host: Host, options: ActivationOptions = {}): Promise<Activation> {
    const activation = new Activation(host, options);
    try {
      await migrate(host.db);
      await activation.reload();
      activation.mount();
    } catch (error) {
      activation.stop();
      throw error;
    }
    return activation;
  }

  stop(): void {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    this.purgeTimer = null;
    this.stopListening();
    const photos = this.photos.stop();
    this.closeStores(() => true);
    this.reloading = this.reloading.then(async () => {
      await photos;
      await this.applyAuditSetting(false);
    });
  }

  /** Closes and forgets the stores `drop` picks (their file-system watchers stop; requests under way still finish). */
  private closeStores(drop: (mount: string, entry: StoreEntry) => boolean): void {
    for (const [mount, entry] of this.stores) {
      if (!drop(mount, entry)) continue;
      this.stores.delete(mount);
      entry.store.close();
    }
  }

  /** Waits for any settings reload under way (tests and shutdown use it). */
  settled(): Promise<void> {
    return this.reloading;
  }

  /** The audit log while it is switched on (the admin page reads it). */
  auditLog(): AuditLog | null {
    return this.audit;
  }

  private async applyAuditSetting(enabled: boolean): Promise<void> {
    if (enabled && !this.audit) {
      this.audit = new AuditLog(this.host.db, this.host.log, () => this.snapshot.settings.auditDays);
    } else if (!enabled && this.audit) {
      const audit = this.audit;
      this.audit = null;
      await audit.stop();
    }
  }

  private mount(): void {
    const services: DavServices = {
      log: this.host.log,
      media: this.photos.hostMedia(),
      snapshot: () => this.snapshot,
      deadProperties: this.deadProperties,
      locks: this.locks,
    };
    const directory: ShareDirectory = {
      snapshot: () => this.snapshot,
      storeOf: (share: Share) => this.storeOf(share),
      isMember: (user, group) => this.authenticator.isMember(user, group),
    };
    this.startPurgingLocks();
    this.host.filters.register(auditFilter(() => this.audit, isWebdavTarget));
    this.host.filters.register(webdavFilter(this.authenticator, directory, services));
    this.host.router.all('/webdav{/*path}', dispatch);
    // Windows probes the server root, whatever path was mapped, before it sends credentials.
    this.host.router.options('/', (ctx) => answerOptions(ctx));
    // The admin page and About control, and their JSON API under /api/plugins/webdav/.
    registerApi({
      host: this.host,
      snapshot: () => this.snapshot,
      storeOf: (share) => this.storeOf(share),
      settled: () => this.settled(),
      recheck: () => this.reloadSoon(),
      auditLog: () => this.audit,
      locks: this.locks,
      photoStatus: async (mount) => ({
        index: await this.photos.status(mount),
        inbox: await this.photos.inboxStatus(mount),
      }),
      scanNow: (mount) => this.photos.scanNow(mount),
    });
    registerUi(this.host);
  }

  private startPurgingLocks(): void {
    let running = false;
    this.purgeTimer = setInterval(() => {
      // Another instance may purge the same rows at the same time: harmless.
      if (running || this.stopped) return;
      running = true;
      Promise.all([this.locks.purgeExpired(), this.authenticator.purgeSharedThrottle()])
        .catch((error: unknown) =>
          this.host.log.warn({ err: error }, 'WebDAV: expired locks or login records could not be purged'),
        )
        .finally(() => (running = false));
    }, LOCK_PURGE_INTERVAL_MS);
    // Never the reason the process stays up.
    this.purgeTimer.unref();
  }

  private storeOf(share: Share): Store {
    const viewed = share.dateViewOf === undefined ? undefined : this.snapshot.shares.get(share.dateViewOf);
    const files = viewed && this.storeOf(viewed);
    let entry = this.stores.get(share.mount);
    if (!entry || entry.root !== share.root || entry.files !== files) {
      entry?.store.close();
      const store = files
        ? this.photos.viewStore(share, files)
        : (this.options.storeFactory?.(share.root, this.host) ?? new FsStore(share.root, this.host.log));
      entry = { root: share.root, store, ...(files ? { files } : {}) };
      this.stores.set(share.mount, entry);
      // A request that arrives while the plugin stops gets a store that watches nothing.
      if (this.stopped) this.closeStores((mount) => mount === share.mount);
    }
    return entry.store;
  }

  /**
   * Each share is swept once when it first appears (not awaited: start-up
   * must not wait for a tree walk), and every share every few hours.
   */
  private sweepNewShares(): void {
    for (const share of this.snapshot.shares.values()) {
      if (this.swept.has(share.root)) continue;
      this.swept.add(share.root);
      void sweepTemporaryFiles(share.root, this.host.log);
    }
    this.sweepTimer ??= setInterval(() => {
      for (const share of this.snapshot.shares.values()) void sweepTemporaryFiles(share.root, this.host.log);
    }, SWEEP_INTERVAL_MS).unref();
  }

  private async reload(): Promise<void> {
    if (this.stopped) return;
    const snapshot = await loadShares(this.host.settings.all());
    for (const problem of snapshot.problems) {
      const entry = { key: problem.key, mount: problem.mount };
      const text = `WebDAV setting ${problem.key}: ${problem.message}`;
      if (problem.severity === 'error') this.host.log.error(entry, text);
      else if (problem.severity === 'warning') this.host.log.warn(entry, text);
      else this.host.log.info(entry, text);
    }
    for (const share of snapshot.shares.values()) {
      await this.host.groups.ensure(share.group, shareGroupDescription(share.mount));
    }
    for (const view of snapshot.dateViews.values()) {
      await this.host.groups.ensure(view.group, dateViewGroupDescription(view.mount));
    }
    const mounts = new Set(snapshot.shares.keys());
    const served = new Set([...mounts, ...snapshot.dateViews.keys()]);
    this.closeStores((mount) => !served.has(mount));
    this.snapshot = snapshot;
    this.photos.apply(snapshot);
    this.sweepNewShares();
    await this.applyAuditSetting(snapshot.settings.auditEnabled);
    const views = [...snapshot.dateViews.values()].map((view) => `${view.mount} (date view of ${view.dateViewOf})`);
    this.host.log.info(
      { shares: [...mounts], dateViews: [...snapshot.dateViews.keys()] },
      `WebDAV shares: ${[...mounts, ...views].join(', ') || 'none'}`,
    );
  }
}
