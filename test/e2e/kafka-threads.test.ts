/**
 * Promise: on the Kafka queue the two threads of one daemon run one config, each its own half. The
 * forwarding thread runs the config the main thread validated, even when the file changes on disk
 * right after start (a deploy tool writing it); and /metrics shows each stage log once, not once
 * per thread.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { Daemon, freePort, tempDir } from '../daemon.js';
import { dropTopicsAtEnd } from '../kafka.js';
import { kafkaAvailable, requireService } from '../services.js';
import { waitFor } from '../wait.js';
import { makeSpans } from './sdk-fixtures.js';

/** The Kafka stage log's produce buffer (pipeline/kafka/kafka-queue.ts MAX_PENDING_BYTES). */
const KAFKA_LOG_CAPACITY_BYTES = 64 * 1024 * 1024;

/** Ports and names of one run. */
interface Setup { http: number; health: number; metrics: number; prefix: string }

/**
 * otlp → traces (→ forward connector) → traces/out → file at `out`. traces.ingest is produced by
 * the receiver (main thread), traces/out.ingest by the connector (forwarding thread) and by the
 * receiver as well.
 */
function yaml(s: Setup, out: string): string {
  return `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${s.http} } } }
processors:
  batch: { timeout: 100ms }
connectors:
  forward: {}
exporters:
  file: { path: ${out} }
extensions:
  health_check: { endpoint: 127.0.0.1:${s.health} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${s.metrics} }, logs: { level: info } }
  queue: { type: kafka, kafka: { brokers: [localhost:9092], topic_prefix: ${s.prefix}, group_id: ${s.prefix}, partitions: 2 } }
  pipelines:
    traces: { receivers: [otlp], exporters: [forward] }
    traces/out: { receivers: [otlp, forward], processors: [batch], exporters: [file] }
`;
}

/** Span ids in the file exporter's output (one OTLP/JSON request per line). */
function spanIds(file: string): Set<string> {
  const ids = new Set<string>();
  if (!existsSync(file)) return ids;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const req = JSON.parse(line) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ spanId: string }> }> }> };
    for (const rs of req.resourceSpans) for (const ss of rs.scopeSpans) for (const span of ss.spans) ids.add(span.spanId);
  }
  return ids;
}

function send(exporter: OTLPTraceExporter, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(spans, (r) => (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed'))));
  });
}

/** The samples of `name` in a Prometheus exposition: labels text → value. */
function samples(text: string, name: string): Array<{ labels: string; value: number }> {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`)).map((l) => ({
    labels: l.slice(name.length, l.lastIndexOf(' ')),
    value: Number(l.slice(l.lastIndexOf(' ') + 1)),
  }));
}

t.test('Kafka queue: the forwarding thread runs the validated config, and each stage log shows once in /metrics', async (t) => {
  if (!requireService(t, 'kafka', await kafkaAvailable())) return;
  const [http, health, metrics] = await Promise.all([freePort(), freePort(), freePort()]);
  const s: Setup = { http, health, metrics, prefix: `vigil-e2e-${randomUUID().slice(0, 8)}` };
  dropTopicsAtEnd(t, s.prefix);
  const dir = tempDir();
  const validated = join(dir, 'validated.jsonl');
  const rewritten = join(dir, 'rewritten.jsonl');

  const daemon = Daemon.spawn(yaml(s, validated), health);
  t.teardown(() => daemon.stop('SIGKILL'));
  // The main thread has read and validated the file once it logs (its first line: a stage topic
  // created, before the forwarding thread starts). A deploy tool writes a new version now.
  await waitFor('the daemon\'s first log line', () => daemon.stdout.length > 0, 15_000, 5);
  writeFileSync(daemon.configFile, yaml(s, rewritten));
  await daemon.waitHealthy(15_000);

  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${http}/v1/traces`, timeoutMillis: 5_000 });
  t.teardown(() => exporter.shutdown());
  const spans = makeSpans(5);
  await send(exporter, spans);
  const sent = spans.map((span) => span.spanContext().spanId);
  await waitFor('every span in the validated config\'s output', () => sent.every((id) => spanIds(validated).has(id)), 20_000);
  t.notOk(existsSync(rewritten), 'nothing went where the rewritten file says: the forwarding thread did not read it');

  const text = await (await fetch(`http://127.0.0.1:${metrics}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  t.same(samples(text, 'vigil_stage_log_capacity_bytes'), [
    { labels: '{log="traces.ingest"}', value: KAFKA_LOG_CAPACITY_BYTES },
    { labels: '{log="traces/out.ingest"}', value: KAFKA_LOG_CAPACITY_BYTES },
  ], 'one capacity per stage log, as configured, not summed over the threads');
  t.equal(await daemon.stop('SIGTERM'), 0, 'drains and exits 0');
});
