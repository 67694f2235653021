/**
 * A trailing window of the last `size` values, kept sorted, so the median and the MAD of the window
 * cost O(size) per point instead of a sort. Memory is one double and one small integer per value:
 * beside each sorted value its position in arrival order, so the oldest is found without a second
 * copy of the values (a ring).
 */

/** The last `size` values of a series, with their median and median absolute deviation. */
export class RollingWindow {
  /** The values, ascending, in [0, n). */
  private readonly sorted: Float64Array;
  /** For sorted[k], its slot in arrival order (a ring of `size` slots). */
  private readonly slot: Uint16Array | Uint32Array;
  private n = 0;
  /** The slot the next value takes: once full, the oldest value's. */
  private head = 0;

  constructor(readonly size: number) {
    this.sorted = new Float64Array(size);
    this.slot = size <= 0xffff ? new Uint16Array(size) : new Uint32Array(size);
  }

  /** Values in the window. */
  get count(): number {
    return this.n;
  }

  /** Adds a value, dropping the oldest once full. */
  push(x: number): void {
    const s = this.sorted;
    const slot = this.slot;
    if (this.n === this.size) {
      // The oldest holds the head slot: remove it (any copy of an equal value leaves the same values).
      let k = 0;
      while (slot[k] !== this.head) k++;
      s.copyWithin(k, k + 1, this.n);
      slot.copyWithin(k, k + 1, this.n);
      this.n--;
    }
    const at = lowerBound(s, this.n, x);
    s.copyWithin(at + 1, at, this.n);
    slot.copyWithin(at + 1, at, this.n);
    s[at] = x;
    slot[at] = this.head;
    this.n++;
    this.head = (this.head + 1) % this.size;
  }

  /** The median (NaN when empty). */
  median(): number {
    return medianOfSorted(this.sorted, this.n);
  }

  /** The median absolute deviation from `center`: a two-pointer walk outwards over the sorted values. */
  mad(center: number): number {
    const s = this.sorted;
    const n = this.n;
    if (n === 0) return NaN;
    let hi = lowerBound(s, n, center);
    let lo = hi - 1;
    const want = (n - 1) / 2;
    const below = Math.floor(want);
    const above = Math.ceil(want);
    let prev = 0;
    // The k-th smallest |x - center| is found by merging the two sides of center.
    for (let k = 0; k <= above; k++) {
      const dl = lo >= 0 ? center - s[lo]! : Infinity;
      const dh = hi < n ? s[hi]! - center : Infinity;
      const d = dl <= dh ? dl : dh;
      if (dl <= dh) lo--; else hi++;
      if (k === below && want === below) return d;
      if (k === above) return (prev + d) / 2;
      prev = d;
    }
    return prev;
  }

  /** The values oldest first, for a checkpoint. */
  values(): number[] {
    const n = this.n;
    const byArrival = new Array<number>(n);
    // Before the window is full slots 0..n-1 are in arrival order; after, the oldest is at head.
    const first = n < this.size ? 0 : this.head;
    for (let k = 0; k < n; k++) byArrival[(this.slot[k]! - first + this.size) % this.size] = this.sorted[k]!;
    return byArrival;
  }
}

/** The median of the first `n` sorted values (all of them by default). */
export function medianOfSorted(s: ArrayLike<number>, n = s.length): number {
  if (n === 0) return NaN;
  const m = n >> 1;
  return n % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The first index in [0, n) whose value is >= x. */
function lowerBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}
