/**
 * The otlp receiver fed by the OpenTelemetry JS SDK's own exporters over gRPC, HTTP/protobuf and
 * HTTP/JSON: every signal arrives, counts match, every transport delivers the same data. Also the
 * lifecycle: protocols left out are not started, unwired signals are refused, shutdown drains.
 */
import { Writable } from 'node:stream';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter as LogsGrpc } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as LogsJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as MetricsGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as MetricsJson } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as MetricsProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as TracesGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as TracesJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TracesProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { pino } from 'pino';
import type { Consumer } from '../../pipeline/component.js';
import { decodeProtobuf, toJson } from '../../pdata/index.js';
import type { Payload, Signal } from '../../pdata/payload.js';
import { SelfMetrics } from '../../pipeline/telemetry.js';
import { NoopHost, RecordingConsumer } from '../../test/doubles.js';
import { makeMetrics } from '../../test/e2e/sdk-fixtures.js';
import { parseComponentId } from '../../pipeline/component.js';
import { configSchema } from './config.js';
import { factory } from './factory.js';
import type { BoundAddresses } from './receiver.js';
import { grpcClient, httpRequest, makeLogs, makeSpans, startReceiver, traceRequest } from './test-support.js';

await factory.load?.(); // the implementation, as the service loads it before building

interface SdkExporter<T> {
  export(items: T, done: (r: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

function send<T>(exporter: SdkExporter<T>, items: T): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(items, (r) => (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed'))));
  });
}

// An empty repeated field and an absent one are the same protobuf; the codec renders the JSON-fed
// one as [] (it keeps the empty packed field the client sent), so compare without empty lists.
const asJson = (p: Payload): unknown => JSON.parse(toJson(p), (_k, v: unknown) => (Array.isArray(v) && v.length === 0 ? undefined : v));

async function counterValue(metrics: SelfMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const m = (await metrics.registry.getSingleMetric(name)!.get()).values;
  return m.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((n, v) => n + v.value, 0);
}

t.test('SDK exporters over gRPC, HTTP/protobuf and HTTP/JSON deliver every signal', async (t) => {
  const r = await startReceiver();
  t.teardown(() => r.stop());
  const grpcUrl = `http://${r.addresses.grpc}`;
  const httpUrl = (path: string): string => `http://${r.addresses.http}${path}`;

  const spans = makeSpans(4);
  const metrics = await makeMetrics(AggregationTemporality.CUMULATIVE);
  const logs = makeLogs(5);
  const exporters = {
    traces: [
      new TracesGrpc({ url: grpcUrl, compression: CompressionAlgorithm.GZIP }),
      new TracesProto({ url: httpUrl('/v1/traces'), compression: CompressionAlgorithm.GZIP }),
      new TracesJson({ url: httpUrl('/v1/traces') }),
    ],
    metrics: [
      new MetricsGrpc({ url: grpcUrl }),
      new MetricsProto({ url: httpUrl('/v1/metrics') }),
      // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the metrics exporters bring their own otlp-exporter-base (0.223.0): the same enum, another type
      new MetricsJson({ url: httpUrl('/v1/metrics'), compression: CompressionAlgorithm.GZIP }),
    ],
    logs: [
      new LogsGrpc({ url: grpcUrl, compression: CompressionAlgorithm.GZIP }),
      new LogsProto({ url: httpUrl('/v1/logs'), compression: CompressionAlgorithm.GZIP }),
      new LogsJson({ url: httpUrl('/v1/logs') }),
    ],
  };
  for (const e of exporters.traces) await send(e, spans);
  for (const e of exporters.metrics) await send(e, metrics);
  for (const e of exporters.logs) await send(e, logs);
  await Promise.all(Object.values(exporters).flat().map((e) => e.shutdown()));

  const expected: Record<Signal, Uint8Array> = {
    traces: ProtobufTraceSerializer.serializeRequest(spans)!,
    metrics: ProtobufMetricsSerializer.serializeRequest(metrics)!,
    logs: ProtobufLogsSerializer.serializeRequest(logs)!,
  };
  t.equal(decodeProtobuf('traces', expected.traces).payload!.itemCount, 8, 'fixture: 4 roots with a child each');
  t.equal(decodeProtobuf('logs', expected.logs).payload!.itemCount, 5, 'fixture: 5 log records');
  for (const signal of ['traces', 'metrics', 'logs'] as const) {
    const got = r.sinks[signal].received;
    t.equal(got.length, 3, `${signal}: one payload per exporter`);
    const items = decodeProtobuf(signal, expected[signal]).payload!.itemCount;
    t.same(got.map((p) => p.itemCount), [items, items, items], `${signal}: item counts match what the SDK sent`);
    t.same(Buffer.from(got[1]!.bytes), Buffer.from(expected[signal]), `${signal}: HTTP/protobuf bytes arrive unchanged`);
    // Deep equality: the JSON transport re-encodes fields in the client's key order.
    const reference = asJson(got[1]!);
    t.ok(deepEqual(asJson(got[0]!), reference), `${signal}: gRPC carries the same data as HTTP/protobuf`);
    t.ok(deepEqual(asJson(got[2]!), reference), `${signal}: HTTP/JSON carries the same data as HTTP/protobuf`);
    const item = { traces: 'spans', metrics: 'metric_points', logs: 'log_records' }[signal];
    const name = `otelcol_receiver_accepted_${item}_total`;
    t.equal(await counterValue(r.metrics, name, { receiver: 'otlp/test', transport: 'grpc' }), items, `${signal}: accepted over grpc counted`);
    t.equal(await counterValue(r.metrics, name, { receiver: 'otlp/test', transport: 'http' }), 2 * items, `${signal}: accepted over http counted`);
  }
  const names = (asJson(r.sinks.traces.received[0]!) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }> })
    .resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name)));
  t.ok(names.includes('GET /cart/0'), 'span names arrive');
});

t.test('only the configured protocols start; a null protocol means defaults', async (t) => {
  const config = configSchema.parse({ protocols: { grpc: null } });
  t.equal(config.protocols.grpc?.endpoint, 'localhost:4317', 'grpc: null gets the default endpoint');
  t.equal(config.protocols.http, undefined, 'http left out stays off');

  const onlyGrpc = await startReceiver({ grpc: {} });
  t.teardown(() => onlyGrpc.stop());
  t.match(onlyGrpc.addresses.grpc, /^127\.0\.0\.1:\d+$/, 'gRPC bound');
  t.equal(onlyGrpc.addresses.http, undefined, 'HTTP not started');
  const c = grpcClient(onlyGrpc.addresses.grpc!, 'traces');
  t.teardown(() => c.close());
  await c.export(traceRequest(1));
  t.equal(onlyGrpc.sinks.traces.items, 2, 'gRPC-only receiver serves');

  const onlyHttp = await startReceiver({ http: {} });
  t.teardown(() => onlyHttp.stop());
  t.equal(onlyHttp.addresses.grpc, undefined, 'gRPC not started');
  const res = await httpRequest(onlyHttp.addresses.http!, { headers: { 'Content-Type': 'application/x-protobuf' }, body: traceRequest(1) });
  t.equal(res.status, 200, 'HTTP-only receiver serves');
});

t.test('the listening line carries the bound addresses as structured fields', async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb(); } });
  const config = configSchema.parse({ protocols: { grpc: { endpoint: '127.0.0.1:0' }, http: { endpoint: '127.0.0.1:0' } } });
  const settings = { id: parseComponentId('otlp'), logger: pino({ level: 'info' }, sink), metrics: new SelfMetrics() };
  const receiver = factory.create(settings, config, new Map([['traces', new RecordingConsumer()]])) as ReturnType<typeof factory.create> & { addresses(): BoundAddresses };
  await receiver.start(new NoopHost());
  t.teardown(() => receiver.shutdown(Date.now() + 1000));
  const listening = lines.find((l) => l.msg === 'listening');
  t.ok(listening, 'logged once started');
  t.same({ grpc: listening?.grpc, http: listening?.http }, receiver.addresses(), 'fields equal addresses()');
  t.match(listening?.grpc, /^127\.0\.0\.1:[1-9]\d*$/, 'a real port, not 0');
});

t.test('a signal no pipeline takes answers UNIMPLEMENTED and 404', async (t) => {
  const r = await startReceiver({}, ['traces']);
  t.teardown(() => r.stop());
  const logs = grpcClient(r.addresses.grpc!, 'logs');
  t.teardown(() => logs.close());
  const err = await logs.export(ProtobufLogsSerializer.serializeRequest(makeLogs(1))!).then(() => undefined, (e: grpc.ServiceError) => e);
  t.equal(err?.code, grpc.status.UNIMPLEMENTED, 'gRPC logs: UNIMPLEMENTED');
  const res = await httpRequest(r.addresses.http!, { path: '/v1/logs', headers: { 'Content-Type': 'application/x-protobuf' }, body: 'x' });
  t.equal(res.status, 404, 'HTTP /v1/logs: 404');
  const ok = await httpRequest(r.addresses.http!, { headers: { 'Content-Type': 'application/x-protobuf' }, body: traceRequest(1) });
  t.equal(ok.status, 200, 'the wired signal is served');
});

t.test('shutdown lets in-flight requests finish, then refuses connections', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const r = await startReceiver();
  // Swap in a consumer that waits for the gate, so requests are in flight when shutdown begins.
  const sinkConsume = r.sinks.traces.consume.bind(r.sinks.traces);
  r.sinks.traces.consume = async (p) => { await gate; await sinkConsume(p); };
  const c = grpcClient(r.addresses.grpc!, 'traces');
  t.teardown(() => c.close());
  const viaGrpc = c.export(traceRequest(1));
  const viaHttp = httpRequest(r.addresses.http!, { headers: { 'Content-Type': 'application/x-protobuf' }, body: traceRequest(1) });
  await new Promise((res) => setTimeout(res, 100));
  const stopped = r.stop(5000);
  setTimeout(release, 200);
  await viaGrpc;
  t.equal((await viaHttp).status, 200, 'in-flight HTTP request answered');
  await stopped;
  t.equal(r.sinks.traces.items, 4, 'both in-flight requests delivered');
  const after = await httpRequest(r.addresses.http!, { headers: { 'Content-Type': 'application/x-protobuf' }, body: traceRequest(1) }).then(() => 'served', (e: NodeJS.ErrnoException) => e.code);
  t.equal(after, 'ECONNREFUSED', 'no longer listening');
});

t.test('shutdown force-closes requests still running at the deadline', async (t) => {
  const r = await startReceiver();
  const never: Consumer = { consume: () => new Promise(() => {}) };
  r.sinks.traces.consume = never.consume;
  const c = grpcClient(r.addresses.grpc!, 'traces');
  t.teardown(() => c.close());
  const viaGrpc = c.export(traceRequest(1)).then(() => 'ok', (e: grpc.ServiceError) => e.code);
  const viaHttp = httpRequest(r.addresses.http!, { headers: { 'Content-Type': 'application/x-protobuf' }, body: traceRequest(1) }).then((a) => a.status, (e: NodeJS.ErrnoException) => e.code);
  await new Promise((res) => setTimeout(res, 100));
  const began = Date.now();
  await r.stop(300);
  const took = Date.now() - began;
  t.ok(took >= 250 && took < 3_000, `shutdown returned at the deadline (${took} ms)`);
  t.not(await viaGrpc, 'ok', 'gRPC call cut off');
  t.equal(await viaHttp, 'ECONNRESET', 'HTTP connection cut off');
});

t.test('shutdown without start is a no-op', async (t) => {
  const receiver = factory.create({ id: parseComponentId('otlp'), logger: pino({ level: 'silent' }), metrics: new SelfMetrics() }, factory.createDefaultConfig(), new Map([['traces', new RecordingConsumer()]]));
  await receiver.shutdown(Date.now() + 100);
  t.pass('resolved');
});

t.test('a start failure leaves nothing listening', async (t) => {
  const first = await startReceiver({ http: {} });
  t.teardown(() => first.stop());
  const taken = first.addresses.http!;
  const config = configSchema.parse({ protocols: { grpc: { endpoint: '127.0.0.1:0' }, http: { endpoint: taken } } });
  const receiver = factory.create({ id: parseComponentId('otlp/2'), logger: pino({ level: 'silent' }), metrics: new SelfMetrics() }, config, new Map([['traces', new RecordingConsumer()]]));
  await t.rejects(receiver.start(new NoopHost()), { code: 'EADDRINUSE' }, 'start rejects');
  t.same((receiver as unknown as { addresses(): BoundAddresses }).addresses(), {}, 'gRPC closed again');
});
