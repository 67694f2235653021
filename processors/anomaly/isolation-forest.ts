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

/** One tree as flat arrays: node i cuts `feature[i]` at `cut[i]`, children `left[i]` / `left[i]+1`; leaves have feature −1 and `size`. */
interface Tree {
  readonly feature: Int8Array;
  readonly cut: Float64Array;
  readonly left: Int32Array;
  readonly size: Int32Array;
  nodes: number;
}

/** c(n): the average path length of an unsuccessful binary-search-tree search, the normaliser of the paper. */
export function averagePath(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649) - (2 * (n - 1)) / n;
}

/** A forest over vectors of `dims` numbers. */
export class IsolationForest {
  private trees: Tree[] = [];
  private built = 0;

  constructor(private readonly o: ForestOptions, private readonly dims: number, readonly random: Random) {}

  /** Whether a forest has been built (scores are 0 before). */
  get ready(): boolean {
    return this.trees.length > 0;
  }

  /** Rebuilds every tree from `data` (vectors of `dims`, back to back). */
  build(data: Float64Array, count: number): void {
    const psi = Math.min(this.o.sampleSize, count);
    const limit = Math.ceil(Math.log2(Math.max(psi, 2)));
    this.built = psi;
    const idx = new Int32Array(psi);
    const cap = 2 * psi + 1;
    // Trees are rebuilt in place: a rebuild every few dozen points must not feed the GC.
    if (this.trees.length === 0 || this.trees[0]!.feature.length < cap) {
      this.trees = Array.from({ length: this.o.trees }, () => ({ feature: new Int8Array(cap), cut: new Float64Array(cap), left: new Int32Array(cap), size: new Int32Array(cap), nodes: 1 }));
    }
    for (const tree of this.trees) {
      for (let i = 0; i < psi; i++) idx[i] = this.random.int(count);
      tree.nodes = 1;
      this.grow(tree, 0, data, idx, 0, psi, 0, limit);
    }
  }

  /** The anomaly score of the paper, 2^(−E[h(x)] / c(ψ)), in (0, 1]: ~0.5 and below normal, near 1 isolated. */
  score(x: Float64Array): number {
    if (this.trees.length === 0) return 0;
    let total = 0;
    for (const tree of this.trees) total += this.pathLength(tree, x);
    return Math.pow(2, -(total / this.trees.length) / averagePath(this.built));
  }

  private grow(tree: Tree, node: number, data: Float64Array, idx: Int32Array, lo: number, hi: number, depth: number, limit: number): void {
    const n = hi - lo;
    tree.size[node] = n;
    tree.feature[node] = -1;
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
      const left = tree.nodes;
      tree.nodes += 2;
      tree.feature[node] = f;
      tree.cut[node] = cut;
      tree.left[node] = left;
      this.grow(tree, left, data, idx, lo, mid, depth + 1, limit);
      this.grow(tree, left + 1, data, idx, mid, hi, depth + 1, limit);
      return;
    }
  }

  private pathLength(tree: Tree, x: Float64Array): number {
    let node = 0;
    let depth = 0;
    while (tree.feature[node]! >= 0) {
      node = x[tree.feature[node]!]! < tree.cut[node]! ? tree.left[node]! : tree.left[node]! + 1;
      depth++;
    }
    return depth + averagePath(tree.size[node]!);
  }
}
