/** The metrics a closed window becomes; names and units are documented in README.md. */
import { MetricsBuilder, type ExemplarInput, type Payload } from '../../pdata/index.js';
import { totalOf } from './distribution.js';
import { quantile } from './quantile.js';
import type { OpenWindow, WindowExemplar } from './state.js';

/** The instrumentation scope of emitted metrics. */
export const SCOPE = 'vigil.red_indicators';

/** The emitted gauges: name, unit, and the quantile of the latency ones. */
export const METRICS = {
  calls: { name: 'vigil.red.calls', unit: '{call}' },
  throughput: { name: 'vigil.red.throughput', unit: '{call}/s' },
  errorRate: { name: 'vigil.red.error_rate', unit: '%' },
  latency: [
    { name: 'vigil.red.latency.p50', unit: 'ms', q: 0.5 },
    { name: 'vigil.red.latency.p95', unit: 'ms', q: 0.95 },
    { name: 'vigil.red.latency.p99', unit: 'ms', q: 0.99 },
  ],
} as const;

const MS = 1_000_000n;

/** One request with the gauges of every window given (each window's service as the resource). */
export function windowsPayload(windows: readonly OpenWindow[], windowMs: number): Payload | undefined {
  const builder = new MetricsBuilder();
  for (const w of windows) {
    const scope = builder.scope({ 'service.name': w.attributes['service.name'] ?? '' }, { name: SCOPE });
    const point = { attributes: w.attributes, startTimeUnixNano: BigInt(w.startMs) * MS, timeUnixNano: BigInt(w.startMs + windowMs) * MS };
    scope.gauge(METRICS.calls, { ...point, value: w.calls });
    scope.gauge(METRICS.throughput, { ...point, value: w.calls / (windowMs / 1000) });
    if (w.calls > 0) scope.gauge(METRICS.errorRate, { ...point, value: (100 * w.errors) / w.calls, exemplars: exemplarsOf(w.erroring, w.msPerUnit) });
    if (w.latency && totalOf(w.latency) > 0) {
      for (const m of METRICS.latency) {
        const v = quantile(m.q, w.latency);
        if (Number.isFinite(v)) scope.gauge({ name: m.name, unit: m.unit }, { ...point, value: v * w.msPerUnit, exemplars: exemplarsOf(w.slowest, w.msPerUnit) });
      }
    }
  }
  return builder.build() ?? undefined;
}

/** A window's spans as OTLP exemplars (value in ms), or none. */
function exemplarsOf(list: readonly WindowExemplar[] | undefined, msPerUnit: number): ExemplarInput[] | undefined {
  if (!list || list.length === 0) return undefined;
  return list.map((e) => ({ value: e.value * msPerUnit, timeUnixNano: BigInt(e.timeMs) * MS, traceId: e.traceId, spanId: e.spanId }));
}
