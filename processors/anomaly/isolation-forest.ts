/**
 * An isolation forest (Liu, Ting and Zhou, 2008), written for streaming: it is trained on the
 * series' last `sampleSize`·2 feature vectors and rebuilt every `rebuildEvery` points, and scores a
 * new vector by how quickly random axis-parallel cuts isolate it. Seeded: the same input gives the
 * same forest and the same scores.
 */
import type { Random } from './random.js';

/** Settings of one forest. */
export interface ForestOptions {
  readonly trees: number;
  /** Vectors per tree (ψ); the reservoir keeps twice as many. */
  readonly sampleSize: number;
  /** Points between rebuilds. */
  readonly rebuildEvery: number;
}

/** c(n): the average path length of an unsuccessful binary-search-tree search, the normaliser of the paper. */
export function averagePath(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649) - (2 * (n - 1)) / n;
}

/** c(n) for small n, computed once: every leaf of every build needs one. */
const PATHS = Float64Array.from({ length: 4097 }, (_, n) => averagePath(n));

/**
 * A forest over vectors of `dims` numbers. All trees live in three flat arrays, `cap` nodes a tree:
 * node i of tree t is at t·cap + i; it cuts `feature` at `cut` with children `left` and `left`+1
 * (indices within the tree), or is a leaf (feature −1) whose `cut` holds c(size), the path length
 * its points still owe. Three buffers a forest instead of four a tree: 11 bytes a node, little
 * overhead, rebuilt in place.
 */
export class IsolationForest {
  private feature = new Int8Array(0);
  private cut = new Float64Array(0);
  private left = new Uint16Array(0);
  private cap = 0;
  private built = 0;
  /** c(built): the normaliser of every score until the next build. */
  private norm = 1;
  /** The sampled vectors of the tree being grown (kept between builds: no garbage per build). */
  private idx = new Int32Array(0);
  /** Nodes used by the tree being grown. */
  private nodes = 0;

  constructor(private readonly o: ForestOptions, private readonly dims: number, readonly random: Random) {}

  /** Whether a forest has been built (scores are 0 before). */
  get ready(): boolean {
    return this.built > 0;
  }

  /** Rebuilds every tree from `data` (vectors of `dims`, back to back). */
  build(data: Float64Array, count: number): void {
    const psi = Math.min(this.o.sampleSize, count);
    const limit = Math.ceil(Math.log2(Math.max(psi, 2)));
    this.built = psi;
    this.norm = averagePath(psi);
    if (this.idx.length < psi) this.idx = new Int32Array(psi);
    const idx = this.idx;
    const cap = 2 * psi + 1;
    // Trees are rebuilt in place: a rebuild every few dozen points must not feed the GC.
    if (this.cap < cap) {
      this.cap = cap;
      this.feature = new Int8Array(this.o.trees * cap);
      this.cut = new Float64Array(this.o.trees * cap);
      this.left = new Uint16Array(this.o.trees * cap);
    }
    for (let t = 0; t < this.o.trees; t++) {
      for (let i = 0; i < psi; i++) idx[i] = this.random.int(count);
      this.nodes = 1;
      this.grow(t * this.cap, 0, data, idx, 0, psi, 0, limit);
    }
  }

  /** The anomaly score of the paper, 2^(−E[h(x)] / c(ψ)), in (0, 1]: ~0.5 and below normal, near 1 isolated. */
  score(x: Float64Array): number {
    if (this.built === 0) return 0;
    // One walk per tree over the flat buffers, read into locals (this is the per-point hot loop).
    const feature = this.feature;
    const cut = this.cut;
    const left = this.left;
    const trees = this.o.trees;
    let total = 0;
    for (let t = 0, base = 0; t < trees; t++, base += this.cap) {
      let at = base;
      let depth = 0;
      let f = feature[at]!;
      while (f >= 0) {
        const l = left[at]!;
        at = base + (x[f]! < cut[at]! ? l : l + 1);
        depth++;
        f = feature[at]!;
      }
      total += depth + cut[at]!;
    }
    return Math.pow(2, -(total / trees) / this.norm);
  }

  private grow(base: number, node: number, data: Float64Array, idx: Int32Array, lo: number, hi: number, depth: number, limit: number): void {
    const n = hi - lo;
    const at = base + node;
    this.feature[at] = -1;
    this.cut[at] = n < PATHS.length ? PATHS[n]! : averagePath(n);
    if (n <= 1 || depth >= limit) return;
    // Pick a feature with some spread; a node whose vectors are all equal is a leaf.
    const d = this.dims;
    for (let attempt = 0; attempt < d; attempt++) {
      const f = this.random.int(d);
      let min = Infinity;
      let max = -Infinity;
      for (let i = lo; i < hi; i++) {
        const v = data[idx[i]! * d + f]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (!(max > min)) continue;
      const cut = min + this.random.next() * (max - min);
      let mid = lo;
      for (let i = lo; i < hi; i++) {
        if (data[idx[i]! * d + f]! < cut) { const tmp = idx[mid]!; idx[mid] = idx[i]!; idx[i] = tmp; mid++; }
      }
      const left = this.nodes;
      this.nodes += 2;
      this.feature[at] = f;
      this.cut[at] = cut;
      this.left[at] = left;
      this.grow(base, left, data, idx, lo, mid, depth + 1, limit);
      this.grow(base, left + 1, data, idx, mid, hi, depth + 1, limit);
      return;
    }
  }
}
