/**
 * A small map whose entries expire. Used for answers the host gave us about
 * users and groups: anything cached about them must expire within 5
 * seconds (docs/architecture.md), because the host's CLI changes them from another
 * process without telling us.
 *
 * Concurrent lookups of the same missing key share one computation, so a burst
 * of requests with the same credentials runs bcrypt once, not once each.
 *
 * An entry in use is computed again in the background once it is older than
 * `refreshAfterMs`, while the old value is still served: a busy client then
 * never waits for bcrypt (~60 ms) every few seconds, and nothing served is
 * older than `ttlMs`, since an entry that was not refreshed in time expires
 * as before and the next lookup waits for a fresh answer.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number; refreshAt: number }>();
  private readonly pending = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
    private readonly refreshAfterMs: number = Math.round(ttlMs * 0.6),
  ) {}

  async get(key: string, compute: () => Promise<V>): Promise<V> {
    const hit = this.peek(key, compute);
    if (hit !== undefined) return hit;
    const running = this.pending.get(key);
    if (running) return running;
    return this.start(key, compute);
  }

  /**
   * The cached value, or undefined when there is none (or it expired). With
   * `refresh`, an entry due for it is computed again in the background.
   */
  peek(key: string, refresh?: () => Promise<V>): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    const now = this.now();
    if (hit.expires <= now) {
      this.entries.delete(key);
      return undefined;
    }
    if (refresh && now >= hit.refreshAt && !this.pending.has(key)) {
      // A failed refresh keeps the old value until it expires.
      this.start(key, refresh).catch(() => undefined);
    }
    return hit.value;
  }

  private start(key: string, compute: () => Promise<V>): Promise<V> {
    // An answer is as old as the question: it expires counting from when the computation began.
    const begun = this.now();
    const computing = compute().then(
      (value) => {
        this.pending.delete(key);
        this.store(key, value, begun);
        return value;
      },
      (error: unknown) => {
        this.pending.delete(key);
        throw error;
      },
    );
    this.pending.set(key, computing);
    return computing;
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private store(key: string, value: V, begun: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.evict();
    this.entries.set(key, { value, expires: begun + this.ttlMs, refreshAt: begun + this.refreshAfterMs });
  }

  /** Drops expired entries; if none expired, drops the oldest tenth (Map keeps insertion order). */
  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
    if (this.entries.size < this.maxEntries) return;
    let toDrop = Math.max(1, Math.floor(this.maxEntries / 10));
    for (const key of this.entries.keys()) {
      if (toDrop-- <= 0) break;
      this.entries.delete(key);
    }
  }
}
