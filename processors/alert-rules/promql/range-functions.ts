/** Functions over range vectors: rate, increase, irate, delta (with Prometheus' extrapolation) and *_over_time. */
import type { Point } from './values.js';
import { kahanInc, quantile, variance } from './stats.js';

/** Where the range of a range-vector argument lies, in milliseconds. */
export interface RangeBounds {
  readonly start: number;
  readonly end: number;
  readonly rangeMs: number;
}

/** A function of one series' points; undefined drops the series from the result. */
export type RangeFunction = (points: readonly Point[], bounds: RangeBounds, param: number) => number | undefined;

/** rate/increase/delta: the change over the range, extrapolated towards its edges as Prometheus does. */
function extrapolatedRate(points: readonly Point[], b: RangeBounds, isCounter: boolean, isRate: boolean): number | undefined {
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined || points.length < 2) return undefined;
  let result = last.v - first.v;
  if (isCounter) {
    let previous = 0;
    for (const p of points) {
      if (p.v < previous) result += previous; // a counter reset: the counter restarted from zero
      previous = p.v;
    }
  }
  let toStart = (first.t - b.start) / 1000;
  const toEnd = (b.end - last.t) / 1000;
  const sampled = (last.t - first.t) / 1000;
  const average = sampled / (points.length - 1);
  if (isCounter && result > 0 && first.v >= 0) {
    // A counter is never negative: do not extrapolate to before the point where it was zero.
    const toZero = sampled * (first.v / result);
    if (toZero < toStart) toStart = toZero;
  }
  const threshold = average * 1.1;
  let interval = sampled;
  interval += toStart < threshold ? toStart : average / 2;
  interval += toEnd < threshold ? toEnd : average / 2;
  // One factor, applied once: the same rounding as Prometheus.
  let factor = interval / sampled;
  if (isRate) factor /= b.rangeMs / 1000;
  return result * factor;
}

/** irate: the per-second rate between the last two points. */
function instantRate(points: readonly Point[]): number | undefined {
  const last = points[points.length - 1];
  const previous = points[points.length - 2];
  if (last === undefined || previous === undefined) return undefined;
  const result = last.v < previous.v ? last.v : last.v - previous.v;
  const interval = last.t - previous.t;
  if (interval === 0) return undefined;
  return result / (interval / 1000);
}

function values(points: readonly Point[]): number[] {
  return points.map((p) => p.v);
}

function sumOf(points: readonly Point[]): number {
  let sum = 0;
  let c = 0;
  for (const p of points) [sum, c] = kahanInc(p.v, sum, c);
  return Number.isFinite(sum) ? sum + c : sum;
}

function avgOf(points: readonly Point[]): number {
  let mean = 0;
  let c = 0;
  let count = 0;
  for (const p of points) {
    count++;
    if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
      // Once the mean is infinite, only NaN or the opposite infinity can change it.
      if (!Number.isFinite(p.v) && !Number.isNaN(p.v) && (mean > 0) === (p.v > 0)) continue;
      if (Number.isFinite(p.v)) continue;
    }
    [mean, c] = kahanInc(p.v / count - mean / count, mean, c);
  }
  return !Number.isFinite(mean) && !Number.isNaN(mean) ? mean : mean + c;
}

function extreme(points: readonly Point[], better: (a: number, b: number) => boolean): number {
  let best = points[0]?.v ?? NaN;
  for (const p of points) if (better(p.v, best) || Number.isNaN(best)) best = p.v;
  return best;
}

/** Every supported range-vector function by name. */
export const RANGE_FUNCTIONS: ReadonlyMap<string, RangeFunction> = new Map<string, RangeFunction>([
  ['rate', (p, b) => extrapolatedRate(p, b, true, true)],
  ['increase', (p, b) => extrapolatedRate(p, b, true, false)],
  ['delta', (p, b) => extrapolatedRate(p, b, false, false)],
  ['irate', (p) => instantRate(p)],
  ['avg_over_time', (p) => avgOf(p)],
  ['sum_over_time', (p) => sumOf(p)],
  ['min_over_time', (p) => extreme(p, (a, b) => a < b)],
  ['max_over_time', (p) => extreme(p, (a, b) => a > b)],
  ['count_over_time', (p) => p.length],
  ['last_over_time', (p) => p[p.length - 1]?.v],
  ['present_over_time', () => 1],
  ['stdvar_over_time', (p) => variance(values(p))],
  ['stddev_over_time', (p) => Math.sqrt(variance(values(p)))],
  ['quantile_over_time', (p, _b, q) => quantile(q, values(p))],
]);
