/**
 * The anomaly model of one series: its detectors, each calibrated to a score in [0, 1]
 * (likelihood.ts), their combination (the highest score wins and names the detector), and the
 * event decision (a score at or above the threshold, at most one event per refractory period, and
 * a threshold that rises with the series' own recent events).
 */
import { Arena, type Block, type Needs } from './block.js';
import type { Detector, Surprise } from './detector.js';
import { ForestDetector, type ForestState } from './forest-detector.js';
import type { ForestOptions } from './isolation-forest.js';
import { LIKELIHOOD_NEEDS, loadLikelihood, observeLikelihood, saveLikelihood, type LikelihoodOptions, type LikelihoodState } from './likelihood.js';
import { seedOf } from './random.js';
import { RobustZ, type RobustZOptions, type RobustZState } from './robust-z.js';
import { RollingWindow } from './rolling-window.js';
import { Seasonal, type SeasonalOptions, type SeasonalState } from './seasonal.js';

/** The detector names, as in the config and `vigil.detector`. */
export type DetectorName = 'robust_z' | 'seasonal' | 'isolation_forest';

/** Everything a series model needs (from the processor's config). */
export interface ModelOptions {
  readonly detectors: readonly DetectorName[];
  readonly robustZ: RobustZOptions;
  readonly seasonal: SeasonalOptions;
  readonly forest: ForestOptions & { readonly minPoints: number; readonly seed: number };
  readonly likelihood: LikelihoodOptions;
  readonly threshold: number;
  /** Event time (ms) after an event during which the series raises no other. */
  readonly refractoryMs: number;
  /** How much each event raises the series' threshold, and the half-life (event time) of that rise. */
  readonly thresholdRise: { readonly perEvent: number; readonly halfLifeMs: number };
}

/** The verdict on one point. */
export interface Verdict extends Surprise {
  /** The combined score in [0, 1]. */
  readonly score: number;
  /** The detector whose score it is (`combined` semantics: the highest wins). */
  readonly detector: DetectorName;
  /** True when this point raises an anomaly event. */
  readonly event: boolean;
  /** The series' threshold at this point (the configured one, raised by its recent events). */
  readonly threshold: number;
}

/** Checkpointed state of a series (JSON). */
export interface ModelState {
  readonly robust_z?: RobustZState;
  readonly seasonal?: SeasonalState;
  readonly isolation_forest?: ForestState;
  readonly calibration: Partial<Record<DetectorName, LikelihoodState>>;
  readonly lastEventMs?: number;
  /** Decayed count of the series' events as of `lastEventMs` (drives the threshold's rise). */
  readonly eventLoad?: number;
  readonly lastMs?: number;
}

/** One series' detectors, calibrations and event suppression. */
export class SeriesModel {
  private readonly detectors: Detector[];
  /** Detector i's calibration: four doubles at cal[calAt + 4i] (likelihood.ts). */
  private readonly cal: Float64Array;
  private readonly calAt: number;
  private lastEventMs: number | undefined;
  private eventLoad: number;
  private lastMs: number | undefined;

  constructor(private readonly o: ModelOptions, seriesId: string, state?: ModelState) {
    // The statistical detectors' and the calibrations' numbers: a block of the slabs shared by the models made with these options (block.ts).
    const block = blockFor(o);
    this.detectors = o.detectors.map((name) => {
      switch (name) {
        case 'robust_z': return new RobustZ(o.robustZ, state?.robust_z, block);
        case 'seasonal': return new Seasonal(o.seasonal, state?.seasonal, block);
        case 'isolation_forest': return new ForestDetector(o.forest, seedOf(seriesId, o.forest.seed), state?.isolation_forest);
      }
    });
    this.cal = block.f;
    this.calAt = block.takeF(LIKELIHOOD_NEEDS.f * o.detectors.length);
    o.detectors.forEach((name, i) => loadLikelihood(this.cal, this.calAt + LIKELIHOOD_NEEDS.f * i, state?.calibration[name]));
    this.lastEventMs = state?.lastEventMs;
    this.eventLoad = state?.eventLoad ?? 0;
    this.lastMs = state?.lastMs;
  }

  /** The event time of the last point seen (ms). */
  get lastSeenMs(): number | undefined {
    return this.lastMs;
  }

  /** Scores a point from the past only, then learns it. */
  observe(x: number, tMs: number): Verdict {
    // The best detector's surprise is kept, and one verdict made of it: no object per detector.
    let best: Surprise | undefined;
    let bestScore = 0;
    let bestName: DetectorName = 'robust_z';
    for (let i = 0; i < this.detectors.length; i++) {
      const d = this.detectors[i]!;
      const s = d.observe(x, tMs);
      const score = observeLikelihood(this.o.likelihood, this.cal, this.calAt + LIKELIHOOD_NEEDS.f * i, s.value);
      if (!best || score > bestScore) {
        best = s;
        bestScore = score;
        bestName = d.name as DetectorName;
      }
    }
    this.lastMs = tMs;
    const load = this.loadAt(tMs);
    const threshold = this.o.threshold + this.o.thresholdRise.perEvent * load;
    if (!best) return { value: 0, score: 0, detector: 'robust_z', threshold, event: false };
    let event = false;
    if (bestScore >= threshold && !(this.lastEventMs !== undefined && tMs - this.lastEventMs < this.o.refractoryMs && tMs >= this.lastEventMs)) {
      this.lastEventMs = tMs;
      this.eventLoad = load + 1;
      event = true;
    }
    return { value: best.value, expected: best.expected, lower: best.lower, upper: best.upper, score: bestScore, detector: bestName, threshold, event };
  }

  /**
   * The series' events, each decayed by its age (half-life `thresholdRise.halfLifeMs`): a series that
   * keeps raising events is telling us those surprises are its normal, so its bar rises (alert-fatigue
   * control, as alerting systems back off); it falls back as the series stays quiet.
   */
  private loadAt(tMs: number): number {
    if (this.lastEventMs === undefined || this.eventLoad === 0 || this.o.thresholdRise.halfLifeMs <= 0) return 0;
    return this.eventLoad * 0.5 ** (Math.max(0, tMs - this.lastEventMs) / this.o.thresholdRise.halfLifeMs);
  }

  /** The model as JSON-able data. */
  save(): ModelState {
    const state: Record<string, unknown> = { calibration: {}, lastEventMs: this.lastEventMs, eventLoad: this.eventLoad, lastMs: this.lastMs };
    const calibration = state.calibration as Record<string, LikelihoodState>;
    this.detectors.forEach((d, i) => {
      state[d.name] = d.save();
      calibration[d.name] = saveLikelihood(this.cal, this.calAt + LIKELIHOOD_NEEDS.f * i);
    });
    return state as unknown as ModelState;
  }
}

/** What a model's detectors and calibrations take from its block. */
function needsOf(o: ModelOptions): Needs {
  let f = 0;
  let g = 0;
  let u = 0;
  for (const name of o.detectors) {
    const n: Needs = name === 'robust_z' ? RobustZ.needs(o.robustZ) : name === 'seasonal' ? Seasonal.needs(o.seasonal) : { f: 0, u: 0 };
    f += n.f + LIKELIHOOD_NEEDS.f;
    g += n.g ?? 0;
    u += n.u;
  }
  return { f, g, u };
}

/** The arena of the models made with each options object (a processor partition's: its models live and go with it). */
const arenas = new WeakMap<ModelOptions, Arena>();

/** A new model's block in the arena of its options. */
function blockFor(o: ModelOptions): Block {
  let arena = arenas.get(o);
  if (!arena) {
    const wide = (o.detectors.includes('robust_z') && RollingWindow.wide(o.robustZ.window)) || (o.detectors.includes('seasonal') && Seasonal.wide(o.seasonal));
    arena = new Arena(needsOf(o), wide);
    arenas.set(o, arena);
  }
  return arena.block();
}
