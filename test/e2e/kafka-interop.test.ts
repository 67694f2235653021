/**
 * Promise: vigil's kafka exporter output is read back by its kafka receiver in both encodings. One
 * daemon: SDK → otlp receiver → kafka exporters (otlp_proto and otlp_json topics) → kafka
 * receivers → file exporter; the spans and logs in the file are the SDK's, once per encoding.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { JsonLogsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { Daemon, freePort, tempDir } from '../daemon.js';
import { createTopic, eventually, unique } from '../kafka.js';
import { flatten } from '../otlp-compare.js';
import { kafkaAvailable, requireService } from '../services.js';
import { makeLogs, makeSpans } from './sdk-fixtures.js';

const sorted = (items: Array<{ value: unknown }>): string[] => items.map((i) => JSON.stringify(i.value)).sort();
const read = (file: string): Array<Record<string, unknown>> => {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
};

t.test('otlp → kafka (otlp_proto, otlp_json) → kafka → file: spans and logs unchanged', async (t) => {
  if (!requireService(t, 'Kafka', await kafkaAvailable())) return;
  const topics = { spansProto: unique('vigil-e2e-spans-proto'), spansJson: unique('vigil-e2e-spans-json'), logsProto: unique('vigil-e2e-logs-proto'), logsJson: unique('vigil-e2e-logs-json') };
  for (const topic of Object.values(topics)) await createTopic(t, topic, 2);
  const [httpPort, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const dir = tempDir();
  const out = { traces: join(dir, 'traces.jsonl'), logs: join(dir, 'logs.jsonl') };
  const group = unique('vigil-e2e');
  const daemon = await Daemon.start(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${httpPort} }
  kafka/proto:
    brokers: [localhost:9092]
    group_id: ${group}-proto
    initial_offset: earliest
    traces: { topic: ${topics.spansProto} }
    logs: { topic: ${topics.logsProto} }
  kafka/json:
    brokers: [localhost:9092]
    group_id: ${group}-json
    initial_offset: earliest
    encoding: otlp_json
    traces: { topic: ${topics.spansJson} }
    logs: { topic: ${topics.logsJson} }
exporters:
  kafka/proto:
    brokers: [localhost:9092]
    partition_traces_by_id: true
    traces: { topic: ${topics.spansProto} }
    logs: { topic: ${topics.logsProto} }
  kafka/json:
    brokers: [localhost:9092]
    encoding: otlp_json
    producer: { compression: gzip }
    traces: { topic: ${topics.spansJson} }
    logs: { topic: ${topics.logsJson} }
  file/traces: { path: ${out.traces} }
  file/logs: { path: ${out.logs} }
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: warn } }
  pipelines:
    traces/in: { receivers: [otlp], exporters: [kafka/proto, kafka/json] }
    logs/in: { receivers: [otlp], exporters: [kafka/proto, kafka/json] }
    traces/out: { receivers: [kafka/proto, kafka/json], exporters: [file/traces] }
    logs/out: { receivers: [kafka/proto, kafka/json], exporters: [file/logs] }
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));

  const spans = makeSpans(4);
  const logs = makeLogs(5);
  const traceExporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${httpPort}/v1/traces` });
  const logExporter = new OTLPLogExporter({ url: `http://127.0.0.1:${httpPort}/v1/logs` });
  for (const [e, items] of [[traceExporter, spans], [logExporter, logs]] as const) {
    await new Promise<void>((resolve, reject) => (e.export as (i: unknown, cb: (r: { code: ExportResultCode; error?: Error }) => void) => void)(items, (r) =>
      (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed')))));
  }
  await Promise.all([traceExporter.shutdown(), logExporter.shutdown()]);

  const expectedSpans = flatten('traces', [JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString()) as Record<string, unknown>], (s) => String(s.spanId));
  const expectedLogs = flatten('logs', [JSON.parse(Buffer.from(JsonLogsSerializer.serializeRequest(logs)!).toString()) as Record<string, unknown>], (l) => JSON.stringify(l.attributes));
  const spanCount = () => flatten('traces', read(out.traces), () => '').length;
  const logCount = () => flatten('logs', read(out.logs), () => '').length;
  t.ok(await eventually(() => spanCount() >= 2 * spans.length && logCount() >= 2 * logs.length, 20_000),
    `every span and log record came back through both topics (${spanCount()} spans, ${logCount()} logs)`);
  t.equal(await daemon.stop(), 0, 'clean exit after SIGTERM');
  const twice = <T>(xs: T[]): T[] => [...xs, ...xs];
  t.same(sorted(flatten('traces', read(out.traces), (s) => String(s.spanId))), sorted(twice(expectedSpans)), 'spans unchanged, once per encoding');
  t.same(sorted(flatten('logs', read(out.logs), (l) => JSON.stringify(l.attributes))), sorted(twice(expectedLogs)), 'log records unchanged, once per encoding');
});
