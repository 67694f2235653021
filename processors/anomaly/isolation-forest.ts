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

/** A leaf's flag in a node's meta word (features are below 256). */
const LEAF = 0x100;
/** A packed node's meta word: its left child above these bits, the leaf flag and the feature below. */
const CHILD_SHIFT = 9;
/** Node indices must fit the 23 bits above CHILD_SHIFT (read back unsigned). */
const MAX_NODES = 2 ** (32 - CHILD_SHIFT);
/**
 * Where trees are grown before they are copied, packed, into their forest: shared by every forest
 * (builds are synchronous), so a build leaves no garbage. Node i: cut at f64[2i], feature (or the
 * LEAF flag) at i32[4i + 2], left child at i32[4i + 3].
 */
let scratch = { f64: new Float64Array(0), i32: new Int32Array(0) };
/** Per tree during a score: the node reached (scoring is synchronous too). */
let walk = new Int32Array(0);
const EMPTY = new Int32Array(0);
/** The sampled vectors of the tree being grown, and the feature values of the node being cut, shared likewise. */
let scratchIdx = new Int32Array(0);
let scratchVals = new Float64Array(0);

/**
 * A forest over vectors of `dims` numbers. Every node of every tree is 8 bytes of one buffer, the
 * trees back to back from `roots[t]`: a single-precision `cut`, then a meta word. An inner node cuts
 * its feature at `cut`, with children `left` and `left`+1 (node indices in the buffer); a leaf (the
 * LEAF flag, its own left child) holds in `cut` its depth plus c(size), the path length of its
 * points. Scoring is bound by memory: the forests of many series do not fit a cache, and every
 * point walks every tree. 8-byte nodes put twice as many on a cache line as the 16 of the float64
 * layout (points scored per CPU-second: README, "Fewer, smaller trees, built half as often").
 * The cuts are rounded to single precision when the tree is grown, so the points a node sent left
 * when it was grown are exactly those it sends left when scoring.
 */
export class IsolationForest {
  private cut = new Float32Array(0);
  private meta = new Int32Array(0);
  private roots: Int32Array;
  private built = 0;
  /** c(built): the normaliser of every score until the next build. */
  private norm = 1;
  /** Depth limit of the trees (scoring walks this many steps). */
  private limit = 0;
  /** Nodes used so far by the build under way. */
  private nodes = 0;

  constructor(private readonly o: ForestOptions, private readonly dims: number, readonly random: Random) {
    if (dims > 0xff) throw new RangeError(`an isolation forest takes vectors of at most 255 numbers, got ${dims}`);
    const perTree = 2 ** (Math.ceil(Math.log2(Math.max(o.sampleSize, 2))) + 1);
    if (o.trees * perTree > MAX_NODES) throw new RangeError(`an isolation forest holds at most ${MAX_NODES} nodes: ${o.trees} trees of sample size ${o.sampleSize} may need ${o.trees * perTree}`);
    // Allocated at the first build: a series holds no tree memory before it has a forest.
    this.roots = EMPTY;
  }

  /** Whether a forest has been built (scores are 0 before). */
  get ready(): boolean {
    return this.built > 0;
  }

  /** Rebuilds every tree from `data` (vectors of `dims`, back to back). */
  build(data: Float64Array, count: number): void {
    const psi = Math.min(this.o.sampleSize, count);
    const limit = Math.ceil(Math.log2(Math.max(psi, 2)));
    this.built = psi;
    this.limit = limit;
    this.norm = averagePath(psi);
    if (scratchIdx.length < psi) {
      scratchIdx = new Int32Array(psi);
      scratchVals = new Float64Array(psi);
    }
    const idx = scratchIdx;
    const most = this.o.trees * (2 * psi + 1);
    if (scratch.f64.length < 2 * most) {
      const buffer = new ArrayBuffer(16 * most);
      scratch = { f64: new Float64Array(buffer), i32: new Int32Array(buffer) };
    }
    if (this.roots.length !== this.o.trees) this.roots = new Int32Array(this.o.trees);
    if (walk.length < this.o.trees) walk = new Int32Array(this.o.trees);
    this.nodes = 0;
    for (let t = 0; t < this.o.trees; t++) {
      for (let i = 0; i < psi; i++) idx[i] = this.random.int(count);
      const root = this.nodes++;
      this.roots[t] = root;
      this.grow(root, data, idx, 0, psi, 0, limit);
    }
    // Packed: the forest holds only the nodes its trees use (a new buffer only when it outgrows its own).
    if (this.cut.length < 2 * this.nodes) {
      const buffer = new ArrayBuffer(8 * this.nodes);
      this.cut = new Float32Array(buffer);
      this.meta = new Int32Array(buffer);
    }
    const { f64, i32 } = scratch;
    const cut = this.cut;
    const meta = this.meta;
    for (let i = 0; i < this.nodes; i++) {
      cut[2 * i] = f64[2 * i]!;
      meta[2 * i + 1] = (i32[4 * i + 3]! << CHILD_SHIFT) | i32[4 * i + 2]!;
    }
  }

  /**
   * The anomaly score of the paper, 2^(−E[h(x)] / c(ψ)), in (0, 1]: ~0.5 and below normal, near 1
   * isolated. The trees are walked in lockstep, `limit` steps each, without a branch on the data
   * (a leaf steps to itself and adds no depth): the trees' memory accesses overlap instead of
   * waiting one for another. The sum is taken tree by tree, in order, as a plain walk would.
   */
  score(x: Float64Array): number {
    if (this.built === 0) return 0;
    const cut = this.cut;
    const meta = this.meta;
    const trees = this.o.trees;
    const at = walk;
    at.set(this.roots);
    for (let step = 0; step < this.limit; step++) {
      for (let t = 0; t < trees; t++) {
        const node = at[t]!;
        const m = meta[2 * node + 1]!;
        // Not x < cut, so that a NaN goes right as in the comparison of a plain walk.
        at[t] = (m >>> CHILD_SHIFT) + (1 - ((m >> 8) & 1)) * (1 - +(x[m & 0xff]! < cut[2 * node]!));
      }
    }
    // A leaf holds its depth plus c(size), the sum a walk counting its steps would make.
    let total = 0;
    for (let t = 0; t < trees; t++) total += cut[2 * at[t]!]!;
    return Math.pow(2, -(total / trees) / this.norm);
  }

  private grow(at: number, data: Float64Array, idx: Int32Array, lo: number, hi: number, depth: number, limit: number): void {
    const n = hi - lo;
    const { f64, i32 } = scratch;
    // A leaf: feature 0 with the leaf flag (0x100), its own left child, its depth + c(size) in cut.
    i32[4 * at + 2] = LEAF;
    i32[4 * at + 3] = at;
    f64[2 * at] = depth + (n < PATHS.length ? PATHS[n]! : averagePath(n));
    if (n <= 1 || depth >= limit) return;
    // Pick a feature with some spread; a node whose vectors are all equal is a leaf.
    const d = this.dims;
    for (let attempt = 0; attempt < d; attempt++) {
      const f = this.random.int(d);
      let min = Infinity;
      let max = -Infinity;
      // The node's values of f, gathered once: the partition below reads them in order, not through idx.
      const vals = scratchVals;
      for (let i = lo; i < hi; i++) {
        const v = data[idx[i]! * d + f]!;
        vals[i] = v;
        min = v < min ? v : min;
        max = v > max ? v : max;
      }
      if (!(max > min)) continue;
      const cut = singleCutWithin(min, max, min + this.random.next() * (max - min));
      // No single-precision number lies between the node's values of f: to the forest they are equal.
      if (Number.isNaN(cut)) continue;
      // Without a branch on the data (half the comparisons would be mispredicted): every vector is
      // swapped to mid, and mid moves past it when it goes left. The order within each side differs
      // from a branching partition's, but a tree depends only on which vectors reach each node.
      let mid = lo;
      for (let i = lo; i < hi; i++) {
        const tmp = idx[i]!;
        idx[i] = idx[mid]!;
        idx[mid] = tmp;
        mid += +(vals[i]! < cut);
      }
      const left = this.nodes;
      this.nodes += 2;
      i32[4 * at + 2] = f;
      i32[4 * at + 3] = left;
      f64[2 * at] = cut;
      this.grow(left, data, idx, lo, mid, depth + 1, limit);
      this.grow(left + 1, data, idx, mid, hi, depth + 1, limit);
      return;
    }
  }
}

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

/** The single-precision number next to `f` (itself single) towards +∞ (`up`) or −∞. */
function singleStep(f: number, up: boolean): number {
  if (f === 0) return up ? 2 ** -149 : -(2 ** -149);
  F32[0] = f;
  I32[0]! += (f > 0) === up ? 1 : -1;
  return F32[0];
}

/**
 * `cut` rounded to single precision, kept in (min, max] so that the node still splits its points (min
 * goes left, max right); NaN when no single-precision number lies in that range.
 */
export function singleCutWithin(min: number, max: number, cut: number): number {
  let c = Math.fround(cut);
  if (!(c > min)) {
    c = Math.fround(min);
    if (!(c > min)) c = singleStep(c, true);
  }
  if (c > max) {
    c = Math.fround(max);
    if (c > max) c = singleStep(c, false);
  }
  return c > min && c <= max ? c : NaN;
}
