/**
 * What the anomaly suites on the real broker share: the daemon's config (otlp → anomaly → file,
 * events through the events connector to a second file), a deterministic workload of gauge series,
 * the scores and events read back from the files, and the reference — the same points fed to the
 * processor's own model in this process, one series at a time, as one uninterrupted daemon would.
 */
import { Redis } from 'ioredis';
import { configSchema, modelOptions } from '../../processors/anomaly/config.js';
import { SeriesModel } from '../../processors/anomaly/series-model.js';
import { seriesId } from '../../pdata/index.js';
import type { Point } from '../example-processor/e2e-support.js';
import { attr, keyOf, nanosToMs, requests, type JsonAttr } from './file-output.js';
import type { Ports } from './harness.js';

/**
 * The processor settings every suite uses: the defaults, but a checkpoint often enough for a short
 * test, and a refractory period shorter than the day (so each test spike raises its event).
 */
export const ANOMALY_CONFIG = { checkpoint_interval: '1s', refractory_period: '30m', pass_through: false } as const;
/** The metric and resource the e2e-support sender writes (test/example-processor/e2e-support.ts). */
const METRIC = 'queue.depth';
const RESOURCE = { 'service.name': 'window-sum-e2e' };
const MINUTE = 60_000;

/** A daemon's config: otlp → anomaly → file (scores), events → file (events), on `queue` and `state`; the stage log keyed by `partitionBy` when given. */
export function anomalyYaml(o: { ports: Ports; scores: string; events: string; queue: string; state: string; partitionBy?: string }): string {
  return `receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${o.ports.http} } } }
processors:
  anomaly: { ${o.partitionBy ? `partition_by: ${o.partitionBy}, ` : ''}checkpoint_interval: ${ANOMALY_CONFIG.checkpoint_interval}, refractory_period: ${ANOMALY_CONFIG.refractory_period}, pass_through: ${ANOMALY_CONFIG.pass_through} }
connectors:
  events:
exporters:
  file/scores: { path: ${JSON.stringify(o.scores)}, append: true }
  file/events: { path: ${JSON.stringify(o.events)}, append: true }
extensions:
  health_check: { endpoint: 127.0.0.1:${o.ports.health} }
service:
  extensions: [health_check]
  shutdown_timeout: 15s
  queue: ${o.queue}
  state: ${o.state}
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:${o.ports.metrics} }
  pipelines:
    metrics: { receivers: [otlp], processors: [anomaly], exporters: [file/scores, events] }
    logs/anomalies: { receivers: [events], exporters: [file/events] }
`;
}

/** A value of series `j` at minute `i`: a daily wave plus deterministic noise, or a spike. */
function valueAt(j: number, i: number, spikes: ReadonlySet<number>): number {
  if (spikes.has(i)) return 400 + j;
  const r = Math.sin(i * 12.9898 + j * 78.233) * 43_758.5453;
  return 100 + 10 * j + 20 * Math.sin((2 * Math.PI * i) / 1440) + (r - Math.floor(r)) * 5;
}

/** `minutes` 1-minute ticks of `series` series from `t0` (each tick: one point per series), with spikes at the given minutes. */
export function workload(series: number, minutes: number, t0: number, spikes: Iterable<number> = []): Point[][] {
  const at = new Set(spikes);
  return Array.from({ length: minutes }, (_, i) => Array.from({ length: series }, (_, j): Point => ({ series: `s${j}`, value: valueAt(j, i, at), atMs: t0 + i * MINUTE })));
}

/** What one uninterrupted run scores: every point's score and the points that raise an event. */
export function reference(ticks: readonly Point[][]): { scores: Map<string, number>; events: Set<string> } {
  const options = modelOptions(configSchema.parse(ANOMALY_CONFIG));
  const models = new Map<string, SeriesModel>();
  const scores = new Map<string, number>();
  const events = new Set<string>();
  for (const tick of ticks) {
    for (const p of tick) {
      let m = models.get(p.series);
      if (!m) models.set(p.series, (m = new SeriesModel(options, seriesId(METRIC, RESOURCE, { series: p.series }))));
      const v = m.observe(p.value, p.atMs);
      scores.set(keyOf(p.series, p.atMs), v.score);
      if (v.event) events.add(keyOf(p.series, p.atMs));
    }
  }
  return { scores, events };
}

/** The series a score point or event is of, from its attributes; undefined: not one the suite reads. */
export type SeriesOf = (attributes: JsonAttr[] | undefined) => string | undefined;
const bySeriesAttribute: SeriesOf = (a) => attr(a, 'series');

/** The `vigil.anomaly.score` points in `file`: key (series@ms) → every value written for it (more than one: redelivered). */
export function readScores(file: string, seriesOf = bySeriesAttribute): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const req of requests(file)) {
    for (const rm of req.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
      if (m.name !== 'vigil.anomaly.score') continue;
      for (const p of m.gauge?.dataPoints ?? []) {
        const series = seriesOf(p.attributes);
        if (series === undefined) continue;
        const key = keyOf(series, nanosToMs(p.timeUnixNano));
        const list = out.get(key) ?? [];
        list.push(p.asDouble ?? Number(p.asInt ?? NaN));
        out.set(key, list);
      }
    }
  }
  return out;
}

/** The keys of the `vigil.anomaly` events in `file` (distinct). */
export function readEvents(file: string, seriesOf = bySeriesAttribute): Set<string> {
  const out = new Set<string>();
  for (const req of requests(file)) {
    for (const rl of req.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) for (const r of sl.logRecords ?? []) {
      const series = r.eventName === 'vigil.anomaly' ? seriesOf(r.attributes) : undefined;
      if (series !== undefined) out.add(keyOf(series, nanosToMs(r.timeUnixNano)));
    }
  }
  return out;
}

/** How the written scores compare with the reference: points missing, points with another value (any copy), copies beyond the first. */
export function compareScores(written: ReadonlyMap<string, number[]>, want: ReadonlyMap<string, number>): { missing: number; unexpected: number; wrong: string[]; duplicates: number } {
  let missing = 0;
  let duplicates = 0;
  const wrong: string[] = [];
  for (const [key, score] of want) {
    const got = written.get(key);
    if (!got) { missing++; continue; }
    duplicates += got.length - 1;
    if (got.some((g) => Math.abs(g - score) > 1e-9)) wrong.push(`${key}: got ${got.join('/')}, want ${score}`);
  }
  const unexpected = [...written.keys()].filter((k) => !want.has(k)).length;
  return { missing, unexpected, wrong: wrong.slice(0, 5), duplicates };
}

/** Per series checkpointed in Redis under `keyPrefix` (`s:<series id>` fields of the partitions' maps): how many points its model has learnt. */
export async function savedModels(redisPort: number, keyPrefix: string): Promise<number[]> {
  const redis = new Redis({ host: '127.0.0.1', port: redisPort, lazyConnect: true });
  await redis.connect();
  try {
    const seen: number[] = [];
    for (const key of await redis.keys(`${keyPrefix}:state:*anomaly*`)) {
      for (const [field, value] of Object.entries(await redis.hgetall(key))) {
        // The forest counts the feature vectors it saw: every point but the first.
        if (field.startsWith('s:')) seen.push((JSON.parse(value) as { model: { isolation_forest?: { seen: number } } }).model.isolation_forest?.seen ?? -1);
      }
    }
    return seen;
  } finally {
    redis.disconnect();
  }
}
