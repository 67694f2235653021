/** span_metrics aggregation and flush: otelcol's names, attributes, buckets, temporality and limits. */
import t from 'tap';
import { toJson, type Payload } from '../../pdata/index.js';
import { RecordingConsumer, testSettings } from '../../test/doubles.js';
import { configSchema } from './config.js';
import { SpanMetricsConnector } from './connector.js';
import { pointsOf, type Point } from './series-view.test-helpers.js';
import { makeTraffic, trafficPayload } from './traffic.test-helpers.js';

/** A connector on a settable clock, with what it sent. */
function setup(config: Record<string, unknown> = {}): { c: SpanMetricsConnector; next: RecordingConsumer; clock: { ms: number } } {
  const next = new RecordingConsumer();
  const clock = { ms: 1_800_000_000_000 };
  const c = new SpanMetricsConnector(testSettings('span_metrics'), configSchema.parse(config), next, () => clock.ms);
  return { c, next, clock };
}

const points = (payloads: readonly Payload[]): Point[] => pointsOf(payloads.map((p) => JSON.parse(toJson(p)) as Record<string, unknown>));
const byName = (ps: Point[], metric: string): Point[] => ps.filter((p) => p.metric === metric);

t.test('default config: otelcol names, units, attributes; a new cumulative calls series reads 0 first', async (t) => {
  const { c, next, clock } = setup();
  const spans = makeTraffic(60);
  await c.consume(trafficPayload(spans));
  clock.ms += 1000;
  await c.flushNow();
  const first = points(next.received);
  const calls = byName(first, 'traces.span.metrics.calls');
  const durations = byName(first, 'traces.span.metrics.duration');
  t.ok(calls.length > 3, `several series (${calls.length})`);
  t.same(calls.map((p) => p.value).filter((v) => v !== 0), [], 'every cumulative calls point is 0 on its first flush, as in otelcol');
  t.equal(durations.length, calls.length, 'one duration series per calls series (no extra dimensions)');
  const d = durations[0]!;
  t.equal(d.unit, 'ms');
  t.equal(d.temporality, 2, 'cumulative');
  t.same(d.explicitBounds, [2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10000, 15000]);
  t.equal(d.scope, 'spanmetricsconnector');
  t.same(Object.keys(d.attributes).sort(), ['collector.instance.id', 'service.name', 'span.kind', 'span.name', 'status.code']);
  t.match(d.attributes['span.kind'], /^SPAN_KIND_(SERVER|CLIENT)$/);
  t.match(d.attributes['status.code'], /^STATUS_CODE_(UNSET|OK|ERROR)$/);
  t.ok(d.resource['host.name'], 'resource attributes are copied to the metrics\' resource');
  const total = durations.reduce((n, p) => n + p.count, 0);
  // every 7th trace is sampled at 1/4 (ot=th:c): its two spans count 4 each
  const expected = spans.reduce((n, s) => n + (s.spanContext().traceState?.get('ot') === 'th:c' ? 4 : 1), 0);
  t.equal(total, expected, 'histogram counts add adjusted counts');

  clock.ms += 1000;
  await c.flushNow();
  const second = points(next.received.slice(1));
  t.equal(byName(second, 'traces.span.metrics.calls').reduce((n, p) => n + p.value, 0), expected, 'the next flush reports the running totals');
  t.ok(second.every((p) => p.start === first[0]!.start), 'cumulative points keep their start time');
});

t.test('without dimensions the memoized series keys count as the keys built per span', async (t) => {
  // A dimension no span or resource has adds nothing to a series, but makes every key be built per span.
  const plain = setup();
  const built = setup({ dimensions: [{ name: 'no.such.attribute' }] });
  const spans = makeTraffic(300, 7);
  for (const c of [plain.c, built.c]) {
    await c.consume(trafficPayload(spans.slice(0, 150)));
    await c.consume(trafficPayload(spans.slice(150)));
    await c.flushNow();
  }
  const series = (r: RecordingConsumer): string[] => byName(points(r.received), 'traces.span.metrics.duration')
    .map((p) => `${String(p.resource['host.name'])} ${JSON.stringify(p.attributes)} ${p.count}`).sort();
  const a = series(plain.next);
  t.ok(a.length > 6, `several series (${a.length})`);
  t.same(a, series(built.next));
});

t.test('explicit buckets are upper-inclusive; unit s divides by 1e9', async (t) => {
  const { c, next, clock } = setup({ histogram: { unit: 's', explicit: { buckets: ['2ms', '10ms', '1s'] } } });
  await c.consume(trafficPayload(makeTraffic(40)));
  clock.ms += 1;
  await c.flushNow();
  const d = byName(points(next.received), 'traces.span.metrics.duration');
  t.same(d[0]!.explicitBounds, [0.002, 0.01, 1]);
  t.equal(d[0]!.unit, 's');
  for (const p of d) t.equal(p.bucketCounts.reduce((a, b) => a + b, 0), p.count, 'bucket counts add up to the count');
});

t.test('dimensions with defaults, exclude_dimensions, calls_dimensions', async (t) => {
  const { c, next, clock } = setup({
    dimensions: [{ name: 'http.method', default: 'GET' }, { name: 'http.status_code' }],
    calls_dimensions: [{ name: 'db.system' }],
    exclude_dimensions: ['status.code', 'collector.instance.id'],
  });
  await c.consume(trafficPayload(makeTraffic(80)));
  clock.ms += 1;
  await c.flushNow();
  const ps = points(next.received);
  const server = byName(ps, 'traces.span.metrics.duration').filter((p) => p.attributes['span.kind'] === 'SPAN_KIND_SERVER');
  t.ok(server.every((p) => p.attributes['http.method'] === 'GET' || p.attributes['http.method'] === 'POST'), 'a missing http.method takes the default');
  t.ok(server.every((p) => typeof p.attributes['http.status_code'] === 'number'), 'an int attribute stays an int');
  t.ok(ps.every((p) => !('status.code' in p.attributes) && !('collector.instance.id' in p.attributes)), 'excluded dimensions are left out');
  const clientCalls = byName(ps, 'traces.span.metrics.calls').filter((p) => p.attributes['span.kind'] === 'SPAN_KIND_CLIENT');
  t.ok(clientCalls.every((p) => p.attributes['db.system'] === 'postgresql'), 'calls_dimensions only on calls');
  t.ok(byName(ps, 'traces.span.metrics.duration').every((p) => !('db.system' in p.attributes)));
});

t.test('aggregation_cardinality_limit sends new series to one overflow series', async (t) => {
  const { c, next, clock } = setup({ aggregation_cardinality_limit: 2, resource_metrics_key_attributes: ['service.name'] });
  await c.consume(trafficPayload(makeTraffic(100)));
  clock.ms += 1;
  await c.flushNow();
  const d = byName(points(next.received), 'traces.span.metrics.duration');
  const overflow = d.filter((p) => p.attributes['otel.metric.overflow'] === true);
  t.equal(overflow.length, 2, 'one overflow series per resource (two services)');
  t.same(Object.keys(overflow[0]!.attributes), ['otel.metric.overflow'], 'its only attribute');
  t.equal(d.length, 6, 'two series per resource plus the overflow one');
});

t.test('exemplars: trace and span ids on points, at most max_per_data_point, cleared after a flush', async (t) => {
  const { c, next, clock } = setup({ exemplars: { enabled: true, max_per_data_point: 2 } });
  const spans = makeTraffic(50);
  await c.consume(trafficPayload(spans));
  clock.ms += 1;
  await c.flushNow();
  const ps = points(next.received);
  const ids = new Set(spans.map((s) => `${s.spanContext().traceId}/${s.spanContext().spanId}`));
  t.ok(ps.every((p) => p.exemplars.length >= 1 && p.exemplars.length <= 2));
  t.ok(ps.every((p) => p.exemplars.every((e) => ids.has(`${e.traceId}/${e.spanId}`))), 'exemplars name real spans');
  await c.flushNow();
  t.ok(points(next.received.slice(1)).every((p) => p.exemplars.length === 0), 'no new spans: no exemplars');
});

t.test('delta: points carry the interval since the previous flush, state is purged', async (t) => {
  const { c, next, clock } = setup({ aggregation_temporality: 'AGGREGATION_TEMPORALITY_DELTA', histogram: { exponential: { max_size: 20 } } });
  const payload = trafficPayload(makeTraffic(30));
  await c.consume(payload);
  clock.ms += 1000;
  await c.flushNow();
  await c.consume(payload);
  clock.ms += 1000;
  await c.flushNow();
  const [a, b] = [points([next.received[0]!]), points([next.received[1]!])];
  t.ok(a.every((p) => p.temporality === 1));
  t.same(a.map((p) => p.count + p.value), b.map((p) => p.count + p.value), 'the same spans give the same deltas');
  t.ok(b.some((p) => p.start === a[0]!.time), 'points start where the previous flush ended');
  // otelcol keys its delta start times by series key alone and updates them after each resource, so a
  // key already written for another resource in the same flush starts at this flush's time; so here.
  t.ok(b.every((p) => p.start === a[0]!.time || p.start === p.time), 'or, for a key shared with a resource written before, at this flush');
  const e = byName(a, 'traces.span.metrics.duration').find((p) => p.count > 3)!;
  t.equal(e.type, 'exponentialHistogram');
  t.ok(e.positive.bucketCounts.length <= 20, 'max_size bounds the buckets');
  t.equal(e.positive.bucketCounts.reduce((x, y) => x + y, 0) + e.zeroCount, e.count);
  await c.flushNow();
  t.equal(next.received.length, 2, 'nothing new: nothing sent');
});

t.test('events metric counts span events by event attributes', async (t) => {
  const { c, next, clock } = setup({ events: { enabled: true, dimensions: [{ name: 'exception.type' }] } });
  const spans = makeTraffic(60);
  await c.consume(trafficPayload(spans));
  clock.ms += 1;
  await c.flushNow();
  await c.flushNow();
  const ev = byName(points(next.received.slice(1)), 'traces.span.metrics.events');
  const expected = spans.reduce((n, s) => n + s.events.length * (s.spanContext().traceState?.get('ot') === 'th:c' ? 4 : 1), 0);
  t.ok(expected > 0);
  t.equal(ev.reduce((n, p) => n + p.value, 0), expected);
  t.ok(ev.every((p) => p.attributes['exception.type'] === 'Timeout' || p.attributes['exception.type'] === 'Deadlock'));
});

t.test('metrics_expiration drops resources not seen; series_expiration drops series', async (t) => {
  const { c, next, clock } = setup({ metrics_expiration: '5s' });
  await c.consume(trafficPayload(makeTraffic(10)));
  clock.ms += 1000;
  await c.flushNow();
  clock.ms += 5000;
  await c.flushNow();
  t.equal(next.received.length, 2, 'still there at the flush that finds them expired');
  await c.flushNow();
  t.equal(next.received.length, 2, 'then gone');
});

t.test('resource_metrics_cache_size: a resource pushed out is still flushed once, then forgotten', async (t) => {
  const { c, next, clock } = setup({ resource_metrics_cache_size: 1 });
  await c.consume(trafficPayload(makeTraffic(30)));
  clock.ms += 1;
  await c.flushNow();
  const hosts = (i: number): string[] => [...new Set(points([next.received[i]!]).map((p) => String(p.resource['host.name'])))].sort();
  t.same(hosts(0), ['node-1', 'node-2', 'node-3'], 'every resource of the interval');
  await c.flushNow();
  t.equal(hosts(1).length, 1, 'only the most recently used one afterwards');
});

t.test('flushes on the interval; shutdown stops the timer; a refusal downstream is dropped', async (t) => {
  const next = new RecordingConsumer();
  const c = new SpanMetricsConnector(testSettings('span_metrics'), configSchema.parse({ metrics_flush_interval: '20ms' }), next);
  await c.start();
  await c.consume(trafficPayload(makeTraffic(5)));
  const until = Date.now() + 10_000;
  while (next.received.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  t.ok(next.received.length >= 2, 'flushed twice');
  next.fail = new Error('down');
  await c.flushNow();
  await c.shutdown();
  const n = next.received.length;
  await new Promise((r) => setTimeout(r, 60));
  t.equal(next.received.length, n, 'no flush after shutdown');
});
