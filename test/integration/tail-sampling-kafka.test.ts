/**
 * Promises (issue 10), tail_sampling on the Kafka stage log:
 * - whole traces across instances: two daemons share one topic; a client sends the spans of each
 *   trace alternately to both. The daemon that owns a trace's partition decides it with all its
 *   spans: every kept trace is complete, written once, by one daemon; every trace with an error
 *   span (sent to one daemon only) is kept.
 * - no trace lost to a crash: `kill -9` during decision_wait, restart: the held spans are read
 *   again from the log and every trace the policies keep is delivered whole.
 * - decisions outlive a crash: `kill -9` after traces were decided, restart: their late spans
 *   follow the decisions made before the crash (the decision checkpoint in Redis), even late
 *   spans that would have made a fresh decision go the other way.
 */
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { ProbabilisticHash } from '../../processors/tail-sampling/hash.js';
import { Daemon, tempDir } from '../daemon.js';
import { kafkaWithRedis } from '../example-processor/e2e-support.js';
import { dropTopicsAtEnd } from '../kafka.js';
import { kafkaAvailable, KAFKA_PORT, redisAvailable, REDIS_PORT, requireService } from '../services.js';
import { waitUntil } from '../wait.js';
import { daemonPorts, daemonTail, readSpans, stopDaemon, uniqueName, type Ports, type Written } from './harness.js';

t.setTimeout(420_000); // three daemon tests on a loaded two-core machine
const SPANS_PER_TRACE = 4;
const SALT = 'vigil-kafka';
const PERCENT = 25;

/** `count` traces of SPANS_PER_TRACE spans; every fifth has an error on its last span. */
function makeTraces(count: number): ReadableSpan[][] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'kafka-ts' }), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('tail-sampling-kafka');
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

/** The trace ids the test's policies keep: an error, or the probabilistic share. */
function expectedKept(traces: readonly ReadableSpan[][]): Set<string> {
  const hash = new ProbabilisticHash(SALT, PERCENT);
  return new Set(traces.filter((spans) => spans.some((s) => s.status.code === SpanStatusCode.ERROR)
    || hash.sampled(Uint8Array.from(Buffer.from(spans[0]!.spanContext().traceId, 'hex')))).map((s) => s[0]!.spanContext().traceId));
}

function yaml(ports: Ports, file: string, name: string, decisionWait: string, checkpointInterval = '5s'): string {
  // VIGIL_IT_QUEUE=memory: the negative control of harness.ts — both promises must then fail.
  const { queue, state } = process.env.VIGIL_IT_QUEUE === 'memory'
    ? { queue: '{ type: memory, memory: { partitions: 4 } }', state: '{ type: memory }' }
    : kafkaWithRedis(name, KAFKA_PORT, REDIS_PORT);
  return `receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${ports.http} } } }
processors:
  tail_sampling:
    decision_wait: ${decisionWait}
    checkpoint_interval: ${checkpointInterval}
    policies:
      - { name: errors, type: status_code, status_code: { status_codes: [ERROR] } }
      - { name: share, type: probabilistic, probabilistic: { hash_salt: ${SALT}, sampling_percentage: ${PERCENT} } }
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
    traces: { receivers: [otlp], processors: [tail_sampling], exporters: [file] }
`;
}

/**
 * Starts a daemon and waits up to a minute for its health check (a Kafka daemon on a loaded
 * two-core machine took 11 s), killing it at the test's end and printing its output on failure.
 */
async function startDaemonWith(t: Test, label: string, config: string, healthPort: number): Promise<Daemon> {
  const daemon = Daemon.spawn(config, healthPort);
  t.teardown(async () => {
    if (!t.passing()) process.stderr.write(`\n===== ${t.name}: ${label} (pid ${daemon.pid}) =====\n${daemonTail(daemon)}\n`);
    await daemon.stop('SIGKILL');
  });
  await daemon.waitHealthy(60_000);
  return daemon;
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

/** Per trace id: how many of its spans were written, and by how many files. */
function byTrace(spans: Map<string, Written>): Map<string, { spans: number; copies: number; files: Set<string> }> {
  const out = new Map<string, { spans: number; copies: number; files: Set<string> }>();
  for (const w of spans.values()) {
    const e = out.get(w.traceId) ?? { spans: 0, copies: 0, files: new Set<string>() };
    e.spans++;
    e.copies += w.copies;
    for (const f of w.files) e.files.add(f);
    out.set(w.traceId, e);
  }
  return out;
}

const b64ToHex = (id: string): string => (/^[0-9a-f]{32}$/.test(id) ? id : Buffer.from(id, 'base64').toString('hex'));

t.test('two daemons, spans of each trace sent alternately to both: every kept trace complete, decided once', async (t) => {
  if (!requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())) return;
  if (!requireService(t, `Redis (localhost:${REDIS_PORT})`, await redisAvailable())) return;
  const name = uniqueName('it-tail-two');
  dropTopicsAtEnd(t, name);
  const dir = tempDir();
  const daemons: Array<{ label: string; ports: Ports; file: string; daemon: Daemon }> = [];
  for (const label of ['a', 'b']) {
    const ports = await daemonPorts();
    const file = join(dir, `${label}.jsonl`);
    daemons.push({ label, ports, file, daemon: await startDaemonWith(t, `daemon ${label}`, yaml(ports, file, name, '2s'), ports.health) });
  }
  const traces = makeTraces(60);
  let acked = 0;
  for (const spans of traces) {
    // Even spans to daemon a, odd spans to daemon b: no daemon receives a whole trace.
    const halves = [spans.filter((_, i) => i % 2 === 0), spans.filter((_, i) => i % 2 === 1)];
    const ok = await Promise.all(halves.map((h, i) => sendUntilAcked(daemons[i]!.ports.http, h)));
    if (ok.every(Boolean)) acked++;
  }
  t.equal(acked, traces.length, 'every request acknowledged');
  const want = expectedKept(traces);
  const files = daemons.map((d) => d.file);
  const written = () => byTrace(readSpans(files).spans);
  const complete = await waitUntil(() => [...want].every((id) => (written().get(id)?.spans ?? 0) >= SPANS_PER_TRACE), 60_000, 250);
  await new Promise((r) => setTimeout(r, 3_000)); // anything decided twice would show by now
  for (const d of daemons) t.equal(await stopDaemon(d.daemon), 0, `daemon ${d.label} drains and exits 0`);
  const got = written();
  const keptIds = new Set([...got.keys()].map(b64ToHex));
  t.ok(complete, `every kept trace complete (${[...want].filter((id) => (got.get(id)?.spans ?? 0) >= SPANS_PER_TRACE).length} of ${want.size})`);
  t.same([...keptIds].sort(), [...want].sort(), 'exactly the traces the policies keep (every error trace among them)');
  const twice = [...got.values()].filter((e) => e.copies > e.spans || e.files.size > 1).length;
  t.equal(twice, 0, 'each trace decided once, by one daemon');
  t.ok(daemons.every((d) => [...got.values()].some((e) => e.files.has(d.file))), 'both daemons decided some of the traces');
});

t.test('kill -9 during decision_wait, restart: every kept trace delivered whole', async (t) => {
  if (!requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())) return;
  if (!requireService(t, `Redis (localhost:${REDIS_PORT})`, await redisAvailable())) return;
  const name = uniqueName('it-tail-crash');
  dropTopicsAtEnd(t, name);
  const ports = await daemonPorts();
  const file = join(tempDir(), 'out.jsonl');
  const config = yaml(ports, file, name, '10s');
  const first = await startDaemonWith(t, 'daemon', config, ports.health);
  const traces = makeTraces(40);
  let acked = 0;
  for (const spans of traces) if (await sendUntilAcked(ports.http, spans)) acked++;
  t.equal(acked, traces.length, 'every request acknowledged');
  await new Promise((r) => setTimeout(r, 1_500)); // consumed and held, not yet decided
  t.equal(readSpans([file]).spans.size, 0, 'nothing decided before the kill');
  await first.stop('SIGKILL');

  const second = await startDaemonWith(t, 'restarted daemon', config, ports.health);
  const want = expectedKept(traces);
  const complete = await waitUntil(() => {
    const got = byTrace(readSpans([file]).spans);
    return [...want].every((id) => (got.get(id)?.spans ?? 0) >= SPANS_PER_TRACE);
  }, 90_000, 250);
  t.equal(await stopDaemon(second), 0, 'the restarted daemon drains and exits 0');
  const got = byTrace(readSpans([file]).spans);
  t.ok(complete, `every kept trace delivered whole after the crash (${[...want].filter((id) => (got.get(id)?.spans ?? 0) >= SPANS_PER_TRACE).length} of ${want.size})`);
  t.same([...got.keys()].map(b64ToHex).sort(), [...want].sort(), 'and only those');
});

/** One late span of each trace, an error, as a child of the trace's first span. */
function lateErrors(traces: readonly ReadableSpan[][]): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'kafka-ts' }), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('tail-sampling-kafka');
  for (const spans of traces) {
    const late = tracer.startSpan('late', {}, trace.setSpanContext(context.active(), spans[0]!.spanContext()));
    late.setStatus({ code: SpanStatusCode.ERROR });
    late.end();
  }
  return [...memory.getFinishedSpans()];
}

t.test('kill -9 after decisions, restart: late spans follow the decisions made before the crash', async (t) => {
  if (!requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())) return;
  if (!requireService(t, `Redis (localhost:${REDIS_PORT})`, await redisAvailable())) return;
  const name = uniqueName('it-tail-late');
  dropTopicsAtEnd(t, name);
  const ports = await daemonPorts();
  const file = join(tempDir(), 'out.jsonl');
  const config = yaml(ports, file, name, '1s', '500ms');
  const first = await startDaemonWith(t, 'daemon', config, ports.health);
  const traces = makeTraces(40).filter((spans) => spans.every((s) => s.status.code !== SpanStatusCode.ERROR));
  for (const spans of traces) t.ok(await sendUntilAcked(ports.http, spans), 'acknowledged');
  const want = expectedKept(traces);
  const decided = await waitUntil(() => {
    const got = byTrace(readSpans([file]).spans);
    return [...want].every((id) => (got.get(id)?.spans ?? 0) >= SPANS_PER_TRACE);
  }, 60_000, 250);
  t.ok(decided && want.size > 0 && want.size < traces.length, `${want.size} of ${traces.length} traces kept by the probabilistic share, the rest not sampled`);
  await new Promise((r) => setTimeout(r, 3_000)); // a few checkpoints of the decisions
  await first.stop('SIGKILL');

  const second = await startDaemonWith(t, 'restarted daemon', config, ports.health);
  t.ok(await sendUntilAcked(ports.http, lateErrors(traces)), 'late error spans of every trace acknowledged');
  const late = await waitUntil(() => [...byTrace(readSpans([file]).spans)].filter(([id]) => want.has(b64ToHex(id))).every(([, e]) => e.spans >= SPANS_PER_TRACE + 1), 60_000, 250);
  await new Promise((r) => setTimeout(r, 3_000)); // a late span decided anew would be written after decision_wait
  t.equal(await stopDaemon(second), 0, 'the restarted daemon drains and exits 0');
  const got = byTrace(readSpans([file]).spans);
  t.ok(late, 'the late span of every kept trace is written with it');
  t.same([...got.keys()].map(b64ToHex).sort(), [...want].sort(), 'no late error span of a trace not sampled before the crash was kept');
});
