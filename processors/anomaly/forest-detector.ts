/**
 * The isolation-forest detector of one series. Each point becomes a feature vector — the value,
 * its step from the previous value, and its distance from the mean of the last few — and is scored
 * by a forest trained on the series' recent vectors. A service's vector model (vector-model.ts)
 * uses the same ring, rebuilds and checkpoint with vectors made elsewhere and another forest.
 */
import { LEARNING, type Surprise } from './detector.js';
import { IsolationForest, type ForestOptions } from './isolation-forest.js';
import { Random } from './random.js';

/** What the detector needs of a forest: isolation-forest.ts's, or extended-forest.ts's. */
export interface Forest {
  readonly ready: boolean;
  readonly random: Random;
  /** Rebuilds every tree from the first `count` vectors of `data` (back to back), drawing from `random`. */
  build(data: Float64Array, count: number): void;
  /** The isolation score in (0, 1]: ~0.5 and below normal, near 1 isolated. */
  score(x: Float64Array): number;
}

/** Makes the forest of a detector. */
export type ForestMaker = (o: ForestOptions, dims: number, random: Random) => Forest;

/** Features per vector of a series: its value, the step from the previous one, the distance from the short mean. */
const SERIES_DIMS = 3;
const axisParallel: ForestMaker = (o, dims, random) => new IsolationForest(o, dims, random);
/** Points in the short mean of the third feature. */
const SHORT = 6;

/**
 * How the current trees were built, so that a reload builds the very same ones: the random state
 * before the build, the vectors it used, and the ring slots overwritten since (slot, then the old
 * vector, flat).
 */
export interface BuiltState { readonly random: number; readonly count: number; readonly displaced: number[] }

/** Checkpointed state: the recent vectors, the last values, the random state and how the trees were built. */
export interface ForestState { readonly vectors: number[]; readonly recent: number[]; readonly seen: number; readonly random: number; readonly built?: BuiltState }

/**
 * Scores the forest's isolation score, rescaled so that 0.5 (a typical point) is 0 and 1 is 1. Unlike
 * the statistical detectors (detector.ts) it is an object of each series: its trees are tens of
 * KiB of their own, beside which an object is nothing.
 */
export class ForestDetector {
  readonly name = 'isolation_forest';
  private readonly forest: Forest;
  private readonly vectors: Float64Array;
  private readonly capacity: number;
  private readonly recent: number[];
  private seen: number;
  private readonly x = new Float64Array(SERIES_DIMS);
  /** The random state before the last build and the vectors it used (0: not built). */
  private builtRandom = 0;
  private builtCount = 0;
  /** Ring slots the last build used that were overwritten since, with their old vector. */
  private readonly displaced: number[] = [];
  /** 1 for the ring slots in `displaced` (flat: slot, then its old vector; checkpoint order). */
  private readonly isDisplaced: Uint8Array;

  /**
   * A series' detector (`observe` its values); with `dims` and `make`, a forest of that kind over
   * vectors of that many features made elsewhere (`observeVector`).
   */
  constructor(private readonly o: ForestOptions & { readonly minPoints: number }, seed: number, state?: ForestState, private readonly dims = SERIES_DIMS, make = axisParallel) {
    this.capacity = 2 * o.sampleSize;
    this.vectors = new Float64Array(this.capacity * dims);
    this.isDisplaced = new Uint8Array(this.capacity);
    this.forest = make(o, dims, new Random(state?.random ?? seed));
    this.recent = state?.recent.slice() ?? [];
    this.seen = state?.seen ?? 0;
    if (!state) return;
    const kept = state.vectors.length / dims;
    if (kept === Math.min(this.seen, this.capacity)) {
      this.vectors.set(state.vectors);
      if (state.built) this.rebuildAsBefore(state.built, state.random);
      else if (this.seen >= o.minPoints) this.rebuild(); // a checkpoint from before `built` was saved
    } else {
      // Saved with another sample_size (the config or its default changed): the same recent vectors
      // in this ring, and new trees from them.
      this.refill(state.vectors, kept);
      if (this.seen >= o.minPoints) this.rebuild();
    }
  }

  /** Scores a series' value from its past (0 until the forest is built), then learns it. */
  observe(x: number): Surprise {
    if (this.recent.length === 0) {
      this.recent.push(x);
      return LEARNING;
    }
    const recent = this.recent;
    const prev = recent[recent.length - 1]!;
    let mean = 0;
    for (let i = 0; i < recent.length; i++) mean += recent[i]!;
    mean /= recent.length;
    this.x[0] = x;
    this.x[1] = x - prev;
    this.x[2] = x - mean;
    recent.push(x);
    if (recent.length > SHORT) recent.shift();
    return this.observeVector(this.x);
  }

  /** Scores a vector of `dims` features from the past vectors (0 until the forest is built), then learns it. */
  observeVector(x: Float64Array): Surprise {
    const dims = this.dims;
    const s = this.forest.ready ? this.forest.score(x) : 0;
    const slot = this.seen % this.capacity;
    if (slot < this.builtCount && this.isDisplaced[slot] === 0) {
      const at = slot * dims;
      this.isDisplaced[slot] = 1;
      this.displaced.push(slot);
      for (let f = 0; f < dims; f++) this.displaced.push(this.vectors[at + f]!);
    }
    this.vectors.set(x, slot * dims);
    this.seen++;
    if (this.seen >= this.o.minPoints && (this.seen - this.o.minPoints) % this.o.rebuildEvery === 0) this.rebuild();
    return { value: Math.max(0, (s - 0.5) * 2) };
  }

  save(): ForestState {
    const n = Math.min(this.seen, this.capacity);
    const built = this.builtCount === 0 ? undefined : { random: this.builtRandom, count: this.builtCount, displaced: this.displaced.slice() };
    return { vectors: [...this.vectors.subarray(0, n * this.dims)], recent: this.recent.slice(), seen: this.seen, random: this.forest.random.state, built };
  }

  /** Puts the last of `kept` saved vectors (a ring of that size, or its first slots while not full) into this ring, where observe would have. */
  private refill(saved: readonly number[], kept: number): void {
    const from = Math.max(0, this.seen - Math.min(kept, this.capacity));
    const dims = this.dims;
    for (let k = from; k < this.seen; k++) {
      const at = (k % kept) * dims;
      this.vectors.set(saved.slice(at, at + dims), (k % this.capacity) * dims);
    }
  }

  private rebuild(): void {
    this.builtRandom = this.forest.random.state;
    this.builtCount = Math.min(this.seen, this.capacity);
    this.displaced.length = 0;
    this.isDisplaced.fill(0);
    this.forest.build(this.vectors, this.builtCount);
  }

  /** Builds the trees of the checkpointed model again: the same vectors, the same random draws. */
  private rebuildAsBefore(built: BuiltState, randomAfter: number): void {
    const dims = this.dims;
    const data = this.vectors.slice();
    for (let i = 0; i + dims < built.displaced.length; i += dims + 1) {
      const slot = built.displaced[i]!;
      const old = built.displaced.slice(i + 1, i + 1 + dims);
      data.set(old, slot * dims);
      if (this.isDisplaced[slot] === 1) continue;
      this.isDisplaced[slot] = 1;
      this.displaced.push(slot, ...old);
    }
    this.builtRandom = built.random;
    this.builtCount = built.count;
    this.forest.random.state = built.random;
    this.forest.build(data, built.count);
    this.forest.random.state = randomAfter; // the same draws were made; this only guards a corrupt field
  }
}
