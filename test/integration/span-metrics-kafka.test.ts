/**
 * Promise (issue 10), span_metrics on the Kafka stage log: cumulative state survives a restart.
 * Each traces partition owns its series (collector.instance.id `<log>#<partition>`), checkpointed
 * in Redis with the last offset counted, so that
 * - after `kill -9` and a restart, every series continues from where it was (same start time,
 *   never lower: no reset seen by Prometheus) and the totals count every acknowledged span once
 *   (no loss, no double count after the replay);
 * - with two daemons, partitions that move from one to the other continue the same series.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { pointsOf, type Point } from '../../connectors/span-metrics/series-view.test-helpers.js';
import { tempDir } from '../daemon.js';
import { kafkaWithRedis } from '../example-processor/e2e-support.js';
import { dropTopicsAtEnd } from '../kafka.js';
import { kafkaAvailable, KAFKA_PORT, redisAvailable, REDIS_PORT, requireService } from '../services.js';
import { waitUntil } from '../wait.js';
import { daemonPorts, startDaemonWith, stopDaemon, uniqueName, type Ports } from './harness.js';

t.setTimeout(240_000);
const CALLS = 'traces.span.metrics.calls';
const OPERATIONS = ['GET /cart', 'POST /pay', 'GET /health'];

/** `count` single-span traces over three operations (so spans of one series land on every partition). */
function makeSpans(count: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'sm-kafka' }), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('span-metrics-kafka');
  for (let i = 0; i < count; i++) {
    const start = Date.now();
    tracer.startSpan(OPERATIONS[i % OPERATIONS.length]!, { startTime: start }).end(start + 1 + (i % 50));
  }
  return memory.getFinishedSpans();
}

function yaml(ports: Ports, file: string, name: string): string {
  const { queue, state } = kafkaWithRedis(name, KAFKA_PORT, REDIS_PORT);
  return `receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${ports.http} } } }
connectors:
  span_metrics: { metrics_flush_interval: 1s, checkpoint_interval: 500ms }
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
    traces: { receivers: [otlp], exporters: [span_metrics] }
    metrics: { receivers: [span_metrics], exporters: [file] }
`;
}

/** Sends spans (in requests of 20) with the SDK's OTLP/HTTP exporter, each until acknowledged. */
async function send(port: number, spans: ReadableSpan[]): Promise<number> {
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces`, timeoutMillis: 10_000 });
  let acked = 0;
  try {
    for (let i = 0; i < spans.length; i += 20) {
      const chunk = spans.slice(i, i + 20);
      const until = Date.now() + 30_000;
      while (Date.now() < until) {
        const ok = await new Promise<boolean>((resolve) => exporter.export(chunk, (r) => resolve(r.code === ExportResultCode.SUCCESS)));
        if (ok) { acked += chunk.length; break; }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await exporter.shutdown();
  }
  return acked;
}

/** Every calls point the files hold, in the order written (file by file). */
function callPoints(files: string[]): Array<Point & { file: string }> {
  const out: Array<Point & { file: string }> = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const docs = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const p of pointsOf(docs)) if (p.metric === CALLS) out.push({ ...p, file });
  }
  return out;
}

const seriesOf = (p: Point): string => `${String(p.attributes['collector.instance.id'])} ${String(p.attributes['span.name'])}`;

/** Per series: its points ordered by time. */
function series(points: ReadonlyArray<Point & { file: string }>): Map<string, Array<Point & { file: string }>> {
  const out = new Map<string, Array<Point & { file: string }>>();
  for (const p of points) out.set(seriesOf(p), [...(out.get(seriesOf(p)) ?? []), p]);
  for (const list of out.values()) list.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return out;
}

/** The sum over series of each one's latest value: the total Prometheus would show. */
const latestTotal = (files: string[]): number => [...series(callPoints(files)).values()].reduce((n, list) => n + list[list.length - 1]!.value, 0);

/** Series whose value went down, or whose start time changed: what a backend reads as a counter reset. */
function resets(points: ReadonlyArray<Point & { file: string }>): string[] {
  const out: string[] = [];
  for (const [key, list] of series(points)) {
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.value < list[i - 1]!.value || list[i]!.start !== list[i - 1]!.start) { out.push(`${key} at ${i}: ${list[i - 1]!.value}→${list[i]!.value}`); break; }
    }
  }
  return out;
}

t.test('kill -9 and restart: every series continues (no reset) and counts each acknowledged span once', async (t) => {
  if (!requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())) return;
  if (!requireService(t, `Redis (localhost:${REDIS_PORT})`, await redisAvailable())) return;
  const name = uniqueName('it-sm-crash');
  dropTopicsAtEnd(t, name);
  const ports = await daemonPorts();
  const file = join(tempDir(), 'metrics.jsonl');
  const config = yaml(ports, file, name);
  const first = await startDaemonWith(t, 'daemon', config, ports.health);
  let acked = await send(ports.http, makeSpans(120));
  t.equal(acked, 120, 'the first spans acknowledged');
  t.ok(await waitUntil(() => latestTotal([file]) === 120, 60_000, 250), `counted (${latestTotal([file])} of 120)`);
  // More spans, then the crash before (most of) them reach a checkpoint.
  acked += await send(ports.http, makeSpans(90));
  await first.stop('SIGKILL');
  const second = await startDaemonWith(t, 'restarted daemon', config, ports.health);
  acked += await send(ports.http, makeSpans(60));
  t.equal(acked, 270, 'every request acknowledged');
  const settled = await waitUntil(() => latestTotal([file]) >= 270, 90_000, 250);
  await new Promise((r) => setTimeout(r, 3_000)); // a double count would show by now
  t.equal(await stopDaemon(second), 0, 'the restarted daemon drains and exits 0');
  t.ok(settled, 'every acknowledged span counted after the crash');
  t.equal(latestTotal([file]), 270, 'each acknowledged span counted once (no loss, no double count after the replay)');
  const points = callPoints([file]);
  const before = new Set(points.filter((p) => p.value > 0 && p.value < 1e9).map(seriesOf));
  t.ok(before.size >= 3, `series per partition and operation (${before.size})`);
  t.same(resets(points), [], 'no series went down or changed its start time across the crash');
});

t.test('two daemons: partitions that move continue their series; the totals count every span once', async (t) => {
  if (!requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())) return;
  if (!requireService(t, `Redis (localhost:${REDIS_PORT})`, await redisAvailable())) return;
  const name = uniqueName('it-sm-two');
  dropTopicsAtEnd(t, name);
  const dir = tempDir();
  const a = { ports: await daemonPorts(), file: join(dir, 'a.jsonl') };
  const b = { ports: await daemonPorts(), file: join(dir, 'b.jsonl') };
  const da = await startDaemonWith(t, 'daemon a', yaml(a.ports, a.file, name), a.ports.health);
  let acked = await send(a.ports.http, makeSpans(90));
  t.ok(await waitUntil(() => latestTotal([a.file]) === 90, 60_000, 250), 'daemon a alone counted its spans');
  // b joins: the group rebalances and some partitions (and their series) move to b.
  const db = await startDaemonWith(t, 'daemon b', yaml(b.ports, b.file, name), b.ports.health);
  acked += await send(b.ports.http, makeSpans(60));
  acked += await send(a.ports.http, makeSpans(60));
  t.equal(acked, 210, 'every request acknowledged');
  const files = [a.file, b.file];
  const settled = await waitUntil(() => latestTotal(files) >= 210 && callPoints([b.file]).some((p) => p.value > 0), 90_000, 250);
  await new Promise((r) => setTimeout(r, 3_000));
  t.equal(await stopDaemon(db), 0, 'daemon b drains and exits 0');
  t.equal(await stopDaemon(da), 0, 'daemon a drains and exits 0');
  t.ok(settled, 'counted, and daemon b writes series of the partitions it took over');
  const points = callPoints(files);
  // After both stopped, a series' latest value may be in either file; the total over series is what a backend sums.
  t.equal(latestTotal(files), 210, 'each acknowledged span counted once over both daemons');
  const moved = [...series(points)].filter(([, list]) => new Set(list.map((p) => p.file)).size > 1);
  t.ok(moved.length > 0, `some series were written by a, then continued by b (${moved.length})`);
  t.same(resets(points), [], 'no series went down or changed its start time when it moved');
});
