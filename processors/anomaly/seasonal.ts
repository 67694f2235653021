/**
 * The seasonal detector: for each slot of the period (30-minute slots of a day by default) it keeps
 * an exponentially weighted mean and mean absolute deviation of the values seen in that slot, and
 * scores a point against its own slot — so a nightly dip is normal and a flat afternoon is not.
 */
import type { Block, Layout } from './block.js';
import { LEARNING, safeScale, type Detector, type Surprise } from './detector.js';

/** Settings of the seasonal detector. */
export interface SeasonalOptions {
  /** The season (ms), e.g. a day. */
  readonly periodMs: number;
  /** The width of one slot (ms). */
  readonly slotMs: number;
  /** Weight of a new value in its slot's averages. */
  readonly alpha: number;
  /** Values a slot needs before it scores. */
  readonly minPerSlot: number;
}

/** Checkpointed state: per slot the mean, mean absolute deviation and count. */
export interface SeasonalState { readonly mean: number[]; readonly dev: number[]; readonly n: number[] }

/** Mean absolute deviation × 1.2533 estimates σ for normal data. */
const MEAN_DEV_TO_SIGMA = 1.2533;

/** |x − slot mean| / slot deviation, per slot of the season. */
export class Seasonal implements Detector {
  readonly name = 'seasonal';
  /**
   * Per slot s of a block: mean at g[gAt + v + 2s] and deviation at g[gAt + v + 2s + 1] as singles
   * (float32), the count at b[bAt + c + s] (a byte) or u[uAt + c + s]. Singles: like robust_z's
   * window (rolling-window.ts), the scale is never below 1e-3 of the level, and a single is within
   * 6e-8 of its value.
   */
  private readonly v: number;
  private readonly c: number;
  /** Whether the counts are bytes: when min_per_slot and 1/alpha stay below 255 (the defaults: 3 and 10). */
  private readonly byteCounts: boolean;
  /** Counts stop here: past max(min_per_slot, 1/alpha) a count changes nothing (the weight is alpha). */
  private readonly most: number;
  private readonly count: number;

  /** Whether its counts need a wide layout (32-bit integers): when min_per_slot or 1/alpha pass a 16-bit count. */
  static wide(o: SeasonalOptions): boolean {
    return o.minPerSlot >= 0xffff || 1 / o.alpha >= 0xffff;
  }

  /** A detector whose slots take their region from `layout`. */
  constructor(private readonly o: SeasonalOptions, layout: Layout) {
    this.count = slotsOf(o);
    this.v = layout.takeG(2 * this.count);
    this.byteCounts = o.minPerSlot < 0xff && 1 / o.alpha < 0xff;
    this.c = this.byteCounts ? layout.takeB(this.count) : layout.takeU(this.count);
    this.most = this.byteCounts ? 0xff : layout.wide ? 0xffffffff : 0xffff;
  }

  observe(block: Block, x: number, tMs: number): Surprise {
    const slot = Math.floor((((tMs % this.o.periodMs) + this.o.periodMs) % this.o.periodMs) / this.o.slotMs) % this.count;
    const at = block.gAt + this.v + 2 * slot;
    const v = block.g;
    const counts = this.byteCounts ? block.b : block.u;
    const nAt = (this.byteCounts ? block.bAt : block.uAt) + this.c + slot;
    const n = counts[nAt]!;
    const mean = v[at]!;
    let out = LEARNING;
    if (n >= this.o.minPerSlot) {
      const scale = safeScale(MEAN_DEV_TO_SIGMA * v[at + 1]!, mean);
      out = { value: Math.abs(x - mean) / scale, expected: mean, lower: mean - 3 * scale, upper: mean + 3 * scale };
    }
    // Early values weigh 1/n so a slot's first days are an average, then the EWMA takes over.
    const a = Math.max(this.o.alpha, 1 / (n + 1));
    const d = Math.abs(x - mean);
    v[at + 1] = n === 0 ? 0 : (1 - a) * v[at + 1]! + a * d;
    v[at] = mean + a * (x - mean);
    if (n < this.most) counts[nAt] = n + 1;
    return out;
  }

  save(block: Block): SeasonalState {
    const v = block.gAt + this.v;
    const pick = (k: number): number[] => Array.from({ length: this.count }, (_, s) => block.g[v + 2 * s + k]!);
    const c = (this.byteCounts ? block.bAt : block.uAt) + this.c;
    const counts = this.byteCounts ? block.b : block.u;
    return { mean: pick(0), dev: pick(1), n: Array.from(counts.subarray(c, c + this.count)) };
  }

  load(block: Block, state: SeasonalState | undefined): void {
    const v = block.gAt + this.v;
    const c = (this.byteCounts ? block.bAt : block.uAt) + this.c;
    const counts = this.byteCounts ? block.b : block.u;
    for (let s = 0; state && s < this.count; s++) {
      block.g[v + 2 * s] = state.mean[s] ?? 0;
      block.g[v + 2 * s + 1] = state.dev[s] ?? 0;
      counts[c + s] = Math.min(this.most, state.n[s] ?? 0);
    }
  }
}

/** The slots of a period. */
function slotsOf(o: SeasonalOptions): number {
  return Math.max(1, Math.round(o.periodMs / o.slotMs));
}
