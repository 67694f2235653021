/**
 * The OTLP data model: schema-driven protobuf validation, OTLP/JSON, byte-level record operations and
 * partitioning, per-item views, request builders, responses.
 */
export { Payload, SIGNALS, type Signal } from './payload.js';
export { decodeProtobuf, type DecodeResult } from './decode.js';
export { fromJson, toJson, toJsonBytes } from './json.js';
export { BufferPool } from './buffer-pool.js';
export {
  filterSpans, forEachSpan, mergePayloads, partitionOf, splitByKey, splitPayload, type SpanView,
} from './records.js';
export { groupByPartition, type PartitionKey } from './partition.js';
export { hash64, seriesId, seriesKey } from './series.js';
export { canonicalAttributes, canonicalValue, type AttributeValue, type Attributes } from './any-value.js';
export { attributesFromBytes, attributesToBytes } from './attribute-bytes.js';
export { encodeExportResponse, encodeStatus, exportResponseJson, statusJson } from './responses.js';
export { MAX_ANY_DEPTH, MESSAGES, REQUEST, message, type FieldDef, type MessageDef } from './schema.js';
export { makeRealisticMetricsRequest, makeRealisticTraceRequest, measureDecode, measurePartitionSplit } from './bench.js';
export { forEachDataPoint, type DataPointView, type ExemplarView, type MetricType, type PointFields, type Temporality } from './metric-view.js';
export { forEachLogRecord, type LogRecordView } from './log-view.js';
export { forEachSpanDetailed, type SpanDetailView } from './span-detail.js';
export { type Envelope } from './envelope.js';
export { maxEventTime, windowAttributes } from './event-time.js';
export {
  MetricsBuilder, ScopeMetricsBuilder, type AggregatedMetricInput, type BucketsInput, type ExemplarInput, type ExponentialHistogramPointInput,
  type HistogramPointInput, type MetricInput, type NumberPointInput, type PointInput, type SumInput,
} from './metrics-builder.js';
export { LogsBuilder, ScopeLogsBuilder, type LogRecordInput } from './logs-builder.js';
export { type AttributeInput, type AttributesInput, type IdInput, type ScopeInput } from './build-common.js';
