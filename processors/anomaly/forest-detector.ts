/**
 * The isolation-forest detector of one series. Each point becomes a feature vector — the value,
 * its step from the previous value, and its distance from the mean of the last few — and is scored
 * by a forest trained on the series' recent vectors. Per series for now: the issue's per-service
 * vector of RED metrics (latency p95, throughput, error rate) needs points of several series
 * joined by service, which the series-keyed stage log does not bring together (see README).
 */
import { LEARNING, type Surprise } from './detector.js';
import { IsolationForest, type ForestOptions } from './isolation-forest.js';
import { Random } from './random.js';

/** Features per vector. */
const DIMS = 3;
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
  private readonly forest: IsolationForest;
  private readonly vectors: Float64Array;
  private readonly capacity: number;
  private readonly recent: number[];
  private seen: number;
  private readonly x = new Float64Array(DIMS);
  /** The random state before the last build and the vectors it used (0: not built). */
  private builtRandom = 0;
  private builtCount = 0;
  /** Ring slots the last build used that were overwritten since, with their old vector. */
  private readonly displaced: number[] = [];
  /** 1 for the ring slots in `displaced` (flat: slot, then its old vector; checkpoint order). */
  private readonly isDisplaced: Uint8Array;

  constructor(private readonly o: ForestOptions & { readonly minPoints: number }, seed: number, state?: ForestState) {
    this.capacity = 2 * o.sampleSize;
    this.vectors = new Float64Array(this.capacity * DIMS);
    this.isDisplaced = new Uint8Array(this.capacity);
    this.forest = new IsolationForest(o, DIMS, new Random(state?.random ?? seed));
    this.recent = state?.recent.slice() ?? [];
    this.seen = state?.seen ?? 0;
    if (!state) return;
    const kept = state.vectors.length / DIMS;
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
    const s = this.forest.ready ? this.forest.score(this.x) : 0;
    const slot = this.seen % this.capacity;
    if (slot < this.builtCount && this.isDisplaced[slot] === 0) {
      const at = slot * DIMS;
      this.isDisplaced[slot] = 1;
      this.displaced.push(slot, this.vectors[at]!, this.vectors[at + 1]!, this.vectors[at + 2]!);
    }
    this.vectors.set(this.x, slot * DIMS);
    this.seen++;
    this.recent.push(x);
    if (this.recent.length > SHORT) this.recent.shift();
    if (this.seen >= this.o.minPoints && (this.seen - this.o.minPoints) % this.o.rebuildEvery === 0) this.rebuild();
    return { value: Math.max(0, (s - 0.5) * 2) };
  }

  save(): ForestState {
    const n = Math.min(this.seen, this.capacity);
    const built = this.builtCount === 0 ? undefined : { random: this.builtRandom, count: this.builtCount, displaced: this.displaced.slice() };
    return { vectors: [...this.vectors.subarray(0, n * DIMS)], recent: this.recent.slice(), seen: this.seen, random: this.forest.random.state, built };
  }

  /** Puts the last of `kept` saved vectors (a ring of that size, or its first slots while not full) into this ring, where observe would have. */
  private refill(saved: readonly number[], kept: number): void {
    const from = Math.max(0, this.seen - Math.min(kept, this.capacity));
    for (let k = from; k < this.seen; k++) {
      const at = (k % kept) * DIMS;
      this.vectors.set(saved.slice(at, at + DIMS), (k % this.capacity) * DIMS);
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
    const data = this.vectors.slice();
    for (let i = 0; i + DIMS < built.displaced.length; i += DIMS + 1) {
      const slot = built.displaced[i]!;
      const old = built.displaced.slice(i + 1, i + 1 + DIMS);
      data.set(old, slot * DIMS);
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
