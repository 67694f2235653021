/**
 * One flush of span_metrics: every resource's series written as OTLP metrics (otelcol's names,
 * units, temporality and timestamps), then the state reset as otelcol resets it — everything for
 * delta; for cumulative, evicted resources, exemplars and expired series or resources.
 */
import { MetricsBuilder, type ExemplarInput, type Payload, type ScopeMetricsBuilder } from '../../pdata/index.js';
import { nanos, type Aggregator } from './aggregator.js';
import type { Config } from './config.js';
import type { SeriesBase, SeriesTable } from './series-table.js';
import type { HistogramSeries, SumSeries } from './series.js';

/** The scope otelcol's connector writes its metrics under. */
export const SCOPE_NAME = 'spanmetricsconnector';

/** A small LRU of the last flush time per series key (delta: each point starts where the previous ended). */
export class TimestampCache {
  private readonly map = new Map<string, bigint>();
  constructor(private readonly size: number) {}
  /** The cached time, marking the key recently used. */
  get(key: string): bigint | undefined {
    const v = this.map.get(key);
    if (v !== undefined) { this.map.delete(key); this.map.set(key, v); }
    return v;
  }
  /** Every key and time, least recently used first (a checkpoint keeps them in this order). */
  entries(): Array<[string, bigint]> {
    return [...this.map];
  }
  /** Sets the time, evicting the least recently used key past `size`. */
  set(key: string, v: bigint): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
  }
}

const metricName = (namespace: string, name: string): string => (namespace === '' ? name : `${namespace}.${name}`);

/** Builds the metrics of every resource at `nowMs` and resets the state; null when there is nothing to send. */
export function flush(agg: Aggregator, timestamps: TimestampCache | undefined, nowMs: number): Payload | null {
  const config = agg.config;
  const time = nanos(nowMs);
  const builder = new MetricsBuilder();
  for (const [, rm] of agg.resources.entries()) {
    const scope = builder.scope(rm.attributes, { name: SCOPE_NAME });
    const touched = new Set<string>();
    const startOf = (key: string, start: bigint): bigint => {
      if (timestamps === undefined) return start;
      touched.add(key);
      return timestamps.get(key) ?? start;
    };
    writeSums(scope, metricName(config.namespace, 'calls'), rm.sums, startOf, time, config);
    if (rm.histograms) writeHistograms(scope, agg, rm.histograms, startOf, time);
    if (config.events.enabled) writeSums(scope, metricName(config.namespace, 'events'), rm.events, startOf, time, config);
    // Updated after the resource, as otelcol does: its series may share keys.
    for (const key of touched) timestamps!.set(key, time);
  }
  const payload = builder.build();
  reset(agg, nowMs);
  return payload;
}

type StartOf = (key: string, start: bigint) => bigint;

function exemplarsOf(s: SeriesBase, time: bigint): ExemplarInput[] | undefined {
  if (s.exemplars.length === 0) return undefined;
  return s.exemplars.map((e) => ({ value: e.value, timeUnixNano: time, traceId: e.traceId, spanId: e.spanId }));
}

function writeSums(scope: ScopeMetricsBuilder, name: string, table: SeriesTable<SumSeries>, startOf: StartOf, time: bigint, config: Config): void {
  const temporality = config.aggregation_temporality;
  for (const [key, s] of table.series) {
    let value = BigInt(s.count);
    // otelcol reports a new cumulative series as 0 first, so that a backend sees it start from nothing.
    if (temporality === 'cumulative' && s.isFirst) { value = 0n; s.isFirst = false; }
    scope.sum({ name, temporality, monotonic: true }, {
      attributes: s.attributes, startTimeUnixNano: startOf(key, s.startTimeUnixNano), timeUnixNano: time, value, exemplars: exemplarsOf(s, time),
    });
  }
}

function writeHistograms(scope: ScopeMetricsBuilder, agg: Aggregator, table: SeriesTable<HistogramSeries>, startOf: StartOf, time: bigint): void {
  const config = agg.config;
  const metric = { name: metricName(config.namespace, 'duration'), unit: config.histogram.unit, temporality: config.aggregation_temporality };
  for (const [key, h] of table.series) {
    const common = { attributes: h.attributes, startTimeUnixNano: startOf(key, h.startTimeUnixNano), timeUnixNano: time, exemplars: exemplarsOf(h, time) };
    if (h.kind === 'explicit') {
      scope.histogram(metric, { ...common, count: h.count, sum: h.sum, bucketCounts: h.bucketCounts, explicitBounds: agg.bounds });
      continue;
    }
    const x = h.histogram;
    scope.exponentialHistogram(metric, {
      ...common, count: x.count, sum: x.sum, scale: x.reportedScale, zeroCount: x.zeroCount, positive: x.positive(),
      ...(x.count !== 0 ? { min: x.min, max: x.max } : {}),
    });
  }
}

/** otelcol's resetState. */
function reset(agg: Aggregator, nowMs: number): void {
  const config = agg.config;
  if (config.aggregation_temporality === 'delta') { agg.resources.purge(); return; }
  agg.resources.removeEvicted();
  if (config.histogram.disable && config.metrics_expiration === 0 && config.series_expiration === 0 && !config.exemplars.enabled) return;
  for (const [key, rm] of agg.resources.entries()) {
    const tables = [rm.sums, rm.events, ...(rm.histograms ? [rm.histograms] : [])];
    for (const t of tables) {
      if (config.exemplars.enabled) t.clearExemplars();
      t.expire(config.series_expiration, nowMs);
    }
    if (config.metrics_expiration > 0 && nowMs - rm.lastSeenMs >= config.metrics_expiration) agg.resources.remove(key);
  }
}

