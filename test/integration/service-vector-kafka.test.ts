/**
 * The anomaly processor's per-service vectors (issue 11's isolation forest over a service's
 * latency p95, throughput, error rate and CPU) in real daemons on the Kafka stage log keyed by
 * service, with Redis checkpoints. Every window's score and every event equals one uninterrupted
 * in-process run of the processor over the same requests:
 * - after a `kill -9` between a service's CPU points and the RED points of the windows they belong
 *   to (the CPU comes ahead, as when red_indicators emits a window after its lateness);
 * - split over two daemons, each service scored by one.
 * The windows are two and three days old: the daemons score in event time, as a replay does.
 */
import { join } from 'node:path';
import { ValueType } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import t, { type Test } from 'tap';
import { Acknowledgement, deliveryOf } from '../../pipeline/delivery.js';
import { MemoryStore } from '../../pipeline/state/memory-store.js';
import { forEachDataPoint, forEachLogRecord, MetricsBuilder, type Attributes, type Payload } from '../../pdata/index.js';
import { configSchema } from '../../processors/anomaly/config.js';
import { createAnomaly } from '../../processors/anomaly/processor.js';
import { tempDir } from '../daemon.js';
import { NoopHost, RecordingConsumer, testSettings } from '../doubles.js';
import { kafkaWithRedis, owners, sendUntilAcked } from '../example-processor/e2e-support.js';
import { dropTopicsAtEnd } from '../kafka.js';
import { kafkaAvailable, KAFKA_PORT, redisAvailable, REDIS_PORT, requireService } from '../services.js';
import { waitUntil } from '../wait.js';
import { attr, keyOf } from './file-output.js';
import { ANOMALY_CONFIG, anomalyYaml, compareScores, readEvents as readEventsOf, readScores as readScoresOf, type SeriesOf } from './anomaly-support.js';
import { daemonPorts, startDaemonWith, stopDaemon, uniqueName, type Ports } from './harness.js';

t.setTimeout(300_000);
const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;
/**
 * Windows per request; the CPU of each request's windows (a minute ahead) goes first. (Ten: before
 * a service has a model its CPU series keep their latest 16 points, service-extras.ts.)
 */
const PER = 10;
const INCIDENT = 10;
/** The anomaly suites' settings, the stage log keyed by service. */
const SETTINGS = { ...ANOMALY_CONFIG, partition_by: 'service.name' } as const;

const startOfDay = (days: number): number => Math.floor((Date.now() - days * DAY) / DAY) * DAY;
const noise = (i: number, k: number): number => { const r = Math.sin(i * 12.9898 + k * 78.233) * 43_758.5453; return r - Math.floor(r) - 0.5; };

/** One gauge point of a request. */
interface Gauge { name: string; unit: string; attributes: Record<string, string>; atMs: number; startMs?: number; value: number }
/** One export: a resource and its gauges. */
interface Export { resource: Record<string, string>; gauges: Gauge[] }

/**
 * Services' windows `from`..`to`, in the order sent: per service, its two hosts' CPU (by mode, one
 * reporting 7 s after the minute) for windows from+1..to (and window 0's, so the first window
 * has a CPU and the models are made with it), then the service-level RED points of from..to-1. Ten windows from `incident` on are 60 % slower at an ordinary load, with errors.
 */
function exportsOf(services: number, t0: number, from: number, to: number, incident: number): Export[] {
  const out: Export[] = [];
  for (let j = 0; j < services; j++) {
    const service = `svc-${j}`;
    const load = (i: number): number => 100 + 30 * j + 40 * Math.sin((2 * Math.PI * i) / 120) + 5 * noise(i, j);
    for (const [host, offset, share] of [['h1', 0, 0.6], ['h2', 7_000, 0.4]] as const) {
      const gauges: Gauge[] = [];
      for (let i = from === 0 ? 0 : from + 1; i <= to; i++) for (const [mode, part] of [['user', 0.7], ['system', 0.3]] as const) {
        gauges.push({ name: 'process.cpu.utilization', unit: '1', attributes: { 'cpu.mode': mode }, atMs: t0 + i * MINUTE + offset, value: (share * part * load(i)) / 1000 });
      }
      out.push({ resource: { 'service.name': service, 'host.name': host }, gauges });
    }
    const gauges: Gauge[] = [];
    const attributes = { 'service.name': service, 'vigil.rollup': 'span.name' };
    for (let i = from; i < to; i++) {
      const slow = i >= incident && i < incident + INCIDENT;
      const at = { attributes, atMs: t0 + i * MINUTE, startMs: t0 + (i - 1) * MINUTE };
      const p95 = (50 + load(i) / 4) * (slow ? 1.6 : 1) + 2 * noise(i, 10 + j);
      gauges.push({ ...at, name: 'vigil.red.latency.p95', unit: 'ms', value: p95 });
      gauges.push({ ...at, name: 'vigil.red.throughput', unit: '{call}/s', value: load(i) });
      gauges.push({ ...at, name: 'vigil.red.error_rate', unit: '%', value: slow ? 5 : 1 + noise(i, 20 + j) });
    }
    out.push({ resource: { 'service.name': service }, gauges });
  }
  return out;
}

/** Every request of a run: `windows` windows in requests of PER. */
function workload(services: number, t0: number, windows: number, incident: number): Export[][] {
  const out: Export[][] = [];
  for (let i = 0; i < windows; i += PER) out.push(exportsOf(services, t0, i, Math.min(windows, i + PER), incident));
  return out;
}

/** An export as the OpenTelemetry SDK's metrics exporter takes it. */
function sdkRequest(e: Export): ResourceMetrics {
  const hr = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
  const byName = new Map<string, Gauge[]>();
  for (const g of e.gauges) byName.set(g.name, [...(byName.get(g.name) ?? []), g]);
  return {
    resource: resourceFromAttributes(e.resource),
    scopeMetrics: [{
      scope: { name: 'vector-e2e' },
      metrics: [...byName].map(([name, gauges]) => ({
        descriptor: { name, description: '', unit: gauges[0]!.unit, valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.GAUGE,
        dataPoints: gauges.map((g) => ({ startTime: hr(g.startMs ?? g.atMs), endTime: hr(g.atMs), attributes: g.attributes, value: g.value })),
      })),
    }],
  };
}

/** The same export as the processor receives it, for the reference run. */
function payloadOf(e: Export): Payload {
  const b = new MetricsBuilder();
  const scope = b.scope(e.resource, { name: 'vector-e2e' });
  const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;
  for (const g of e.gauges) scope.gauge({ name: g.name, unit: g.unit }, { ...(g.startMs !== undefined ? { startTimeUnixNano: ns(g.startMs) } : {}), timeUnixNano: ns(g.atMs), attributes: g.attributes, value: g.value });
  return b.build()!;
}

const serviceOf = (a: Attributes): string => (typeof a['service.name'] === 'string' ? a['service.name'] : '?');

/** What one uninterrupted processor makes of the requests: each window's vector score (service@ms) and the windows with an event. */
async function reference(requests: readonly Export[][]): Promise<{ scores: Map<string, number>; events: Set<string>; features: Set<string> }> {
  const sink = new RecordingConsumer();
  const host = new NoopHost();
  host.stateStore = () => new MemoryStore();
  const proc = createAnomaly({ ...testSettings('anomaly'), pipeline: 'metrics' }, configSchema.parse(SETTINGS), 'metrics', sink);
  await proc.start(host);
  await proc.assigned!([0]);
  let offset = 0n;
  for (const e of requests.flat()) {
    const ack = new Acknowledgement(() => {});
    await proc.consume(payloadOf(e), deliveryOf('metrics.ingest', 0, offset++, false, ack));
    ack.settle();
  }
  await proc.shutdown(Date.now() + 1000);
  const scores = new Map<string, number>();
  const events = new Set<string>();
  const features = new Set<string>();
  for (const p of sink.received) {
    forEachDataPoint(p, (d) => {
      if (d.metricName === 'vigil.anomaly.score' && d.attributes['vigil.metric'] === 'vigil.red') scores.set(keyOf(serviceOf(d.attributes), Number(d.timeUnixNano / 1_000_000n)), d.value!);
    });
    forEachLogRecord(p, (r) => {
      if (r.attributes['metric.name'] !== 'vigil.red') return;
      events.add(keyOf(serviceOf(r.attributes), Number(r.timeUnixNano / 1_000_000n)));
      for (const k of Object.keys(r.attributes)) if (k.startsWith('vector.')) features.add(k.slice('vector.'.length));
    });
  }
  return { scores, events, features };
}

/** The service of a vector's score point (`vigil.metric`) or event (`metric.name`); undefined for a series' own. */
const vectorOf = (key: 'vigil.metric' | 'metric.name'): SeriesOf => (a) => (attr(a, key) === 'vigil.red' ? attr(a, 'service.name') : undefined);
const readScores = (file: string) => readScoresOf(file, vectorOf('vigil.metric'));
const readEvents = (file: string) => readEventsOf(file, vectorOf('metric.name'));
/** Written scores against the reference: windows missing, scored otherwise (any copy), outside it (redelivered copies are not counted). */
const compare = (written: ReadonlyMap<string, number[]>, want: ReadonlyMap<string, number>) => {
  const { missing, unexpected, wrong } = compareScores(written, want);
  return { missing, unexpected, wrong };
};

/** The SDK's OTLP/HTTP protobuf metrics exporter pointed at a daemon: sends each export until acknowledged; resolves with the exports acknowledged. */
function sender(httpPort: number): { send(exports: readonly Export[]): Promise<number>; close(): Promise<void> } {
  const exporter = new OTLPMetricExporter({ url: `http://127.0.0.1:${httpPort}/v1/metrics`, timeoutMillis: 10_000 });
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the exporter brings its own copy of sdk-metrics' enums; the values are the same
  const once = { send: (e: Export) => new Promise<boolean>((resolve) => exporter.export(sdkRequest(e), (r: ExportResult) => resolve(r.code === ExportResultCode.SUCCESS))) };
  return {
    async send(exports) {
      let acked = 0;
      for (const e of exports) if (await sendUntilAcked(once, e)) acked++;
      return acked;
    },
    close: () => exporter.shutdown(),
  };
}

/** Whether Kafka and Redis both answer (requireService: a failure in CI). */
async function services(t: Test): Promise<boolean> {
  return requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())
    && requireService(t, `Redis (localhost:${REDIS_PORT})`, await redisAvailable());
}

const keysUpTo = (want: ReadonlyMap<string, number>, services: number, t0: number, windows: number): string[] =>
  Array.from({ length: services }, (_, j) => Array.from({ length: windows }, (_, i) => keyOf(`svc-${j}`, t0 + i * MINUTE))).flat().filter((k) => want.has(k));

t.test('kill -9 between a service\'s CPU and its windows: every window scored as one uninterrupted run', async (t) => {
  if (!(await services(t))) return;
  const name = uniqueName('it-vector-crash');
  dropTopicsAtEnd(t, name);
  const ports = await daemonPorts();
  const dir = tempDir();
  const scores = join(dir, 'scores.jsonl');
  const events = join(dir, 'events.jsonl');
  const config = anomalyYaml({ ports, scores, events, ...kafkaWithRedis(name, KAFKA_PORT, REDIS_PORT), partitionBy: SETTINGS.partition_by });
  const first = await startDaemonWith(t, 'daemon', config, ports.health);
  const s = sender(ports.http);
  t.teardown(() => s.close());

  const SERVICES = 3;
  const t0 = startOfDay(2);
  const requests = workload(SERVICES, t0, 300, 260);
  const want = await reference(requests);
  t.ok(want.events.size >= 1, `the uninterrupted run raises events (${[...want.events].join(', ')})`);
  t.ok(want.features.has('process.cpu.utilization'), `the CPU is one of the vector's features (${[...want.features].join(', ')})`);
  const scored = (windows: number) => () => { const got = readScores(scores); return keysUpTo(want.scores, SERVICES, t0, windows).every((k) => got.has(k)); };

  let acked = 0;
  for (const r of requests.slice(0, 20)) acked += await s.send(r);
  t.ok(await waitUntil(scored(200), 60_000, 250), 'the first 200 windows scored');
  // Then a request's CPU alone: the kill comes before the RED points of its windows.
  const next = requests[20]!;
  const cpu = next.filter((e) => 'host.name' in e.resource);
  acked += await s.send(cpu);
  await new Promise((r) => setTimeout(r, 3_000)); // past a checkpoint (1 s) or two
  await first.stop('SIGKILL');

  const second = await startDaemonWith(t, 'restarted daemon', config, ports.health);
  acked += await s.send(next.filter((e) => !('host.name' in e.resource)));
  for (const r of requests.slice(21)) acked += await s.send(r);
  t.equal(acked, requests.flat().length, 'every export acknowledged, before and after the kill');
  const done = await waitUntil(scored(300), 60_000, 250);
  await waitUntil(() => readEvents(events).size >= want.events.size, 20_000, 250);
  t.equal(await stopDaemon(second), 0, 'the restarted daemon drains and exits 0');
  t.ok(done, 'every window scored');
  const reloaded = second.logs().filter((l) => l.msg === 'anomaly models reloaded');
  t.ok(reloaded.length > 0, `the restarted daemon reloaded the models (${reloaded.map((l) => `${String(l.series)} at offset ${String(l.offset)}`).join('; ')})`);
  t.same(compare(readScores(scores), want.scores), { missing: 0, unexpected: 0, wrong: [] }, `every window's score equals the uninterrupted run's (${want.scores.size} windows)`);
  t.same([...readEvents(events)].sort(), [...want.events].sort(), 'the same events');
});

t.test('two daemons on one topic: each service scored by one, every window as one uninterrupted run', async (t) => {
  if (!(await services(t))) return;
  const name = uniqueName('it-vector-scale');
  dropTopicsAtEnd(t, name);
  const dir = tempDir();
  const daemons: Array<{ label: string; ports: Ports; scores: string; events: string; daemon: Awaited<ReturnType<typeof startDaemonWith>> }> = [];
  for (const label of ['a', 'b']) {
    const ports = await daemonPorts();
    const scores = join(dir, `${label}-scores.jsonl`);
    const events = join(dir, `${label}-events.jsonl`);
    daemons.push({ label, ports, scores, events, daemon: await startDaemonWith(t, `daemon ${label}`, anomalyYaml({ ports, scores, events, ...kafkaWithRedis(name, KAFKA_PORT, REDIS_PORT), partitionBy: SETTINGS.partition_by }), ports.health) });
  }
  const balanced = await waitUntil(async () => [...(await owners(REDIS_PORT, name, 4)).values()].join() === '2,2', 45_000, 250);
  t.ok(balanced, 'the group settled: each daemon owns two of the four partitions');

  const SERVICES = 8;
  const t0 = startOfDay(3);
  const requests = workload(SERVICES, t0, 240, 200);
  const want = await reference(requests);
  const senders = daemons.map((d) => sender(d.ports.http));
  t.teardown(() => Promise.all(senders.map((s) => s.close())));
  let acked = 0;
  for (const [i, r] of requests.entries()) acked += await senders[i % 2]!.send(r); // alternately to each daemon
  t.equal(acked, requests.flat().length, 'every export acknowledged');

  const all = () => {
    const merged = new Map<string, number[]>();
    for (const d of daemons) for (const [k, v] of readScores(d.scores)) merged.set(k, [...(merged.get(k) ?? []), ...v]);
    return merged;
  };
  const done = await waitUntil(() => all().size >= want.scores.size, 120_000, 500);
  await waitUntil(() => daemons.reduce((n, d) => n + readEvents(d.events).size, 0) >= want.events.size, 20_000, 250);
  for (const d of daemons) t.equal(await stopDaemon(d.daemon), 0, `daemon ${d.label} drains and exits 0`);
  t.ok(done, `every window scored (${all().size} of ${want.scores.size})`);
  t.same(compare(all(), want.scores), { missing: 0, unexpected: 0, wrong: [] }, 'together: every window scored as one uninterrupted run scores it');
  const scoredBy = new Map<string, Set<string>>();
  for (const d of daemons) for (const k of readScores(d.scores).keys()) {
    const service = k.split('@')[0]!;
    scoredBy.set(service, (scoredBy.get(service) ?? new Set<string>()).add(d.label));
  }
  t.equal(scoredBy.size, SERVICES, 'every service scored');
  t.same([...scoredBy].filter(([, by]) => by.size > 1).map(([s]) => s), [], 'each service scored by one daemon only');
  const shareA = [...scoredBy.values()].filter((by) => by.has('a')).length;
  t.ok(shareA > 0 && shareA < SERVICES, `each daemon scores some of the services (a: ${shareA}, b: ${SERVICES - shareA})`);
  t.ok(want.events.size >= 1, `the uninterrupted run raises events (${want.events.size})`);
  t.same([...new Set(daemons.flatMap((d) => [...readEvents(d.events)]))].sort(), [...want.events].sort(), 'the events of one run');
});
