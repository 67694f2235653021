/**
 * Quantiles of a window's latency distribution, computed the way Prometheus' `histogram_quantile`
 * does. Classic (explicit) buckets: find the bucket holding rank q·count, interpolate linearly in
 * it; the first bucket starts at 0 when its upper bound is positive; a rank in the +Inf bucket
 * gives the highest finite bound. Exponential buckets: as Prometheus does for native histograms,
 * interpolate exponentially (linearly in log2 of the value) inside (base^i, base^(i+1)]; the zero
 * bucket linearly, from 0 when no observation is negative.
 */
import type { Dist, ExplicitDist, ExpoDist } from './distribution.js';

/** The q-quantile (0 <= q <= 1) of the distribution, or NaN when it is empty. */
export function quantile(q: number, d: Dist): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  return d.kind === 'explicit' ? explicitQuantile(q, d) : expoQuantile(q, d);
}

/** Prometheus' bucketQuantile over cumulative counts of upper-inclusive bounds plus +Inf. */
export function explicitQuantile(q: number, d: ExplicitDist): number {
  const upper = [...d.bounds, Infinity];
  const cumulative: number[] = [];
  let running = 0;
  for (const c of d.counts) cumulative.push(running += c);
  if (upper.length < 2) return NaN; // only the +Inf bucket: no bound to interpolate to
  const observations = cumulative[cumulative.length - 1]!;
  if (observations === 0) return NaN;
  let rank = q * observations;
  const b = cumulative.findIndex((c) => c >= rank);
  if (b === upper.length - 1) return upper[upper.length - 2]!; // the +Inf bucket: its lower bound
  if (b === 0 && upper[0]! <= 0) return upper[0]!;
  let start = 0;
  let count = cumulative[b]!;
  if (b > 0) {
    start = upper[b - 1]!;
    count -= cumulative[b - 1]!;
    rank -= cumulative[b - 1]!;
  }
  return start + (upper[b]! - start) * (rank / count);
}

/** One bucket of an exponential histogram, in ascending value order. */
interface Bucket { lower: number; upper: number; count: number; zero: boolean }

/** The exponential histogram's buckets, lowest values first: negative, zero, positive. */
function bucketsOf(d: ExpoDist): Bucket[] {
  const bound = (i: number): number => 2 ** (i * 2 ** -d.scale);
  const out: Bucket[] = [];
  for (let i = d.negative.counts.length - 1; i >= 0; i--) {
    const idx = d.negative.offset + i;
    out.push({ lower: -bound(idx + 1), upper: -bound(idx), count: d.negative.counts[i]!, zero: false });
  }
  const hasNeg = d.negative.counts.some((c) => c > 0);
  const hasPos = d.positive.counts.some((c) => c > 0);
  // As Prometheus: the zero bucket spans [-t, t], narrowed to the side where observations are.
  const lower = hasNeg || !hasPos ? -d.zeroThreshold : 0;
  const upper = hasPos || !hasNeg ? d.zeroThreshold : 0;
  out.push({ lower: hasNeg || hasPos ? lower : 0, upper, count: d.zeroCount, zero: true });
  d.positive.counts.forEach((c, i) => {
    const idx = d.positive.offset + i;
    out.push({ lower: bound(idx), upper: bound(idx + 1), count: c, zero: false });
  });
  return out;
}

/** The q-quantile of an exponential histogram (Prometheus' native-histogram interpolation). */
export function expoQuantile(q: number, d: ExpoDist): number {
  const buckets = bucketsOf(d).filter((b) => b.count > 0);
  const total = buckets.reduce((n, b) => n + b.count, 0);
  if (total === 0) return NaN;
  const rank = q * total;
  let seen = 0;
  for (const b of buckets) {
    if (seen + b.count < rank) { seen += b.count; continue; }
    const fraction = (rank - seen) / b.count;
    if (b.zero) return b.lower + (b.upper - b.lower) * fraction;
    const logLower = Math.log2(Math.abs(b.lower));
    const logUpper = Math.log2(Math.abs(b.upper));
    if (b.lower > 0) return 2 ** (logLower + (logUpper - logLower) * fraction);
    return -(2 ** (logUpper + (logLower - logUpper) * (1 - fraction)));
  }
  return buckets[buckets.length - 1]!.upper; // rounding: rank just above the total
}
