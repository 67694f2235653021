/**
 * Promise (issue 11, "Events"): a degradation of a service names the operation behind it. An app
 * instrumented with the OpenTelemetry SDK has two operations; one of them gets 60 % slower. The
 * real daemon on the memory queue runs span_metrics (with exemplars) → red_indicators with
 * `service_rollup` → baseline → events → an OTLP/HTTP logs sink, and the service-level
 * `vigil.degradation` event names that operation (`evidence.dimension.value`) and lists trace ids
 * of its slow spans. History is event time: an hour of backdated p95 gauges for the service and
 * both operations, so the test needs no real hour; 2 s windows stand in for minutes.
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
import { dropTopicsAtEnd, unique } from '../kafka.js';
import { kafkaAvailable, requireService } from '../services.js';
import { waitFor } from '../wait.js';

// Two daemons one after the other, the second waiting for Kafka's consumer groups: more than the default 120 s on a loaded machine.
t.setTimeout(240_000);

const SERVICE = { 'service.name': 'shop' };
const CHECKOUT = 'GET /checkout';
const CART = 'GET /cart';
const HEALTHY_MS = { [CHECKOUT]: 100, [CART]: 40 };
const SLOW_MS = 160; // GET /checkout +60 %

interface Event { name: string; attributes: Attributes }

/** An OTLP/HTTP logs endpoint: the event records it received. */
async function logsSink(t: Test): Promise<{ port: number; events: Event[] }> {
  const sink = { port: 0, events: [] as Event[] };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { payload } = decodeProtobuf('logs', Buffer.concat(chunks));
      if (payload) forEachLogRecord(payload, (r) => sink.events.push({ name: r.eventName, attributes: r.attributes }));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.address() as { port: number }).port;
  t.teardown(() => { server.close(); });
  return sink;
}

/** An hour of red_indicators-shaped p95 points (one a minute, ending `endMs`): the service and both operations, healthy. */
function history(endMs: number): ResourceMetrics {
  const hr = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
  const minutes = Array.from({ length: 60 }, (_, i) => endMs - (60 - i) * 60_000);
  const series: Array<[Attributes, number]> = [
    [{ ...SERVICE, 'vigil.rollup': 'span.name' }, HEALTHY_MS[CHECKOUT]], // equal calls: the service's p95 is GET /checkout's
    [{ ...SERVICE, 'span.name': CHECKOUT }, HEALTHY_MS[CHECKOUT]],
    [{ ...SERVICE, 'span.name': CART }, HEALTHY_MS[CART]],
  ];
  return {
    resource: resourceFromAttributes(SERVICE),
    scopeMetrics: [{
      scope: { name: 'history' },
      metrics: [{
        descriptor: { name: 'vigil.red.latency.p95', description: '', unit: 'ms', valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.GAUGE,
        dataPoints: series.flatMap(([attributes, value]) => minutes.map((m) => ({ startTime: hr(m - 60_000), endTime: hr(m), attributes: attributes as Record<string, string>, value }))),
      }],
    }],
  };
}

/** The app: every 100 ms, 5 calls of each operation; GET /checkout takes `checkoutMs`; the trace ids of its slow calls are recorded. */
function app(endpoint: string): { checkoutMs: number; slowTraces: Set<string>; cartTraces: Set<string>; stop(): Promise<void> } {
  const provider = new TracerProvider({
    resource: resourceFromAttributes(SERVICE),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: endpoint }), scheduledDelayMillis: 200 })],
  });
  const tracer = provider.getTracer('top-dimension-e2e');
  const state = {
    checkoutMs: HEALTHY_MS[CHECKOUT],
    slowTraces: new Set<string>(),
    cartTraces: new Set<string>(),
    async stop(): Promise<void> {
      clearInterval(timer);
      await provider.shutdown();
    },
  };
  const timer = setInterval(() => {
    const now = Date.now();
    for (let i = 0; i < 5; i++) {
      const checkout = tracer.startSpan(CHECKOUT, { kind: SpanKind.SERVER, startTime: now - state.checkoutMs });
      if (state.checkoutMs === SLOW_MS) state.slowTraces.add(checkout.spanContext().traceId);
      checkout.end(now);
      const cart = tracer.startSpan(CART, { kind: SpanKind.SERVER, startTime: now - HEALTHY_MS[CART] });
      state.cartTraces.add(cart.spanContext().traceId);
      cart.end(now);
    }
  }, 100);
  return state;
}

/** The chain on `queue`; the service-level event must name GET /checkout and its slow spans. */
async function scenario(t: Test, queue: string): Promise<void> {
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
  red_indicators: { window: 2s, idle_timeout: 1s, pass_through: false, service_rollup: true }
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
  queue: ${queue}
  pipelines:
    traces: { receivers: [otlp], exporters: [span_metrics] }
    metrics/indicators: { receivers: [span_metrics], processors: [red_indicators], exporters: [forward/indicators] }
    metrics/baseline: { receivers: [forward/indicators, otlp], processors: [baseline], exporters: [events] }
    logs/degradations: { receivers: [events], exporters: [otlphttp/events] }
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));
  const until = <T>(what: string, check: () => T | undefined | false): Promise<T> =>
    waitFor(what, check, 90_000, 100).catch((err: unknown) => { throw new Error(`${String(err)}; events: ${JSON.stringify(sink.events)}\ndaemon stderr:\n${daemon.stderr.slice(-4000)}`); });

  const exporter = new OTLPMetricExporter({ url: `http://127.0.0.1:${otlpPort}/v1/metrics`, timeoutMillis: 10_000 });
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the exporter brings its own copy of sdk-metrics' enums; the values are the same
  const sent = await new Promise<ExportResult>((resolve) => exporter.export(history(Date.now() - 120_000), resolve));
  t.equal(sent.code, ExportResultCode.SUCCESS, 'an hour of history of the service and both operations accepted');
  await exporter.shutdown();

  const shop = app(`http://127.0.0.1:${otlpPort}/v1/traces`);
  t.teardown(() => shop.stop());
  await new Promise((r) => setTimeout(r, 8_000));
  t.same(sink.events, [], 'no degradation while the latency is normal');

  shop.checkoutMs = SLOW_MS;
  const event = await until('a service-level vigil.degradation', () => sink.events.find((e) => e.name === 'vigil.degradation' && e.attributes['vigil.rollup'] !== undefined));
  const a = event.attributes;
  t.match(a, { 'service.name': 'shop', 'vigil.rollup': 'span.name', 'metric.name': 'vigil.red.latency.p95', rule: 'latency', expected: HEALTHY_MS[CHECKOUT] });
  t.notOk('span.name' in a, 'the event is about the service, not an operation');
  t.ok(Math.abs((a.value as number) - SLOW_MS) < 3, `the service's p95 is the slow one (${a.value as number} ms)`);
  t.equal(a['evidence.dimension'], 'span.name', 'the dimension that contributed most');
  t.equal(a['evidence.dimension.value'], CHECKOUT, 'the operation behind the rise');
  const share = a['evidence.dimension.share'] as number;
  t.ok(share > 0.9 && share <= 1, `its share of the rise: ${share}`);
  t.ok(Math.abs((a['evidence.dimension.observed'] as number) - SLOW_MS) < 3 && a['evidence.dimension.expected'] === HEALTHY_MS[CHECKOUT], 'its own p95 and baseline');
  t.ok((a['evidence.dimension.contribution'] as number) > 0, `its contribution: ${a['evidence.dimension.contribution'] as number} call·ms`);
  const ids = a['evidence.trace_ids'] as string[] | undefined;
  t.ok(ids && ids.length > 0 && ids.length <= 5, `1 to 5 trace ids as evidence (${ids?.length ?? 0})`);
  t.ok(ids?.every((id) => shop.slowTraces.has(id)), 'every one is the trace of a slow GET /checkout span');
  t.notOk(ids?.some((id) => shop.cartTraces.has(id)), 'none of GET /cart');
  await shop.stop();
  t.equal(await daemon.stop(), 0, 'vigil exits cleanly after SIGTERM');
}

t.test('memory queue: SDK app, two operations, one 60 % slower → the service-level vigil.degradation names it and its slow spans', async (t) => {
  await scenario(t, '{ type: memory, memory: { partitions: 2 } }');
});

t.test('Kafka queue: the same with every stage log on the broker, the baseline\'s keyed by service.name', async (t) => {
  if (!requireService(t, 'Kafka', await kafkaAvailable())) return;
  const prefix = unique('vigil-topdim');
  dropTopicsAtEnd(t, prefix);
  await scenario(t, `{ type: kafka, kafka: { brokers: [localhost:9092], topic_prefix: ${prefix}, group_id: ${prefix}, partitions: 2 } }`);
});
