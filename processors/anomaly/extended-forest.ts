/**
 * An extended isolation forest (Hariri, Carrasco Kind and Brunner, 2018): each node cuts its points
 * by a random hyperplane (a normal of Gaussian draws, through a point drawn uniformly in the node's
 * bounding box) instead of one feature at one value. A point off the data's diagonal (a service
 * slow at an ordinary load) is then isolated as fast as one beyond its range; the axis-parallel
 * forest (isolation-forest.ts) isolates it slowly, cutting one feature at a time in which it looks
 * ordinary. Features are standardised by the training vectors' mean and standard deviation, so that
 * no unit (milliseconds against a fraction) decides the cuts. Seeded: the same vectors and random
 * state give the same forest. Used for a service's few, wide vectors (vector-model.ts), where its
 * cost (a dot product per node) does not matter.
 */
import { averagePath, type ForestOptions } from './isolation-forest.js';
import type { Random } from './random.js';

/** A node: a leaf's path length (depth + c(size)), or a cut `normal · z ≤ offset` with children. */
type Node = { readonly leaf: number } | { readonly normal: Float64Array; readonly offset: number; readonly left: Node; readonly right: Node };

/** A forest over standardised vectors of `dims` numbers. */
export class ExtendedForest {
  private trees: Node[] = [];
  private mean: Float64Array;
  private scale: Float64Array;
  private norm = 1;
  private readonly z: Float64Array;

  constructor(private readonly o: ForestOptions, private readonly dims: number, readonly random: Random) {
    this.mean = new Float64Array(dims);
    this.scale = new Float64Array(dims).fill(1);
    this.z = new Float64Array(dims);
  }

  /** Whether a forest has been built (scores are 0 before). */
  get ready(): boolean {
    return this.trees.length > 0;
  }

  /** Rebuilds every tree from the first `count` vectors of `data` (back to back). */
  build(data: Float64Array, count: number): void {
    const d = this.dims;
    const rows = Array.from({ length: count }, (_, i) => data.subarray(i * d, (i + 1) * d));
    for (let f = 0; f < d; f++) {
      let sum = 0;
      for (const r of rows) sum += r[f]!;
      const mean = sum / count;
      let sq = 0;
      for (const r of rows) sq += (r[f]! - mean) ** 2;
      this.mean[f] = mean;
      this.scale[f] = Math.sqrt(sq / count) || 1;
    }
    const z = rows.map((r) => this.standardised(r, new Float64Array(d)));
    const psi = Math.min(this.o.sampleSize, count);
    const limit = Math.ceil(Math.log2(Math.max(psi, 2)));
    this.norm = averagePath(psi);
    this.trees = Array.from({ length: this.o.trees }, () => {
      const sample = Array.from({ length: psi }, () => z[this.random.int(count)]!);
      return this.grow(sample, 0, limit);
    });
  }

  /** The anomaly score of the paper, 2^(−E[h(x)] / c(ψ)): ~0.5 and below normal, near 1 isolated. */
  score(x: Float64Array): number {
    if (this.trees.length === 0) return 0;
    const z = this.standardised(x, this.z);
    let total = 0;
    for (const tree of this.trees) {
      let n = tree;
      while (!('leaf' in n)) n = dot(n.normal, z) <= n.offset ? n.left : n.right;
      total += n.leaf;
    }
    return Math.pow(2, -(total / this.trees.length) / this.norm);
  }

  private standardised(x: Float64Array, out: Float64Array): Float64Array {
    for (let f = 0; f < this.dims; f++) out[f] = (x[f]! - this.mean[f]!) / this.scale[f]!;
    return out;
  }

  private grow(points: Float64Array[], depth: number, limit: number): Node {
    if (points.length <= 1 || depth >= limit) return { leaf: depth + averagePath(points.length) };
    const d = this.dims;
    const normal = new Float64Array(d);
    let offset = 0;
    for (let f = 0; f < d; f++) {
      let min = Infinity;
      let max = -Infinity;
      for (const p of points) { min = Math.min(min, p[f]!); max = Math.max(max, p[f]!); }
      normal[f] = this.gaussian();
      offset += normal[f]! * (min + this.random.next() * (max - min));
    }
    const left: Float64Array[] = [];
    const right: Float64Array[] = [];
    for (const p of points) (dot(normal, p) <= offset ? left : right).push(p);
    return { normal, offset, left: this.grow(left, depth + 1, limit), right: this.grow(right, depth + 1, limit) };
  }

  /** A standard normal draw (Box–Muller) from the seeded source. */
  private gaussian(): number {
    const u = 1 - this.random.next(); // in (0, 1]: log(u) is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random.next());
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
