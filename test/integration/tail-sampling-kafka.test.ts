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
 * - replay decides in event time: a minute of yesterday's traces sent in a few seconds is decided
 *   as it was live: a trace's spans that came within decision_wait of its first are decided with
 *   it, an error that came after its decision_wait is a late span of a trace already decided.
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

/** Replay: one trace of each kind starts every second of event time. */
type ReplayKind = 'error-in-time' | 'error-late' | 'ok-in-time';
const REPLAY_KINDS: readonly ReplayKind[] = ['error-in-time', 'error-late', 'ok-in-time'];

/**
 * A minute of yesterday's traffic as the requests a client sent, second by second of event time.
 * Each trace: a root and a child ending at its start second, then one more child ending 2 s later
 * (in time: within decision_wait, 5 s) or 8 s later (late: after its decision). Only that last
 * child can be an error.
 */
function replayTraffic(): { ticks: ReadableSpan[][]; kinds: Map<string, ReplayKind> } {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'kafka-replay' }), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('tail-sampling-replay');
  const base = Date.now() - 86_400_000;
  const ticks: ReadableSpan[][] = Array.from({ length: 70 }, () => []);
  const kinds = new Map<string, ReplayKind>();
  for (let second = 0; second < 60; second++) {
    for (const kind of REPLAY_KINDS) {
      const at = base + second * 1_000;
      memory.reset();
      const root = tracer.startSpan('root', { startTime: at - 300 });
      const first = tracer.startSpan('first', { startTime: at - 200 }, trace.setSpan(context.active(), root));
      first.end(at - 100);
      root.end(at);
      ticks[second]!.push(...memory.getFinishedSpans());
      memory.reset();
      const after = kind === 'error-late' ? 8 : 2;
      const last = tracer.startSpan('last', { startTime: at + after * 1_000 - 100 }, trace.setSpan(context.active(), root));
      if (kind !== 'ok-in-time') last.setStatus({ code: SpanStatusCode.ERROR });
      last.end(at + after * 1_000);
      ticks[second + after]!.push(...memory.getFinishedSpans());
      kinds.set(root.spanContext().traceId, kind);
    }
  }
  return { ticks, kinds };
}

t.test('replay: a minute of yesterday\'s traces sent in seconds is decided in event time, as live', async (t) => {
  if (!requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())) return;
  if (!requireService(t, `Redis (localhost:${REDIS_PORT})`, await redisAvailable())) return;
  const name = uniqueName('it-tail-replay');
  dropTopicsAtEnd(t, name);
  const ports = await daemonPorts();
  const file = join(tempDir(), 'out.jsonl');
  const daemon = await startDaemonWith(t, 'daemon', yaml(ports, file, name, '5s'), ports.health);
  const { ticks, kinds } = replayTraffic();
  const began = Date.now();
  let acked = 0;
  for (const spans of ticks) if (await sendUntilAcked(ports.http, spans)) acked++;
  const sentMs = Date.now() - began;
  t.equal(acked, ticks.length, 'every request acknowledged');

  // As live: an error within decision_wait keeps its trace whole; one after it comes too late to
  // change the decision, so that trace is kept only by the probabilistic share, and then whole too
  // (a late span of a sampled trace is forwarded). Decided in wall time instead, every error-late
  // trace would be kept: all its spans arrived within milliseconds.
  const hash = new ProbabilisticHash(SALT, PERCENT);
  const shared = (id: string): boolean => hash.sampled(Uint8Array.from(Buffer.from(id, 'hex')));
  const want = new Set([...kinds].filter(([id, kind]) => kind === 'error-in-time' || shared(id)).map(([id]) => id));
  const lateDropped = [...kinds].filter(([id, kind]) => kind === 'error-late' && !shared(id)).length;
  t.ok(lateDropped >= 20, `most error-late traces are outside the share (${lateDropped} of 60)`);
  const complete = await waitUntil(() => {
    const got = byTrace(readSpans([file]).spans);
    return [...want].every((id) => (got.get(id)?.spans ?? 0) >= 3);
  }, 60_000, 250);
  await new Promise((r) => setTimeout(r, 3_000)); // anything kept that should not be would show by now
  t.equal(await stopDaemon(daemon), 0, 'the daemon drains and exits 0');
  const got = byTrace(readSpans([file]).spans);
  t.ok(complete, `every kept trace whole: ${[...want].filter((id) => got.get(id)?.spans === 3).length} of ${want.size}, a minute of traffic sent in ${(sentMs / 1000).toFixed(1)} s`);
  const keptIds = [...got.keys()].map(b64ToHex);
  t.same(keptIds.filter((id) => kinds.get(id) === 'error-late' && !shared(id)), [], 'no trace kept for an error that came after its decision');
  t.same(keptIds.sort(), [...want].sort(), 'exactly the traces kept live');
  t.same([...got.values()].filter((e) => e.copies !== e.spans).length, 0, 'each span written once');
});
