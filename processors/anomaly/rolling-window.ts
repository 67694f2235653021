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
import type { Block, Layout } from './block.js';

/**
 * A trailing window of the last `size` values, its median and median absolute deviation. One
 * object serves every model of a config: each model's window is a region of its block (block.ts).
 */
export class RollingWindow {
  /** Where a block's values lie, ascending: g[gAt + sorted + k] for k < n. */
  private readonly sorted: number;
  /** For the value at sorted index k, its slot in arrival order (a ring of `size` slots): u[uAt + slots + k]. */
  private readonly slots: number;
  /** u[uAt + state]: the values present (n); u[uAt + state + 1]: the slot the next value takes (once full, the oldest's). */
  private readonly state: number;

  /** Whether a window of `size` needs 32-bit integers in its block. */
  static wide(size: number): boolean {
    return size > 0xffff;
  }

  /** A window of `size` values, its region taken from `layout` (wide when `RollingWindow.wide(size)`). */
  constructor(readonly size: number, layout: Layout) {
    this.sorted = layout.takeG(size);
    this.slots = layout.takeU(size);
    this.state = layout.takeU(2);
  }

  /** Values in the block's window. */
  count(block: Block): number {
    return block.u[block.uAt + this.state]!;
  }

  /** Adds a value (rounded to a single) to the block's window, dropping the oldest once full. */
  push(block: Block, value: number): void {
    const x = Math.fround(value);
    const s = block.g;
    const b = block.gAt + this.sorted;
    const slot = block.u;
    const c = block.uAt + this.slots;
    const st = block.uAt + this.state;
    const n = slot[st]!;
    const head = slot[st + 1]!;
    // Where x goes among the values present: the first value >= x.
    const at = lowerBound(s, b, n, x);
    if (n < this.size) {
      s.copyWithin(b + at + 1, b + at, b + n);
      slot.copyWithin(c + at + 1, c + at, c + n);
      s[b + at] = x;
      slot[c + at] = head;
      slot[st] = n + 1;
    } else {
      // The oldest holds the head slot. Removing it and inserting x is one shift of the values
      // between the two places (any copy of an equal value leaves the same values).
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
    slot[st + 1] = head + 1 === this.size ? 0 : head + 1;
  }

  /** The median of the block's window (NaN when empty). */
  median(block: Block): number {
    const n = this.count(block);
    if (n === 0) return NaN;
    const s = block.g;
    const m = block.gAt + this.sorted + (n >> 1);
    return n % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  }

  /**
   * The median absolute deviation of the block's window from `center`. The distances below center
   * (read downwards) and above it (read upwards) are two sorted runs, so the middle one or two of
   * their merge are found by bisection, O(log size), not by walking half the window.
   */
  mad(block: Block, center: number): number {
    const n = this.count(block);
    if (n === 0) return NaN;
    const s = block.g;
    const b = block.gAt + this.sorted;
    const hi = lowerBound(s, b, n, center);
    const want = (n - 1) / 2;
    const below = Math.floor(want);
    const d = kthDistance(s, b + hi, hi, n - hi, center, below);
    return want === below ? d : (d + kthDistance(s, b + hi, hi, n - hi, center, below + 1)) / 2;
  }

  /** The block's window oldest first, for a checkpoint. */
  oldestFirst(block: Block): number[] {
    const n = this.count(block);
    const byArrival = new Array<number>(n);
    // Before the window is full slots 0..n-1 are in arrival order; after, the oldest is at head.
    const first = n < this.size ? 0 : block.u[block.uAt + this.state + 1]!;
    const c = block.uAt + this.slots;
    const b = block.gAt + this.sorted;
    for (let k = 0; k < n; k++) byArrival[(block.u[c + k]! - first + this.size) % this.size] = block.g[b + k]!;
    return byArrival;
  }
}

/**
 * The k-th smallest (from 0) of the distances center − s[h−1], …, center − s[h−nl] and
 * s[h] − center, …, s[h+nr−1] − center: the k-th of the merge of two ascending runs.
 */
function kthDistance(s: Float32Array, h: number, nl: number, nr: number, center: number, k: number): number {
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
