/**
 * Promise (issue 11): the running daemon turns OpenTelemetry SDK spans into RED indicators. A
 * traces pipeline exports to span_metrics; its metrics pipeline runs red_indicators and sends to
 * a local OTLP/HTTP sink. For a known workload the sink must see, per operation, the throughput,
 * the error rate and the p95 that Prometheus' histogram_quantile gives on span_metrics' buckets.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import t, { type Test } from 'tap';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { decodeProtobuf, forEachDataPoint } from '../../pdata/index.js';
import { Daemon, freePort } from '../daemon.js';
import { dropTopicsAtEnd, unique } from '../kafka.js';
import { kafkaAvailable, requireService } from '../services.js';
import { waitUntil } from '../wait.js';

/** One RED gauge point as the sink saw it. */
interface Red { metric: string; op: string; startMs: number; value: number }

async function redSink(t: Test): Promise<{ port: number; points: Red[] }> {
  const sink = { port: 0, points: [] as Red[] };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { payload } = decodeProtobuf('metrics', Buffer.concat(chunks));
      if (payload) {
        forEachDataPoint(payload, (p) => sink.points.push({
          metric: p.metricName, op: p.attributes['span.name'] as string, startMs: Number(p.startTimeUnixNano / 1_000_000n), value: p.value ?? NaN,
        }));
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.address() as { port: number }).port;
  t.teardown(() => { server.close(); });
  return sink;
}

/** The workload: GET /item 100×5 ms, 60×30 ms, 40×300 ms (20 of those errors); POST /pay 50×1 ms. */
function workload(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'shop' }), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('e2e');
  const base = Date.now();
  const span = (name: string, ms: number, error: boolean): void => {
    const s = tracer.startSpan(name, { kind: SpanKind.SERVER, startTime: base });
    if (error) s.setStatus({ code: SpanStatusCode.ERROR });
    s.end(base + ms);
  };
  for (let i = 0; i < 100; i++) span('GET /item', 5, false);
  for (let i = 0; i < 60; i++) span('GET /item', 30, false);
  for (let i = 0; i < 40; i++) span('GET /item', 300, i % 2 === 0);
  for (let i = 0; i < 50; i++) span('POST /pay', 1, false);
  return memory.getFinishedSpans();
}

const WINDOW_MS = 10_000;

async function scenario(t: Test, temporality: string, queue = '{ type: memory, memory: { partitions: 2 } }'): Promise<void> {
  const sink = await redSink(t);
  const [otlpPort, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const daemon = await Daemon.start(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${otlpPort} }
connectors:
  spanmetrics:
    metrics_flush_interval: 500ms
    aggregation_temporality: ${temporality}
processors:
  red_indicators: { window: ${WINDOW_MS}ms, idle_timeout: 1s, pass_through: false }
exporters:
  otlphttp/sink: { endpoint: http://127.0.0.1:${sink.port}, compression: none }
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: warn } }
  queue: ${queue}
  pipelines:
    traces: { receivers: [otlp], exporters: [spanmetrics] }
    metrics: { receivers: [spanmetrics], processors: [red_indicators], exporters: [otlphttp/sink] }
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));

  // Send early in a window (event time is the flush's wall clock), so the burst's flushes share one window.
  await waitUntil(() => Date.now() % WINDOW_MS < 2_000, WINDOW_MS + 1_000, 20);
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${otlpPort}/v1/traces` });
  await new Promise<void>((resolve, reject) => exporter.export(workload(), (r) =>
    (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed')))));
  await exporter.shutdown();

  const of = (metric: string, op: string): Red[] => sink.points.filter((p) => p.metric === metric && p.op === op);
  const calls = (op: string): number => of('vigil.red.calls', op).reduce((n, p) => n + p.value, 0);
  t.ok(await waitUntil(() => calls('GET /item') === 200 && calls('POST /pay') === 50, 60_000),
    `every call counted once (GET /item ${calls('GET /item')}, POST /pay ${calls('POST /pay')})`);
  const busy = (op: string): Red | undefined => of('vigil.red.calls', op).find((p) => p.value > 0);
  const at = (metric: string, op: string): number | undefined => of(metric, op).find((p) => p.startMs === busy(op)?.startMs)?.value;
  t.equal(at('vigil.red.throughput', 'GET /item'), 200 / 10, 'GET /item: 200 calls in 10 s');
  t.equal(at('vigil.red.throughput', 'POST /pay'), 50 / 10, 'POST /pay: 50 calls in 10 s');
  t.equal(at('vigil.red.error_rate', 'GET /item'), 10, 'GET /item: 20 of 200 in error');
  t.equal(at('vigil.red.error_rate', 'POST /pay'), 0);
  // default buckets …4, 6, 8, 10, 50, 100, 200, 400…: le6 100, le50 160, le400 200; rank 190 in (200, 400]
  t.equal(of('vigil.red.latency.p95', 'GET /item').map((p) => p.value).join(), String(200 + 200 * (30 / 40)), 'GET /item p95: 350 ms');
  t.equal(of('vigil.red.latency.p50', 'GET /item').map((p) => p.value).join(), String(6), 'GET /item p50: the top of (4, 6]');
  t.equal(of('vigil.red.latency.p95', 'POST /pay').map((p) => p.value).join(), String(2 * (47.5 / 50)), 'POST /pay p95: in the first bucket, from 0');
  t.equal(await daemon.stop(), 0, 'vigil exits cleanly after SIGTERM');
}

t.test('memory queue, delta span metrics: throughput, error rate and p95 per operation', async (t) => {
  await scenario(t, 'AGGREGATION_TEMPORALITY_DELTA');
});

t.test('memory queue, cumulative span metrics: the same from per-window increases', async (t) => {
  await scenario(t, 'AGGREGATION_TEMPORALITY_CUMULATIVE');
});

t.test('Kafka queue, cumulative span metrics: the same with the metrics log on the broker, keyed by service.name', async (t) => {
  if (!requireService(t, 'Kafka', await kafkaAvailable())) return;
  const prefix = unique('vigil-red');
  dropTopicsAtEnd(t, prefix);
  await scenario(t, 'AGGREGATION_TEMPORALITY_CUMULATIVE', `{ type: kafka, kafka: { brokers: [localhost:9092], topic_prefix: ${prefix}, group_id: ${prefix}, partitions: 2 } }`);
});
