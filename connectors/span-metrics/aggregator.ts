/**
 * The span_metrics aggregation: spans in, per-resource series of calls, durations and events, with
 * otelcol's keys, cardinality limit, resource cache, adjusted counts and exemplars.
 */
import { canonicalAttributes, forEachSpanDetailed, type Attributes, type Payload, type SpanDetailView } from '../../pdata/index.js';
import { adjustedCount } from './adjusted-count.js';
import type { Config } from './config.js';
import { buildAttributes, buildKey, compileDimensions, type DimensionList, type DimensionSettings, type SpanFacts } from './dimensions.js';
import { ResourceCache } from './resource-cache.js';
import { explicitBounds, histogramTable, observe, sumTable, unitDivider, type HistogramSeries, type SumSeries } from './series.js';
import { addExemplar, type SeriesTable } from './series-table.js';
import { spanEventAttributes } from './span-events.js';

/** Everything kept for one resource. */
export interface ResourceMetrics {
  readonly attributes: Attributes;
  readonly sums: SeriesTable<SumSeries>;
  readonly histograms: SeriesTable<HistogramSeries> | undefined;
  readonly events: SeriesTable<SumSeries>;
  lastSeenMs: number;
}

/** Milliseconds since the epoch to nanoseconds. */
export const nanos = (ms: number): bigint => BigInt(Math.round(ms * 1000)) * 1000n;

/** Span metrics state of one connector instance. */
export class Aggregator {
  readonly resources: ResourceCache<ResourceMetrics>;
  readonly bounds: readonly number[];
  private readonly dims: DimensionList;
  private readonly callsDims: DimensionList;
  private readonly durationDims: DimensionList;
  private readonly eventDims: DimensionList;
  private readonly settings: DimensionSettings;
  private readonly keyAttributes: ReadonlySet<string>;
  private readonly divider: number;
  /** Whether any dimension is configured: without one, no span attribute is read, so none is decoded. */
  private readonly readsSpanAttributes: boolean;

  constructor(readonly config: Config, instanceId: string, private readonly random: () => number = Math.random) {
    this.resources = new ResourceCache(config.resource_metrics_cache_size);
    this.bounds = explicitBounds(config);
    this.dims = compileDimensions(config.dimensions);
    this.callsDims = compileDimensions(config.calls_dimensions);
    this.durationDims = compileDimensions(config.histogram.dimensions);
    this.eventDims = compileDimensions(config.events.dimensions);
    this.settings = {
      exclude: new Set(config.exclude_dimensions),
      instanceId,
      includeScopes: new Set(config.include_instrumentation_scope),
      samplingMethod: config.enable_metrics_sampling_method,
    };
    this.keyAttributes = new Set(config.resource_metrics_key_attributes);
    this.divider = unitDivider(config.histogram.unit);
    this.readsSpanAttributes = [this.dims, this.callsDims, this.durationDims, this.eventDims].some((d) => d.names.length > 0 || d.globs.length > 0);
  }

  /** Adds every span of a traces payload, at wall-clock time `nowMs`. Spans of a resource without service.name are skipped, as in otelcol. */
  aggregate(payload: Payload, nowMs: number): void {
    const start = nanos(nowMs);
    const events = this.config.events.enabled ? spanEventAttributes(payload) : undefined;
    let index = -1;
    let lastResource: Attributes | undefined;
    let rm: ResourceMetrics | undefined;
    forEachSpanDetailed(payload, (span) => {
      index++;
      if (!Object.prototype.hasOwnProperty.call(span.resource, 'service.name')) return;
      // Spans of one resource share its attributes object: look the resource up once.
      if (span.resource !== lastResource) { rm = this.resourceFor(span.resource, nowMs); lastResource = span.resource; }
      this.addSpan(rm!, span, events?.[index] ?? [], start, nowMs);
    }, this.readsSpanAttributes);
  }

  private addSpan(rm: ResourceMetrics, span: SpanDetailView, events: readonly Attributes[], start: bigint, nowMs: number): void {
    const service = span.resource['service.name'];
    const facts: SpanFacts = {
      serviceName: typeof service === 'string' ? service : '', name: span.name, kind: span.kind, statusCode: span.statusCode,
      attributes: span.attributes, scopeName: span.scopeName, scopeVersion: span.scopeVersion,
    };
    const duration = span.endTimeUnixNano > span.startTimeUnixNano ? Number(span.endTimeUnixNano - span.startTimeUnixNano) / this.divider : 0;
    const [n, adjusted] = adjustedCount(span.traceState, this.random);
    const exemplars = this.config.exemplars.enabled && span.traceId.length > 0 && span.traceId.some((x) => x !== 0);
    const max = this.config.exemplars.max_per_data_point;
    const s = this.settings;
    const res = span.resource;

    const [sum, sumOverflow] = rm.sums.getOrCreate(buildKey(s, facts, this.dims, this.callsDims, res, adjusted),
      () => buildAttributes(s, facts, this.dims, this.callsDims, res, adjusted), start, nowMs);
    if (!sumOverflow && exemplars) addExemplar(sum, max, span.traceId, span.spanId, duration);
    sum.count += n;

    if (rm.histograms) {
      const [h, hOverflow] = rm.histograms.getOrCreate(buildKey(s, facts, this.dims, this.durationDims, res, adjusted),
        () => buildAttributes(s, facts, this.dims, this.durationDims, res, adjusted), start, nowMs);
      if (!hOverflow && exemplars) addExemplar(h, max, span.traceId, span.spanId, duration);
      observe(h, this.bounds, duration, n);
    }

    for (const eventAttributes of events) {
      // The resource's attributes overlaid with the event's: where event dimensions are looked up after the span's.
      const other: Attributes = { ...res, ...eventAttributes };
      const [e, eOverflow] = rm.events.getOrCreate(buildKey(s, facts, this.dims, this.eventDims, other, adjusted),
        () => buildAttributes(s, facts, this.dims, this.eventDims, other, adjusted), start, nowMs);
      if (!eOverflow && exemplars) addExemplar(e, max, span.traceId, span.spanId, duration);
      e.count += n;
    }
  }

  private resourceFor(attributes: Attributes, nowMs: number): ResourceMetrics {
    const key = this.resourceKey(attributes);
    let rm = this.resources.get(key);
    if (rm === undefined) {
      rm = this.emptyResource(attributes, nowMs);
      this.resources.add(key, rm);
    }
    if (this.config.metrics_expiration > 0) rm.lastSeenMs = nowMs;
    return rm;
  }

  /** A resource without series yet (also what a checkpoint's resources are restored into). */
  emptyResource(attributes: Attributes, lastSeenMs: number): ResourceMetrics {
    const limit = this.config.aggregation_cardinality_limit;
    return { attributes, sums: sumTable(limit), histograms: histogramTable(this.config, this.bounds), events: sumTable(limit), lastSeenMs };
  }

  /** Resources are told apart by all their attributes, or only by resource_metrics_key_attributes. */
  private resourceKey(attributes: Attributes): string {
    if (this.keyAttributes.size === 0) return canonicalAttributes(attributes);
    const kept: Attributes = {};
    for (const k of Object.keys(attributes)) if (this.keyAttributes.has(k)) kept[k] = attributes[k]!;
    return canonicalAttributes(kept);
  }
}
