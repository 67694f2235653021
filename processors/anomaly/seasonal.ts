/**
 * The seasonal detector: for each slot of the period (30-minute slots of a day by default) it keeps
 * an exponentially weighted mean and mean absolute deviation of the values seen in that slot, and
 * scores a point against its own slot — so a nightly dip is normal and a flat afternoon is not.
 */
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
  private readonly mean: Float64Array;
  private readonly dev: Float64Array;
  private readonly n: Uint32Array;

  constructor(private readonly o: SeasonalOptions, state?: SeasonalState) {
    const slots = Math.max(1, Math.round(o.periodMs / o.slotMs));
    this.mean = Float64Array.from(state?.mean ?? new Array<number>(slots).fill(0));
    this.dev = Float64Array.from(state?.dev ?? new Array<number>(slots).fill(0));
    this.n = Uint32Array.from(state?.n ?? new Array<number>(slots).fill(0));
  }

  observe(x: number, tMs: number): Surprise {
    const slot = Math.floor((((tMs % this.o.periodMs) + this.o.periodMs) % this.o.periodMs) / this.o.slotMs) % this.mean.length;
    const n = this.n[slot]!;
    const mean = this.mean[slot]!;
    let out = LEARNING;
    if (n >= this.o.minPerSlot) {
      const scale = safeScale(MEAN_DEV_TO_SIGMA * this.dev[slot]!, mean);
      out = { value: Math.abs(x - mean) / scale, expected: mean, lower: mean - 3 * scale, upper: mean + 3 * scale };
    }
    // Early values weigh 1/n so a slot's first days are an average, then the EWMA takes over.
    const a = Math.max(this.o.alpha, 1 / (n + 1));
    const d = Math.abs(x - mean);
    this.dev[slot] = n === 0 ? 0 : (1 - a) * this.dev[slot]! + a * d;
    this.mean[slot] = mean + a * (x - mean);
    this.n[slot] = n + 1;
    return out;
  }

  save(): SeasonalState {
    return { mean: [...this.mean], dev: [...this.dev], n: [...this.n] };
  }
}
