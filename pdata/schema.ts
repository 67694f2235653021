/**
 * Tables describing every OTLP v1 message (opentelemetry-proto: collector, trace, metrics, logs,
 * common, resource): field number → proto name, JSON name, kind and nested message. The decoder,
 * the JSON codec and the record operations are all driven by these tables, so a new OTLP field is
 * one line here.
 */
import type { Signal } from './payload.js';

/** Scalar and message kinds; the number is what the hot loops switch on. */
export const enum Kind {
  String = 0, Bytes, Bool, Int32, Uint32, Sint32, Int64, Uint64, Enum, Fixed32, Fixed64, Sfixed64, Double, Message,
}

/** Protobuf wire types. */
export const enum Wire { Varint = 0, I64 = 1, Len = 2, StartGroup = 3, EndGroup = 4, I32 = 5 }

/** The wire type a non-packed value of each kind is written with. */
export const WIRE_OF: readonly number[] = [
  Wire.Len, Wire.Len, Wire.Varint, Wire.Varint, Wire.Varint, Wire.Varint, Wire.Varint, Wire.Varint, Wire.Varint,
  Wire.I32, Wire.I64, Wire.I64, Wire.I64, Wire.Len,
];

/** One field of a message. */
export interface FieldDef {
  readonly no: number;
  readonly name: string;
  readonly json: string;
  /** `"json":` as ASCII bytes, for the JSON writer. */
  readonly jsonKey: Uint8Array;
  /** `"json":` and `,"json":` as little-endian 32-bit words (the last one padded), copied 4 bytes at a time by the JSON writer. */
  readonly jsonKeyWords: Int32Array;
  readonly jsonCommaKeyWords: Int32Array;
  readonly kind: Kind;
  readonly repeated: boolean;
  /** A repeated scalar that may be packed (not strings, bytes or messages). */
  readonly packable: boolean;
  /** Part of a oneof or `optional`: written and shown even when it holds the default value. */
  readonly presence: boolean;
  /** Trace/span id: shown as hex in JSON; its byte length (16 or 8). */
  readonly idLength: number;
  /** The id must be present (a span's own trace and span id). */
  readonly idRequired: boolean;
  /** Resolved nested message for Kind.Message. */
  msg: MessageDef | undefined;
  readonly msgName: string | undefined;
}

/** One message type. */
export interface MessageDef {
  readonly name: string;
  /** How an element is named in error paths ("span 3 of scope 0 of resource 0"). */
  readonly label: string | undefined;
  /** Counted as one item (span, data point, log record). */
  readonly item: boolean;
  /** AnyValue: nesting depth is limited. */
  readonly anyValue: boolean;
  /** Has repeated children with a label, whose indexes error paths need. */
  readonly countsKids: boolean;
  /** Id fields that must be present. */
  readonly requiredIds: readonly FieldDef[];
  /** Indexed by field number. */
  readonly fields: readonly (FieldDef | undefined)[];
  /** By JSON name and by proto name (proto3 JSON parsers accept both). */
  readonly byName: ReadonlyMap<string, FieldDef>;
}

/** AnyValue nested deeper than this (arrays and kvlists inside each other) is rejected. */
export const MAX_ANY_DEPTH = 100;

type Spec = [no: number, name: string, kind: Kind | string, flags?: string];
interface MsgSpec { label?: string; item?: boolean; fields: Spec[] }

const SPECS: Record<string, MsgSpec> = {
  AnyValue: { fields: [[1, 'string_value', Kind.String, 'o'], [2, 'bool_value', Kind.Bool, 'o'], [3, 'int_value', Kind.Int64, 'o'],
    [4, 'double_value', Kind.Double, 'o'], [5, 'array_value', 'ArrayValue', 'o'], [6, 'kvlist_value', 'KeyValueList', 'o'],
    [7, 'bytes_value', Kind.Bytes, 'o']] },
  ArrayValue: { fields: [[1, 'values', 'AnyValue', 'r']] },
  KeyValueList: { fields: [[1, 'values', 'KeyValue', 'r']] },
  KeyValue: { label: 'attribute', fields: [[1, 'key', Kind.String], [2, 'value', 'AnyValue']] },
  InstrumentationScope: { fields: [[1, 'name', Kind.String], [2, 'version', Kind.String], [3, 'attributes', 'KeyValue', 'r'],
    [4, 'dropped_attributes_count', Kind.Uint32]] },
  EntityRef: { fields: [[1, 'schema_url', Kind.String], [2, 'type', Kind.String], [3, 'id_keys', Kind.String, 'r'],
    [4, 'description_keys', Kind.String, 'r']] },
  Resource: { fields: [[1, 'attributes', 'KeyValue', 'r'], [2, 'dropped_attributes_count', Kind.Uint32],
    [3, 'entity_refs', 'EntityRef', 'r']] },
  // traces
  ExportTraceServiceRequest: { fields: [[1, 'resource_spans', 'ResourceSpans', 'r']] },
  ResourceSpans: { label: 'resource', fields: [[1, 'resource', 'Resource'], [2, 'scope_spans', 'ScopeSpans', 'r'], [3, 'schema_url', Kind.String]] },
  ScopeSpans: { label: 'scope', fields: [[1, 'scope', 'InstrumentationScope'], [2, 'spans', 'Span', 'r'], [3, 'schema_url', Kind.String]] },
  Span: { label: 'span', item: true, fields: [[1, 'trace_id', Kind.Bytes, 'T'], [2, 'span_id', Kind.Bytes, 'S'], [3, 'trace_state', Kind.String],
    [4, 'parent_span_id', Kind.Bytes, 's'], [16, 'flags', Kind.Fixed32], [5, 'name', Kind.String], [6, 'kind', Kind.Enum],
    [7, 'start_time_unix_nano', Kind.Fixed64], [8, 'end_time_unix_nano', Kind.Fixed64], [9, 'attributes', 'KeyValue', 'r'],
    [10, 'dropped_attributes_count', Kind.Uint32], [11, 'events', 'Event', 'r'], [12, 'dropped_events_count', Kind.Uint32],
    [13, 'links', 'Link', 'r'], [14, 'dropped_links_count', Kind.Uint32], [15, 'status', 'Status']] },
  Event: { label: 'event', fields: [[1, 'time_unix_nano', Kind.Fixed64], [2, 'name', Kind.String], [3, 'attributes', 'KeyValue', 'r'],
    [4, 'dropped_attributes_count', Kind.Uint32]] },
  Link: { label: 'link', fields: [[1, 'trace_id', Kind.Bytes, 'T'], [2, 'span_id', Kind.Bytes, 'S'], [3, 'trace_state', Kind.String],
    [4, 'attributes', 'KeyValue', 'r'], [5, 'dropped_attributes_count', Kind.Uint32], [6, 'flags', Kind.Fixed32]] },
  Status: { fields: [[2, 'message', Kind.String], [3, 'code', Kind.Enum]] },
  // metrics
  ExportMetricsServiceRequest: { fields: [[1, 'resource_metrics', 'ResourceMetrics', 'r']] },
  ResourceMetrics: { label: 'resource', fields: [[1, 'resource', 'Resource'], [2, 'scope_metrics', 'ScopeMetrics', 'r'], [3, 'schema_url', Kind.String]] },
  ScopeMetrics: { label: 'scope', fields: [[1, 'scope', 'InstrumentationScope'], [2, 'metrics', 'Metric', 'r'], [3, 'schema_url', Kind.String]] },
  Metric: { label: 'metric', fields: [[1, 'name', Kind.String], [2, 'description', Kind.String], [3, 'unit', Kind.String],
    [5, 'gauge', 'Gauge', 'o'], [7, 'sum', 'Sum', 'o'], [9, 'histogram', 'Histogram', 'o'],
    [10, 'exponential_histogram', 'ExponentialHistogram', 'o'], [11, 'summary', 'Summary', 'o'], [12, 'metadata', 'KeyValue', 'r']] },
  Gauge: { fields: [[1, 'data_points', 'NumberDataPoint', 'r']] },
  Sum: { fields: [[1, 'data_points', 'NumberDataPoint', 'r'], [2, 'aggregation_temporality', Kind.Enum], [3, 'is_monotonic', Kind.Bool]] },
  Histogram: { fields: [[1, 'data_points', 'HistogramDataPoint', 'r'], [2, 'aggregation_temporality', Kind.Enum]] },
  ExponentialHistogram: { fields: [[1, 'data_points', 'ExponentialHistogramDataPoint', 'r'], [2, 'aggregation_temporality', Kind.Enum]] },
  Summary: { fields: [[1, 'data_points', 'SummaryDataPoint', 'r']] },
  NumberDataPoint: { label: 'data point', item: true, fields: [[7, 'attributes', 'KeyValue', 'r'], [2, 'start_time_unix_nano', Kind.Fixed64],
    [3, 'time_unix_nano', Kind.Fixed64], [4, 'as_double', Kind.Double, 'o'], [6, 'as_int', Kind.Sfixed64, 'o'],
    [5, 'exemplars', 'Exemplar', 'r'], [8, 'flags', Kind.Uint32]] },
  HistogramDataPoint: { label: 'data point', item: true, fields: [[9, 'attributes', 'KeyValue', 'r'], [2, 'start_time_unix_nano', Kind.Fixed64],
    [3, 'time_unix_nano', Kind.Fixed64], [4, 'count', Kind.Fixed64], [5, 'sum', Kind.Double, 'o'], [6, 'bucket_counts', Kind.Fixed64, 'r'],
    [7, 'explicit_bounds', Kind.Double, 'r'], [8, 'exemplars', 'Exemplar', 'r'], [10, 'flags', Kind.Uint32],
    [11, 'min', Kind.Double, 'o'], [12, 'max', Kind.Double, 'o']] },
  ExponentialHistogramDataPoint: { label: 'data point', item: true, fields: [[1, 'attributes', 'KeyValue', 'r'],
    [2, 'start_time_unix_nano', Kind.Fixed64], [3, 'time_unix_nano', Kind.Fixed64], [4, 'count', Kind.Fixed64], [5, 'sum', Kind.Double, 'o'],
    [6, 'scale', Kind.Sint32], [7, 'zero_count', Kind.Fixed64], [8, 'positive', 'Buckets'], [9, 'negative', 'Buckets'],
    [10, 'flags', Kind.Uint32], [11, 'exemplars', 'Exemplar', 'r'], [12, 'min', Kind.Double, 'o'], [13, 'max', Kind.Double, 'o'],
    [14, 'zero_threshold', Kind.Double]] },
  Buckets: { fields: [[1, 'offset', Kind.Sint32], [2, 'bucket_counts', Kind.Uint64, 'r']] },
  SummaryDataPoint: { label: 'data point', item: true, fields: [[7, 'attributes', 'KeyValue', 'r'], [2, 'start_time_unix_nano', Kind.Fixed64],
    [3, 'time_unix_nano', Kind.Fixed64], [4, 'count', Kind.Fixed64], [5, 'sum', Kind.Double], [6, 'quantile_values', 'ValueAtQuantile', 'r'],
    [8, 'flags', Kind.Uint32]] },
  ValueAtQuantile: { fields: [[1, 'quantile', Kind.Double], [2, 'value', Kind.Double]] },
  Exemplar: { label: 'exemplar', fields: [[7, 'filtered_attributes', 'KeyValue', 'r'], [2, 'time_unix_nano', Kind.Fixed64],
    [3, 'as_double', Kind.Double, 'o'], [6, 'as_int', Kind.Sfixed64, 'o'], [4, 'span_id', Kind.Bytes, 's'], [5, 'trace_id', Kind.Bytes, 't']] },
  // logs
  ExportLogsServiceRequest: { fields: [[1, 'resource_logs', 'ResourceLogs', 'r']] },
  ResourceLogs: { label: 'resource', fields: [[1, 'resource', 'Resource'], [2, 'scope_logs', 'ScopeLogs', 'r'], [3, 'schema_url', Kind.String]] },
  ScopeLogs: { label: 'scope', fields: [[1, 'scope', 'InstrumentationScope'], [2, 'log_records', 'LogRecord', 'r'], [3, 'schema_url', Kind.String]] },
  LogRecord: { label: 'log record', item: true, fields: [[1, 'time_unix_nano', Kind.Fixed64], [11, 'observed_time_unix_nano', Kind.Fixed64],
    [2, 'severity_number', Kind.Enum], [3, 'severity_text', Kind.String], [5, 'body', 'AnyValue'], [6, 'attributes', 'KeyValue', 'r'],
    [7, 'dropped_attributes_count', Kind.Uint32], [8, 'flags', Kind.Fixed32], [9, 'trace_id', Kind.Bytes, 't'], [10, 'span_id', Kind.Bytes, 's'],
    [12, 'event_name', Kind.String]] },
  // responses
  ExportTracePartialSuccess: { fields: [[1, 'rejected_spans', Kind.Int64], [2, 'error_message', Kind.String]] },
  ExportMetricsPartialSuccess: { fields: [[1, 'rejected_data_points', Kind.Int64], [2, 'error_message', Kind.String]] },
  ExportLogsPartialSuccess: { fields: [[1, 'rejected_log_records', Kind.Int64], [2, 'error_message', Kind.String]] },
};

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** ASCII text as little-endian 32-bit words, zero-padded to a whole word. */
function words(text: string): Int32Array {
  const bytes = Buffer.alloc(Math.ceil(text.length / 4) * 4);
  bytes.write(text, 'latin1');
  const out = new Int32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt32LE(i * 4);
  return out;
}

/** Builds the linked tables; flags: r repeated, o presence, T/S required 16/8-byte id, t/s optional id. */
function build(): Map<string, MessageDef> {
  const defs = new Map<string, MessageDef>();
  for (const [name, spec] of Object.entries(SPECS)) {
    const fields: (FieldDef | undefined)[] = [];
    const byName = new Map<string, FieldDef>();
    for (const [no, fname, kind, flags = ''] of spec.fields) {
      const f: FieldDef = {
        no, name: fname, json: camel(fname), jsonKey: Buffer.from(`"${camel(fname)}":`, 'latin1'),
        jsonKeyWords: words(`"${camel(fname)}":`), jsonCommaKeyWords: words(`,"${camel(fname)}":`), kind: typeof kind === 'string' ? Kind.Message : kind,
        repeated: flags.includes('r'), packable: flags.includes('r') && typeof kind !== 'string' && kind !== Kind.String && kind !== Kind.Bytes,
        presence: flags.includes('o'),
        idLength: /[Tt]/.test(flags) ? 16 : /[Ss]/.test(flags) ? 8 : 0, idRequired: /[TS]/.test(flags),
        msg: undefined, msgName: typeof kind === 'string' ? kind : undefined,
      };
      fields[no] = f;
      byName.set(f.json, f);
      byName.set(fname, f);
    }
    const requiredIds = fields.filter((f): f is FieldDef => f !== undefined && f.idRequired);
    defs.set(name, {
      name, label: spec.label, item: spec.item === true, anyValue: name === 'AnyValue', countsKids: false, requiredIds, fields, byName,
    });
  }
  for (const def of defs.values()) {
    for (const f of def.fields) if (f?.msgName) f.msg = defs.get(f.msgName);
    (def as { countsKids: boolean }).countsKids = def.fields.some((f) => f?.msg?.label !== undefined);
  }
  return defs;
}

/** Every message by its proto name. */
export const MESSAGES: ReadonlyMap<string, MessageDef> = build();

/** A message by name; throws on a typo so tables stay honest. */
export function message(name: string): MessageDef {
  const def = MESSAGES.get(name);
  if (!def) throw new Error(`no OTLP message ${name}`);
  return def;
}

/** The export request of each signal. */
export const REQUEST: Readonly<Record<Signal, MessageDef>> = {
  traces: message('ExportTraceServiceRequest'),
  metrics: message('ExportMetricsServiceRequest'),
  logs: message('ExportLogsServiceRequest'),
};

/** Packed encoding is allowed for repeated scalars other than strings and bytes. */
export function packable(f: FieldDef): boolean {
  return f.packable;
}
