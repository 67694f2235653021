/**
 * What the red_indicators suites on the real broker share: span_metrics' cumulative output (its
 * calls sum and duration histogram, with its attribute names) for a set of services, sent by the
 * OpenTelemetry SDK's OTLP/HTTP metrics exporter with chosen event times; the daemon's config; and
 * the RED gauges read back from the file exporter's OTLP/JSON lines.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ValueType } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Ports } from './harness.js';

/** The tumbling window the suites use (short, so the last window closes soon after the data stops). */
export const WINDOW_MS = 10_000;
/** Event time between two flushes of the simulated span_metrics. */
export const TICK_MS = 2_000;
/**
 * The SDK's exporter sends one service (resource) per request, so the services of one partition
 * arrive one after another, each request with a few flushes: a service's points trail another's
 * watermark by up to that span (span_metrics itself flushes every service in one request).
 */
const LATENESS_MS = 10_000;
const BOUNDS = [2, 5, 10, 25, 50, 100, 250, 500];
const OPS = ['GET /item', 'POST /pay'];

/** One flush of span_metrics for one service: cumulative calls (OK and ERROR) and the duration histogram per operation. */
export interface Flush { readonly service: string; readonly atMs: number; readonly ops: ReadonlyArray<{ op: string; ok: number; errors: number; buckets: number[] }> }

/** `ticks` flushes of `services` services from `t0`, each with new calls; cumulative from `t0`. */
export function flushes(services: number, ticks: number, t0: number): Flush[][] {
  const totals = new Map<string, { ok: number; errors: number; buckets: number[] }>();
  return Array.from({ length: ticks }, (_, i) => Array.from({ length: services }, (_, k): Flush => ({
    service: `svc-${k}`,
    atMs: t0 + (i + 1) * TICK_MS,
    ops: OPS.map((op, o) => {
      const key = `${k}|${op}`;
      const c = totals.get(key) ?? { ok: 0, errors: 0, buckets: BOUNDS.map(() => 0).concat(0) };
      const ok = 3 + ((i * (k + 1) + o) % 7);
      const errors = (i + k + o) % 4 === 0 ? 1 + (i % 3) : 0;
      // Spread the new calls over the buckets, a different shape per service, operation and tick.
      for (let n = 0; n < ok + errors; n++) c.buckets[(n * (k + 2) + i + o) % c.buckets.length]! += 1;
      const next = { ok: c.ok + ok, errors: c.errors + errors, buckets: c.buckets };
      totals.set(key, next);
      return { op, ok: next.ok, errors: next.errors, buckets: [...next.buckets] };
    }),
  })));
}

/** The calls each (service, operation, window start) must show: the new calls of the flushes in that window. */
export function expectedCalls(ticks: readonly Flush[][]): Map<string, number> {
  const out = new Map<string, number>();
  const last = new Map<string, number>();
  for (const f of ticks.flat()) {
    for (const o of f.ops) {
      const total = o.ok + o.errors;
      const key = `${f.service}|${o.op}|${f.atMs - (f.atMs % WINDOW_MS)}`;
      out.set(key, (out.get(key) ?? 0) + total - (last.get(`${f.service}|${o.op}`) ?? 0));
      last.set(`${f.service}|${o.op}`, total);
    }
  }
  return out;
}

const hr = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1_000_000];

/** Flushes of one service as span_metrics writes them (its metric and attribute names, cumulative, start time = the series' start), in one request. */
function request(fs: readonly Flush[], t0: number): ResourceMetrics {
  const calls: MetricData = {
    descriptor: { name: 'traces.span.metrics.calls', description: '', unit: '{call}', valueType: ValueType.INT },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints: fs.flatMap((f) => f.ops.flatMap((o) => [
      { startTime: hr(t0), endTime: hr(f.atMs), attributes: { 'span.name': o.op, 'span.kind': 'SPAN_KIND_SERVER', 'status.code': 'STATUS_CODE_UNSET' }, value: o.ok },
      { startTime: hr(t0), endTime: hr(f.atMs), attributes: { 'span.name': o.op, 'span.kind': 'SPAN_KIND_SERVER', 'status.code': 'STATUS_CODE_ERROR' }, value: o.errors },
    ])),
  };
  const duration: MetricData = {
    descriptor: { name: 'traces.span.metrics.duration', description: '', unit: 'ms', valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: fs.flatMap((f) => f.ops.map((o) => ({
      startTime: hr(t0), endTime: hr(f.atMs),
      attributes: { 'span.name': o.op, 'span.kind': 'SPAN_KIND_SERVER' },
      value: { buckets: { boundaries: BOUNDS, counts: o.buckets }, count: o.buckets.reduce((a, b) => a + b, 0), sum: 0 },
    }))),
  };
  return { resource: resourceFromAttributes({ 'service.name': fs[0]!.service }), scopeMetrics: [{ scope: { name: 'spanmetricsconnector' }, metrics: [calls, duration] }] };
}

/** The SDK's OTLP/HTTP metrics exporter pointed at a daemon: sends ticks of flushes (one request per service) until each is acknowledged. */
export function redSender(httpPort: number, t0: number): { send(ticks: readonly Flush[][]): Promise<boolean>; close(): Promise<void> } {
  const exporter = new OTLPMetricExporter({ url: `http://127.0.0.1:${httpPort}/v1/metrics`, timeoutMillis: 10_000 });
  const once = (fs: readonly Flush[]) => new Promise<boolean>((resolve) => {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the exporter brings its own copy of sdk-metrics' enums; the values are the same
    exporter.export(request(fs, t0), (r: ExportResult) => resolve(r.code === ExportResultCode.SUCCESS));
  });
  return {
    send: async (ticks) => {
      const byService = new Map<string, Flush[]>();
      for (const f of ticks.flat()) byService.set(f.service, [...(byService.get(f.service) ?? []), f]);
      for (const fs of byService.values()) {
        const until = Date.now() + 30_000;
        let ok = false;
        while (!ok && Date.now() < until) if (!(ok = await once(fs))) await new Promise((r) => setTimeout(r, 200));
        if (!ok) return false;
      }
      return true;
    },
    close: () => exporter.shutdown(),
  };
}

/** A daemon's config: otlp → red_indicators → file, on `queue` and `state`. */
export function redYaml(o: { ports: Ports; file: string; queue: string; state: string; idleTimeout: string }): string {
  return `receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${o.ports.http} } } }
processors:
  red_indicators: { window: ${WINDOW_MS}ms, allowed_lateness: ${LATENESS_MS}ms, idle_timeout: ${o.idleTimeout}, checkpoint_interval: 500ms, pass_through: false }
exporters:
  file: { path: ${JSON.stringify(o.file)}, append: true }
extensions:
  health_check: { endpoint: 127.0.0.1:${o.ports.health} }
service:
  extensions: [health_check]
  shutdown_timeout: 15s
  queue: ${o.queue}
  state: ${o.state}
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:${o.ports.metrics} }
  pipelines:
    metrics: { receivers: [otlp], processors: [red_indicators], exporters: [file] }
`;
}

interface JsonPoint { attributes?: Array<{ key: string; value: { stringValue?: string } }>; startTimeUnixNano?: string; asDouble?: number; asInt?: string }
interface JsonLine { resourceMetrics?: Array<{ scopeMetrics?: Array<{ metrics?: Array<{ name: string; gauge?: { dataPoints: JsonPoint[] } }> }> }> }

/** Every RED gauge in the files: `metric|service|operation|window start` → each value written (more than one: emitted again). */
export function readRed(files: readonly string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      // A kill -9 can tear a line, and the successor appends to it: split where requests begin.
      for (const piece of line.split(/(?=\{"resourceMetrics")/)) {
        let req: JsonLine;
        try { req = JSON.parse(piece) as JsonLine; } catch { continue; }
        for (const rm of req.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
          if (!m.name.startsWith('vigil.red.')) continue;
          for (const p of m.gauge?.dataPoints ?? []) {
            const a = (k: string) => p.attributes?.find((x) => x.key === k)?.value.stringValue ?? '?';
            const key = `${m.name}|${a('service.name')}|${a('span.name')}|${Number(BigInt(p.startTimeUnixNano ?? '0') / 1_000_000n)}`;
            out.set(key, [...(out.get(key) ?? []), p.asDouble ?? Number(p.asInt ?? NaN)]);
          }
        }
      }
    }
  }
  return out;
}

/** How `got` compares with `want` (one value per key): keys missing, keys not wanted, keys with another value, copies beyond the first. */
export function compareRed(got: ReadonlyMap<string, number[]>, want: ReadonlyMap<string, number[]>): { missing: string[]; unexpected: string[]; wrong: string[]; duplicates: number } {
  const wrong: string[] = [];
  let duplicates = 0;
  for (const [key, values] of got) {
    const w = want.get(key)?.[0];
    duplicates += values.length - 1;
    if (w !== undefined && values.some((v) => Math.abs(v - w) > 1e-9)) wrong.push(`${key}: got ${values.join('/')}, want ${w}`);
  }
  return {
    missing: [...want.keys()].filter((k) => !got.has(k)).slice(0, 5),
    unexpected: [...got.keys()].filter((k) => !want.has(k)).slice(0, 5),
    wrong: wrong.slice(0, 5),
    duplicates,
  };
}
