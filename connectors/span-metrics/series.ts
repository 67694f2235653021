/**
 * The three kinds of series span_metrics keeps: a call count (also the events count), an
 * explicit-bucket histogram and an exponential histogram of span durations.
 */
import type { Config } from './config.js';
import { DEFAULT_EXPONENTIAL_MAX_SIZE } from './config.js';
import { ExponentialHistogram } from './expo-histogram.js';
import { SeriesTable, type SeriesAttributes, type SeriesBase } from './series-table.js';

/** otelcol's default duration buckets, in milliseconds. */
export const DEFAULT_BUCKETS_MS = [2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10_000, 15_000] as const;
/** go-expohisto's bounds on max_size. */
const EXPO_MIN_SIZE = 2;
const EXPO_MAX_SIZE = 16384;

/** A monotonic count. `isFirst`: a new cumulative series is first reported as 0, as otelcol does (so Prometheus sees it start). */
export interface SumSeries extends SeriesBase {
  count: number;
  isFirst: boolean;
}

/** An explicit-bucket histogram series. */
export interface ExplicitSeries extends SeriesBase {
  readonly kind: 'explicit';
  readonly bucketCounts: number[];
  count: number;
  sum: number;
}

/** An exponential histogram series. */
export interface ExponentialSeries extends SeriesBase {
  readonly kind: 'exponential';
  /** Replaced whole when a checkpoint is restored. */
  histogram: ExponentialHistogram;
}

/** A duration histogram series of either kind. */
export type HistogramSeries = ExplicitSeries | ExponentialSeries;

/** Nanoseconds per unit of the duration metric. */
export const unitDivider = (unit: 'ms' | 's'): number => (unit === 'ms' ? 1e6 : 1e9);

/** The explicit bounds otelcol would use for this config (an `explicit` section without buckets means none). */
export function explicitBounds(config: Config): number[] {
  const h = config.histogram;
  if (h.explicit) return (h.explicit.buckets ?? []).map((ns) => ns / unitDivider(h.unit));
  return DEFAULT_BUCKETS_MS.map((ms) => (h.unit === 'ms' ? ms : ms / 1000));
}

/** A table of sums. */
export function sumTable(limit: number): SeriesTable<SumSeries> {
  return new SeriesTable(limit, (attributes: SeriesAttributes, startTimeUnixNano: bigint, lastSeenMs: number) =>
    ({ attributes, startTimeUnixNano, lastSeenMs, exemplars: [], count: 0, isFirst: true }));
}

/** A table of duration histograms of the configured kind, or undefined when histograms are disabled. */
export function histogramTable(config: Config, bounds: readonly number[]): SeriesTable<HistogramSeries> | undefined {
  const h = config.histogram;
  if (h.disable) return undefined;
  const limit = config.aggregation_cardinality_limit;
  if (h.exponential) {
    const size = h.exponential.max_size <= 0 ? DEFAULT_EXPONENTIAL_MAX_SIZE : Math.min(EXPO_MAX_SIZE, Math.max(EXPO_MIN_SIZE, h.exponential.max_size));
    return new SeriesTable<HistogramSeries>(limit, (attributes, startTimeUnixNano, lastSeenMs) =>
      ({ kind: 'exponential', attributes, startTimeUnixNano, lastSeenMs, exemplars: [], histogram: new ExponentialHistogram(size) }));
  }
  return new SeriesTable<HistogramSeries>(limit, (attributes, startTimeUnixNano, lastSeenMs) =>
    ({ kind: 'explicit', attributes, startTimeUnixNano, lastSeenMs, exemplars: [], bucketCounts: new Array<number>(bounds.length + 1).fill(0), count: 0, sum: 0 }));
}

/** The first index whose bound is >= value (Go's sort.SearchFloat64s): bounds are upper-inclusive. */
function bucketIndex(bounds: readonly number[], value: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bounds[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Records a duration `n` times. */
export function observe(h: HistogramSeries, bounds: readonly number[], value: number, n: number): void {
  if (h.kind === 'exponential') { h.histogram.observe(value, n); return; }
  h.sum += value * n;
  h.count += n;
  const i = bucketIndex(bounds, value);
  h.bucketCounts[i] = h.bucketCounts[i]! + n;
}
