/**
 * The anomaly model of one series: its detectors, each calibrated to a score in [0, 1]
 * (likelihood.ts), their combination (the highest score wins and names the detector), and the
 * event decision (a score at or above the threshold, at most one event per refractory period, and
 * a threshold that rises with the series' own recent events).
 */
import type { Block } from './block.js';
import type { Surprise } from './detector.js';
import { lastSeenMs, loadGate, passGate, saveGate, type GateOptions, type GateState } from './event-gate.js';
import { ForestDetector, type ForestState } from './forest-detector.js';
import type { ForestOptions } from './isolation-forest.js';
import { LIKELIHOOD_DOUBLES, loadLikelihood, observeLikelihood, saveLikelihood, type LikelihoodOptions, type LikelihoodState } from './likelihood.js';
import { ModelPlan } from './model-plan.js';
import { seedOf } from './random.js';
import type { RobustZOptions, RobustZState } from './robust-z.js';
import type { SeasonalOptions, SeasonalState } from './seasonal.js';

/** The detector names, as in the config and `vigil.detector`. */
export type DetectorName = 'robust_z' | 'seasonal' | 'isolation_forest';

/** Everything a series model needs (from the processor's config). */
export interface ModelOptions extends GateOptions {
  readonly detectors: readonly DetectorName[];
  readonly robustZ: RobustZOptions;
  readonly seasonal: SeasonalOptions;
  readonly forest: ForestOptions & { readonly minPoints: number; readonly seed: number };
  readonly likelihood: LikelihoodOptions;
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
export interface ModelState extends GateState {
  readonly robust_z?: RobustZState;
  readonly seasonal?: SeasonalState;
  readonly isolation_forest?: ForestState;
  readonly calibration: Partial<Record<DetectorName, LikelihoodState>>;
}

/**
 * One series' detectors, calibrations and event suppression. Its numbers are a block of slabs shared
 * by the models of its options, and its statistical detectors those of the options' plan
 * (model-plan.ts): without the forest a model is this object and its block.
 */
export class SeriesModel {
  private readonly plan: ModelPlan;
  private readonly block: Block;
  private readonly forest: ForestDetector | undefined;

  constructor(o: ModelOptions, seriesId: string, state?: ModelState) {
    const plan = ModelPlan.of(o);
    const block = plan.arena.block();
    this.plan = plan;
    this.block = block;
    this.forest = o.detectors.includes('isolation_forest') ? new ForestDetector(o.forest, seedOf(seriesId, o.forest.seed), state?.isolation_forest) : undefined;
    o.detectors.forEach((name, i) => {
      if (name !== 'isolation_forest') plan.detectors[i]!.load(block, state?.[name]);
      loadLikelihood(block.f, this.calibrationAt(i), state?.calibration[name]);
    });
    loadGate(block.f, block.fAt + plan.times, state);
  }

  /** The event time of the last point seen (ms). */
  get lastSeenMs(): number | undefined {
    return lastSeenMs(this.block.f, this.block.fAt + this.plan.times);
  }

  /** Scores a point from the past only, then learns it. */
  observe(x: number, tMs: number): Verdict {
    const block = this.block;
    const o = this.plan.o;
    const detectors = this.plan.detectors;
    // The best detector's surprise is kept, and one verdict made of it: no object per detector.
    let best: Surprise | undefined;
    let bestScore = 0;
    let bestName: DetectorName = 'robust_z';
    for (let i = 0; i < detectors.length; i++) {
      const d = detectors[i];
      const s = d ? d.observe(block, x, tMs) : this.forest!.observe(x);
      const score = observeLikelihood(o.likelihood, block.f, this.calibrationAt(i), s.value);
      if (!best || score > bestScore) {
        best = s;
        bestScore = score;
        bestName = (d ? d.name : 'isolation_forest') as DetectorName;
      }
    }
    const { threshold, event } = passGate(o, block.f, block.fAt + this.plan.times, best ? bestScore : undefined, tMs);
    if (!best) return { value: 0, score: 0, detector: 'robust_z', threshold, event: false };
    return { value: best.value, expected: best.expected, lower: best.lower, upper: best.upper, score: bestScore, detector: bestName, threshold, event };
  }

  /** Where detector i's calibration lies in the block's doubles. */
  private calibrationAt(i: number): number {
    return this.block.fAt + this.plan.calibrations + LIKELIHOOD_DOUBLES * i;
  }

  /** The model as JSON-able data. */
  save(): ModelState {
    const f = this.block.f;
    const state: Record<string, unknown> = { calibration: {}, ...saveGate(f, this.block.fAt + this.plan.times) };
    const calibration = state.calibration as Record<string, LikelihoodState>;
    this.plan.o.detectors.forEach((name, i) => {
      const d = this.plan.detectors[i];
      state[name] = d ? d.save(this.block) : this.forest!.save();
      calibration[name] = saveLikelihood(f, this.calibrationAt(i));
    });
    return state as unknown as ModelState;
  }
}
