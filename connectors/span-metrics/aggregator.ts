/**
 * The span_metrics aggregation: spans in, per-resource series of calls, durations and events, with
 * otelcol's keys, cardinality limit, resource cache, adjusted counts and exemplars.
 */
import { canonicalAttributes, type Attributes, type Payload } from '../../pdata/index.js';
import { forEachSpanFields, SpanField, type SpanFields } from '../../pdata/span-fields.js';
import { adjustedCount } from './adjusted-count.js';
import type { Config } from './config.js';
import { buildAttributes, buildKey, compileDimensions, type DimensionList, type DimensionSettings } from './dimensions.js';
import { ResourceCache } from './resource-cache.js';
import { explicitBounds, histogramTable, observe, sumTable, unitDivider, type HistogramSeries, type SumSeries } from './series.js';
import { addExemplar, type SeriesTable } from './series-table.js';
import { spanEventAttributes } from './span-events.js';

/** adjustedCount's answer for a span without tracestate, shared rather than made per span. */
const NOT_ADJUSTED: readonly [number, boolean] = [1, false];

/** Span kinds and status codes OTLP defines (0-5, 0-2): the plain-key memo's slots. */
const KINDS = 6;
const STATUSES = 3;
/** Services, and span names per service, the plain-key memo holds before it starts over. */
const MEMO_LIMIT = 10_000;

/** The span fields every series key needs. */
const BASE_FIELDS = SpanField.envelope | SpanField.name | SpanField.kind | SpanField.times | SpanField.statusCode | SpanField.traceState;

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
  /** What to decode per span: attributes only when a dimension reads them, ids only for exemplars. */
  private readonly wanted: number;
  /** No calls or histogram dimensions: the sum and histogram keys of a span are the same. */
  private readonly sameKeys: boolean;
  /**
   * With no dimension at all a series key depends only on the service, the span's name, kind and
   * status (and, with the sampling method, whether the count is adjusted): each key is made once,
   * here, and looked up by those parts. Building, flattening and hashing it per span was ~5 % of
   * the forwarding thread on issue 10's chain. Undefined when dimensions are configured.
   */
  private readonly plainKeys: Map<string, Map<string, string[]>> | undefined;

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
    const none = (d: DimensionList): boolean => d.names.length === 0 && d.globs.length === 0;
    const attributes = ![this.dims, this.callsDims, this.durationDims, this.eventDims].every(none);
    this.wanted = BASE_FIELDS | (attributes ? SpanField.attributes : 0) | (config.exemplars.enabled ? SpanField.ids : 0);
    this.sameKeys = none(this.callsDims) && none(this.durationDims);
    this.plainKeys = attributes ? undefined : new Map();
  }

  /** Adds every span of a traces payload, at wall-clock time `nowMs`. Spans of a resource without service.name are skipped, as in otelcol. */
  aggregate(payload: Payload, nowMs: number): void {
    const start = nanos(nowMs);
    const events = this.config.events.enabled ? spanEventAttributes(payload) : undefined;
    let index = -1;
    let lastResource: Attributes | undefined;
    let rm: ResourceMetrics | undefined;
    forEachSpanFields(payload, this.wanted, (span) => {
      index++;
      if (!Object.prototype.hasOwnProperty.call(span.resource, 'service.name')) return;
      // Spans of one resource share its attributes object: look the resource up once.
      if (span.resource !== lastResource) { rm = this.resourceFor(span.resource, nowMs); lastResource = span.resource; }
      this.addSpan(rm!, span, events?.[index] ?? [], start, nowMs);
    });
  }

  private addSpan(rm: ResourceMetrics, span: SpanFields, events: readonly Attributes[], start: bigint, nowMs: number): void {
    const duration = span.durationNanos / this.divider;
    const [n, adjusted] = span.traceState === '' ? NOT_ADJUSTED : adjustedCount(span.traceState, this.random);
    const exemplars = this.config.exemplars.enabled && span.traceId.length > 0 && span.traceId.some((x) => x !== 0);
    const max = this.config.exemplars.max_per_data_point;
    const s = this.settings;
    const res = span.resource;

    // Most spans land in a series that exists: looked up by key alone, no closure or tuple made.
    const sumKey = this.plainKeys ? this.plainKey(this.plainKeys, span, adjusted) : buildKey(s, span, this.dims, this.callsDims, res, adjusted);
    let sum = rm.sums.seen(sumKey, nowMs);
    let sumOverflow = false;
    if (sum === undefined) [sum, sumOverflow] = rm.sums.getOrCreate(sumKey, () => buildAttributes(s, span, this.dims, this.callsDims, res, adjusted), start, nowMs);
    if (!sumOverflow && exemplars) addExemplar(sum, max, span.traceId, span.spanId, duration);
    sum.count += n;

    if (rm.histograms) {
      // Without calls or histogram dimensions both keys are the same string: its hash is computed once.
      const hKey = this.sameKeys ? sumKey : buildKey(s, span, this.dims, this.durationDims, res, adjusted);
      let h = rm.histograms.seen(hKey, nowMs);
      let hOverflow = false;
      if (h === undefined) [h, hOverflow] = rm.histograms.getOrCreate(hKey, () => buildAttributes(s, span, this.dims, this.durationDims, res, adjusted), start, nowMs);
      if (!hOverflow && exemplars) addExemplar(h, max, span.traceId, span.spanId, duration);
      observe(h, this.bounds, duration, n);
    }

    for (const eventAttributes of events) {
      // The resource's attributes overlaid with the event's: where event dimensions are looked up after the span's.
      const other: Attributes = { ...res, ...eventAttributes };
      const [e, eOverflow] = rm.events.getOrCreate(buildKey(s, span, this.dims, this.eventDims, other, adjusted),
        () => buildAttributes(s, span, this.dims, this.eventDims, other, adjusted), start, nowMs);
      if (!eOverflow && exemplars) addExemplar(e, max, span.traceId, span.spanId, duration);
      e.count += n;
    }
  }

  /** A span's series key when no dimension is configured, made once per service, name, kind, status and adjustment. */
  private plainKey(memo: Map<string, Map<string, string[]>>, span: SpanFields, adjusted: boolean): string {
    if (span.kind >= KINDS || span.statusCode >= STATUSES) return buildKey(this.settings, span, this.dims, this.callsDims, span.resource, adjusted);
    let byName = memo.get(span.serviceName);
    if (byName === undefined) {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(span.serviceName, (byName = new Map<string, string[]>()));
    }
    let slots = byName.get(span.name);
    if (slots === undefined) {
      // Span names can be unbounded (an id in the name): the memo is only a cache.
      if (byName.size >= MEMO_LIMIT) byName.clear();
      byName.set(span.name, (slots = []));
    }
    const i = (span.kind * STATUSES + span.statusCode) * 2 + (adjusted ? 1 : 0);
    return (slots[i] ??= buildKey(this.settings, span, this.dims, this.callsDims, span.resource, adjusted));
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
