/**
 * Promise: everything the OpenTelemetry JS SDK's own exporters send — gRPC, HTTP/protobuf and
 * HTTP/JSON, traces, metrics and logs — comes out of the file exporter unchanged, and 64-bit
 * values stay exact.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
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
import { JsonLogsSerializer, JsonMetricsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { Daemon, freePort, tempDir } from '../daemon.js';
import { flatten, flattenPoints } from '../otlp-compare.js';
import { makeLogs, makeMetrics, makeSpans } from './sdk-fixtures.js';

interface Exporter<T> {
  export(items: T, done: (r: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

function send<T>(exporter: Exporter<T>, items: T): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(items, (r) => (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed'))));
  });
}

const decode = (bytes: Uint8Array | undefined): Record<string, unknown> => JSON.parse(Buffer.from(bytes!).toString('utf8')) as Record<string, unknown>;
const sorted = (items: Array<{ value: unknown }>): string[] => items.map((i) => JSON.stringify(i.value)).sort();

t.test('SDK exporters over every transport: output equals input', async (t) => {
  const [grpcPort, httpPort, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const dir = tempDir();
  const out = { traces: join(dir, 'traces.jsonl'), metrics: join(dir, 'metrics.jsonl'), logs: join(dir, 'logs.jsonl') };
  const daemon = await Daemon.start(`
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${grpcPort} }
      http: { endpoint: 127.0.0.1:${httpPort} }
processors:
  batch: { timeout: 50ms }
exporters:
  file/traces: { path: ${out.traces} }
  file/metrics: { path: ${out.metrics} }
  file/logs: { path: ${out.logs} }
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: warn } }
  pipelines:
    traces: { receivers: [otlp], processors: [batch], exporters: [file/traces] }
    metrics: { receivers: [otlp], processors: [batch], exporters: [file/metrics] }
    logs: { receivers: [otlp], processors: [batch], exporters: [file/logs] }
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));

  const grpcUrl = `http://127.0.0.1:${grpcPort}`;
  const httpUrl = (path: string): string => `http://127.0.0.1:${httpPort}${path}`;
  const spans = makeSpans(5);
  const cumulative = await makeMetrics(AggregationTemporality.CUMULATIVE);
  const delta = await makeMetrics(AggregationTemporality.DELTA);
  const logs = makeLogs(6);

  const traceExporters: Array<Exporter<typeof spans>> = [
    new TracesGrpc({ url: grpcUrl, compression: CompressionAlgorithm.GZIP }),
    new TracesProto({ url: httpUrl('/v1/traces'), compression: CompressionAlgorithm.GZIP }),
    new TracesJson({ url: httpUrl('/v1/traces') }),
  ];
  const metricExporters: Array<Exporter<typeof cumulative>> = [
    new MetricsGrpc({ url: grpcUrl }),
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the metrics exporters bring their own otlp-exporter-base (0.223.0): the same enum, another type
    new MetricsProto({ url: httpUrl('/v1/metrics'), compression: CompressionAlgorithm.GZIP }),
    new MetricsJson({ url: httpUrl('/v1/metrics') }),
  ];
  const logExporters: Array<Exporter<typeof logs>> = [
    new LogsGrpc({ url: grpcUrl, compression: CompressionAlgorithm.GZIP }),
    new LogsProto({ url: httpUrl('/v1/logs') }),
    new LogsJson({ url: httpUrl('/v1/logs'), compression: CompressionAlgorithm.GZIP }),
  ];
  for (const e of traceExporters) await send(e, spans);
  for (const e of metricExporters) {
    await send(e, cumulative);
    await send(e, delta);
  }
  for (const e of logExporters) await send(e, logs);
  await Promise.all([...traceExporters, ...metricExporters, ...logExporters].map((e) => e.shutdown()));

  t.equal(await daemon.stop(), 0, 'clean exit after SIGTERM');
  const read = (file: string): Array<Record<string, unknown>> =>
    readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
  const times = <T>(n: number, xs: T[]): T[] => Array.from({ length: n }, () => xs).flat();

  const expectedSpans = flatten('traces', [decode(JsonTraceSerializer.serializeRequest(spans))], (s) => String(s.spanId));
  const gotSpans = flatten('traces', read(out.traces), (s) => String(s.spanId));
  t.equal(gotSpans.length, 3 * spans.length, 'every span arrived once per transport');
  t.same(sorted(gotSpans), sorted(times(3, expectedSpans)), 'spans unchanged (ids, names, kinds, status, events, links, trace state, flags, dropped counts, attributes, resource, scope, schema urls)');

  // Point by point: the metrics pipeline is keyed by series, so one metric's points may travel in several requests.
  const expectedMetrics = [cumulative, delta].flatMap((rm) => flattenPoints([decode(JsonMetricsSerializer.serializeRequest(rm))]));
  const gotMetrics = flattenPoints(read(out.metrics));
  t.equal(gotMetrics.length, 3 * expectedMetrics.length, 'every data point arrived once per transport');
  t.same(sorted(gotMetrics), sorted(times(3, expectedMetrics)), 'metrics unchanged (sum, gauge, histogram, exponential histogram; both temporalities)');

  const expectedLogs = flatten('logs', [decode(JsonLogsSerializer.serializeRequest(logs))], (l) => JSON.stringify(l.attributes));
  const gotLogs = flatten('logs', read(out.logs), (l) => JSON.stringify(l.attributes));
  t.equal(gotLogs.length, 3 * logs.length, 'every log record arrived once per transport');
  t.same(sorted(gotLogs), sorted(times(3, expectedLogs)), 'log records unchanged (kvlist and bytes values, trace context, event name)');

  const firstStarts = read(out.traces).flatMap((d) => JSON.stringify(d).match(/"startTimeUnixNano":"1700000000123456789"/g) ?? []);
  t.equal(firstStarts.length, 3, 'a span starting at 1700000000123456789 ns comes out as exactly that from every transport');
});
