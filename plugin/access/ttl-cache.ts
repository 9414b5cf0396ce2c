/**
 * A small map whose entries expire. Used for answers the host gave us about
 * users and groups: anything cached about them must expire within 5
 * seconds (docs/architecture.md), because the host's CLI changes them from another
 * process without telling us.
 *
 * Concurrent lookups of the same missing key share one computation, so a burst
 * of requests with the same credentials runs bcrypt once, not once each.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly pending = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string, compute: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) return hit.value;
    if (hit) this.entries.delete(key);
    const running = this.pending.get(key);
    if (running) return running;
    const computing = compute().then(
      (value) => {
        this.pending.delete(key);
        this.store(key, value);
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

  /** The cached value, or undefined when there is none (or it expired). */
  peek(key: string): V | undefined {
    const hit = this.entries.get(key);
    return hit && hit.expires > this.now() ? hit.value : undefined;
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private store(key: string, value: V): void {
    if (this.entries.size >= this.maxEntries) this.evict();
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
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
