/** The three OTLP signals; every payload, pipeline and consumer carries exactly one. */
export type Signal = 'traces' | 'metrics' | 'logs';

/** All signals, in the order they are listed to users. */
export const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

/**
 * One OTLP export request (ExportTraceServiceRequest, ExportMetricsServiceRequest or
 * ExportLogsServiceRequest), carried as its protobuf encoding. The bytes are the canonical form:
 * they pass through the pipeline, the stage logs and the exporters without being decoded, and a
 * component that needs more reads it from them (./wire). A traces request is read once into its
 * trace index (./trace-index), which every component reading its spans shares.
 *
 * `bytes` MUST already have been validated by the decoder; components MUST NOT mutate it.
 * `itemCount` is spans, metric data points or log records (otelcol's item counting).
 */
export class Payload {
  constructor(
    readonly signal: Signal,
    readonly bytes: Uint8Array,
    readonly itemCount: number,
  ) {}
}
