/**
 * What the suites that run window_sum in real daemons share: gauge points sent by the
 * OpenTelemetry SDK's own OTLP/HTTP metrics exporter (with chosen event times), the daemon's
 * config, and the windows read back from the file exporter's OTLP/JSON lines.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { ValueType } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { SCOPE } from './window-sum.js';

/** The command built with window_sum (test/example-processor/vigil-example.ts). */
export const VIGIL_EXAMPLE = fileURLToPath(new URL('./vigil-example.js', import.meta.url));

/** One gauge point: its series, value and event time (epoch ms). */
export interface Point {
  readonly series: string;
  readonly value: number;
  readonly atMs: number;
}

/** One request of gauge points of the metric `queue.depth`, one series each, as the SDK exports them. */
export function request(points: readonly Point[]): ResourceMetrics {
  const hr = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
  return {
    resource: resourceFromAttributes({ 'service.name': 'window-sum-e2e' }),
    scopeMetrics: [{
      scope: { name: 'e2e' },
      metrics: [{
        descriptor: { name: 'queue.depth', description: '', unit: '', valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.GAUGE,
        dataPoints: points.map((p) => ({ startTime: hr(p.atMs), endTime: hr(p.atMs), attributes: { series: p.series }, value: p.value })),
      }],
    }],
  };
}

/** The SDK's OTLP/HTTP protobuf metrics exporter pointed at a daemon; resolves true when the export was acknowledged. */
export function sender(httpPort: number): { send(points: readonly Point[]): Promise<boolean>; close(): Promise<void> } {
  const exporter = new OTLPMetricExporter({ url: `http://127.0.0.1:${httpPort}/v1/metrics`, timeoutMillis: 10_000 });
  return {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the exporter brings its own copy of sdk-metrics' enums; the values are the same
    send: (points) => new Promise((resolve) => exporter.export(request(points), (r: ExportResult) => resolve(r.code === ExportResultCode.SUCCESS))),
    close: () => exporter.shutdown(),
  };
}

/** A daemon's config: otlp → window_sum → file, on the given queue and state store. */
export function exampleYaml(o: {
  http: number; health: number; metrics: number; file: string; window: string; queue: string; state?: string; idleTimeout?: string;
}): string {
  return `receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${o.http} } } }
processors:
  window_sum: { window: ${o.window}, idle_timeout: ${o.idleTimeout ?? '1s'}, checkpoint_interval: 200ms }
exporters:
  file: { path: ${JSON.stringify(o.file)}, append: true }
extensions:
  health_check: { endpoint: 127.0.0.1:${o.health} }
service:
  extensions: [health_check]
  shutdown_timeout: 15s
  queue: ${o.queue}
  state: ${o.state ?? '{ type: memory }'}
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:${o.metrics} }
  pipelines:
    metrics: { receivers: [otlp], processors: [window_sum], exporters: [file] }
`;
}

/** One emitted window: `series@startMs` → sum and count, as the file exporter wrote it. */
export interface Emitted {
  readonly key: string;
  readonly sum: number;
  readonly count: number;
}

interface JsonPoint { attributes?: Array<{ key: string; value: { stringValue?: string } }>; startTimeUnixNano?: string; asDouble?: number; asInt?: string }
interface JsonMetric { name: string; gauge?: { dataPoints: JsonPoint[] } }
interface JsonRequest { resourceMetrics?: Array<{ scopeMetrics?: Array<{ scope?: { name?: string }; metrics?: JsonMetric[] }> }> }

/** Every window in the OTLP/JSON lines of `file`, in order of writing; torn lines (a kill -9) are skipped. */
export function readWindows(file: string): Emitted[] {
  if (!existsSync(file)) return [];
  const sums = new Map<string, number>();
  const out: Emitted[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    let req: JsonRequest;
    try { req = JSON.parse(line) as JsonRequest; } catch { continue; }
    const counts: Array<[string, number]> = [];
    for (const rm of req.resourceMetrics ?? []) {
      for (const sm of rm.scopeMetrics ?? []) {
        if (sm.scope?.name !== SCOPE) continue;
        for (const m of sm.metrics ?? []) {
          for (const p of m.gauge?.dataPoints ?? []) {
            const series = p.attributes?.find((a) => a.key === 'series')?.value.stringValue ?? '?';
            const key = `${series}@${Number(BigInt(p.startTimeUnixNano ?? '0') / 1_000_000n)}`;
            const value = p.asDouble ?? Number(p.asInt ?? 0);
            if (m.name === 'queue.depth.window_sum') sums.set(key, value);
            else if (m.name === 'queue.depth.window_count') counts.push([key, value]);
          }
        }
      }
    }
    for (const [key, count] of counts) out.push({ key, sum: sums.get(key) ?? NaN, count });
  }
  return out;
}

/** The windows `points` must give: `series@start` → sum and count. */
export function expectedWindows(points: readonly Point[], windowMs: number): Map<string, { sum: number; count: number }> {
  const out = new Map<string, { sum: number; count: number }>();
  for (const p of points) {
    const key = `${p.series}@${p.atMs - (p.atMs % windowMs)}`;
    const w = out.get(key) ?? { sum: 0, count: 0 };
    w.sum += p.value;
    w.count++;
    out.set(key, w);
  }
  return out;
}

/** Compares emitted windows with the expected ones: what is missing, wrong or duplicated (same values) per window. */
export function compare(emitted: readonly Emitted[], expected: ReadonlyMap<string, { sum: number; count: number }>): { missing: string[]; wrong: string[]; duplicates: number } {
  const seen = new Map<string, Emitted>();
  const wrong: string[] = [];
  let duplicates = 0;
  for (const e of emitted) {
    const want = expected.get(e.key);
    if (!want || Math.abs(want.sum - e.sum) > 1e-6 || want.count !== e.count) wrong.push(`${e.key}: got ${e.sum}/${e.count}, want ${want ? `${want.sum}/${want.count}` : 'none'}`);
    if (seen.has(e.key)) duplicates++;
    seen.set(e.key, e);
  }
  const missing = [...expected.keys()].filter((k) => !seen.has(k));
  return { missing, wrong, duplicates };
}

/** The queue and state settings of a Kafka-queue daemon with Redis state, for topic prefix and group `name`. */
export function kafkaWithRedis(name: string, kafkaPort: number, redisPort: number): { queue: string; state: string } {
  return {
    queue: `{ type: kafka, kafka: { brokers: ['localhost:${kafkaPort}'], topic_prefix: ${name}, group_id: ${name}, partitions: 4, replication_factor: 1, session_timeout: 6s } }`,
    state: `{ type: redis, redis: { endpoint: 'localhost:${redisPort}', key_prefix: ${name} } }`,
  };
}

/**
 * Who owns each partition of the metrics stage log, as the daemons' ownership checkpoints in Redis
 * say (pipeline/state/ownership.ts): instance → partitions owned.
 */
export async function owners(redisPort: number, keyPrefix: string, partitions: number): Promise<Map<string, number>> {
  const redis = new Redis({ host: '127.0.0.1', port: redisPort, lazyConnect: true });
  await redis.connect();
  try {
    const out = new Map<string, number>();
    for (let p = 0; p < partitions; p++) {
      const raw = await redis.get(`${keyPrefix}:owner:metrics.ingest:${p}`);
      const record = raw ? (JSON.parse(raw) as { instance: string; state: string }) : undefined;
      if (record?.state === 'owned') out.set(record.instance, (out.get(record.instance) ?? 0) + 1);
    }
    return out;
  } finally {
    redis.disconnect();
  }
}

/** Sends `points` until acknowledged (the SDK's own retries give up after its timeout; a test waits longer). */
export async function sendUntilAcked<T = readonly Point[]>(s: { send(request: T): Promise<boolean> }, request: T, timeoutMs = 30_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await s.send(request)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}
