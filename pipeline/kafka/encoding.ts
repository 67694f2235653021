/**
 * The record encodings the kafka receiver and exporter share, otelcol's names: `otlp_proto` (the
 * value is an Export*ServiceRequest in protobuf) and `otlp_json` (the same request in OTLP/JSON).
 */
import { z } from 'zod';
import type { Signal } from '../../pdata/payload.js';

/** The encodings vigil reads and writes. */
export const ENCODINGS = ['otlp_proto', 'otlp_json'] as const;
/** One of ENCODINGS. */
export type Encoding = (typeof ENCODINGS)[number];
/** otelcol's default encoding. */
export const DEFAULT_ENCODING: Encoding = 'otlp_proto';

/** otelcol's default topic per signal. */
export const DEFAULT_TOPIC: Record<Signal, string> = { traces: 'otlp_spans', metrics: 'otlp_metrics', logs: 'otlp_logs' };

/** otelcol encodings vigil does not implement, for a precise error. */
const OTHER = ['jaeger_proto', 'jaeger_json', 'zipkin_proto', 'zipkin_json', 'zipkin_thrift', 'raw', 'text', 'json', 'azure_resource_logs'];

/** `encoding`: otlp_proto or otlp_json, anything else refused with what is supported. */
export const encodingSchema = z.string().refine((e): e is Encoding => (ENCODINGS as readonly string[]).includes(e), {
  error: (iss) => (OTHER.includes(String(iss.input))
    ? `encoding ${JSON.stringify(iss.input)} is an otelcol encoding vigil does not implement: use "otlp_proto" or "otlp_json"`
    : `expected "otlp_proto" or "otlp_json", got ${JSON.stringify(iss.input)}`),
});
