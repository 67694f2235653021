/** The OTLP codec: schema-driven protobuf validation, OTLP/JSON, byte-level record operations, responses. */
export { Payload, SIGNALS, type Signal } from './payload.js';
export { decodeProtobuf, type DecodeResult } from './decode.js';
export { fromJson, toJson } from './json.js';
export {
  filterSpans, forEachSpan, groupByPartition, mergePayloads, partitionOf, splitByKey, splitPayload, type SpanView,
} from './records.js';
export { encodeExportResponse, encodeStatus, exportResponseJson, statusJson } from './responses.js';
export { MAX_ANY_DEPTH, MESSAGES, REQUEST, message, type FieldDef, type MessageDef } from './schema.js';
export { makeRealisticTraceRequest, measureDecode } from './bench.js';
