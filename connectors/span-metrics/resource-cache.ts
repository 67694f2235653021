/**
 * otelcol's resource cache for span metrics: an LRU of `size` resources whose evicted entries are
 * kept until the next flush, so a resource pushed out between two flushes still has its points
 * exported once (and comes back whole if it is seen again before that flush).
 */

/** An LRU (oldest first) plus what it evicted since the last `removeEvicted`. */
export class ResourceCache<V> {
  private readonly lru = new Map<string, V>();
  private readonly evicted = new Map<string, V>();

  constructor(private readonly size: number) {}

  /** The value for `key`, from the LRU or revived from the evicted ones; marks it most recently used. */
  get(key: string): V | undefined {
    const v = this.lru.get(key);
    if (v !== undefined) {
      this.lru.delete(key);
      this.lru.set(key, v);
      return v;
    }
    const e = this.evicted.get(key);
    if (e !== undefined) {
      this.evicted.delete(key);
      this.add(key, e);
    }
    return e;
  }

  /** Adds (or refreshes) `key`; the least recently used entry beyond `size` moves to the evicted ones. */
  add(key: string, value: V): void {
    this.lru.delete(key);
    this.lru.set(key, value);
    if (this.lru.size > this.size) {
      const [oldest, old] = this.lru.entries().next().value as [string, V];
      this.lru.delete(oldest);
      this.evicted.set(oldest, old);
    }
  }

  /** Removes `key` from the LRU. */
  remove(key: string): void {
    this.lru.delete(key);
  }

  /** Forgets the evicted entries (after a flush exported them). */
  removeEvicted(): void {
    this.evicted.clear();
  }

  /** Forgets everything (delta temporality, after each flush). */
  purge(): void {
    this.lru.clear();
    this.evicted.clear();
  }

  /** The LRU's entries (oldest first) and the evicted ones apart, for a checkpoint. */
  parts(): { lru: Array<[string, V]>; evicted: Array<[string, V]> } {
    return { lru: [...this.lru], evicted: [...this.evicted] };
  }

  /** Replaces everything with `lru` (oldest first) and `evicted`, as `parts` gave them. */
  restore(lru: ReadonlyArray<[string, V]>, evicted: ReadonlyArray<[string, V]>): void {
    this.purge();
    for (const [k, v] of lru) this.lru.set(k, v);
    for (const [k, v] of evicted) this.evicted.set(k, v);
  }

  /** Every entry: the LRU's, oldest first, then the evicted ones. */
  entries(): Array<[string, V]> {
    return [...this.lru, ...this.evicted];
  }

  /** Entries in the LRU and evicted. */
  get length(): number {
    return this.lru.size + this.evicted.size;
  }
}
