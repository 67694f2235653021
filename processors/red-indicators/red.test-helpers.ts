/** Span-metrics-shaped test input for red_indicators and a reader of what it emits. */
import { forEachDataPoint, MetricsBuilder, type Payload } from '../../pdata/index.js';
import type { RecordingConsumer } from '../../test/doubles.js';

/** The time origin, a week ago: a replay, not live data. */
export const T0 = Date.UTC(2026, 10, 19, 10, 0, 0);
/** One second in ms. */
export const S = 1_000;
/** Epoch ms as nanoseconds. */
export const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;
const BOUNDS = [10, 20, 50];

/** One cumulative span_metrics flush of `GET /cart`: ok and error calls, and the duration histogram. */
export function flush(atS: number, startS: number, ok: number, err: number, buckets: number[]): Payload {
  const b = new MetricsBuilder();
  const scope = b.scope({ 'service.name': 'checkout' }, { name: 'spanmetricsconnector' });
  const attrs = (code: string) => ({ 'service.name': 'checkout', 'span.name': 'GET /cart', 'span.kind': 'SPAN_KIND_SERVER', 'status.code': code });
  const point = { startTimeUnixNano: ns(T0 + startS * S), timeUnixNano: ns(T0 + atS * S) };
  const calls = { name: 'traces.span.metrics.calls', temporality: 'cumulative' as const, monotonic: true };
  scope.sum(calls, { ...point, attributes: attrs('STATUS_CODE_UNSET'), value: BigInt(ok) });
  scope.sum(calls, { ...point, attributes: attrs('STATUS_CODE_ERROR'), value: BigInt(err) });
  scope.histogram({ name: 'traces.span.metrics.duration', unit: 'ms', temporality: 'cumulative' },
    { ...point, attributes: attrs('STATUS_CODE_UNSET'), count: buckets.reduce((n, c) => n + c, 0), bucketCounts: buckets, explicitBounds: BOUNDS });
  return b.build()!;
}

/** The emitted RED gauges as sorted `name window-start-s value` lines (values to 4 decimals). */
export function red(sink: RecordingConsumer): string[] {
  const out: string[] = [];
  for (const p of sink.received) {
    forEachDataPoint(p, (d) => {
      if (d.metricName.startsWith('vigil.red.')) out.push(`${d.metricName} ${(Number(d.startTimeUnixNano / 1_000_000n) - T0) / S}s ${Number(d.value!.toFixed(4))}`);
    });
  }
  return out.sort();
}

/** The first minute of cumulative flushes: ok, error calls and buckets [<=10, <=20, <=50, +Inf]. */
export const MINUTE_0 = [flush(10, 1, 0, 0, [0, 0, 0, 0]), flush(30, 1, 30, 10, [10, 20, 10, 0]), flush(50, 1, 60, 20, [20, 40, 20, 0])];
/** The second minute, with a restart of the source at 80 s. */
export const MINUTE_1 = [
  flush(70, 1, 90, 20, [30, 60, 30, 0]),
  flush(90, 80, 15, 5, [5, 10, 5, 0]), // the source restarted at 80 s: a reset
  flush(110, 80, 45, 5, [5, 10, 5, 20]),
];
