/**
 * The indicators a short-form `condition` may name, each with the PromQL it stands for. The RED
 * indicators are red_indicators' gauges under their Prometheus names (stream/otlp-names.ts); CPU and
 * memory are OpenTelemetry's process metrics (`process.cpu.utilization`, `process.memory.usage`,
 * as the SDKs' host-metrics packages emit them), scaled to the unit in the indicator's name.
 */

/** Where an indicator's series come from: series of different families share only `job`. */
export type Family = 'red' | 'process';

/** One indicator of the short form. */
export interface Indicator {
  /** The PromQL expression (an instant vector) the name stands for. */
  readonly promql: string;
  readonly family: Family;
  /** One line for the docs and error messages. */
  readonly meaning: string;
}

/** The short form's vocabulary, by name. */
export const INDICATORS: ReadonlyMap<string, Indicator> = new Map<string, Indicator>([
  ['latency_p50_ms', { promql: 'vigil_red_latency_p50_milliseconds', family: 'red', meaning: 'median latency of an operation in the RED window, ms' }],
  ['latency_p95_ms', { promql: 'vigil_red_latency_p95_milliseconds', family: 'red', meaning: '95th percentile latency, ms' }],
  ['latency_p99_ms', { promql: 'vigil_red_latency_p99_milliseconds', family: 'red', meaning: '99th percentile latency, ms' }],
  // red_indicators emits no maximum: the slowest percentile it has stands for "how long an operation takes".
  ['duration_ms', { promql: 'vigil_red_latency_p99_milliseconds', family: 'red', meaning: 'duration of the slowest operations (the p99 latency), ms' }],
  ['error_rate_percent', { promql: 'vigil_red_error_rate_percent', family: 'red', meaning: 'share of calls with status ERROR, 0-100' }],
  ['throughput_rps', { promql: 'vigil_red_throughput_per_second', family: 'red', meaning: 'calls per second in the RED window' }],
  ['calls', { promql: 'vigil_red_calls', family: 'red', meaning: 'calls in the RED window' }],
  ['cpu_percent', { promql: 'process_cpu_utilization_ratio * 100', family: 'process', meaning: 'process CPU utilization (process.cpu.utilization × 100), 0-100 per core' }],
  ['memory_mb', { promql: 'process_memory_usage_bytes / 1048576', family: 'process', meaning: 'process resident memory (process.memory.usage), MiB' }],
]);

/** The comparison operators a condition accepts (PromQL's, which filter the series that hold). */
export const OPERATORS = ['>=', '<=', '==', '!=', '>', '<'] as const;
/** One comparison operator. */
export type Operator = (typeof OPERATORS)[number];
