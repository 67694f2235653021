/**
 * Builds an ExportMetricsServiceRequest from JavaScript values, for processors that emit metrics
 * (span metrics, anomaly scores): points are grouped by resource, scope and metric, and written with
 * the protobuf writer into a Payload that pdata's decoder accepts.
 */
import {
  Grouping, double, fixed64, id, nested, string, varint, writeAttributes,
  type AttributesInput, type IdInput, type ScopeInput,
} from './build-common.js';
import { Payload } from './payload.js';
import { Writer } from './wire.js';

/** What identifies a metric besides its points. */
export interface MetricInput {
  readonly name: string;
  readonly description?: string;
  readonly unit?: string;
}

/** Sums and histograms carry a temporality. */
export interface AggregatedMetricInput extends MetricInput {
  readonly temporality: 'delta' | 'cumulative';
}

/** A sum: also monotonic or not. */
export interface SumInput extends AggregatedMetricInput {
  readonly monotonic: boolean;
}

/** An exemplar: a measurement with the trace it came from. */
export interface ExemplarInput {
  /** A bigint is written as_int, a number as_double. */
  readonly value: number | bigint;
  readonly timeUnixNano: bigint;
  readonly traceId?: IdInput;
  readonly spanId?: IdInput;
  readonly filteredAttributes?: AttributesInput;
}

/** What every point has. */
export interface PointInput {
  readonly attributes?: AttributesInput;
  readonly startTimeUnixNano?: bigint;
  readonly timeUnixNano: bigint;
  readonly exemplars?: readonly ExemplarInput[];
  readonly flags?: number;
}

/** A gauge or sum point: a bigint is written as_int, a number as_double. */
export interface NumberPointInput extends PointInput {
  readonly value: number | bigint;
}

/** A histogram point with explicit bounds (bucketCounts has one more entry than explicitBounds). */
export interface HistogramPointInput extends PointInput {
  readonly count: number;
  readonly sum?: number;
  readonly min?: number;
  readonly max?: number;
  readonly bucketCounts: readonly number[];
  readonly explicitBounds: readonly number[];
}

/** Exponential histogram buckets: counts from index `offset`. */
export interface BucketsInput {
  readonly offset: number;
  readonly bucketCounts: readonly number[];
}

/** An exponential histogram point. */
export interface ExponentialHistogramPointInput extends PointInput {
  readonly count: number;
  readonly sum?: number;
  readonly min?: number;
  readonly max?: number;
  readonly scale: number;
  readonly zeroCount: number;
  readonly zeroThreshold?: number;
  readonly positive?: BucketsInput;
  readonly negative?: BucketsInput;
}

type Kind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram';
interface MetricGroup { kind: Kind; metric: MetricInput; points: PointInput[] }
type ScopeGroup = Map<string, MetricGroup>;

const TEMPORALITY = { delta: 1, cumulative: 2 } as const;

/** Adds points for one resource and scope (from MetricsBuilder.scope). */
export class ScopeMetricsBuilder {
  constructor(private readonly metrics: ScopeGroup, private readonly onAdd: () => void) {}

  /** A gauge point. */
  gauge(metric: MetricInput, point: NumberPointInput): this { return this.add('gauge', metric, point); }

  /** A sum point. */
  sum(metric: SumInput, point: NumberPointInput): this { return this.add('sum', metric, point); }

  /** A histogram point with explicit bounds. */
  histogram(metric: AggregatedMetricInput, point: HistogramPointInput): this { return this.add('histogram', metric, point); }

  /** An exponential histogram point. */
  exponentialHistogram(metric: AggregatedMetricInput, point: ExponentialHistogramPointInput): this {
    return this.add('exponential_histogram', metric, point);
  }

  private add(kind: Kind, metric: MetricInput, point: PointInput): this {
    const m = metric as Partial<SumInput>;
    const key = JSON.stringify([kind, metric.name, metric.description ?? '', metric.unit ?? '', m.temporality ?? '', m.monotonic ?? false]);
    const group = this.metrics.get(key);
    if (group) group.points.push(point);
    else this.metrics.set(key, { kind, metric, points: [point] });
    this.onAdd();
    return this;
  }
}

/** Collects data points and writes them as one metrics request. */
export class MetricsBuilder {
  private readonly groups = new Grouping<ScopeGroup>(() => new Map());
  private count = 0;

  /** Data points added so far. */
  get pointCount(): number { return this.count; }

  /** The builder for points under this resource and scope (the same one for equal resource attributes and scope). */
  scope(resource: AttributesInput, scope: ScopeInput): ScopeMetricsBuilder {
    return new ScopeMetricsBuilder(this.groups.get(resource, scope), () => { this.count++; });
  }

  /** The request as a metrics Payload; null when no point was added. */
  build(): Payload | null {
    if (this.count === 0) return null;
    const w = new Writer(256 + this.count * 128);
    this.groups.write(w, (metrics) => {
      for (const g of metrics.values()) nested(w, 2, () => writeMetric(w, g));
    });
    return new Payload('metrics', w.finish(), this.count);
  }
}

function writeMetric(w: Writer, { kind, metric, points }: MetricGroup): void {
  string(w, 1, metric.name);
  if (metric.description) string(w, 2, metric.description);
  if (metric.unit) string(w, 3, metric.unit);
  const m = metric as Partial<SumInput>;
  const no = { gauge: 5, sum: 7, histogram: 9, exponential_histogram: 10 }[kind];
  nested(w, no, () => {
    for (const p of points) {
      nested(w, 1, () => {
        if (kind === 'gauge' || kind === 'sum') writeNumberPoint(w, p as NumberPointInput);
        else if (kind === 'histogram') writeHistogramPoint(w, p as HistogramPointInput);
        else writeExponentialPoint(w, p as ExponentialHistogramPointInput);
      });
    }
    if (m.temporality !== undefined) varint(w, 2, TEMPORALITY[m.temporality]);
    if (kind === 'sum' && m.monotonic) varint(w, 3, 1);
  });
}

function times(w: Writer, p: PointInput): void {
  if (p.startTimeUnixNano) fixed64(w, 2, p.startTimeUnixNano);
  fixed64(w, 3, p.timeUnixNano);
}

function writeNumberPoint(w: Writer, p: NumberPointInput): void {
  writeAttributes(w, 7, p.attributes);
  times(w, p);
  if (typeof p.value === 'bigint') fixed64(w, 6, p.value);
  else double(w, 4, p.value);
  for (const e of p.exemplars ?? []) nested(w, 5, () => writeExemplar(w, e));
  if (p.flags) varint(w, 8, p.flags);
}

function writeHistogramPoint(w: Writer, p: HistogramPointInput): void {
  if (p.bucketCounts.length !== 0 && p.bucketCounts.length !== p.explicitBounds.length + 1) {
    throw new RangeError(`histogram: ${p.bucketCounts.length} bucket counts for ${p.explicitBounds.length} bounds (want bounds + 1)`);
  }
  writeAttributes(w, 9, p.attributes);
  times(w, p);
  fixed64(w, 4, p.count);
  if (p.sum !== undefined) double(w, 5, p.sum);
  packedFixed(w, 6, p.bucketCounts, false);
  packedFixed(w, 7, p.explicitBounds, true);
  for (const e of p.exemplars ?? []) nested(w, 8, () => writeExemplar(w, e));
  if (p.flags) varint(w, 10, p.flags);
  if (p.min !== undefined) double(w, 11, p.min);
  if (p.max !== undefined) double(w, 12, p.max);
}

function writeExponentialPoint(w: Writer, p: ExponentialHistogramPointInput): void {
  writeAttributes(w, 1, p.attributes);
  times(w, p);
  fixed64(w, 4, p.count);
  if (p.sum !== undefined) double(w, 5, p.sum);
  if (p.scale) { w.tag(6, 0); w.uint32(zigzag(p.scale)); }
  if (p.zeroCount) fixed64(w, 7, p.zeroCount);
  if (p.positive) nested(w, 8, () => writeBuckets(w, p.positive!));
  if (p.negative) nested(w, 9, () => writeBuckets(w, p.negative!));
  if (p.flags) varint(w, 10, p.flags);
  for (const e of p.exemplars ?? []) nested(w, 11, () => writeExemplar(w, e));
  if (p.min !== undefined) double(w, 12, p.min);
  if (p.max !== undefined) double(w, 13, p.max);
  if (p.zeroThreshold) double(w, 14, p.zeroThreshold);
}

const zigzag = (n: number): number => ((n << 1) ^ (n >> 31)) >>> 0;

function writeBuckets(w: Writer, b: BucketsInput): void {
  if (b.offset) { w.tag(1, 0); w.uint32(zigzag(b.offset)); }
  if (b.bucketCounts.length === 0) return;
  nested(w, 2, () => {
    for (const c of b.bucketCounts) { const hi = Math.floor(c / 4294967296); w.varint64(c - hi * 4294967296, hi); }
  });
}

/** A packed repeated fixed64 (counts) or double (bounds). */
function packedFixed(w: Writer, no: number, values: readonly number[], doubles: boolean): void {
  if (values.length === 0) return;
  w.tag(no, 2);
  w.uint32(values.length * 8);
  for (const v of values) {
    if (doubles) w.double(v);
    else { const hi = Math.floor(v / 4294967296); w.fixed64(v - hi * 4294967296, hi); }
  }
}

function writeExemplar(w: Writer, e: ExemplarInput): void {
  writeAttributes(w, 7, e.filteredAttributes);
  fixed64(w, 2, e.timeUnixNano);
  if (typeof e.value === 'bigint') fixed64(w, 6, e.value);
  else double(w, 3, e.value);
  id(w, 4, e.spanId, 8, 'exemplar span id');
  id(w, 5, e.traceId, 16, 'exemplar trace id');
}

