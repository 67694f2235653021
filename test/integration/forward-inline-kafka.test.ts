/**
 * Promises of the in-line forward connector on the Kafka stage log (pipeline/inline.ts, issue 10):
 * `otlp → traces [forward/sampling] → traces/sampled [tail_sampling] → file`, the sampled pipeline
 * running on the `traces` log's deliveries instead of a stage log of its own.
 * - no second topic: the sampled pipeline's records never go through the broker again;
 * - the upstream offset is not committed while tail_sampling holds the traces (decision_wait);
 * - `kill -9` during decision_wait, restart: every kept trace is delivered whole, and only those;
 *   once decided, the commit point reaches the end of every partition.
 * - a second daemon joins while the first holds half of every trace: the partitions it takes are
 *   revoked from the sampled pipeline too (its held traces dropped, read again by the new owner),
 *   so every kept trace is complete and decided once, by one daemon.
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import t from 'tap';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { ProbabilisticHash } from '../../processors/tail-sampling/hash.js';
import { tempDir } from '../daemon.js';
import { kafkaWithRedis } from '../example-processor/e2e-support.js';
import { committed, dropTopicsAtEnd, eventually, testKafka } from '../kafka.js';
import { kafkaAvailable, KAFKA_PORT, redisAvailable, REDIS_PORT, requireService } from '../services.js';
import { waitUntil } from '../wait.js';
import { daemonPorts, readSpans, selfMetrics, startDaemonWith, stopDaemon, uniqueName, type Ports } from './harness.js';

t.setTimeout(480_000); // four daemon starts, consumer group rejoins and a 30 s decision_wait on a loaded two-core machine
const SPANS_PER_TRACE = 4;
const SALT = 'vigil-inline';
const PERCENT = 25;

/** `count` traces of SPANS_PER_TRACE spans; every fifth has an error on its last span. */
function makeTraces(count: number): ReadableSpan[][] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'inline-ts' }), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('forward-inline-kafka');
  const traces: ReadableSpan[][] = [];
  for (let i = 0; i < count; i++) {
    memory.reset();
    const start = Date.now();
    const root = tracer.startSpan('root', { startTime: start });
    for (let c = 1; c < SPANS_PER_TRACE; c++) {
      const child = tracer.startSpan(`child ${c}`, { startTime: start }, trace.setSpan(context.active(), root));
      if (i % 5 === 0 && c === SPANS_PER_TRACE - 1) child.setStatus({ code: SpanStatusCode.ERROR });
      child.end(start + c);
    }
    root.end(start + 10);
    traces.push([...memory.getFinishedSpans()]);
  }
  return traces;
}

/** The trace ids (hex) the policies keep: an error, or the probabilistic share. */
function expectedKept(traces: readonly ReadableSpan[][]): string[] {
  const hash = new ProbabilisticHash(SALT, PERCENT);
  return traces.filter((spans) => spans.some((s) => s.status.code === SpanStatusCode.ERROR)
    || hash.sampled(Uint8Array.from(Buffer.from(spans[0]!.spanContext().traceId, 'hex'))))
    .map((s) => s[0]!.spanContext().traceId).sort();
}

function yaml(ports: Ports, file: string, name: string, decisionWait = '10s'): string {
  const { queue: inline, state } = kafkaWithRedis(name, KAFKA_PORT, REDIS_PORT);
  // VIGIL_IT_INLINE=off: the negative control — through a second stage log, the first two promises fail.
  const queue = process.env.VIGIL_IT_INLINE === 'off' ? inline.replace('session_timeout: 6s', 'session_timeout: 6s, inline_forward: false') : inline;
  return `receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${ports.http} } } }
processors:
  tail_sampling:
    decision_wait: ${decisionWait}
    policies:
      - { name: errors, type: status_code, status_code: { status_codes: [ERROR] } }
      - { name: share, type: probabilistic, probabilistic: { hash_salt: ${SALT}, sampling_percentage: ${PERCENT} } }
connectors:
  forward/sampling: {}
exporters:
  file: { path: ${JSON.stringify(file)}, append: true }
extensions:
  health_check: { endpoint: 127.0.0.1:${ports.health} }
service:
  extensions: [health_check]
  shutdown_timeout: 15s
  queue: ${queue}
  state: ${state}
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:${ports.metrics} }
  pipelines:
    traces: { receivers: [otlp], exporters: [forward/sampling] }
    traces/sampled: { receivers: [forward/sampling], processors: [tail_sampling], exporters: [file] }
`;
}

/** Sends spans with the SDK's OTLP/HTTP protobuf exporter until acknowledged. */
async function sendUntilAcked(port: number, spans: ReadableSpan[]): Promise<boolean> {
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces`, timeoutMillis: 10_000 });
  try {
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      const ok = await new Promise<boolean>((resolve) => exporter.export(spans, (r) => resolve(r.code === ExportResultCode.SUCCESS)));
      if (ok) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  } finally {
    await exporter.shutdown();
  }
}

/** Per trace id (hex): how many distinct spans of it were written. */
function spansByTrace(file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const w of readSpans([file]).spans.values()) {
    const id = /^[0-9a-f]{32}$/.test(w.traceId) ? w.traceId : Buffer.from(w.traceId, 'base64').toString('hex');
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

/** The topics of the broker, and each partition's end offset of `topic`. */
async function topicsAndEnds(topic: string): Promise<{ topics: string[]; ends: number[] }> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    const ends = (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition).map((p) => Number(p.high));
    return { topics, ends };
  } finally {
    await admin.disconnect();
  }
}

t.test('forward in-line: no second topic, offsets held while deciding, kill -9 loses no kept trace', async (t) => {
  if (!requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())) return;
  if (!requireService(t, `Redis (localhost:${REDIS_PORT})`, await redisAvailable())) return;
  const name = uniqueName('it-inline');
  dropTopicsAtEnd(t, name);
  const topic = `${name}.traces.ingest`;
  const ports = await daemonPorts();
  const file = join(tempDir(), 'out.jsonl');
  const config = yaml(ports, file, name);
  const first = await startDaemonWith(t, 'daemon', config, ports.health);
  const traces = makeTraces(40);
  let acked = 0;
  for (const spans of traces) if (await sendUntilAcked(ports.http, spans)) acked++;
  t.equal(acked, traces.length, 'every request acknowledged');

  const incoming = 'otelcol_processor_incoming_items_total';
  const held = await eventually(async () => ((await selfMetrics(ports.metrics)).get(incoming) ?? 0) >= traces.length * SPANS_PER_TRACE, 60_000);
  t.ok(held, 'tail_sampling got every span (in-line, from the traces log)');
  const before = await topicsAndEnds(topic);
  t.notOk(before.topics.some((x) => x.startsWith(`${name}.traces-sampled`)), `no stage topic for traces/sampled (topics: ${before.topics.filter((x) => x.startsWith(name)).join(', ')})`);
  t.ok(before.ends.reduce((a, b) => a + b, 0) > 0, 'the traces topic holds the records');
  const offsets = await committed(`${name}.traces.ingest`, topic);
  t.ok(offsets.every((o) => o <= 0), `no offset committed past held traces (committed ${offsets.join(',')}; ends ${before.ends.join(',')})`);
  t.equal(readSpans([file]).spans.size, 0, 'nothing decided before the kill');
  await first.stop('SIGKILL');

  const second = await startDaemonWith(t, 'restarted daemon', config, ports.health);
  const want = expectedKept(traces);
  const complete = await waitUntil(() => {
    const got = spansByTrace(file);
    return want.every((id) => (got.get(id) ?? 0) >= SPANS_PER_TRACE);
  }, 90_000, 250);
  const got = spansByTrace(file);
  t.ok(complete, `every kept trace delivered whole after the crash (${want.filter((id) => (got.get(id) ?? 0) >= SPANS_PER_TRACE).length} of ${want.length})`);
  t.same([...got.keys()].sort(), want, 'and only those');
  const caughtUp = await eventually(async () => {
    const now = await committed(`${name}.traces.ingest`, topic);
    return now.length === before.ends.length && now.every((o, i) => o === before.ends[i]);
  }, 60_000);
  t.ok(caughtUp, `once decided, the commit point reaches the end of every partition (${(await committed(`${name}.traces.ingest`, topic)).join(',')} of ${before.ends.join(',')})`);
  t.equal(await stopDaemon(second), 0, 'the restarted daemon drains and exits 0');
});

/** How many partitions of the traces log each instance owns, per the ownership checkpoints in Redis. */
async function owners(keyPrefix: string, partitions: number): Promise<Map<string, number>> {
  const redis = new Redis({ host: '127.0.0.1', port: REDIS_PORT, lazyConnect: true });
  await redis.connect();
  try {
    const out = new Map<string, number>();
    for (let p = 0; p < partitions; p++) {
      const raw = await redis.get(`${keyPrefix}:owner:traces.ingest:${p}`);
      const record = raw ? (JSON.parse(raw) as { instance: string; state: string }) : undefined;
      if (record?.state === 'owned') out.set(record.instance, (out.get(record.instance) ?? 0) + 1);
    }
    return out;
  } finally {
    redis.disconnect();
  }
}

t.test('forward in-line: a daemon joins while half of every trace is held; every kept trace complete, decided once', async (t) => {
  if (!requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())) return;
  if (!requireService(t, `Redis (localhost:${REDIS_PORT})`, await redisAvailable())) return;
  const name = uniqueName('it-inline-join');
  dropTopicsAtEnd(t, name);
  const dir = tempDir();
  const a = { ports: await daemonPorts(), file: join(dir, 'a.jsonl') };
  const b = { ports: await daemonPorts(), file: join(dir, 'b.jsonl') };
  const first = await startDaemonWith(t, 'daemon a', yaml(a.ports, a.file, name, '30s'), a.ports.health);
  const traces = makeTraces(30);
  const half = SPANS_PER_TRACE / 2;
  let acked = 0;
  for (const spans of traces) if (await sendUntilAcked(a.ports.http, spans.slice(0, half))) acked++;
  const incoming = 'otelcol_processor_incoming_items_total';
  t.ok(await eventually(async () => ((await selfMetrics(a.ports.metrics)).get(incoming) ?? 0) >= traces.length * half, 60_000), 'daemon a holds the first half of every trace');

  const second = await startDaemonWith(t, 'daemon b', yaml(b.ports, b.file, name, '30s'), b.ports.health);
  const shared = await eventually(async () => (await owners(name, 4)).size === 2, 90_000);
  t.ok(shared, `both daemons own partitions of the traces log (${JSON.stringify([...(await owners(name, 4))])})`);
  for (const spans of traces) if (await sendUntilAcked(b.ports.http, spans.slice(half))) acked++;
  t.equal(acked, traces.length * 2, 'every request acknowledged');

  const want = expectedKept(traces);
  const files = [a.file, b.file];
  const byTrace = (): Map<string, { spans: number; copies: number; files: Set<string> }> => {
    const out = new Map<string, { spans: number; copies: number; files: Set<string> }>();
    for (const w of readSpans(files).spans.values()) {
      const id = /^[0-9a-f]{32}$/.test(w.traceId) ? w.traceId : Buffer.from(w.traceId, 'base64').toString('hex');
      const e = out.get(id) ?? { spans: 0, copies: 0, files: new Set<string>() };
      e.spans++;
      e.copies += w.copies;
      for (const f of w.files) e.files.add(f);
      out.set(id, e);
    }
    return out;
  };
  const complete = await waitUntil(() => want.every((id) => (byTrace().get(id)?.spans ?? 0) >= SPANS_PER_TRACE), 120_000, 250);
  await new Promise((r) => setTimeout(r, 3_000)); // anything decided twice would show by now
  const got = byTrace();
  t.ok(complete, `every kept trace complete (${want.filter((id) => (got.get(id)?.spans ?? 0) >= SPANS_PER_TRACE).length} of ${want.length})`);
  t.same([...got.keys()].sort(), want, 'exactly the traces the policies keep');
  const twice = [...got.values()].filter((e) => e.copies > e.spans || e.files.size > 1).length;
  t.equal(twice, 0, 'each trace decided once, by one daemon');
  t.ok([a.file, b.file].every((f) => [...got.values()].some((e) => e.files.has(f))), 'both daemons decided some of the traces');
  t.equal(await stopDaemon(second), 0, 'daemon b drains and exits 0');
  t.equal(await stopDaemon(first), 0, 'daemon a drains and exits 0');
});
