/** The contribution measure behind `evidence.dimension` (contribution.ts): by hand and as properties. */
import fc from 'fast-check';
import t from 'tap';
import { MetricsBuilder, forEachDataPoint, type DataPointView } from '../../pdata/index.js';
import { contributionOf, coversRollup, membersOf, preferredTraceIds, topContributor, type Candidate, type Member } from './contribution.js';

const member = (value: string, observed: number, expected: number | undefined, calls?: number, traceIds: string[] = []): Member => ({ value, observed, expected, calls, traceIds });
const LATENCY = { direction: 'up', metric: 'vigil.red.latency.p95', unit: 'ms' } as const;

t.test('latency: calls × (p95 − its own expected); the slower operation wins even with fewer calls', async (t) => {
  const checkout = member('GET /checkout', 160, 100, 60); // 60 calls × 60 ms = 3600
  const cart = member('GET /cart', 42, 40, 600); // 600 calls × 2 ms = 1200
  t.equal(contributionOf(checkout, LATENCY), 3600);
  const top = topContributor([cart, checkout], LATENCY);
  t.equal(top?.member.value, 'GET /checkout');
  t.equal(top?.amount, 3600);
  t.equal(top?.share, 3600 / 4800, 'its share of the positive contributions');
});

t.test('a faster operation does not dilute the share; nothing rose: no contributor', async (t) => {
  const top = topContributor([member('a', 160, 100, 10), member('b', 20, 40, 100)], LATENCY);
  t.equal(top?.share, 1, 'b got faster: not a contributor, not counted in the share');
  t.equal(topContributor([member('a', 90, 100, 10), member('b', 40, 40, 10)], LATENCY), undefined);
  t.equal(topContributor([], LATENCY), undefined);
});

t.test('a member without an expected value (no baseline yet) is left out', async (t) => {
  const top = topContributor([member('new', 900, undefined, 100), member('old', 120, 100, 10)], LATENCY);
  t.equal(top?.member.value, 'old');
});

t.test('error rate in %: the extra errors', async (t) => {
  const change = { direction: 'up', metric: 'vigil.red.error_rate', unit: '%' } as const;
  t.equal(contributionOf(member('a', 31, 1, 200), change), 60, '200 calls × 30 points / 100 = 60 extra errors');
  const top = topContributor([member('a', 31, 1, 200), member('b', 50, 0, 20)], change);
  t.equal(top?.member.value, 'a', 'the most extra errors, not the highest rate');
  t.equal(top?.amount, 60);
});

t.test('throughput (additive): the largest drop, not weighted by calls', async (t) => {
  const change = { direction: 'down', metric: 'vigil.red.throughput', unit: '{call}/s' } as const;
  const top = topContributor([member('a', 0.5, 2, 30), member('b', 1.9, 2, 114), member('c', 3, 2, 180)], change);
  t.equal(top?.member.value, 'a');
  t.equal(top?.amount, 1.5);
  t.equal(top?.share, 1.5 / 1.6);
});

t.test('properties: the top is the largest, its share in (0, 1], its share is its amount over the positive amounts', async (t) => {
  const arb = fc.array(fc.record({ observed: fc.double({ min: 0, max: 1e4, noNaN: true }), expected: fc.double({ min: 0, max: 1e4, noNaN: true }), calls: fc.integer({ min: 0, max: 1e4 }) }), { maxLength: 20 });
  fc.assert(fc.property(arb, fc.constantFrom('up' as const, 'down' as const), (rows, direction) => {
    const members = rows.map((r, i) => member(String(i), r.observed, r.expected, r.calls));
    const change = { direction, metric: 'vigil.red.latency.p95', unit: 'ms' };
    const amounts = members.map((m) => contributionOf(m, change)!);
    const top = topContributor(members, change);
    const max = Math.max(0, ...amounts);
    if (max <= 0) return top === undefined;
    const positive = amounts.filter((a) => a > 0).reduce((s, a) => s + a, 0);
    return top !== undefined && top.amount === max && top.share > 0 && top.share <= 1 + 1e-12 && Math.abs(top.share - max / positive) < 1e-9;
  }));
  t.pass('held on every generated case');
});

t.test('membersOf: the operations of the service-level point, same metric, resource, time and dimensions', async (t) => {
  const b = new MetricsBuilder();
  const scope = b.scope({ 'service.name': 'shop' }, { name: 'vigil.red_indicators' });
  const at = { timeUnixNano: 120n, startTimeUnixNano: 60n };
  const ex = (id: string, value: number) => ({ value, timeUnixNano: 120n, traceId: id.padStart(32, '0'), spanId: '0000000000000001' });
  scope.gauge({ name: 'vigil.red.latency.p95', unit: 'ms' }, { ...at, attributes: { 'service.name': 'shop', env: 'prod', 'vigil.rollup': 'span.name' }, value: 150 });
  scope.gauge({ name: 'vigil.red.latency.p95', unit: 'ms' }, { ...at, attributes: { 'service.name': 'shop', env: 'prod', 'span.name': 'GET /a' }, value: 160, exemplars: [ex('a1', 150), ex('a2', 170)] });
  scope.gauge({ name: 'vigil.red.latency.p95', unit: 'ms' }, { ...at, attributes: { 'service.name': 'shop', env: 'test', 'span.name': 'GET /a' }, value: 999 });
  scope.gauge({ name: 'vigil.red.latency.p50', unit: 'ms' }, { ...at, attributes: { 'service.name': 'shop', env: 'prod', 'span.name': 'GET /a' }, value: 999 });
  scope.gauge({ name: 'vigil.red.latency.p95', unit: 'ms' }, { timeUnixNano: 180n, attributes: { 'service.name': 'shop', env: 'prod', 'span.name': 'GET /a' }, value: 999 });
  scope.gauge({ name: 'vigil.red.latency.p95', unit: 'ms' }, { ...at, attributes: { 'service.name': 'shop', env: 'prod', 'span.name': 'GET /b' }, value: 40 });
  const points: DataPointView[] = [];
  forEachDataPoint(b.build()!, (p) => points.push(p));
  const candidates: Candidate[] = points.map((p) => ({ point: p, expected: 100, calls: 10 }));
  const found = membersOf(points[0]!, candidates);
  t.equal(found?.dimension, 'span.name');
  t.same(found?.members.map((m) => [m.value, m.observed]), [['GET /a', 160], ['GET /b', 40]], 'other environment, metric and time left out');
  t.same(found?.members[0]?.traceIds, ['a2'.padStart(32, '0'), 'a1'.padStart(32, '0')], 'slowest span first');
  t.equal(membersOf(points[1]!, candidates), undefined, 'an operation point is no rollup');
});

t.test('preferredTraceIds: the top member\'s first, each once, at most max', async (t) => {
  t.same(preferredTraceIds(['a', 'b'], ['c', 'a', 'd', 'e', 'f'], 5), ['a', 'b', 'c', 'd', 'e']);
  t.same(preferredTraceIds([], ['c'], 5), ['c']);
});

t.test('coversRollup: the members\' calls must add up to the service\'s (a record cut in two shows only some)', async (t) => {
  const ms = [member('a', 1, 1, 60), member('b', 1, 1, 240)];
  t.ok(coversRollup(ms, 300));
  t.notOk(coversRollup(ms.slice(0, 1), 300), 'GET /cart in another record: name nobody rather than the wrong one');
  t.ok(coversRollup(ms.slice(0, 1), undefined), 'no volume known (not RED): assumed complete');
  t.notOk(coversRollup([member('a', 1, 1)], 10), 'a member without calls cannot be checked');
});
