/**
 * Promise: a Redis outage does not stop the pipeline. While Redis is down, spans are still
 * accepted and exported, readiness answers 503 naming Redis, and failed checkpoints are counted;
 * when Redis is back, readiness returns and the ownership checkpoints are written again. Run on
 * the memory queue and on the Kafka queue, where the state store lives on the forwarding thread
 * and its readiness and metrics reach the main thread's endpoints across threads.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { Redis } from 'ioredis';
import { Daemon, freePort, tempDir } from '../daemon.js';
import { dropTopicsAtEnd } from '../kafka.js';
import { RedisServer, redisOrSkip } from '../redis-server.js';
import { kafkaAvailable, requireService } from '../services.js';
import { waitFor } from '../wait.js';
import { makeSpans } from './sdk-fixtures.js';

/** Ownership checkpoints are refreshed every 5 s (pipeline/state/ownership.ts); waits allow two periods and change. */
const CHECKPOINT_WAIT_MS = 12_000;

/** Spans in the file exporter's output (one OTLP/JSON request per line). */
function spansIn(file: string): number {
  if (!existsSync(file)) return 0;
  let n = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const req = JSON.parse(line) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }> };
    for (const rs of req.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  }
  return n;
}

/** Exports with the SDK's own OTLP/HTTP protobuf exporter; resolves on success. */
function send(exporter: OTLPTraceExporter, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(spans, (r) => (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed'))));
  });
}

/** The ownership checkpoint of one partition, read with a short-lived client (Redis may be down). */
async function checkpoint(endpoint: string, key: string): Promise<{ instance: string; state: string; at: string } | undefined> {
  const [host, port] = endpoint.split(':');
  const client = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000, commandTimeout: 1_000 });
  try {
    await client.connect();
    const value = await client.get(key);
    return value === null ? undefined : (JSON.parse(value) as { instance: string; state: string; at: string });
  } finally {
    client.disconnect();
  }
}

async function health(port: number): Promise<{ status: number; body: { reasons?: string[] } }> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
  return { status: res.status, body: (await res.json()) as { reasons?: string[] } };
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/** The `service.queue` under test: the embedded default, or Kafka topics under `prefix`. */
type QueueKind = 'memory' | 'kafka';
const queueYaml = (kind: QueueKind, prefix: string): string => (kind === 'memory'
  ? '{ type: memory, memory: { partitions: 2 } }'
  : `{ type: kafka, kafka: { brokers: [localhost:9092], topic_prefix: ${prefix}, group_id: ${prefix}, partitions: 2 } }`);

for (const kind of ['memory', 'kafka'] as const) {
  t.test(`Redis outage (${kind} queue): the pipeline keeps flowing; checkpoints resume when Redis is back; readiness says so meanwhile`, (t) => outage(t, kind));
}

async function outage(t: Test, kind: QueueKind): Promise<void> {
  if (!redisOrSkip(t)) return;
  if (kind === 'kafka' && !requireService(t, 'kafka', await kafkaAvailable())) return;
  const redis = await RedisServer.start();
  t.teardown(() => redis.kill());
  const [httpPort, grpcPort, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const out = join(tempDir(), 'traces.jsonl');
  const prefix = `vigil-e2e-${randomUUID().slice(0, 8)}`;
  const keys = [0, 1].map((p) => `${prefix}:owner:traces.ingest:${p}`);
  if (kind === 'kafka') dropTopicsAtEnd(t, prefix);

  const daemon = await Daemon.start(`
receivers:
  otlp:
    protocols: { grpc: { endpoint: 127.0.0.1:${grpcPort} }, http: { endpoint: 127.0.0.1:${httpPort} } }
exporters:
  file: { path: ${out} }
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: info } }
  queue: ${queueYaml(kind, prefix)}
  state: { type: redis, redis: { endpoint: ${redis.endpoint}, key_prefix: ${prefix} } }
  pipelines:
    traces: { receivers: [otlp], exporters: [file] }
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${httpPort}/v1/traces`, timeoutMillis: 5_000 });
  t.teardown(() => exporter.shutdown());
  const spans = makeSpans(3); // 3 roots with a child each

  // Before: checkpoints for both partitions, data flows.
  const before = await Promise.all(keys.map((k) => waitFor(`checkpoint ${k}`, () => checkpoint(redis.endpoint, k), 5_000)));
  t.match(before, [{ state: 'owned' }, { state: 'owned' }], 'this instance owns both partitions');
  t.equal(before[0]!.instance, before[1]!.instance);
  await send(exporter, spans);
  await waitFor('6 spans in the file', () => spansIn(out) === 6, 5_000);
  t.equal(await metric(metricsPort, 'vigil_state_store_up'), 1);

  // During: Redis is gone.
  await redis.kill();
  const down = await waitFor('health to answer 503', async () => {
    const h = await health(healthPort);
    return h.status === 503 && h;
  }, 5_000);
  t.match(down.body.reasons, [new RegExp(`^redis ${redis.endpoint.replace(/\./g, '\\.')} unreachable: (ECONNREFUSED|connection lost)$`)], 'the reason names redis');
  await send(exporter, spans);
  await waitFor('12 spans in the file', () => spansIn(out) === 12, 5_000);
  t.pass('spans accepted and exported while Redis is down');
  t.equal(await metric(metricsPort, 'vigil_state_store_up'), 0);
  await waitFor('a failed checkpoint to be counted', async () => (await metric(metricsPort, 'vigil_state_checkpoint_failures_total')) >= 2, CHECKPOINT_WAIT_MS);
  const writtenDuringOutage = await metric(metricsPort, 'vigil_state_checkpoints_total');

  // After: Redis is back (empty: no persistence), checkpoints are written again.
  const restartedAt = Date.now();
  await redis.restart();
  await waitFor('health to answer 200 again', async () => (await health(healthPort)).status === 200, 10_000);
  const after = await Promise.all(keys.map((k) => waitFor(`checkpoint ${k} to be written again`, () => checkpoint(redis.endpoint, k), CHECKPOINT_WAIT_MS)));
  t.match(after, [{ state: 'owned', instance: before[0]!.instance }, { state: 'owned' }]);
  t.ok(after.every((c) => Date.parse(c.at) >= restartedAt - 1_000), 'fresh checkpoints, written after the restart');
  t.ok((await metric(metricsPort, 'vigil_state_checkpoints_total')) > writtenDuringOutage, 'the checkpoint counter moves again');
  t.equal(await metric(metricsPort, 'vigil_state_store_up'), 1);
  await send(exporter, spans);
  await waitFor('18 spans in the file', () => spansIn(out) === 18, 5_000);

  t.equal(await daemon.stop(), 0, 'clean shutdown');
  const released = await Promise.all(keys.map((k) => checkpoint(redis.endpoint, k)));
  t.match(released, [{ state: 'released' }, { state: 'released' }], 'the drained partitions were released on the way down');
  const logs = daemon.logs();
  t.ok(logs.some((l) => l.msg === 'state checkpoint failed; retrying every period'), 'the failure was logged');
  t.ok(logs.some((l) => l.msg === 'state store connected again'), 'the recovery was logged');
  t.equal(logs.filter((l) => l.msg === 'state checkpoint failed; retrying every period').length, 1, 'logged once per outage, not once per tick');
}
