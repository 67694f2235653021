/**
 * A trailing window of the last `size` values kept both in arrival order (a ring) and sorted, so
 * the median and the MAD of the window cost O(size) per point instead of a sort.
 */

/** The last `size` values of a series, with their median and median absolute deviation. */
export class RollingWindow {
  private readonly ring: Float64Array;
  private readonly sorted: number[] = [];
  private head = 0;

  constructor(readonly size: number) {
    this.ring = new Float64Array(size);
  }

  /** Values in the window. */
  get count(): number {
    return this.sorted.length;
  }

  /** Adds a value, dropping the oldest once full. */
  push(x: number): void {
    if (this.sorted.length === this.size) {
      const old = this.ring[this.head]!;
      this.sorted.splice(lowerBound(this.sorted, old), 1);
    }
    this.ring[this.head] = x;
    this.head = (this.head + 1) % this.size;
    this.sorted.splice(lowerBound(this.sorted, x), 0, x);
  }

  /** The median (NaN when empty). */
  median(): number {
    return medianOfSorted(this.sorted);
  }

  /** The median absolute deviation from `center`: a two-pointer walk outwards over the sorted values. */
  mad(center: number): number {
    const s = this.sorted;
    const n = s.length;
    if (n === 0) return NaN;
    let hi = lowerBound(s, center);
    let lo = hi - 1;
    const want = (n - 1) / 2;
    let prev = 0;
    // The k-th smallest |x - center| is found by merging the two sides of center.
    for (let k = 0; k <= Math.ceil(want); k++) {
      const dl = lo >= 0 ? center - s[lo]! : Infinity;
      const dh = hi < n ? s[hi]! - center : Infinity;
      const d = dl <= dh ? dl : dh;
      if (dl <= dh) lo--; else hi++;
      if (k === Math.floor(want) && want === Math.floor(want)) return d;
      if (k === Math.ceil(want)) return (prev + d) / 2;
      prev = d;
    }
    return prev;
  }

  /** The values oldest first, for a checkpoint. */
  values(): number[] {
    const out: number[] = [];
    const n = this.sorted.length;
    const start = n < this.size ? 0 : this.head;
    for (let i = 0; i < n; i++) out.push(this.ring[(start + i) % this.size]!);
    return out;
  }
}

/** The median of sorted values. */
export function medianOfSorted(s: readonly number[]): number {
  const n = s.length;
  if (n === 0) return NaN;
  const m = n >> 1;
  return n % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The first index whose value is >= x. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}
