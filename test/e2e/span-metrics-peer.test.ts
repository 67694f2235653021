/**
 * Promise (issue 10): given the same spans and the same config, vigil's span_metrics connector
 * counts what otelcol's does. The same OpenTelemetry SDK spans go to the real otelcol peer and to
 * vigil, each with four span_metrics connectors (explicit and exponential histograms, cumulative
 * and delta, custom dimensions, events); both write the metrics to files. Per series (metric name,
 * resource, attributes but collector.instance.id), the calls counts, histogram counts and bucket
 * counts must be equal: the last point of each cumulative series, and the sum of every delta
 * point (exponential buckets merged at the lower scale either side used, as flushes may cut the
 * spans differently). A fifth connector checks the cardinality limit's overflow series and
 * resource_metrics_key_attributes (which resources merge, whose attributes they keep).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { Daemon, freePort, tempDir } from '../daemon.js';
import { Peer, requirePeer } from '../peer.js';
import { waitUntil } from '../wait.js';
import { latest, minScales, pointsOf, totals, type Point } from '../../connectors/span-metrics/series-view.test-helpers.js';
import { makeTraffic } from '../../connectors/span-metrics/traffic.test-helpers.js';

/** The four connector configs, the same YAML for both collectors. */
const CONNECTORS = {
  ec: `
    metrics_flush_interval: 1s
    dimensions: [{ name: http.method, default: GET }, { name: http.status_code }]
    exemplars: { enabled: true }
    events: { enabled: true, dimensions: [{ name: exception.type }] }`,
  ed: `
    metrics_flush_interval: 1s
    aggregation_temporality: AGGREGATION_TEMPORALITY_DELTA
    namespace: red
    histogram: { unit: s, explicit: { buckets: [1ms, 2ms, 10ms, 100ms, 1s, 10s] } }
    dimensions: [{ glob: "http.*" }]
    exclude_dimensions: [status.code]`,
  xc: `
    metrics_flush_interval: 1s
    histogram: { exponential: { max_size: 20 } }
    dimensions: [{ name: http.status_code }]
    calls_dimensions: [{ name: db.system }]`,
  xd: `
    metrics_flush_interval: 1s
    aggregation_temporality: AGGREGATION_TEMPORALITY_DELTA
    histogram: { exponential: {} }
    dimensions: [{ name: http.method }]`,
  lim: `
    metrics_flush_interval: 1s
    aggregation_cardinality_limit: 4
    resource_metrics_key_attributes: [service.name]
    dimensions: [{ name: http.status_code }]`,
} as const;
type Name = keyof typeof CONNECTORS;
const NAMES = Object.keys(CONNECTORS) as Name[];
const DELTA: ReadonlySet<Name> = new Set(['ed', 'xd']);

const read = (file: string): Array<Record<string, unknown>> => {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return []; // not written yet
  }
};

/** The connectors, pipelines and file exporters of one collector's config. */
function sections(connectorType: string, out: (n: Name) => string): string {
  return `
connectors:
${NAMES.map((n) => `  ${connectorType}/${n}:${CONNECTORS[n]}`).join('\n')}
exporters:
${NAMES.map((n) => `  file/${n}: { path: ${out(n)} }`).join('\n')}`;
}
const pipelines = (connectorType: string): string => `
    traces: { receivers: [otlp], exporters: [${NAMES.map((n) => `${connectorType}/${n}`).join(', ')}] }
${NAMES.map((n) => `    metrics/${n}: { receivers: [${connectorType}/${n}], exporters: [file/${n}] }`).join('\n')}`;

async function send(url: string, spans: ReadableSpan[]): Promise<void> {
  const exporter = new OTLPTraceExporter({ url });
  await new Promise<void>((resolve, reject) => exporter.export(spans, (r) =>
    (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed')))));
  await exporter.shutdown();
}

/** Calls counted so far: the latest cumulative values, or every delta point added up. */
function callsSoFar(points: Point[], delta: boolean, metric: string): number {
  const calls = points.filter((p) => p.metric === metric);
  if (delta) return calls.reduce((n, p) => n + p.value, 0);
  return [...latest(calls).values()].reduce((n, p) => n + p.value, 0);
}

t.test('span_metrics: same spans, same config → the same calls and bucket counts as otelcol', async (t) => {
  const peerBin = await requirePeer(t);
  if (!peerBin) return;
  const dir = tempDir('vigil-spanmetrics-');
  const peerOut = (n: Name): string => join(dir, `peer-${n}.jsonl`);
  const vigilOut = (n: Name): string => join(dir, `vigil-${n}.jsonl`);
  const [peerHttp, vigilHttp, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);

  const peer = await Peer.start(t, peerBin, `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${peerHttp} }
${sections('span_metrics', peerOut)}
service:
  telemetry: { metrics: { level: none } }
  pipelines:${pipelines('span_metrics')}
`);
  const daemon = await Daemon.start(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${vigilHttp} }
${sections('spanmetrics', vigilOut)}
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: warn } }
  # one partition: the spans reach the connector in the order otelcol's receiver hands them over,
  # which the cardinality limit (first come, first kept) and resource_metrics_key_attributes depend on
  queue: { type: memory, memory: { partitions: 1 } }
  pipelines:${pipelines('spanmetrics')}
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));

  const spans = makeTraffic(400, 7);
  // every 7th trace carries ot=th:c (sampled at 1/4): its spans count 4 each, exactly
  const expected = spans.reduce((n, s) => n + (s.spanContext().traceState?.get('ot') === 'th:c' ? 4 : 1), 0);
  await Promise.all([send(`http://127.0.0.1:${peerHttp}/v1/traces`, spans), send(`http://127.0.0.1:${vigilHttp}/v1/traces`, spans)]);

  const calls = (n: Name): string => (n === 'ed' ? 'red.calls' : 'traces.span.metrics.calls');
  const done = (file: (n: Name) => string): boolean => NAMES.every((n) => callsSoFar(pointsOf(read(file(n))), DELTA.has(n), calls(n)) === expected);
  const progress = (): string => NAMES.map((n) => `${n}: otelcol ${callsSoFar(pointsOf(read(peerOut(n))), DELTA.has(n), calls(n))}, vigil ${callsSoFar(pointsOf(read(vigilOut(n))), DELTA.has(n), calls(n))}`).join('; ');
  if (!t.ok(await waitUntil(() => done(peerOut) && done(vigilOut), 60_000), `both counted all ${spans.length} spans (${expected} with adjusted counts): ${progress()}`)) {
    t.comment(`otelcol said:\n${peer.output.split('\n').filter((l) => /error|warn/i.test(l)).slice(-20).join('\n')}`);
    t.comment(`vigil said:\n${(daemon.stdout + daemon.stderr).slice(-3000)}`);
    return;
  }

  for (const n of NAMES) {
    const [mine, theirs] = [pointsOf(read(vigilOut(n))), pointsOf(read(peerOut(n)))];
    if (DELTA.has(n)) compareDelta(t, n, mine, theirs);
    else compareCumulative(t, n, mine, theirs);
    const overflow = (p: Point): boolean => p.attributes['otel.metric.overflow'] === true;
    t.ok(mine.every((p) => overflow(p) || typeof p.attributes['collector.instance.id'] === 'string'), `${n}: collector.instance.id on every point but overflow ones, as otelcol`);
    if (n === 'lim') t.ok(mine.some(overflow) && theirs.some(overflow), 'lim: both have overflow series');
    const metrics = (ps: Point[]): string[] => [...new Set(ps.map((p) => `${p.metric} ${p.type} ${p.unit} ${p.temporality}`))].sort();
    t.same(metrics(mine), metrics(theirs), `${n}: the same metric names, types, units and temporality`);
  }
  t.equal(await daemon.stop(), 0, 'vigil exits cleanly after SIGTERM');
});

/** A point for a failure message (its times are bigints). */
const show = (p: Point): string => JSON.stringify({ ...p, start: String(p.start), time: String(p.time) });

/** Cumulative: the last point of every series. */
function compareCumulative(t: Test, n: Name, mine: Point[], theirs: Point[]): void {
  const [a, b] = [latest(mine), latest(theirs)];
  t.same([...a.keys()].sort(), [...b.keys()].sort(), `${n}: the same ${b.size} series`);
  let buckets = 0;
  let differ = 0;
  for (const [key, p] of b) {
    const q = a.get(key);
    if (!q) continue;
    const same = p.type === 'sum'
      ? q.value === p.value
      : q.count === p.count && JSON.stringify([q.bucketCounts, q.explicitBounds, q.scale, q.zeroCount, q.positive]) === JSON.stringify([p.bucketCounts, p.explicitBounds, p.scale, p.zeroCount, p.positive]);
    if (!same) { differ++; t.comment(`${n} ${key}: vigil ${show(q)} otelcol ${show(p)}`); }
    buckets += p.bucketCounts.length + p.positive.bucketCounts.length;
  }
  t.equal(differ, 0, `${n}: every one of ${b.size} series equal (calls values, counts, ${buckets} bucket counts, scales)`);
}

/** Delta: every point of a series added up, exponential buckets at the lower scale either side used. */
function compareDelta(t: Test, n: Name, mine: Point[], theirs: Point[]): void {
  const scales = minScales(mine, theirs);
  const scaleOf = (k: string): number => scales.get(k) ?? 0;
  const [a, b] = [totals(mine, scaleOf), totals(theirs, scaleOf)];
  t.same([...a.keys()].sort(), [...b.keys()].sort(), `${n}: the same ${b.size} series`);
  let differ = 0;
  for (const [key, p] of b) {
    const q = a.get(key);
    if (!q) continue;
    const same = q.count === p.count && q.zeroCount === p.zeroCount && JSON.stringify(q.bucketCounts) === JSON.stringify(p.bucketCounts)
      && JSON.stringify([...q.buckets].sort((x, y) => x[0] - y[0])) === JSON.stringify([...p.buckets].sort((x, y) => x[0] - y[0]));
    if (!same) { differ++; t.comment(`${n} ${key}: vigil ${JSON.stringify({ ...q, buckets: [...q.buckets] })} otelcol ${JSON.stringify({ ...p, buckets: [...p.buckets] })}`); }
  }
  t.equal(differ, 0, `${n}: every one of ${b.size} series adds up equal (calls, counts, bucket counts)`);
  t.ok(mine.every((p) => p.temporality === 1) && theirs.every((p) => p.temporality === 1), `${n}: delta on both sides`);
}
