/**
 * The model of one service's windows: an extended isolation forest (extended-forest.ts) over the
 * window's vector of features (service-vectors.ts makes it), trained on the service's last
 * 2·`sample_size` vectors and rebuilt every `rebuild_every`, its surprise calibrated (likelihood.ts)
 * and gated (event-gate.ts) as a series' is. Where a series model sees one number at a time, this
 * one sees the service's latency, throughput, error rate, CPU and memory together: a window whose
 * mix is unusual (slow at an ordinary load) stands out even when no single number does.
 */
import { GATE_DOUBLES, loadGate, passGate, saveGate, type GateOptions, type GateState } from './event-gate.js';
import { ExtendedForest } from './extended-forest.js';
import type { ForestOptions } from './isolation-forest.js';
import { LIKELIHOOD_DOUBLES, loadLikelihood, observeLikelihood, saveLikelihood, type LikelihoodOptions, type LikelihoodState } from './likelihood.js';
import { Random, seedOf } from './random.js';
import type { Verdict } from './series-model.js';

/** What a vector model needs (from the processor's config). */
export interface VectorOptions extends GateOptions {
  readonly forest: ForestOptions & { readonly minPoints: number; readonly seed: number };
  readonly likelihood: LikelihoodOptions;
}

/** Checkpointed state: the features (names, in vector order), the recent vectors, how the forest was built, the calibration, the gate and the last vector. */
export interface VectorState extends GateState {
  readonly features: readonly string[];
  /** The ring of recent vectors (flat) and the vectors seen. */
  readonly ring: readonly number[];
  readonly seen: number;
  readonly random: number;
  /** The vectors (flat) and random state the current forest was built from: a reload builds the same trees. */
  readonly built?: { readonly random: number; readonly vectors: readonly number[] };
  readonly calibration: LikelihoodState;
  readonly last: readonly number[];
}

/** Where the gate's doubles lie, after the calibration's. */
const GATE_AT = LIKELIHOOD_DOUBLES;

/** One service's forest over its windows' vectors. */
export class VectorModel {
  /** The feature names, in vector order: fixed when the model is made (its forest's width). */
  readonly features: readonly string[];
  /** The last vector scored: a feature missing from a later window (a CPU point not yet come) keeps its value. */
  readonly last: Float64Array;
  private readonly forest: ExtendedForest;
  private readonly ring: Float64Array;
  private readonly capacity: number;
  private seen: number;
  private built: { random: number; vectors: Float64Array } | undefined;
  private readonly f = new Float64Array(LIKELIHOOD_DOUBLES + GATE_DOUBLES);

  constructor(private readonly o: VectorOptions, key: string, features: readonly string[], state?: VectorState) {
    this.features = state?.features.slice() ?? features.slice();
    const d = this.features.length;
    this.capacity = 2 * o.forest.sampleSize;
    this.ring = new Float64Array(this.capacity * d);
    this.ring.set((state?.ring ?? []).slice(0, this.ring.length));
    this.seen = state?.seen ?? 0;
    this.forest = new ExtendedForest(o.forest, d, new Random(state?.random ?? seedOf(key, o.forest.seed)));
    if (state?.built) {
      const random = this.forest.random.state;
      this.build(Float64Array.from(state.built.vectors), state.built.random);
      this.forest.random.state = random;
    }
    this.last = Float64Array.from(state?.last ?? this.features.map(() => NaN));
    loadLikelihood(this.f, 0, state?.calibration);
    loadGate(this.f, GATE_AT, state);
  }

  /** Scores a window's vector (from the past vectors only), then learns it. */
  observe(v: Float64Array, tMs: number): Verdict {
    this.last.set(v);
    const s = this.forest.ready ? this.forest.score(v) : 0;
    const value = Math.max(0, (s - 0.5) * 2);
    this.ring.set(v, (this.seen % this.capacity) * v.length);
    this.seen++;
    const o = this.o.forest;
    if (this.seen >= o.minPoints && (this.seen - o.minPoints) % o.rebuildEvery === 0) {
      this.build(this.ring.slice(0, Math.min(this.seen, this.capacity) * v.length), this.forest.random.state);
    }
    const score = observeLikelihood(this.o.likelihood, this.f, 0, value);
    const { threshold, event } = passGate(this.o, this.f, GATE_AT, score, tMs);
    return { value, score, detector: 'isolation_forest', threshold, event };
  }

  /** The model as JSON-able data. */
  save(): VectorState {
    const n = Math.min(this.seen, this.capacity) * this.features.length;
    const built = this.built ? { random: this.built.random, vectors: [...this.built.vectors] } : undefined;
    return { features: this.features.slice(), ring: [...this.ring.subarray(0, n)], seen: this.seen, random: this.forest.random.state, built, calibration: saveLikelihood(this.f, 0), last: [...this.last], ...saveGate(this.f, GATE_AT) };
  }

  private build(vectors: Float64Array, random: number): void {
    this.built = { random, vectors };
    this.forest.random.state = random;
    this.forest.build(vectors, vectors.length / this.features.length);
  }
}
