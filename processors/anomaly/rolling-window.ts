/**
 * A trailing window of the last `size` values, kept sorted, so the median and the MAD of the window
 * cost O(size) per point instead of a sort. Beside each sorted value its slot in arrival order (a
 * ring of `size` slots), so the oldest is found without a second copy of the values. Both live in
 * a region of the series model's block (block.ts).
 *
 * Why singles: the window is 9/10 of a model without the forest, and robust_z's scale is never
 * below 1e-3 of the level (detector.ts, safeScale), while rounding to a single moves a value by at
 * most 6e-8 of itself: a z-score moves by at most ~6e-5. NAB's events are unchanged by it (the
 * per-row scores move in their last digits).
 *
 * Why a byte per arrival slot: a window of up to 512 values keeps each slot's low byte only, so
 * slots h and h + 256 (twins) share a byte. Both are in the window only for h < size − 256, and
 * which of the two lies first in sorted order changes only when one of them leaves or comes (every
 * other value keeps its order through a shift): one bit per such pair, set when the value comes,
 * tells them apart exactly. For the default 288 values: 288 + 4 bytes instead of 576. Larger
 * windows keep whole slots as small integers.
 */
import type { Block, Layout } from './block.js';

/** Windows up to this size keep a byte per arrival slot. */
const BYTE_SLOTS_UP_TO = 512;

/**
 * A trailing window of the last `size` values, its median and median absolute deviation. One
 * object serves every model of a config: each model's window is a region of its block (block.ts).
 */
export class RollingWindow {
  /** Where a block's values lie, ascending: g[gAt + sorted + k] for k < n. */
  private readonly sorted: number;
  /** Whether arrival slots are bytes (their low byte, `size` <= 512) rather than small integers. */
  private readonly bytes: boolean;
  /** For the value at sorted index k, its arrival slot: b[bAt + slots + k] (its low byte), or u[uAt + slots + k]. */
  private readonly slots: number;
  /** Bit h of b[bAt + twins, …), for h < size − 256: set when slot h + 256's value lies before slot h's in sorted order. */
  private readonly twins: number;
  /** u[uAt + state]: the values present (n); u[uAt + state + 1]: the slot the next value takes (once full, the oldest's). */
  private readonly state: number;

  /** Whether a window of `size` needs 32-bit integers in its block. */
  static wide(size: number): boolean {
    return size > 0xffff;
  }

  /** A window of `size` values, its region taken from `layout` (wide when `RollingWindow.wide(size)`). */
  constructor(readonly size: number, layout: Layout) {
    this.sorted = layout.takeG(size);
    this.bytes = size <= BYTE_SLOTS_UP_TO;
    this.slots = this.bytes ? layout.takeB(size) : layout.takeU(size);
    this.twins = layout.takeB(Math.ceil(Math.max(0, size - 256) / 8));
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
    const slot = this.bytes ? block.b : block.u;
    const c = (this.bytes ? block.bAt : block.uAt) + this.slots;
    const st = block.uAt + this.state;
    const n = block.u[st]!;
    const head = block.u[st + 1]!;
    const key = this.bytes ? head & 0xff : head;
    const twin = this.hasTwin(head, n);
    // Where the head slot's twin lies among the values that stay (when it has one).
    let twinAt = -1;
    // Where x goes among the values present: the first value >= x.
    const at = lowerBound(s, b, n, x);
    let to = at;
    if (n < this.size) {
      if (twin) twinAt = slot.indexOf(key, c) - c;
      s.copyWithin(b + at + 1, b + at, b + n);
      slot.copyWithin(c + at + 1, c + at, c + n);
      block.u[st] = n + 1;
    } else {
      // The oldest holds the head slot. Removing it and inserting x is one shift of the values
      // between the two places (any copy of an equal value leaves the same values). The scans
      // stop inside the window: a full window holds every slot.
      let k = slot.indexOf(key, c) - c;
      if (twin) {
        // Two values carry this byte: the pair's bit says which is the oldest.
        let q = slot.indexOf(key, c + k + 1) - c;
        if (!this.firstOfTwins(block, head)) {
          const first = k;
          k = q;
          q = first;
        }
        twinAt = q > k ? q - 1 : q;
      }
      if (k < at) {
        // The oldest lies below x (s[k] < x): the values in (k, at) move down one.
        s.copyWithin(b + k, b + k + 1, b + at);
        slot.copyWithin(c + k, c + k + 1, c + at);
        to = at - 1;
      } else {
        s.copyWithin(b + at + 1, b + at, b + k);
        slot.copyWithin(c + at + 1, c + at, c + k);
      }
    }
    s[b + to] = x;
    slot[c + to] = key;
    // x goes before the twin's value when its index is at most the twin's among the values that stayed.
    if (twin) this.orderTwins(block, head, to <= twinAt);
    block.u[st + 1] = head + 1 === this.size ? 0 : head + 1;
  }

  /** Whether arrival slot h's twin (h ± 256, the same low byte) holds a value, when n values are present (slots below n, or all). */
  private hasTwin(h: number, n: number): boolean {
    return this.bytes && (h ^ 256) < n;
  }

  /** Whether slot h's value lies before its twin's in sorted order. */
  private firstOfTwins(block: Block, h: number): boolean {
    const low = h & 0xff;
    const highFirst = (block.b[block.bAt + this.twins + (low >> 3)]! >> (low & 7)) & 1;
    return (h >= 256) === (highFirst === 1);
  }

  /** Records whether slot h's value lies before its twin's. */
  private orderTwins(block: Block, h: number, first: boolean): void {
    const low = h & 0xff;
    const byte = block.bAt + this.twins + (low >> 3);
    const bit = 1 << (low & 7);
    const highFirst = (h >= 256) === first;
    block.b[byte] = highFirst ? block.b[byte]! | bit : block.b[byte]! & ~bit;
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
    const slot = this.bytes ? block.b : block.u;
    const c = (this.bytes ? block.bAt : block.uAt) + this.slots;
    const b = block.gAt + this.sorted;
    // Twins seen so far: the first one met in sorted order is the one `firstOfTwins` says.
    const met = new Uint8Array(256);
    for (let k = 0; k < n; k++) {
      let h = slot[c + k]!;
      if (this.hasTwin(h, n)) {
        const firstIsLow = this.firstOfTwins(block, h);
        const isFirstMet = met[h] === 0;
        met[h] = 1;
        h = isFirstMet === firstIsLow ? h : h + 256;
      }
      byArrival[(h - first + this.size) % this.size] = block.g[b + k]!;
    }
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
