/**
 * The baseline processor in process, on red_indicators-shaped input replayed in event time: the
 * baseline gauges, a degradation event with its evidence on a 60 % latency rise, the minimum
 * volume, and a restart (memory store, real Redis) that does not restart learning.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import t from 'tap';
import { Acknowledgement, deliveryOf } from '../../pipeline/delivery.js';
import { MemoryStore } from '../../pipeline/state/memory-store.js';
import { RedisStore } from '../../pipeline/state/redis-store.js';
import type { StateStore } from '../../pipeline/state/state-store.js';
import { forEachDataPoint, forEachLogRecord, MetricsBuilder, type Payload } from '../../pdata/index.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { RedisServer, redisOrSkip } from '../../test/redis-server.js';
import { configSchema } from './config.js';
import { createBaseline } from './processor.js';

const T0 = Date.UTC(2026, 10, 19, 8, 0, 0); // a week ago: a replay in event time
const MIN = 60_000;
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;
const traceId = (m: number, i: number): string => `${m.toString(16).padStart(16, '0')}${i.toString(16).padStart(16, '0')}`;

/** red_indicators' window `m` (1 minute) of GET /cart: calls, throughput, error rate and p95 with 5 exemplars. */
function window(m: number, p95: number, calls = 120): Payload {
  const b = new MetricsBuilder();
  const scope = b.scope({ 'service.name': 'checkout' }, { name: 'vigil.red_indicators' });
  const point = { attributes: { 'service.name': 'checkout', 'span.name': 'GET /cart' }, startTimeUnixNano: ns(T0 + m * MIN), timeUnixNano: ns(T0 + (m + 1) * MIN) };
  scope.gauge({ name: 'vigil.red.calls', unit: '{call}' }, { ...point, value: calls });
  scope.gauge({ name: 'vigil.red.throughput', unit: '{call}/s' }, { ...point, value: calls / 60 });
  scope.gauge({ name: 'vigil.red.error_rate', unit: '%' }, { ...point, value: 1 });
  const exemplars = [0, 1, 2, 3, 4].map((i) => ({ value: p95 + 10 - i, timeUnixNano: point.timeUnixNano, traceId: traceId(m, i), spanId: '00000000000000' + String(10 + i) }));
  scope.gauge({ name: 'vigil.red.latency.p95', unit: 'ms' }, { ...point, value: p95, exemplars });
  return b.build()!;
}

/** A started processor on `store`, owning partition 0, and a feeder of windows [from, to). */
async function make(store: StateStore = new MemoryStore(), config: Record<string, unknown> = {}) {
  const sink = new RecordingConsumer();
  const host = new NoopHost();
  host.stateStore = () => store;
  const settings = { ...testSettings('baseline'), pipeline: 'metrics' };
  const proc = createBaseline(settings, configSchema.parse({ trailing: { bucket: '5m', min_buckets: 12 }, ...config }), 'metrics', sink);
  await proc.start(host);
  await proc.assigned!([0]);
  let offset = 0n;
  const feed = async (from: number, to: number, p95: (m: number) => number = () => 100, calls?: number) => {
    for (let m = from; m < to; m++) {
      const ack = new Acknowledgement(() => {});
      await proc.consume(window(m, p95(m), calls), deliveryOf('metrics.ingest', 0, offset++, false, ack));
      ack.settle();
    }
  };
  return { proc, sink, feed };
}

/** The degradation events: [window index, attributes]. */
function events(sink: RecordingConsumer): Array<[number, Record<string, unknown>]> {
  const out: Array<[number, Record<string, unknown>]> = [];
  for (const p of sink.received) {
    if (p.signal !== 'logs') continue;
    forEachLogRecord(p, (r) => out.push([(Number(r.timeUnixNano / 1_000_000n) - T0) / MIN - 1, { ...r.attributes, eventName: r.eventName, severity: r.severityText }]));
  }
  return out;
}

const HISTORY = 180; // three hours of 1-minute windows
const slower = (m: number): number => (m >= HISTORY ? 160 : 100 + (m % 5)); // +60 % from window 180 on

t.test('a 60 % latency rise held for `for` raises one vigil.degradation event with the slow spans as evidence', async (t) => {
  const { sink, feed, proc } = await make();
  await feed(0, HISTORY + 5, slower);
  const ev = events(sink);
  t.equal(ev.length, 1, 'one event (the repeat interval is an hour)');
  const [at, a] = ev[0]!;
  t.equal(at, HISTORY + 1, 'the second breaching window: the rule held for its default `for` of 1m');
  t.match(a, {
    eventName: 'vigil.degradation', 'vigil.event.version': 1, 'service.name': 'checkout', 'span.name': 'GET /cart',
    'metric.name': 'vigil.red.latency.p95', value: 160, expected: 102, rule: 'latency', 'rule.direction': 'up', 'rule.relative': 0.5,
    threshold: 153, severity: 'warning', baseline: 'trailing', calls: 120,
    'window.start': new Date(T0 + (HISTORY + 1) * MIN).toISOString(), 'window.end': new Date(T0 + (HISTORY + 2) * MIN).toISOString(),
    'degraded.since': new Date(T0 + (HISTORY + 1) * MIN).toISOString(),
  });
  t.ok(Math.abs((a.deviation as number) - (160 - 102) / 102) < 1e-9, 'the deviation ratio');
  t.ok((a.lower as number) < 102 && (a.upper as number) > 102 && (a.upper as number) < 160, 'the band: around expected, 160 out of it');
  const ids = a['evidence.trace_ids'] as string[];
  t.equal(ids.length, 5, 'five trace ids');
  t.ok(ids.every((id) => [HISTORY, HISTORY + 1].includes(parseInt(id.slice(0, 16), 16))), 'all from the breaching windows\' exemplars');
  await proc.shutdown(Date.now() + 1000);
});

t.test('the baseline gauges: expected, lower, upper and deviation with the input\'s attributes', async (t) => {
  const { sink, feed } = await make(new MemoryStore(), { pass_through: false, events: false });
  await feed(0, 61);
  const last = new Map<string, Record<string, unknown>>();
  for (const p of sink.received) {
    forEachDataPoint(p, (d) => last.set(`${d.metricName} ${d.attributes['vigil.metric'] as string}`, { ...d.attributes, value: d.value, unit: d.unit, end: d.timeUnixNano }));
  }
  t.same([...last.keys()].sort().filter((k) => k.includes('latency')), [
    'vigil.baseline.deviation vigil.red.latency.p95', 'vigil.baseline.expected vigil.red.latency.p95',
    'vigil.baseline.lower vigil.red.latency.p95', 'vigil.baseline.upper vigil.red.latency.p95',
  ]);
  t.ok([...last.keys()].includes('vigil.baseline.expected vigil.red.calls'), 'the volume metric has a baseline too');
  t.match(last.get('vigil.baseline.expected vigil.red.latency.p95'), { 'service.name': 'checkout', 'span.name': 'GET /cart', 'vigil.baseline': 'trailing', value: 100, unit: 'ms', end: ns(T0 + 61 * MIN) });
  t.equal(last.get('vigil.baseline.deviation vigil.red.latency.p95')?.unit, '1');
  let inputs = 0;
  for (const p of sink.received) forEachDataPoint(p, (d) => { if (d.metricName.startsWith('vigil.red.')) inputs++; });
  t.equal(inputs, 0, 'pass_through: false drops the input');
});

t.test('three requests at night page nobody: below min_calls the latency rule does not hold', async (t) => {
  const { sink, feed } = await make();
  await feed(0, HISTORY, slower);
  await feed(HISTORY, HISTORY + 5, slower, 3);
  t.same(events(sink).map(([, a]) => a.rule), ['throughput'], 'no latency event; 120 calls a minute falling to 3 is a drop in throughput');
  const quiet = await make();
  await quiet.feed(0, HISTORY, slower, 3);
  await quiet.feed(HISTORY, HISTORY + 5, slower, 3);
  t.same(events(quiet.sink), [], 'a service that always had 3 calls a minute pages nobody at all');
});

t.test('a throughput down 40 % raises the throughput rule', async (t) => {
  const { sink, feed } = await make(new MemoryStore(), { rules: [
    { name: 'throughput', metrics: ['vigil.red.throughput'], direction: 'down', relative: 0.3, for: '0s' },
  ] });
  await feed(0, HISTORY);
  await feed(HISTORY, HISTORY + 1, () => 100, 72); // 120 → 72 calls a minute
  t.match(events(sink).map(([, a]) => a), [{ rule: 'throughput', value: 1.2, expected: 2 }]);
});

t.test('after a restart the baselines are reloaded: the breach is still caught', async (t) => {
  const store = new MemoryStore();
  const before = await make(store);
  await before.feed(0, HISTORY, slower);
  await before.proc.revoked!([0], { redelivered: false }); // shutdown or rebalance: checkpointed
  t.same(events(before.sink), [], 'nothing while normal');

  const after = await make(store);
  await after.feed(HISTORY, HISTORY + 2, slower);
  t.same(events(after.sink).map(([i]) => i), [HISTORY + 1], 'caught by the reloaded baseline');

  const fresh = await make(new MemoryStore());
  await fresh.feed(HISTORY, HISTORY + 2, slower);
  t.same(events(fresh.sink), [], 'a baseline that starts from scratch cannot catch it (so the reload is what counts)');
});

t.test('with Redis: a new process reloads the baselines and the breach state from the hash', async (t) => {
  if (!redisOrSkip(t)) return;
  const server = await RedisServer.start({});
  t.teardown(() => server.kill());
  const options = { endpoint: server.endpoint, db: 0, keyPrefix: `test-baseline-${randomUUID().slice(0, 8)}` };
  const first = new RedisStore(options, pino({ level: 'silent' }));
  await first.start();
  const before = await make(first);
  await before.feed(0, HISTORY + 1, slower); // the breach began in the first process…
  await before.proc.revoked!([0], { redelivered: true });
  await first.close();
  t.same(events(before.sink), []);

  const second = new RedisStore(options, pino({ level: 'silent' }));
  await second.start();
  t.teardown(() => second.close());
  const after = await make(second);
  await after.feed(HISTORY + 1, HISTORY + 2, slower); // …and its second window comes to the second
  t.same(events(after.sink).map(([i, a]) => [i, a['degraded.since']]), [[HISTORY + 1, new Date(T0 + (HISTORY + 1) * MIN).toISOString()]]);
});
