/**
 * A trailing window of the last `size` values, kept sorted, so the median and the MAD of the window
 * cost O(size) per point instead of a sort. Memory is one single (float32) and one small integer
 * per value: beside each sorted value its position in arrival order, so the oldest is found without
 * a second copy of the values (a ring). Both live in a region of the series model's block (block.ts).
 *
 * Why singles: the window is 9/10 of a model without the forest, and robust_z's scale is never
 * below 1e-3 of the level (detector.ts, safeScale), while rounding to a single moves a value by at
 * most 6e-8 of itself: a z-score moves by at most ~6e-5. NAB's events are unchanged by it (the
 * per-row scores move in their last digits).
 */
import { Block, type Needs } from './block.js';

/** The last `size` values of a series, with their median and median absolute deviation. */
export class RollingWindow {
  /** The values (rounded to singles), ascending, in s[b, b + n). */
  private readonly s: Float32Array;
  private readonly b: number;
  /** For s[b + k], its slot in arrival order (a ring of `size` slots), at slot[c + k]. */
  private readonly slot: Uint16Array | Uint32Array;
  private readonly c: number;
  private n = 0;
  /** The slot the next value takes: once full, the oldest value's. */
  private head = 0;

  /** What a window of `size` takes from a block. */
  static needs(size: number): Needs {
    return { f: 0, g: size, u: size };
  }

  /** Whether a window of `size` needs 32-bit integers in its block. */
  static wide(size: number): boolean {
    return size > 0xffff;
  }

  constructor(readonly size: number, block = Block.alone(RollingWindow.needs(size), RollingWindow.wide(size))) {
    this.s = block.g;
    this.b = block.takeG(size);
    this.slot = block.u;
    this.c = block.takeU(size);
  }

  /** Values in the window. */
  get count(): number {
    return this.n;
  }

  /** Adds a value (rounded to a single), dropping the oldest once full. */
  push(value: number): void {
    const x = Math.fround(value);
    const s = this.s;
    const b = this.b;
    const slot = this.slot;
    const c = this.c;
    const n = this.n;
    // Where x goes among the values present: the first value >= x.
    const at = lowerBound(s, b, n, x);
    if (n < this.size) {
      s.copyWithin(b + at + 1, b + at, b + n);
      slot.copyWithin(c + at + 1, c + at, c + n);
      s[b + at] = x;
      slot[c + at] = this.head;
      this.n++;
    } else {
      // The oldest holds the head slot. Removing it and inserting x is one shift of the values
      // between the two places (any copy of an equal value leaves the same values).
      const head = this.head;
      let k = 0;
      while (slot[c + k] !== head) k++;
      if (k < at) {
        // The oldest lies below x (s[k] < x): the values in (k, at) move down one.
        s.copyWithin(b + k, b + k + 1, b + at);
        slot.copyWithin(c + k, c + k + 1, c + at);
        s[b + at - 1] = x;
        slot[c + at - 1] = head;
      } else {
        s.copyWithin(b + at + 1, b + at, b + k);
        slot.copyWithin(c + at + 1, c + at, c + k);
        s[b + at] = x;
        slot[c + at] = head;
      }
    }
    this.head = this.head + 1 === this.size ? 0 : this.head + 1;
  }

  /** The median (NaN when empty). */
  median(): number {
    const n = this.n;
    if (n === 0) return NaN;
    const m = this.b + (n >> 1);
    return n % 2 === 1 ? this.s[m]! : (this.s[m - 1]! + this.s[m]!) / 2;
  }

  /**
   * The median absolute deviation from `center`. The distances below center (read downwards) and
   * above it (read upwards) are two sorted runs, so the middle one or two of their merge are found
   * by bisection, O(log size), not by walking half the window.
   */
  mad(center: number): number {
    const n = this.n;
    if (n === 0) return NaN;
    const hi = lowerBound(this.s, this.b, n, center);
    const want = (n - 1) / 2;
    const below = Math.floor(want);
    const d = this.kthDistance(center, hi, below);
    return want === below ? d : (d + this.kthDistance(center, hi, below + 1)) / 2;
  }

  /**
   * The k-th smallest (from 0) of the distances center − s[hi−1], center − s[hi−2], … and
   * s[hi] − center, s[hi+1] − center, …: the k-th of the merge of two ascending runs (indices from b).
   */
  private kthDistance(center: number, hi: number, k: number): number {
    const s = this.s;
    const nl = hi;
    const nr = this.n - hi;
    const h = this.b + hi;
    // i taken from the lower run, k + 1 − i from the upper; find the smallest i that fits.
    let lo = Math.max(0, k + 1 - nr);
    let up = Math.min(k + 1, nl);
    while (lo < up) {
      const i = (lo + up) >> 1;
      // Too few from the lower run when its next distance is below the upper run's last one taken.
      const j = k + 1 - i;
      if (center - s[h - 1 - i]! < s[h + j - 1]! - center) lo = i + 1; else up = i;
    }
    const i = lo;
    const j = k + 1 - i;
    const dl = i > 0 ? center - s[h - i]! : -Infinity;
    const dr = j > 0 ? s[h + j - 1]! - center : -Infinity;
    return dl >= dr ? dl : dr;
  }

  /** The values oldest first, for a checkpoint. */
  values(): number[] {
    const n = this.n;
    const byArrival = new Array<number>(n);
    // Before the window is full slots 0..n-1 are in arrival order; after, the oldest is at head.
    const first = n < this.size ? 0 : this.head;
    for (let k = 0; k < n; k++) byArrival[(this.slot[this.c + k]! - first + this.size) % this.size] = this.s[this.b + k]!;
    return byArrival;
  }
}

/** The first index in [0, n) whose value a[b + index] is >= x. */
function lowerBound(a: Float32Array, b: number, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[b + mid]! < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}
