/**
 * The model of one service's windows: an extended isolation forest (extended-forest.ts) over the
 * window's vector of features (service-vectors.ts makes it), kept, rebuilt and checkpointed as a
 * series' forest is (forest-detector.ts), its surprise calibrated (likelihood.ts) and gated
 * (event-gate.ts) as a series' is. Where a series model sees one number at a time, this one sees
 * the service's latency, throughput, error rate, CPU and memory together: a window whose mix is
 * unusual (slow at an ordinary load) stands out even when no single number does.
 */
import { GATE_DOUBLES, loadGate, passGate, saveGate, type GateOptions, type GateState } from './event-gate.js';
import { ExtendedForest } from './extended-forest.js';
import { ForestDetector, type ForestMaker, type ForestState } from './forest-detector.js';
import type { ForestOptions } from './isolation-forest.js';
import { LIKELIHOOD_DOUBLES, loadLikelihood, observeLikelihood, saveLikelihood, type LikelihoodOptions, type LikelihoodState } from './likelihood.js';
import { seedOf } from './random.js';
import type { Verdict } from './series-model.js';

/** What a vector model needs (from the processor's config). */
export interface VectorOptions extends GateOptions {
  readonly forest: ForestOptions & { readonly minPoints: number; readonly seed: number };
  readonly likelihood: LikelihoodOptions;
}

/** Checkpointed state: the features (names, in vector order), the forest, the calibration, the gate and the last vector. */
export interface VectorState extends GateState {
  readonly features: readonly string[];
  readonly forest: ForestState;
  readonly calibration: LikelihoodState;
  readonly last: readonly number[];
}

/** Where the gate's doubles lie, after the calibration's. */
const GATE_AT = LIKELIHOOD_DOUBLES;
const extended: ForestMaker = (o, dims, random) => new ExtendedForest(o, dims, random);

/** One service's forest over its windows' vectors. */
export class VectorModel {
  /** The feature names, in vector order: fixed when the model is made (its forest's width). */
  readonly features: readonly string[];
  /** The last vector scored: a feature missing from a later window (a CPU point not yet come) keeps its value. */
  readonly last: Float64Array;
  private readonly forest: ForestDetector;
  private readonly f = new Float64Array(LIKELIHOOD_DOUBLES + GATE_DOUBLES);

  constructor(private readonly o: VectorOptions, key: string, features: readonly string[], state?: VectorState) {
    this.features = state?.features.slice() ?? features.slice();
    this.forest = new ForestDetector(o.forest, seedOf(key, o.forest.seed), state?.forest, this.features.length, extended);
    this.last = Float64Array.from(state?.last ?? this.features.map(() => NaN));
    loadLikelihood(this.f, 0, state?.calibration);
    loadGate(this.f, GATE_AT, state);
  }

  /** Scores a window's vector (from the past vectors only), then learns it. */
  observe(v: Float64Array, tMs: number): Verdict {
    this.last.set(v);
    const { value } = this.forest.observeVector(v);
    const score = observeLikelihood(this.o.likelihood, this.f, 0, value);
    const { threshold, event } = passGate(this.o, this.f, GATE_AT, score, tMs);
    return { value, score, detector: 'isolation_forest', threshold, event };
  }

  /** The model as JSON-able data. */
  save(): VectorState {
    return { features: this.features.slice(), forest: this.forest.save(), calibration: saveLikelihood(this.f, 0), last: [...this.last], ...saveGate(this.f, GATE_AT) };
  }
}
