/**
 * The latency distribution of a window: the increase of a duration histogram, explicit or
 * exponential, in the metric's own unit. Plain JSON-serialisable objects (they are checkpointed).
 */

/** Counts per explicit bucket: counts.length === bounds.length + 1, the last one +Inf. */
export interface ExplicitDist {
  readonly kind: 'explicit';
  readonly bounds: number[];
  counts: number[];
}

/** Exponential buckets from index `offset` (bucket i is (base^i, base^(i+1)], base = 2^(2^-scale)). */
export interface ExpoBuckets {
  offset: number;
  counts: number[];
}

/** An exponential histogram's counts. */
export interface ExpoDist {
  readonly kind: 'exponential';
  scale: number;
  zeroCount: number;
  zeroThreshold: number;
  positive: ExpoBuckets;
  negative: ExpoBuckets;
}

/** Either kind of distribution. */
export type Dist = ExplicitDist | ExpoDist;

/** Total observations of a distribution. */
export function totalOf(d: Dist): number {
  const sum = (a: readonly number[]): number => a.reduce((n, c) => n + c, 0);
  return d.kind === 'explicit' ? sum(d.counts) : d.zeroCount + sum(d.positive.counts) + sum(d.negative.counts);
}

const sameBounds = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** Buckets re-indexed to a lower scale: `by` halvings of resolution merge 2^by neighbours. */
function downscaleBuckets(b: ExpoBuckets, by: number): ExpoBuckets {
  if (by === 0 || b.counts.length === 0) return { offset: b.offset, counts: [...b.counts] };
  const f = 2 ** by;
  const offset = Math.floor(b.offset / f);
  const counts: number[] = [];
  b.counts.forEach((c, i) => {
    const j = Math.floor((b.offset + i) / f) - offset;
    counts[j] = (counts[j] ?? 0) + c;
  });
  return { offset, counts: Array.from(counts, (c) => c ?? 0) };
}

/** `d` at `scale` (which must be <= d.scale). */
export function downscale(d: ExpoDist, scale: number): ExpoDist {
  const by = d.scale - scale;
  return { ...d, scale, positive: downscaleBuckets(d.positive, by), negative: downscaleBuckets(d.negative, by) };
}

/** a ± b bucket by bucket (sign -1 subtracts); the result may hold negative counts. */
function combineBuckets(a: ExpoBuckets, b: ExpoBuckets, sign: 1 | -1): ExpoBuckets {
  if (a.counts.length === 0) return { offset: b.offset, counts: b.counts.map((c) => sign * c) };
  if (b.counts.length === 0) return { offset: a.offset, counts: [...a.counts] };
  const offset = Math.min(a.offset, b.offset);
  const end = Math.max(a.offset + a.counts.length, b.offset + b.counts.length);
  const counts = new Array<number>(end - offset).fill(0);
  a.counts.forEach((c, i) => { counts[a.offset + i - offset]! += c; });
  b.counts.forEach((c, i) => { counts[b.offset + i - offset]! += sign * c; });
  return { offset, counts };
}

/** a ± b for exponential histograms, at the lower of their scales. */
function combineExpo(a: ExpoDist, b: ExpoDist, sign: 1 | -1): ExpoDist {
  const scale = Math.min(a.scale, b.scale);
  const x = downscale(a, scale);
  const y = downscale(b, scale);
  return {
    kind: 'exponential', scale, zeroThreshold: Math.max(x.zeroThreshold, y.zeroThreshold),
    zeroCount: x.zeroCount + sign * y.zeroCount,
    positive: combineBuckets(x.positive, y.positive, sign),
    negative: combineBuckets(x.negative, y.negative, sign),
  };
}

/** a + b, or undefined when they cannot be merged (different kinds or explicit bounds). */
export function merge(a: Dist, b: Dist): Dist | undefined {
  if (a.kind === 'explicit' && b.kind === 'explicit') {
    return sameBounds(a.bounds, b.bounds) ? { kind: 'explicit', bounds: a.bounds, counts: a.counts.map((c, i) => c + b.counts[i]!) } : undefined;
  }
  if (a.kind === 'exponential' && b.kind === 'exponential') return combineExpo(a, b, 1);
  return undefined;
}

/**
 * cur − prev for two cumulative points of one series, or undefined when that is not an increase
 * (a bucket went down, the bounds changed): the counter was reset.
 */
export function increase(cur: Dist, prev: Dist): Dist | undefined {
  let d: Dist;
  if (cur.kind === 'explicit' && prev.kind === 'explicit') {
    if (!sameBounds(cur.bounds, prev.bounds)) return undefined;
    d = { kind: 'explicit', bounds: cur.bounds, counts: cur.counts.map((c, i) => c - prev.counts[i]!) };
    return d.counts.every((c) => c >= 0) ? d : undefined;
  }
  if (cur.kind === 'exponential' && prev.kind === 'exponential') {
    const e = combineExpo(cur, prev, -1);
    const ok = e.zeroCount >= 0 && e.positive.counts.every((c) => c >= 0) && e.negative.counts.every((c) => c >= 0);
    return ok ? e : undefined;
  }
  return undefined;
}
