/**
 * What the baseline suites on the real broker share: the daemon's config (otlp → baseline → file,
 * degradation events through the events connector to a second file), a deterministic workload of
 * gauge series with degraded stretches, the baseline gauges and events read back from the files,
 * and the reference — the same points fed to the processor's own baseline and rules in this
 * process, one series at a time, as one uninterrupted daemon would.
 */
import { Redis } from 'ioredis';
import { configSchema } from '../../processors/baseline/config.js';
import { judge, step, type Breach } from '../../processors/baseline/rules.js';
import { SeriesBaseline } from '../../processors/baseline/series-baseline.js';
import { baselineOptions } from '../../processors/baseline/worker.js';
import type { Point } from '../example-processor/e2e-support.js';
import { attr, keyOf, nanosToMs, requests } from './file-output.js';
import type { Ports } from './harness.js';

/** The metric the e2e-support sender writes (test/example-processor/e2e-support.ts). */
const METRIC = 'queue.depth';
const MINUTE = 60_000;

/**
 * The processor settings every suite uses: one rule on the sender's metric (+50 % for a minute; no
 * volume metric, so judged on the value alone), a daily season (so a week exercises the seasonal
 * baseline too), series-keyed partitions (the sender's points share one service), frequent
 * checkpoints, gauges only.
 */
export const BASELINE_CONFIG = {
  rules: [{ name: 'depth', metrics: [METRIC], direction: 'up', relative: 0.5, for: '1m' }],
  seasonal: { period: '24h', slot: '1h', periods: 4, min_periods: 2 },
  partition_by: 'series',
  checkpoint_interval: '1s',
  pass_through: false,
} as const;

/** A daemon's config: otlp → baseline → file (gauges), events → file (events), on `queue` and `state`. */
export function baselineYaml(o: { ports: Ports; gauges: string; events: string; queue: string; state: string }): string {
  return `receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${o.ports.http} } } }
processors:
  baseline: ${JSON.stringify(BASELINE_CONFIG)}
connectors:
  events:
exporters:
  file/gauges: { path: ${JSON.stringify(o.gauges)}, append: true }
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
    metrics: { receivers: [otlp], processors: [baseline], exporters: [file/gauges, events] }
    logs/degradations: { receivers: [events], exporters: [file/events] }
`;
}

/** A value of series `j` at tick `i` (minute `minuteOf`): a daily wave plus deterministic noise, doubled while degraded. */
function valueAt(j: number, i: number, minute: number, degraded: boolean): number {
  const r = Math.sin(i * 12.9898 + j * 78.233) * 43_758.5453;
  const v = 100 + 10 * j + 20 * Math.sin((2 * Math.PI * minute) / 1440) + (r - Math.floor(r)) * 5;
  return degraded ? 2 * v : v;
}

/**
 * `ticks` ticks `stepMin` minutes apart of `series` series from `t0` (each tick: one point per
 * series), degraded (value doubled) on the ticks in `degraded`.
 */
export function workload(series: number, ticks: number, t0: number, degraded: Iterable<number> = [], stepMin = 1): Point[][] {
  const bad = new Set(degraded);
  return Array.from({ length: ticks }, (_, i) => Array.from({ length: series }, (_, j): Point => ({
    series: `s${j}`, value: valueAt(j, i, i * stepMin, bad.has(i)), atMs: t0 + i * stepMin * MINUTE,
  })));
}

/** A point's baseline as the gauges say it: expected, lower, upper and which baseline. */
export interface Gauges { expected: number; lower: number; upper: number; kind: string }

/** What one uninterrupted run gives: every judged point's gauges and the points that raise a degradation event. */
export function reference(ticks: readonly Point[][]): { gauges: Map<string, Gauges>; events: Set<string> } {
  const config = configSchema.parse(BASELINE_CONFIG);
  const options = baselineOptions(config);
  const rule = config.rules[0]!;
  const state = new Map<string, { baseline: SeriesBaseline; breach: Breach | undefined }>();
  const gauges = new Map<string, Gauges>();
  const events = new Set<string>();
  for (const tick of ticks) {
    for (const p of tick) {
      let s = state.get(p.series);
      if (!s) state.set(p.series, (s = { baseline: new SeriesBaseline(options), breach: undefined }));
      const e = s.baseline.observe(p.value, p.atMs);
      if (!e) continue;
      gauges.set(keyOf(p.series, p.atMs), { expected: e.expected, lower: e.lower, upper: e.upper, kind: e.kind });
      const { breach, raise } = step(s.breach, judge(rule, p.value, e, undefined).holds, p.atMs, rule, config.repeat_interval, []);
      s.breach = breach;
      if (raise) events.add(keyOf(p.series, p.atMs));
    }
  }
  return { gauges, events };
}

const FIELD: Record<string, keyof Omit<Gauges, 'kind'>> = { 'vigil.baseline.expected': 'expected', 'vigil.baseline.lower': 'lower', 'vigil.baseline.upper': 'upper' };

/** The baseline gauges in `file`: key → every copy written for it (more than one: redelivered). */
export function readGauges(file: string): Map<string, Gauges[]> {
  // Per request, a point's three gauges are written together: gather them by key and request.
  const out = new Map<string, Gauges[]>();
  for (const req of requests(file)) {
    const inRequest = new Map<string, Gauges>();
    for (const rm of req.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
      const field = FIELD[m.name];
      if (!field) continue;
      for (const p of m.gauge?.dataPoints ?? []) {
        const key = keyOf(attr(p.attributes, 'series'), nanosToMs(p.timeUnixNano));
        const g = inRequest.get(key) ?? { expected: NaN, lower: NaN, upper: NaN, kind: attr(p.attributes, 'vigil.baseline') };
        g[field] = p.asDouble ?? Number(p.asInt ?? NaN);
        inRequest.set(key, g);
      }
    }
    for (const [key, g] of inRequest) out.set(key, [...(out.get(key) ?? []), g]);
  }
  return out;
}

/** The keys of the `vigil.degradation` events in `file` (distinct). */
export function readEvents(file: string): Set<string> {
  const out = new Set<string>();
  for (const req of requests(file)) {
    for (const rl of req.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) for (const r of sl.logRecords ?? []) {
      if (r.eventName === 'vigil.degradation') out.add(keyOf(attr(r.attributes, 'series'), nanosToMs(r.timeUnixNano)));
    }
  }
  return out;
}

const same = (a: Gauges, b: Gauges): boolean => a.kind === b.kind && (['expected', 'lower', 'upper'] as const).every((f) => Math.abs(a[f] - b[f]) <= 1e-9 * Math.max(1, Math.abs(b[f])));

/** How the written gauges compare with the reference: points missing, points with another baseline (any copy), copies beyond the first. */
export function compareGauges(written: ReadonlyMap<string, Gauges[]>, want: ReadonlyMap<string, Gauges>): { missing: number; unexpected: number; wrong: string[]; duplicates: number } {
  let missing = 0;
  let duplicates = 0;
  const wrong: string[] = [];
  for (const [key, g] of want) {
    const got = written.get(key);
    if (!got) { missing++; continue; }
    duplicates += got.length - 1;
    if (got.some((x) => !same(x, g))) wrong.push(`${key}: got ${JSON.stringify(got)}, want ${JSON.stringify(g)}`);
  }
  const unexpected = [...written.keys()].filter((k) => !want.has(k)).length;
  return { missing, unexpected, wrong: wrong.slice(0, 5), duplicates };
}

/** Per series checkpointed in Redis under `keyPrefix` (`s:<series id>` fields): the start (epoch ms) and size of its open bucket. */
export async function savedOpenBuckets(redisPort: number, keyPrefix: string): Promise<Array<{ start: number; n: number }>> {
  const redis = new Redis({ host: '127.0.0.1', port: redisPort, lazyConnect: true });
  await redis.connect();
  try {
    const out: Array<{ start: number; n: number }> = [];
    for (const key of await redis.keys(`${keyPrefix}:state:*baseline*`)) {
      for (const [field, value] of Object.entries(await redis.hgetall(key))) {
        if (field.startsWith('s:')) out.push((JSON.parse(value) as { baseline: { open?: { start: number; n: number } } }).baseline.open ?? { start: -1, n: 0 });
      }
    }
    return out;
  } finally {
    redis.disconnect();
  }
}
