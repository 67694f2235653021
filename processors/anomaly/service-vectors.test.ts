/**
 * The isolation forest over a service's windows: red_indicators' service-level latency p95,
 * throughput and error rate, with the service's CPU (an extra metric, summed over its points of one
 * time) joined, scored as one vector per window; ten minutes 60 % slower at an ordinary load,
 * with errors, raise one `vigil.anomaly` event of the vector, and a restart goes on with the same
 * scores.
 */
import t from 'tap';
import { Acknowledgement, deliveryOf } from '../../pipeline/delivery.js';
import { MemoryStore } from '../../pipeline/state/memory-store.js';
import type { StateStore } from '../../pipeline/state/state-store.js';
import { forEachDataPoint, forEachLogRecord, MetricsBuilder, type Payload } from '../../pdata/index.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { configSchema } from './config.js';
import { createAnomaly } from './processor.js';

const T0 = Date.UTC(2026, 10, 19, 0, 0, 0);
const STEP = 60_000;
const SPIKE = 500;
/** Windows of the incident. */
const INCIDENT = 10;
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;
const traceId = (i: number, k: number): string => `${i.toString(16).padStart(16, '0')}${k.toString(16).padStart(16, '0')}`;
const noise = (i: number, k: number): number => Math.sin(i * 12.9898 + k * 78.233) * 0.5;

const loadAt = (i: number): number => 200 + 40 * Math.sin((2 * Math.PI * i) / 120) + 5 * noise(i, 1);

/** The CPU of service `shop` at the end of window i, by mode (the two add up to the load ÷ 1000). */
function cpu(b: MetricsBuilder, i: number): void {
  const host = b.scope({ 'service.name': 'shop', 'host.name': 'h1' }, { name: 'hostmetrics' });
  for (const [mode, share] of [['user', 0.7], ['system', 0.3]] as const) {
    host.gauge({ name: 'process.cpu.utilization', unit: '1' }, { timeUnixNano: ns(T0 + i * STEP), attributes: { 'cpu.mode': mode }, value: share * (loadAt(i) / 1000) });
  }
}

/** The CPU alone, as its own request. */
function cpuRequest(i: number): Payload {
  const b = new MetricsBuilder();
  cpu(b, i);
  return b.build()!;
}

/** Window i of service `shop`: the three service-level RED points, an operation's p95 and, unless `withCpu` is false, the CPU by mode. */
function window(i: number, anomalous: boolean, withCpu = true): Payload {
  const b = new MetricsBuilder();
  const red = b.scope({ 'service.name': 'shop' }, { name: 'vigil.red_indicators' });
  const at = { startTimeUnixNano: ns(T0 + (i - 1) * STEP), timeUnixNano: ns(T0 + i * STEP) };
  const service = { 'service.name': 'shop', 'vigil.rollup': 'span.name' };
  const load = loadAt(i);
  // Latency follows the load; in the incident it is 60 % slower at an ordinary load, with errors.
  const p95 = anomalous ? 1.6 * (50 + load / 4) : 50 + load / 4 + 2 * noise(i, 2);
  const exemplars = [0, 1].map((k) => ({ value: p95 + k, timeUnixNano: at.timeUnixNano, traceId: traceId(i, k), spanId: '0000000000000001' }));
  red.gauge({ name: 'vigil.red.latency.p95', unit: 'ms' }, { ...at, attributes: service, value: p95, exemplars });
  red.gauge({ name: 'vigil.red.throughput', unit: '{call}/s' }, { ...at, attributes: service, value: load });
  red.gauge({ name: 'vigil.red.error_rate', unit: '%' }, { ...at, attributes: service, value: anomalous ? 5 : 1 + noise(i, 3) });
  // An operation's point: not service-level, not part of any vector.
  red.gauge({ name: 'vigil.red.latency.p95', unit: 'ms' }, { ...at, attributes: { 'service.name': 'shop', 'span.name': 'GET /cart' }, value: 40 });
  if (withCpu) cpu(b, i);
  return b.build()!;
}

/**
 * Feeds windows `from` to `to` to a processor on `store`, each window's CPU in its request; or,
 * `cpuAhead`, the CPU in requests of its own, each a minute ahead of the RED points (as when
 * red_indicators emits a window after its allowed lateness), so a join by arrival would take it.
 */
async function run(store: StateStore, from: number, to: number, sink = new RecordingConsumer(), cpuAhead = false) {
  const host = new NoopHost();
  host.stateStore = () => store;
  const config = configSchema.parse({ partition_by: 'service.name' });
  const proc = createAnomaly({ ...testSettings('anomaly'), pipeline: 'metrics' }, config, 'metrics', sink);
  await proc.start(host);
  await proc.assigned!([0]);
  const feed = async (payload: Payload, offset: number) => {
    const ack = new Acknowledgement(() => {});
    await proc.consume(payload, deliveryOf('metrics.ingest', 0, BigInt(offset), false, ack));
    ack.settle();
  };
  if (cpuAhead && from === 0) await feed(cpuRequest(0), 0);
  for (let i = from; i < to; i++) {
    const anomalous = i >= SPIKE && i < SPIKE + INCIDENT;
    if (!cpuAhead) await feed(window(i, anomalous), i);
    else {
      await feed(cpuRequest(i + 1), 2 * i + 1);
      await feed(window(i, anomalous, false), 2 * i + 2);
    }
  }
  await proc.shutdown(Date.now() + 1000);
  return sink;
}

/** The vector's score points by window, and its events. */
function outputs(sink: RecordingConsumer) {
  const scores = new Map<number, number>();
  const detectors = new Set<unknown>();
  const events: Array<Record<string, unknown>> = [];
  for (const p of sink.received) {
    if (p.signal === 'metrics') forEachDataPoint(p, (d) => {
      if (d.metricName === 'vigil.anomaly.score' && d.attributes['vigil.metric'] === 'vigil.red') {
        detectors.add(d.attributes['vigil.detector']);
        scores.set((Number(d.timeUnixNano / 1_000_000n) - T0) / STEP, d.value!);
      }
    });
    if (p.signal === 'logs') forEachLogRecord(p, (r) => { if (r.attributes['metric.name'] === 'vigil.red') events.push({ ...r.attributes, at: (Number(r.timeUnixNano / 1_000_000n) - T0) / STEP }); });
  }
  if (scores.size > 0) t.same([...detectors], ['isolation_forest'], 'every vector score is the forest\'s');
  return { scores, events };
}

t.test('ten minutes slow at an ordinary load raise the service vector\'s event, with its features and slowest spans', async (t) => {
  const { scores, events } = outputs(await run(new MemoryStore(), 0, SPIKE + 30));
  t.equal(scores.size, SPIKE + 30, 'one vector score per window');
  t.ok([...scores.values()].every((s) => s >= 0 && s <= 1), 'scores in [0, 1]');
  const before = Math.max(...[...scores].filter(([i]) => i < SPIKE).map(([, s]) => s));
  t.ok(before < 0.6, `no window before the incident reaches the threshold (highest ${before})`);
  t.equal(events.length, 1, `one event (${JSON.stringify(events.map((e) => e.at))})`);
  const e = events[0]!;
  const at = e.at as number;
  t.ok(at >= SPIKE && at < SPIKE + INCIDENT, `during the incident (window ${at})`);
  t.match(e, { detector: 'isolation_forest', 'service.name': 'shop', 'vigil.rollup': 'span.name', 'vector.vigil.red.error_rate': 5 });
  t.notOk('value' in e, 'no single value');
  t.ok(Math.abs((e['vector.process.cpu.utilization'] as number) - (e['vector.vigil.red.throughput'] as number) / 1000) < 1e-9, 'the CPU joined: the sum of its modes');
  t.same(e['evidence.trace_ids'], [traceId(at, 1), traceId(at, 0)], 'the slowest spans first');
  t.equal(e['window.end'], new Date(T0 + at * STEP).toISOString());
});

t.test('the service vectors are checkpointed: after a restart the scores go on as if uninterrupted', async (t) => {
  const whole = outputs(await run(new MemoryStore(), 0, SPIKE + 30));
  const store = new MemoryStore();
  const first = outputs(await run(store, 0, 450));
  const second = outputs(await run(store, 450, SPIKE + 30));
  const split = new Map([...first.scores, ...second.scores]);
  t.same([...split.entries()], [...whole.scores.entries()], 'every window\'s score equal');
  t.same(second.events.map((e) => e.at), whole.events.map((e) => e.at), 'the incident still raises its event, at the same window');
});

t.test('the CPU joins as of the window\'s end: a point from after it, come first, is not taken', async (t) => {
  const inline = outputs(await run(new MemoryStore(), 0, SPIKE + 30));
  const ahead = outputs(await run(new MemoryStore(), 0, SPIKE + 30, new RecordingConsumer(), true));
  t.same([...ahead.scores.entries()], [...inline.scores.entries()], 'every window\'s score as with its own CPU in its request');
  t.same(ahead.events, inline.events, 'the same event, with the same features');
});

t.test('the CPU come before a restart, for windows scored after it, is checkpointed', async (t) => {
  const whole = outputs(await run(new MemoryStore(), 0, SPIKE + 30, new RecordingConsumer(), true));
  const store = new MemoryStore();
  // The first run ends after the CPU of minute 451 came, before window 450's RED points.
  const first = outputs(await run(store, 0, 450, new RecordingConsumer(), true));
  const second = outputs(await run(store, 450, SPIKE + 30, new RecordingConsumer(), true));
  t.same([...new Map([...first.scores, ...second.scores]).entries()], [...whole.scores.entries()], 'every window\'s score equal');
  t.same(second.events, whole.events, 'the same event, with the same features');
});

t.test('without the service rollup, or disabled, no vector is scored', async (t) => {
  const sink = new RecordingConsumer();
  const host = new NoopHost();
  host.stateStore = () => new MemoryStore();
  const proc = createAnomaly({ ...testSettings('anomaly'), pipeline: 'metrics' }, configSchema.parse({ service_forest: { enabled: false } }), 'metrics', sink);
  await proc.start(host);
  await proc.assigned!([0]);
  const ack = new Acknowledgement(() => {});
  await proc.consume(window(1, false), deliveryOf('metrics.ingest', 0, 0n, false, ack));
  ack.settle();
  await proc.shutdown(Date.now() + 1000);
  t.equal(outputs(sink).scores.size, 0);
});
