/**
 * The isolation-forest detector of one series. Each point becomes a feature vector — the value,
 * its step from the previous value, and its distance from the mean of the last few — and is scored
 * by a forest trained on the series' recent vectors. Per series for now: the issue's per-service
 * vector of RED metrics (latency p95, throughput, error rate) needs points of several series
 * joined by service, which the series-keyed stage log does not bring together (see README).
 */
import { LEARNING, type Detector, type Surprise } from './detector.js';
import { IsolationForest, type ForestOptions } from './isolation-forest.js';
import { Random } from './random.js';

/** Features per vector. */
const DIMS = 3;
/** Points in the short mean of the third feature. */
const SHORT = 6;

/** Checkpointed state: the recent vectors, the last values, and the random state. */
export interface ForestState { readonly vectors: number[]; readonly recent: number[]; readonly seen: number; readonly random: number }

/** Scores the forest's isolation score, rescaled so that 0.5 (a typical point) is 0 and 1 is 1. */
export class ForestDetector implements Detector {
  readonly name = 'isolation_forest';
  private readonly forest: IsolationForest;
  private readonly vectors: Float64Array;
  private readonly capacity: number;
  private readonly recent: number[];
  private seen: number;
  private readonly x = new Float64Array(DIMS);

  constructor(private readonly o: ForestOptions & { readonly minPoints: number }, seed: number, state?: ForestState) {
    this.capacity = 2 * o.sampleSize;
    this.vectors = new Float64Array(this.capacity * DIMS);
    this.forest = new IsolationForest(o, DIMS, new Random(state?.random ?? seed));
    this.recent = state?.recent.slice() ?? [];
    this.seen = state?.seen ?? 0;
    if (state) this.vectors.set(state.vectors.slice(0, this.vectors.length));
    if (this.seen >= o.minPoints) this.rebuild();
  }

  observe(x: number): Surprise {
    if (this.recent.length === 0) {
      this.recent.push(x);
      return LEARNING;
    }
    const prev = this.recent[this.recent.length - 1]!;
    let mean = 0;
    for (const v of this.recent) mean += v;
    mean /= this.recent.length;
    this.x[0] = x;
    this.x[1] = x - prev;
    this.x[2] = x - mean;
    const s = this.forest.ready ? this.forest.score(this.x) : 0;
    this.vectors.set(this.x, (this.seen % this.capacity) * DIMS);
    this.seen++;
    this.recent.push(x);
    if (this.recent.length > SHORT) this.recent.shift();
    if (this.seen >= this.o.minPoints && (this.seen - this.o.minPoints) % this.o.rebuildEvery === 0) this.rebuild();
    return { value: Math.max(0, (s - 0.5) * 2) };
  }

  save(): ForestState {
    const n = Math.min(this.seen, this.capacity);
    return { vectors: [...this.vectors.subarray(0, n * DIMS)], recent: this.recent.slice(), seen: this.seen, random: this.forest.random.state };
  }

  private rebuild(): void {
    this.forest.build(this.vectors, Math.min(this.seen, this.capacity));
  }
}
