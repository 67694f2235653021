/** The anomaly processor in process: scores and events per point, pass-through, and a restart that keeps learning. */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import t from 'tap';
import { RedisStore } from '../../pipeline/state/redis-store.js';
import type { StateStore } from '../../pipeline/state/state-store.js';
import { RedisServer, redisOrSkip } from '../../test/redis-server.js';
import { Acknowledgement, deliveryOf } from '../../pipeline/delivery.js';
import { MemoryStore } from '../../pipeline/state/memory-store.js';
import { forEachDataPoint, forEachLogRecord, MetricsBuilder, type Payload } from '../../pdata/index.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { configSchema } from './config.js';
import { createAnomaly } from './processor.js';

const T0 = Date.UTC(2026, 10, 19, 0, 0, 0); // a week ago: a replay in event time
const STEP = 5 * 60_000;
const DAY_POINTS = 288;

/** A daily wave with deterministic noise; point i of series `s`. */
function normal(i: number): number {
  return 100 + 20 * Math.sin((2 * Math.PI * i) / DAY_POINTS) + 3 * Math.sin(i * 12.9898);
}

/** One request of gauge points [index, value] of series `s` (all under one resource). */
function request(points: ReadonlyArray<[number, number]>, s = 'a'): Payload {
  const b = new MetricsBuilder();
  const scope = b.scope({ 'service.name': 'checkout' }, { name: 'test' });
  for (const [i, value] of points) scope.gauge({ name: 'queue.depth' }, { attributes: { series: s }, timeUnixNano: BigInt(T0 + i * STEP) * 1_000_000n, value });
  return b.build()!;
}

/** A started processor on `store`, owning partition 0. */
async function make(store: StateStore = new MemoryStore(), config: Record<string, unknown> = {}) {
  const sink = new RecordingConsumer();
  const host = new NoopHost();
  host.stateStore = () => store;
  const proc = createAnomaly({ ...testSettings('anomaly'), pipeline: 'metrics' }, configSchema.parse(config), 'metrics', sink);
  await proc.start(host);
  await proc.assigned!([0]);
  let offset = 0n;
  const feed = async (from: number, to: number, value = normal) => {
    for (let i = from; i < to; i += 50) {
      const points: Array<[number, number]> = [];
      for (let j = i; j < Math.min(to, i + 50); j++) points.push([j, value(j)]);
      const ack = new Acknowledgement(() => {});
      await proc.consume(request(points), deliveryOf('metrics.ingest', 0, offset++, false, ack));
      ack.settle();
    }
  };
  return { proc, sink, feed };
}

/** The anomaly events the sink received: [point index, attributes]. */
function events(sink: RecordingConsumer): Array<[number, Record<string, unknown>]> {
  const out: Array<[number, Record<string, unknown>]> = [];
  for (const p of sink.received) {
    if (p.signal !== 'logs') continue;
    forEachLogRecord(p, (r) => out.push([(Number(r.timeUnixNano / 1_000_000n) - T0) / STEP, { ...r.attributes, eventName: r.eventName, severity: r.severityText }]));
  }
  return out;
}

/** Score points by point index. */
function scores(sink: RecordingConsumer): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of sink.received) {
    if (p.signal !== 'metrics') continue;
    forEachDataPoint(p, (d) => {
      if (d.metricName === 'vigil.anomaly.score') out.set((Number(d.timeUnixNano / 1_000_000n) - T0) / STEP, d.value!);
    });
  }
  return out;
}

const SPIKE = 3 * DAY_POINTS;
const withSpike = (i: number) => (i === SPIKE ? normal(i) + 150 : normal(i));

t.test('scores every point in [0, 1], passes the input on, and raises one event on a spike', async (t) => {
  const { sink, feed, proc } = await make();
  await feed(0, SPIKE + 20, withSpike);
  const s = scores(sink);
  t.equal(s.size, SPIKE + 20, 'one score per input point');
  t.ok([...s.values()].every((v) => v >= 0 && v <= 1));
  let inputs = 0;
  for (const p of sink.received) if (p.signal === 'metrics') forEachDataPoint(p, (d) => { if (d.metricName === 'queue.depth') inputs++; });
  t.equal(inputs, SPIKE + 20, 'the input went on too');
  const ev = events(sink);
  t.equal(ev.length, 1, 'one event');
  const [at, attrs] = ev[0]!;
  t.equal(at, SPIKE, 'at the spike\'s event time');
  t.match(attrs, { eventName: 'vigil.anomaly', series: 'a', 'metric.name': 'queue.depth', detector: String, score: Number, threshold: 0.6 });
  t.ok((attrs.value as number) > (attrs.upper as number), 'the value is above the band');
  t.equal(attrs['window.end'], new Date(T0 + SPIKE * STEP).toISOString(), 'the window ends at the point');
  t.notOk('window.start' in attrs, 'a gauge has no start');
  await proc.shutdown(Date.now() + 1000);
});

t.test('pass_through: false emits the scores alone; events: false no events', async (t) => {
  const { sink, feed } = await make(new MemoryStore(), { pass_through: false, events: false, detectors: ['robust_z'] });
  await feed(0, SPIKE + 1, withSpike);
  const names = new Set<string>();
  for (const p of sink.received) forEachDataPoint(p, (d) => { names.add(`${d.metricName} ${d.attributes['vigil.detector'] as string}`); });
  t.same([...names], ['vigil.anomaly.score robust_z']);
  t.equal(events(sink).length, 0);
  t.ok(scores(sink).get(SPIKE)! > 5 * scores(sink).get(SPIKE - 1)!, 'the spike still scores well above the point before');
});

t.test('after a restart the models are reloaded: the first anomalous point is still flagged', async (t) => {
  const store = new MemoryStore();
  const before = await make(store);
  await before.feed(0, SPIKE);
  await before.proc.revoked!([0], { redelivered: false }); // shutdown or rebalance: the models are checkpointed
  t.equal(events(before.sink).length, 0, 'nothing flagged while normal');

  const after = await make(store);
  await after.feed(SPIKE, SPIKE + 1, withSpike);
  t.same(events(after.sink).map(([i]) => i), [SPIKE], 'flagged by the reloaded model');

  const fresh = await make(new MemoryStore());
  await fresh.feed(SPIKE, SPIKE + 1, withSpike);
  t.same(events(fresh.sink), [], 'a model that starts from scratch cannot flag it (so the reload is what counts)');
});

t.test('scores are reproducible (the isolation forest is seeded)', async (t) => {
  const a = await make();
  const b = await make();
  await a.feed(0, 600);
  await b.feed(0, 600);
  t.same([...scores(a.sink)], [...scores(b.sink)]);
});

t.test('with Redis: a new process reloads the models from the hash and flags the first anomalous point', async (t) => {
  if (!redisOrSkip(t)) return;
  const server = await RedisServer.start({});
  t.teardown(() => server.kill());
  const options = { endpoint: server.endpoint, db: 0, keyPrefix: `test-anomaly-${randomUUID().slice(0, 8)}` };
  const first = new RedisStore(options, pino({ level: 'silent' }));
  await first.start();
  const before = await make(first);
  await before.feed(0, SPIKE);
  await before.proc.revoked!([0], { redelivered: true });
  await first.close();

  const second = new RedisStore(options, pino({ level: 'silent' }));
  await second.start();
  t.teardown(() => second.close());
  const after = await make(second);
  await after.feed(SPIKE, SPIKE + 1, withSpike);
  t.same(events(after.sink).map(([i]) => i), [SPIKE]);
});
