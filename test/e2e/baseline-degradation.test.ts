/**
 * Promise (issue 11, "Done when"): an app instrumented with the OpenTelemetry SDK whose latency is
 * raised by 60 % produces a `vigil.degradation` event whose evidence lists trace ids of its slow
 * spans. The real daemon on the memory queue runs span_metrics (with exemplars) → red_indicators →
 * baseline → events → an OTLP/HTTP logs sink. The baseline's history is event time: an hour of
 * p95 gauges backdated by the SDK's metrics exporter, so the test needs no real hour.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import t, { type Test } from 'tap';
import { SpanKind, ValueType } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { decodeProtobuf, forEachLogRecord, type Attributes } from '../../pdata/index.js';
import { Daemon, freePort } from '../daemon.js';
import { waitFor } from '../wait.js';

const SERVICE = { 'service.name': 'shop' };
const OPERATION = 'GET /checkout';
const HEALTHY_MS = 100;
const SLOW_MS = 160; // +60 %

/** An OTLP/HTTP logs endpoint: the event records it received. */
async function logsSink(t: Test): Promise<{ port: number; events: Array<{ name: string; attributes: Attributes; severity: string }> }> {
  const sink = { port: 0, events: [] as Array<{ name: string; attributes: Attributes; severity: string }> };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { payload } = decodeProtobuf('logs', Buffer.concat(chunks));
      if (payload) forEachLogRecord(payload, (r) => sink.events.push({ name: r.eventName, attributes: r.attributes, severity: r.severityText }));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.address() as { port: number }).port;
  t.teardown(() => { server.close(); });
  return sink;
}

/** An hour of red_indicators-shaped p95 points (one a minute, ending `endMs`), as the SDK's metrics exporter sends them. */
function history(endMs: number): ResourceMetrics {
  const hr = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
  const minutes = Array.from({ length: 60 }, (_, i) => endMs - (60 - i) * 60_000);
  return {
    resource: resourceFromAttributes(SERVICE),
    scopeMetrics: [{
      scope: { name: 'history' },
      metrics: [{
        descriptor: { name: 'vigil.red.latency.p95', description: '', unit: 'ms', valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.GAUGE,
        dataPoints: minutes.map((m) => ({ startTime: hr(m - 60_000), endTime: hr(m), attributes: { ...SERVICE, 'span.name': OPERATION }, value: HEALTHY_MS })),
      }],
    }],
  };
}

/** The app: every 100 ms, 5 calls of GET /checkout taking `latencyMs`; the trace ids of the slow ones are recorded. */
function app(endpoint: string): { latencyMs: number; slowTraces: Set<string>; stop(): Promise<void> } {
  const provider = new TracerProvider({
    resource: resourceFromAttributes(SERVICE),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: endpoint }), scheduledDelayMillis: 200 })],
  });
  const tracer = provider.getTracer('baseline-e2e');
  const state = {
    latencyMs: HEALTHY_MS,
    slowTraces: new Set<string>(),
    async stop(): Promise<void> {
      clearInterval(timer);
      await provider.shutdown();
    },
  };
  const timer = setInterval(() => {
    const now = Date.now();
    for (let i = 0; i < 5; i++) {
      const span = tracer.startSpan(OPERATION, { kind: SpanKind.SERVER, startTime: now - state.latencyMs });
      if (state.latencyMs === SLOW_MS) state.slowTraces.add(span.spanContext().traceId);
      span.end(now);
    }
  }, 100);
  return state;
}

t.test('SDK app → span_metrics → red_indicators → baseline: +60 % latency raises vigil.degradation with the slow spans\' trace ids', async (t) => {
  const sink = await logsSink(t);
  const [otlpPort, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const daemon = await Daemon.start(`
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${otlpPort} } } }
connectors:
  span_metrics:
    metrics_flush_interval: 500ms
    exemplars: { enabled: true }
    histogram: { exponential: { max_size: 160 } }
  forward/indicators:
  events:
processors:
  red_indicators: { window: 2s, idle_timeout: 1s, pass_through: false }
  baseline:
    trailing: { window: 24h, bucket: 1m, min_buckets: 12 }
    rules:
      - { name: latency, metrics: [vigil.red.latency.p95], direction: up, relative: 0.5, min_calls: 20, for: 4s }
    checkpoint_interval: 1s
exporters:
  otlphttp/events: { endpoint: http://127.0.0.1:${sink.port}, compression: none }
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: warn } }
  queue: { type: memory, memory: { partitions: 2 } }
  pipelines:
    traces: { receivers: [otlp], exporters: [span_metrics] }
    metrics/indicators: { receivers: [span_metrics], processors: [red_indicators], exporters: [forward/indicators] }
    metrics/baseline: { receivers: [forward/indicators, otlp], processors: [baseline], exporters: [events] }
    logs/degradations: { receivers: [events], exporters: [otlphttp/events] }
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));
  const until = <T>(what: string, check: () => T | undefined | false): Promise<T> =>
    waitFor(what, check, 60_000, 100).catch((err: unknown) => { throw new Error(`${String(err)}; events: ${JSON.stringify(sink.events)}\ndaemon stderr:\n${daemon.stderr.slice(-4000)}`); });

  // History in event time: the last hour at 100 ms, ending two minutes ago (the live minutes are not part of it).
  const exporter = new OTLPMetricExporter({ url: `http://127.0.0.1:${otlpPort}/v1/metrics`, timeoutMillis: 10_000 });
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the exporter brings its own copy of sdk-metrics' enums; the values are the same
  const sent = await new Promise<ExportResult>((resolve) => exporter.export(history(Date.now() - 120_000), resolve));
  t.equal(sent.code, ExportResultCode.SUCCESS, 'an hour of history accepted');
  await exporter.shutdown();

  const shop = app(`http://127.0.0.1:${otlpPort}/v1/traces`);
  t.teardown(() => shop.stop());
  // Healthy traffic for a few windows: no event.
  await new Promise((r) => setTimeout(r, 8_000));
  t.same(sink.events, [], 'no degradation while the latency is normal');

  const breachAt = Date.now();
  shop.latencyMs = SLOW_MS;
  const event = await until('a vigil.degradation event', () => sink.events.find((e) => e.name === 'vigil.degradation'));
  t.comment(`breach → event: ${Date.now() - breachAt} ms`);
  const a = event.attributes;
  t.match(a, { 'service.name': 'shop', 'span.name': OPERATION, 'metric.name': 'vigil.red.latency.p95', rule: 'latency', baseline: 'trailing', expected: HEALTHY_MS, 'vigil.event.version': 1 });
  const value = a.value as number;
  const deviation = a.deviation as number;
  t.ok(Math.abs(value - SLOW_MS) < 3, `the value is the slow p95 (${value} ms)`);
  t.ok(deviation > 0.5, `deviation ratio ${deviation} over the rule's 0.5`);
  t.ok((a.calls as number) >= 20, 'enough calls');
  const ids = a['evidence.trace_ids'] as string[] | undefined;
  t.ok(ids && ids.length > 0 && ids.length <= 5, `1 to 5 trace ids as evidence (${ids?.length ?? 0})`);
  t.ok(ids?.every((id) => shop.slowTraces.has(id)), 'every one is the trace of a slow span the app sent');
  t.equal(event.severity, 'warning');
  await shop.stop();
  t.equal(await daemon.stop(), 0, 'vigil exits cleanly after SIGTERM');
});
