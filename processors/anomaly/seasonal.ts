/**
 * The seasonal detector: for each slot of the period (30-minute slots of a day by default) it keeps
 * an exponentially weighted mean and mean absolute deviation of the values seen in that slot, and
 * scores a point against its own slot — so a nightly dip is normal and a flat afternoon is not.
 */
import { Block, type Needs } from './block.js';
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
  /** Per slot s: mean at b + 3s, deviation at b + 3s + 1, count at b + 3s + 2 (a region of the model's block). */
  private readonly slots: Float64Array;
  private readonly b: number;
  private readonly count: number;

  /** What it takes from the model's block. */
  static needs(o: SeasonalOptions): Needs {
    return { f: 3 * slotsOf(o), u: 0 };
  }

  constructor(private readonly o: SeasonalOptions, state?: SeasonalState, block = new Block(Seasonal.needs(o))) {
    this.count = slotsOf(o);
    this.slots = block.f;
    this.b = block.takeF(3 * this.count);
    for (let s = 0; state && s < this.count; s++) {
      this.slots[this.b + 3 * s] = state.mean[s] ?? 0;
      this.slots[this.b + 3 * s + 1] = state.dev[s] ?? 0;
      this.slots[this.b + 3 * s + 2] = state.n[s] ?? 0;
    }
  }

  observe(x: number, tMs: number): Surprise {
    const at = this.b + 3 * (Math.floor((((tMs % this.o.periodMs) + this.o.periodMs) % this.o.periodMs) / this.o.slotMs) % this.count);
    const v = this.slots;
    const n = v[at + 2]!;
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
    v[at + 2] = n + 1;
    return out;
  }

  save(): SeasonalState {
    const pick = (k: number): number[] => Array.from({ length: this.count }, (_, s) => this.slots[this.b + 3 * s + k]!);
    return { mean: pick(0), dev: pick(1), n: pick(2) };
  }
}

/** The slots of a period. */
function slotsOf(o: SeasonalOptions): number {
  return Math.max(1, Math.round(o.periodMs / o.slotMs));
}
