/**
 * The baseline of one series, in event time, in bounded memory: the trailing baseline keeps one
 * summary (the median) per closed bucket of the trailing window — 288 numbers for 24 h of 5-minute
 * buckets — and the seasonal one keeps, per slot of the period (hour of the week by default), the
 * slot's median in each of the last `periods` periods. A point is judged from the past only: its
 * estimate is made before it is learned, and the bucket it falls in is not part of its baseline.
 */
import { band, mad, median, robustScale, type Estimate } from './stats.js';

/** Settings of a series baseline (durations in ms). */
export interface BaselineOptions {
  readonly windowMs: number;
  readonly bucketMs: number;
  readonly minBuckets: number;
  readonly seasonal: { readonly periodMs: number; readonly slotMs: number; readonly periods: number; readonly minPeriods: number } | undefined;
  readonly sigmas: number;
}

/** Values the open bucket keeps at most: past that, the latest replace the oldest (a ring). */
export const MAX_OPEN_VALUES = 64;

/** Checkpointed state: plain JSON. */
export interface BaselineState {
  /** The open bucket: its start and values (at most MAX_OPEN_VALUES). */
  open?: { start: number; values: number[]; n: number };
  /** Closed buckets, oldest first, within the trailing window: their starts and medians (flat arrays: 16 bytes a bucket). */
  starts: number[];
  medians: number[];
  /**
   * Seasonal history, flat: for slot s and ring entry i, [period index, slot median] at
   * 2 × (s × periods + i); NaN where empty (null in JSON). Absent until a slot first closes.
   * A flat array of doubles: ~8 bytes an entry.
   */
  seasonal?: Array<number | null>;
}

/** A series' trailing and seasonal baselines. */
export class SeriesBaseline {
  private readonly s: BaselineState;
  /** The last trailing estimate and the buckets it was made of: one sort per bucket, not per point. */
  private cache: { key: string; level: number; scale: number } | undefined;

  constructor(private readonly o: BaselineOptions, state?: BaselineState) {
    this.s = state ?? { starts: [], medians: [] };
    // A season saved under another period, slot or periods setting cannot be read: it is relearned.
    const o2 = o.seasonal;
    if (this.s.seasonal && (!o2 || this.s.seasonal.length !== 2 * o2.periods * (o2.periodMs / o2.slotMs))) this.s.seasonal = undefined;
    // JSON wrote the empty entries as null: back to NaN, so the array stays one of plain doubles.
    if (this.s.seasonal) this.s.seasonal = this.s.seasonal.map((v) => v ?? NaN);
  }

  /** Estimates `x` at `tMs` from the past, then learns it. Undefined while there is too little history. */
  observe(x: number, tMs: number): Estimate | undefined {
    const start = tMs - (((tMs % this.o.bucketMs) + this.o.bucketMs) % this.o.bucketMs);
    if (this.s.open && start > this.s.open.start) this.close(start);
    this.prune(tMs);
    const estimate = this.estimate(tMs);
    this.learn(x, start);
    return estimate;
  }

  /** The state as JSON-able data (shared, not copied: encode it before the next observe). */
  save(): BaselineState {
    return this.s;
  }

  /** The baseline at `tMs` from closed buckets (and past periods of its slot). */
  estimate(tMs: number): Estimate | undefined {
    const trailing = this.trailing(tMs);
    if (!trailing) return undefined;
    const { level, scale } = trailing;
    const seasonal = this.seasonalValues(tMs);
    if (seasonal === undefined) return band(level, scale, this.o.sigmas, 'trailing');
    const expected = median(seasonal);
    // Few periods make a MAD of their own unreliable: the wider of the two scales is the band.
    return band(expected, Math.max(scale, robustScale(mad(seasonal), expected)), this.o.sigmas, 'seasonal');
  }

  /** Median and scale of the closed buckets in [t − window, t); cached while that set of buckets is the same. */
  private trailing(tMs: number): { level: number; scale: number } | undefined {
    const starts = this.s.starts;
    const lo = lowerBound(starts, tMs - this.o.windowMs);
    const hi = lowerBound(starts, tMs);
    if (hi - lo < this.o.minBuckets) return undefined;
    const key = `${starts[lo]}:${starts[hi - 1]}:${hi - lo}`;
    if (this.cache?.key !== key) {
      const past = this.s.medians.slice(lo, hi);
      const level = median(past);
      this.cache = { key, level, scale: robustScale(mad(past), level) };
    }
    return this.cache;
  }

  private seasonalValues(tMs: number): number[] | undefined {
    const o = this.o.seasonal;
    if (!o) return undefined;
    const period = Math.floor(tMs / o.periodMs);
    const values: number[] = [];
    const ring = this.s.seasonal;
    const base = 2 * slotOf(tMs, o) * o.periods;
    for (let i = 0; ring && i < o.periods; i++) {
      const p = ring[base + 2 * i];
      const v = ring[base + 2 * i + 1];
      if (typeof p === 'number' && typeof v === 'number' && p < period) values.push(v);
    }
    return values.length >= o.minPeriods ? values : undefined;
  }

  private learn(x: number, start: number): void {
    const open = this.s.open;
    if (!open) {
      this.s.open = { start, values: [x], n: 1 };
      return;
    }
    if (start < open.start) return; // late for a closed bucket: judged, not learned
    if (open.values.length < MAX_OPEN_VALUES) open.values.push(x);
    else open.values[open.n % MAX_OPEN_VALUES] = x;
    open.n++;
  }

  /** Closes the open bucket (a point of a later bucket came); at a slot's end, records the slot's median. */
  private close(next: number): void {
    const open = this.s.open!;
    this.s.starts.push(open.start);
    this.s.medians.push(median(open.values));
    this.s.open = undefined;
    const o = this.o.seasonal;
    if (!o || Math.floor(open.start / o.slotMs) === Math.floor(next / o.slotMs)) return;
    const slotStart = open.start - (open.start % o.slotMs);
    const inSlot = this.s.medians.filter((_, i) => this.s.starts[i]! >= slotStart && this.s.starts[i]! < slotStart + o.slotMs);
    const period = Math.floor(open.start / o.periodMs);
    const ring = this.s.seasonal ??= new Array<number>(2 * o.periods * (o.periodMs / o.slotMs)).fill(NaN);
    const base = 2 * slotOf(open.start, o) * o.periods;
    // The entry of this period if there is one, else the empty or oldest one.
    let at = 0;
    for (let i = 0; i < o.periods; i++) {
      const p = ring[base + 2 * i];
      if (p === period) { at = i; break; }
      const q = ring[base + 2 * at];
      const empty = p === null || p === undefined || Number.isNaN(p);
      if (empty || (typeof q === 'number' && p < q)) at = i;
      if (empty) break;
    }
    ring[base + 2 * at] = period;
    ring[base + 2 * at + 1] = median(inSlot);
  }

  /** Drops buckets older than the trailing window: memory stays at window / bucket summaries. */
  private prune(tMs: number): void {
    const from = tMs - this.o.windowMs;
    let i = 0;
    while (i < this.s.starts.length && this.s.starts[i]! < from) i++;
    if (i > 0) {
      this.s.starts.splice(0, i);
      this.s.medians.splice(0, i);
    }
  }
}

/** The slot of the period `tMs` falls in (hour of the week by default). */
function slotOf(tMs: number, o: { periodMs: number; slotMs: number }): number {
  return Math.floor((((tMs % o.periodMs) + o.periodMs) % o.periodMs) / o.slotMs);
}

/** The first index whose value is >= x in ascending `a`. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}
