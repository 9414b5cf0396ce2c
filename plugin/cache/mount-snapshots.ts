/**
 * Per share mount, one snapshot of what the database holds for it, loaded
 * with one query and kept for a short while, so that requests that have
 * nothing to find (a photo folder without locks or dead properties) find
 * that out without a database round trip.
 *
 * - A snapshot is kept for `ttlMs` after its query was sent. Its users keep
 *   one only on a database no other process writes (docs/architecture.md);
 *   the expiry bounds what a write behind their back (a restored backup,
 *   an administrator's SQL) can leave stale. This process's own writes call
 *   invalidate() or update() once committed.
 * - Concurrent requests for a mount that has no fresh snapshot share one
 *   load: a burst after expiry costs one query, not one per request.
 * - A write beats a load under way: invalidate() and update() forget the
 *   load, which then answers the requests that were waiting for it (they ran
 *   concurrently with the write, either state is right for them) but is not
 *   kept, since it may have read the database before the write committed.
 * - A loader answers `null` when the mount holds too much to keep in memory:
 *   its callers ask the database instead. That mark stays `overflowTtlMs`
 *   even across writes; it holds no data that could go stale, and counting
 *   again after every write would cost more than it saves.
 *
 * Locks (plugin/locks/) and dead properties (plugin/props/) both use it; it
 * lives below both because they may not import each other.
 */

export interface MountSnapshotsOptions {
  /** How long a snapshot is believed, from the moment its query was sent. */
  readonly ttlMs: number;
  /** How long a mount found too big is asked about with queries before it is counted again. */
  readonly overflowTtlMs: number;
  /** The clock, in ms since the epoch. */
  readonly now: () => number;
}

interface Entry<T> {
  readonly value: T | null;
  readonly expires: number;
}

export class MountSnapshots<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly loading = new Map<string, Promise<T | null>>();

  constructor(
    private readonly load: (mount: string) => Promise<T | null>,
    private readonly options: MountSnapshotsOptions,
  ) {}

  /** The mount's snapshot, or null when it is too big to keep (ask the database). */
  get(mount: string): Promise<T | null> {
    const now = this.options.now();
    const entry = this.entries.get(mount);
    if (entry && entry.expires > now) return Promise.resolve(entry.value);
    return this.loading.get(mount) ?? this.start(mount, now);
  }

  /** After a write to the mount: the next request loads a new snapshot (a mount found too big stays so). */
  invalidate(mount: string): void {
    this.loading.delete(mount);
    if (this.entries.get(mount)?.value !== null) this.entries.delete(mount);
  }

  /** After a write that may have touched any mount. */
  invalidateAll(): void {
    for (const mount of [...this.entries.keys(), ...this.loading.keys()]) this.invalidate(mount);
  }

  /**
   * After a write the snapshot can follow by itself: `change` gets the kept
   * snapshot (it may change it in place) and returns what to keep, or null
   * when it grew too big. No snapshot kept: nothing to do, the next load
   * reads the write.
   */
  update(mount: string, change: (snapshot: T) => T | null): void {
    this.loading.delete(mount);
    const entry = this.entries.get(mount);
    if (!entry || entry.value === null) return;
    const value = change(entry.value);
    this.entries.set(mount, {
      value,
      expires: value === null ? this.options.now() + this.options.overflowTtlMs : entry.expires,
    });
  }

  private start(mount: string, sent: number): Promise<T | null> {
    const loading: Promise<T | null> = this.load(mount).then(
      (value) => {
        if (this.loading.get(mount) === loading) {
          this.loading.delete(mount);
          this.keep(mount, {
            value,
            expires: sent + (value === null ? this.options.overflowTtlMs : this.options.ttlMs),
          });
        }
        return value;
      },
      (error: unknown) => {
        if (this.loading.get(mount) === loading) this.loading.delete(mount);
        throw error;
      },
    );
    this.loading.set(mount, loading);
    return loading;
  }

  /** Keeps an entry, dropping expired ones (mounts removed from the settings are never asked for again). */
  private keep(mount: string, entry: Entry<T>): void {
    const now = this.options.now();
    for (const [other, { expires }] of this.entries) if (expires <= now) this.entries.delete(other);
    this.entries.set(mount, entry);
  }
}
