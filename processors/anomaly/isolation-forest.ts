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
    const idx = new Int32Array(psi);
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
    let total = 0;
    for (let t = 0; t < this.o.trees; t++) total += this.pathLength(t * this.cap, x);
    return Math.pow(2, -(total / this.o.trees) / averagePath(this.built));
  }

  private grow(base: number, node: number, data: Float64Array, idx: Int32Array, lo: number, hi: number, depth: number, limit: number): void {
    const n = hi - lo;
    const at = base + node;
    this.feature[at] = -1;
    this.cut[at] = averagePath(n);
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

  private pathLength(base: number, x: Float64Array): number {
    let at = base;
    let depth = 0;
    while (this.feature[at]! >= 0) {
      at = base + (x[this.feature[at]!]! < this.cut[at]! ? this.left[at]! : this.left[at]! + 1);
      depth++;
    }
    return depth + this.cut[at]!;
  }
}
