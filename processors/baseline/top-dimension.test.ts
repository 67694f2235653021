/**
 * Degradation events on a service-level series (red_indicators' `service_rollup`) name the operation
 * that contributed most in the breaching window — for latency, error rate and throughput — and put
 * that operation's spans first in the evidence.
 */
import t from 'tap';
import { Acknowledgement, deliveryOf } from '../../pipeline/delivery.js';
import { MemoryStore } from '../../pipeline/state/memory-store.js';
import { forEachLogRecord, MetricsBuilder, type Payload } from '../../pdata/index.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { configSchema } from './config.js';
import { createBaseline } from './processor.js';

const T0 = Date.UTC(2026, 10, 19, 8, 0, 0);
const MIN = 60_000;
const HISTORY = 90;
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;
const traceId = (op: number, m: number, i: number): string => `${op.toString(16).padStart(8, '0')}${m.toString(16).padStart(8, '0')}${i.toString(16).padStart(16, '0')}`;

/** One operation's window: calls, error rate (%) and p95 (ms). */
interface Op { readonly calls: number; readonly errorRate: number; readonly p95: number }

/** red_indicators' window `m` with service_rollup: the operations' points, then the service's (rollup values given). */
function window(m: number, ops: Record<string, Op>, service: Op): Payload {
  const b = new MetricsBuilder();
  const scope = b.scope({ 'service.name': 'shop' }, { name: 'vigil.red_indicators' });
  const at = { startTimeUnixNano: ns(T0 + m * MIN), timeUnixNano: ns(T0 + (m + 1) * MIN) };
  const add = (attributes: Record<string, string>, o: Op, exemplarsOf: number | undefined) => {
    const point = { ...at, attributes };
    const exemplars = exemplarsOf === undefined ? undefined
      : [0, 1, 2].map((i) => ({ value: o.p95 + i, timeUnixNano: at.timeUnixNano, traceId: traceId(exemplarsOf, m, i), spanId: '0000000000000001' }));
    scope.gauge({ name: 'vigil.red.calls', unit: '{call}' }, { ...point, value: o.calls });
    scope.gauge({ name: 'vigil.red.throughput', unit: '{call}/s' }, { ...point, value: o.calls / 60 });
    scope.gauge({ name: 'vigil.red.error_rate', unit: '%' }, { ...point, value: o.errorRate, exemplars });
    scope.gauge({ name: 'vigil.red.latency.p95', unit: 'ms' }, { ...point, value: o.p95, exemplars });
  };
  // The service first: its operations come after it in the request, as they may.
  add({ 'service.name': 'shop', 'vigil.rollup': 'span.name' }, service, 0);
  Object.entries(ops).forEach(([name, o], i) => { add({ 'service.name': 'shop', 'span.name': name }, o, i + 1); });
  return b.build()!;
}

/** Feeds `HISTORY` healthy windows then 3 of `bad`; returns the service-level events' attributes by rule. */
async function run(healthy: (m: number) => [Record<string, Op>, Op], bad: [Record<string, Op>, Op]): Promise<Map<string, Record<string, unknown>>> {
  const sink = new RecordingConsumer();
  const host = new NoopHost();
  host.stateStore = () => new MemoryStore();
  const proc = createBaseline({ ...testSettings('baseline'), pipeline: 'metrics' }, configSchema.parse({ trailing: { bucket: '5m', min_buckets: 12 } }), 'metrics', sink);
  await proc.start(host);
  await proc.assigned!([0]);
  for (let m = 0; m < HISTORY + 3; m++) {
    const [ops, service] = m < HISTORY ? healthy(m) : bad;
    const ack = new Acknowledgement(() => {});
    await proc.consume(window(m, ops, service), deliveryOf('metrics.ingest', 0, BigInt(m), false, ack));
    ack.settle();
  }
  await proc.shutdown(Date.now() + 1000);
  const out = new Map<string, Record<string, unknown>>();
  for (const p of sink.received) {
    if (p.signal !== 'logs') continue;
    forEachLogRecord(p, (r) => { if (r.attributes['vigil.rollup'] !== undefined) out.set(r.attributes.rule as string, r.attributes); });
  }
  return out;
}

const wobble = (m: number): number => m % 3;
const healthyShop = (m: number): [Record<string, Op>, Op] => [
  { 'GET /checkout': { calls: 60, errorRate: 1, p95: 100 + wobble(m) }, 'GET /cart': { calls: 240, errorRate: 1, p95: 40 + wobble(m) } },
  { calls: 300, errorRate: 1, p95: 95 + wobble(m) },
];

t.test('latency: the service p95 rises 60 %; the event names GET /checkout, its share and its slow spans', async (t) => {
  const events = await run(healthyShop, [
    { 'GET /checkout': { calls: 60, errorRate: 1, p95: 160 }, 'GET /cart': { calls: 240, errorRate: 1, p95: 42 } },
    { calls: 300, errorRate: 1, p95: 155 },
  ]);
  const a = events.get('latency');
  t.ok(a, 'a latency event on the service-level series');
  t.match(a, { 'service.name': 'shop', 'vigil.rollup': 'span.name', 'evidence.dimension': 'span.name', 'evidence.dimension.value': 'GET /checkout', 'evidence.dimension.observed': 160, 'evidence.dimension.expected': 101 });
  t.equal(a?.['evidence.dimension.contribution'], 60 * (160 - 101), 'calls × (p95 − its own expected)');
  t.equal(a?.['evidence.dimension.share'], (60 * 59) / (60 * 59 + 240 * 1), 'GET /cart\'s 1 ms over its own normal is the rest');
  const ids = a?.['evidence.trace_ids'] as string[];
  t.equal(ids.length, 5);
  t.same(ids.slice(0, 3).map((id) => id.slice(0, 8)), ['00000001', '00000001', '00000001'], 'GET /checkout\'s spans first, slowest first');
  t.equal(ids[0], traceId(1, HISTORY + 1, 2));
});

t.test('error rate: the operation with the most extra errors, not the highest rate', async (t) => {
  const events = await run(healthyShop, [
    { 'GET /checkout': { calls: 60, errorRate: 40, p95: 100 }, 'GET /cart': { calls: 240, errorRate: 21, p95: 40 } },
    { calls: 300, errorRate: 24.8, p95: 95 },
  ]);
  const a = events.get('error_rate');
  t.match(a, { 'evidence.dimension': 'span.name', 'evidence.dimension.value': 'GET /cart' });
  t.equal(a?.['evidence.dimension.contribution'], 48, '240 calls × 20 points = 48 extra errors (GET /checkout: 60 × 39 % = 23.4)');
  t.equal(Math.round((a?.['evidence.dimension.share'] as number) * 1000) / 1000, Math.round((48 / (48 + 23.4)) * 1000) / 1000);
});

t.test('throughput: the operation whose calls dropped most', async (t) => {
  const events = await run(healthyShop, [
    { 'GET /checkout': { calls: 55, errorRate: 1, p95: 100 }, 'GET /cart': { calls: 60, errorRate: 1, p95: 40 } },
    { calls: 115, errorRate: 1, p95: 95 },
  ]);
  const a = events.get('throughput');
  t.match(a, { 'evidence.dimension': 'span.name', 'evidence.dimension.value': 'GET /cart' });
  t.equal(a?.['evidence.dimension.contribution'], 3, '(240 − 60) calls / 60 s = 3 calls/s lost');
  t.equal(Math.round((a?.['evidence.dimension.share'] as number) * 1e6) / 1e6, Math.round((3 / (3 + 5 / 60)) * 1e6) / 1e6);
});

t.test('throughput: an operation that stopped altogether (no point at all, as with delta input) is the drop', async (t) => {
  const events = await run(healthyShop, [{ 'GET /checkout': { calls: 58, errorRate: 1, p95: 100 } }, { calls: 58, errorRate: 1, p95: 100 }]);
  const a = events.get('throughput');
  t.match(a, { 'evidence.dimension.value': 'GET /cart', 'evidence.dimension.observed': 0, 'evidence.dimension.expected': 4 });
  t.equal(a?.['evidence.dimension.contribution'], 4, 'all of its 240 calls a minute lost');
});

t.test('an operation-level event has no evidence.dimension', async (t) => {
  const sink = new RecordingConsumer();
  const host = new NoopHost();
  host.stateStore = () => new MemoryStore();
  const proc = createBaseline({ ...testSettings('baseline'), pipeline: 'metrics' }, configSchema.parse({ trailing: { bucket: '5m', min_buckets: 12 } }), 'metrics', sink);
  await proc.start(host);
  await proc.assigned!([0]);
  for (let m = 0; m < HISTORY + 3; m++) {
    const [ops, service] = m < HISTORY ? healthyShop(m) : [{ 'GET /checkout': { calls: 60, errorRate: 1, p95: 160 } }, { calls: 60, errorRate: 1, p95: 160 }] as const;
    const ack = new Acknowledgement(() => {});
    await proc.consume(window(m, ops, service), deliveryOf('metrics.ingest', 0, BigInt(m), false, ack));
    ack.settle();
  }
  const ops: Array<Record<string, unknown>> = [];
  for (const p of sink.received) if (p.signal === 'logs') forEachLogRecord(p, (r) => { if (r.attributes['span.name'] !== undefined) ops.push(r.attributes); });
  t.ok(ops.some((a) => a.rule === 'latency'), 'GET /checkout\'s own latency event');
  t.ok(ops.every((a) => a['evidence.dimension'] === undefined));
  await proc.shutdown(Date.now() + 1000);
});
