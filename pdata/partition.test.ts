/** groupByPartition for every signal and key: every item once, on the partition its key maps to. */
import t, { type Test } from 'tap';
import { makeRealisticTraceRequest } from './bench.js';
import type { Attributes } from './any-value.js';
import { decodeProtobuf } from './decode.js';
import { fromJson, toJson } from './json.js';
import { groupByPartition, type PartitionKey } from './partition.js';
import { Payload } from './payload.js';
import { forEachSpan, partitionOf } from './records.js';
import { hash64, seriesId, seriesKey } from './series.js';
import { forEachDataPoint } from './metric-view.js';

interface JsonKv { key: string; value: { stringValue?: string; intValue?: string; doubleValue?: number; boolValue?: boolean } }
interface Doc { [k: string]: unknown }

const kv = (attrs: Record<string, string | number | boolean>): JsonKv[] => Object.entries(attrs).map(([key, v]) => ({
  key, value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
}));

/** JSON attributes back to plain values (the scalar types these tests use). */
function attrs(list: JsonKv[] | undefined): Attributes {
  const out: Attributes = {};
  for (const { key, value } of list ?? []) out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.doubleValue ?? value.boolValue ?? null);
  return out;
}

type Order = <T>(a: T[]) => T[];
const asIs: Order = (a) => a;
const reversed: Order = (a) => [...a].reverse();
const rotated: Order = (a) => [...a.slice(1), ...a.slice(0, 1)];

/** A metrics request: resources × series of one sum, resources' attributes, points and their attributes in the given order. */
function metricsRequest(series: number[], order: Order = asIs, resourceOrder: Order = order): Payload {
  const resourceMetrics = ['checkout', 'cart'].map((service) => ({
    resource: { attributes: resourceOrder(kv({ 'service.name': service, 'host.name': 'node-7', 'process.pid': 42 })) },
    scopeMetrics: [{ scope: { name: 's' }, metrics: [{ name: 'http.requests', sum: { aggregationTemporality: 2, isMonotonic: true,
      dataPoints: order(series.map((i) => ({ timeUnixNano: String(1700000000000000000 + i), asInt: String(i),
        attributes: order(kv({ 'http.route': `/r/${i % 7}`, code: 200 + (i % 5), ratio: 0.5, ok: i % 2 === 0, seq: i })) }))) } }] }],
  }));
  return fromJson('metrics', JSON.stringify({ resourceMetrics })).payload!;
}

/** Every data point of a metrics payload: [series id, value]. */
function points(p: Payload): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const doc = JSON.parse(toJson(p)) as Doc;
  for (const rm of doc.resourceMetrics as Doc[]) {
    const resource = attrs((rm.resource as { attributes: JsonKv[] }).attributes);
    for (const sm of rm.scopeMetrics as Doc[]) {
      for (const m of sm.metrics as Doc[]) {
        for (const dp of (m.sum as { dataPoints: Doc[] }).dataPoints) {
          out.push([seriesId(m.name as string, resource, attrs(dp.attributes as JsonKv[])), String(dp.asInt)]);
        }
      }
    }
  }
  return out;
}

function valid(t: Test, pieces: Iterable<Payload>): void {
  for (const p of pieces) t.equal(decodeProtobuf(p.signal, p.bytes).payload?.itemCount, p.itemCount, 'valid request, right count');
}

t.test('seriesKey and seriesId: canonical, order-independent, stable', async (t) => {
  t.equal(seriesKey('m', { b: 1, a: 'x' }, { z: true, y: [1, 'two'], n: null }), '"m" {"a":"x","b":1} {"n":null,"y":[1,"two"],"z":true}');
  t.equal(seriesKey('m', {}, { k: { q: 2.5, p: new Uint8Array([1, 255]) } }), '"m" {} {"k":{"p":0x01ff,"q":2.5}}');
  t.equal(seriesId('m', { b: 1, a: 'x' }, {}), seriesId('m', { a: 'x', b: 1 }, {}), 'attribute order does not matter');
  t.equal(seriesId('m', {}, { n: 3 }), seriesId('m', {}, { n: 3n }), 'int and bigint of one value agree');
  t.not(seriesId('m', {}, { n: 3 }), seriesId('m', {}, { n: '3' }), 'a string is not a number');
  t.not(seriesId('m', { a: 'x' }, {}), seriesId('m', {}, { a: 'x' }), 'resource and point attributes are apart');
  t.match(seriesId('m', {}, {}), /^[0-9a-f]{16}$/);
  // pinned: partitions of stored state depend on it never changing
  t.equal(hash64(''), hash64(''));
  t.equal(hash64('"http.requests" {"service.name":"checkout"} {"code":200}'), '6617d343ba862712');
  const ids = new Set<string>();
  for (let i = 0; i < 200000; i++) ids.add(hash64(`"m" {} {"i":${i}}`));
  t.equal(ids.size, 200000, 'no collision over 200k near-identical keys');
});

t.test('metrics by series: one series, one partition, whatever request and attribute order it came in', async (t) => {
  const series = Array.from({ length: 40 }, (_, i) => i);
  for (const partitions of [2, 8]) {
    const payload = metricsRequest(series);
    const groups = groupByPartition(payload, partitions, { by: 'series' });
    t.equal(groups.size, partitions, `spread over all ${partitions} partitions`);
    valid(t, groups.values());
    const placed = new Map<string, number>();
    let count = 0;
    for (const [partition, part] of groups) {
      for (const [id] of points(part)) {
        t.notOk(placed.has(id), 'a series is in one group');
        placed.set(id, partition);
        count++;
      }
    }
    t.equal(count, 80, 'every point once');
    t.same(points(payload).map(([, v]) => v).sort(), [...groups.values()].flatMap(points).map(([, v]) => v).sort(), 'every value once');
    // other requests: subsets of the series, points and attributes reordered, resource attributes apart
    const others = [metricsRequest(series.filter((i) => i % 3 === 0), reversed), metricsRequest(series, rotated, reversed),
      metricsRequest(series.filter((i) => i % 2 === 1), asIs, rotated), metricsRequest([5])];
    for (const other of others) {
      for (const [partition, part] of groupByPartition(other, partitions, { by: 'series' })) {
        for (const [id] of points(part)) t.equal(placed.get(id), partition, 'same series, same partition');
      }
    }
  }
});

/** Points per partition of a request, and the chi-square statistic against an even spread. */
function spread(payload: Payload, partitions: number): { counts: number[]; chiSquare: number } {
  const counts = new Array<number>(partitions).fill(0);
  for (const [partition, part] of groupByPartition(payload, partitions, { by: 'series' })) counts[partition] = part.itemCount;
  const expected = payload.itemCount / partitions;
  return { counts, chiSquare: counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0) };
}

t.test('metrics by series: distinct series spread evenly', async (t) => {
  // 7 degrees of freedom: the 99.9th percentile of chi-square is 24.3
  const byPoint = fromJson('metrics', JSON.stringify({ resourceMetrics: [{ resource: { attributes: kv({ 'service.name': 'a' }) }, scopeMetrics: [{ metrics: [
    { name: 'm', gauge: { dataPoints: Array.from({ length: 10000 }, (_, i) => ({ asInt: '1', attributes: kv({ 'http.route': '/x', seq: i }) })) } }] }] }] })).payload!;
  const points = spread(byPoint, 8);
  t.ok(points.chiSquare < 24.3, `10k series by point attribute: ${points.counts.join(' ')}, chi-square ${points.chiSquare.toFixed(1)}`);
  const byResource = fromJson('metrics', JSON.stringify({ resourceMetrics: Array.from({ length: 2000 }, (_, i) => ({
    resource: { attributes: kv({ 'service.name': 'a', 'service.instance.id': `i-${i}` }) },
    scopeMetrics: [{ metrics: [{ name: 'm', gauge: { dataPoints: [{ asInt: '1', attributes: kv({ 'http.route': '/x' }) }] } }] }] })) })).payload!;
  const resources = spread(byResource, 8);
  t.ok(resources.chiSquare < 24.3, `2k series by resource attribute: ${resources.counts.join(' ')}, chi-square ${resources.chiSquare.toFixed(1)}`);
  const byName = fromJson('metrics', JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: Array.from({ length: 2000 }, (_, i) => (
    { name: `metric.${i}`, gauge: { dataPoints: [{ asDouble: 1 }] } })) }] }] })).payload!;
  const names = spread(byName, 8);
  t.ok(names.chiSquare < 24.3, `2k series by metric name, no attributes: ${names.counts.join(' ')}, chi-square ${names.chiSquare.toFixed(1)}`);
  t.ok(spread(byPoint, 2).chiSquare < 10.8, 'two partitions (the memory queue) too');
});

/** A point of series `s` (attributes in either order) whose other fields vary with `i`, for each metric type. */
const POINTS: Record<string, (s: number, i: number) => Doc> = {
  gauge: (s, i) => ({ timeUnixNano: String(i), asDouble: i }),
  sum: (s, i) => ({ timeUnixNano: String(i), asInt: String(i) }),
  histogram: (s, i) => ({ count: String(i), bucketCounts: [String(i), '0'], explicitBounds: [i + 0.5], min: 0, max: i }),
  exponentialHistogram: (s, i) => ({ count: String(i), scale: i % 4, zeroCount: String(i), positive: { offset: i, bucketCounts: [String(i)] } }),
  summary: (s, i) => ({ count: String(i), sum: i, quantileValues: [{ quantile: 0.5, value: i }] }),
};

t.test('metrics by series: every metric type keyed by its points\' attributes alone', async (t) => {
  const metrics = Object.entries(POINTS).map(([type, point]) => ({ name: 'm', [type]: { aggregationTemporality: 2, dataPoints: Array.from({ length: 64 }, (_, i) => {
    const attributes = kv({ s: i % 16, a: 'x' });
    return { ...point(i % 16, i), attributes: i % 2 ? attributes.reverse() : attributes };
  }) } }));
  const payload = fromJson('metrics', JSON.stringify({ resourceMetrics: [{ resource: { attributes: kv({ 'service.name': 'a' }) }, scopeMetrics: [{ metrics }] }] })).payload!;
  const groups = groupByPartition(payload, 8, { by: 'series' });
  valid(t, groups.values());
  const placed = new Map<string, number>();
  const partitionsOf = new Map<string, Set<number>>();
  let n = 0;
  for (const [partition, part] of groups) {
    forEachDataPoint(part, (p) => {
      n++;
      const id = `${p.type} ${p.seriesId}`;
      if (!placed.has(id)) placed.set(id, partition);
      t.equal(placed.get(id), partition, `${id}: one partition`);
      const seen = partitionsOf.get(p.type) ?? new Set<number>();
      partitionsOf.set(p.type, seen.add(partition));
    });
  }
  t.equal(n, 64 * 5, 'every point once');
  t.equal(placed.size, 16 * 5);
  for (const [type, seen] of partitionsOf) t.ok(seen.size > 3, `${type}: 16 series over ${seen.size} partitions`);
});

function logsRequest(): Payload {
  const record = (i: number, extra: Record<string, string>) => ({
    timeUnixNano: String(1700000000000000000 + i), body: { stringValue: `r${i}` }, attributes: kv({ seq: i, ...extra }),
    ...(i % 4 === 0 ? { traceId: `5b8efff798038103d269b633813fc6${(10 + i).toString(16).padStart(2, '0')}`, spanId: 'eee19b7ec3c1b174' } : {}),
  });
  return fromJson('logs', JSON.stringify({ resourceLogs: [
    { resource: { attributes: kv({ 'service.name': 'a', tenant: 'from-resource' }) }, scopeLogs: [{ logRecords: [record(0, {}), record(1, { tenant: 'acme' })] }] },
    { resource: { attributes: kv({ 'service.name': 'b' }) }, scopeLogs: [{ logRecords: [0, 1, 2, 3, 4, 5].map((i) => record(i + 2, i % 2 ? { tenant: `t${i}` } : {})) }] },
  ] })).payload!;
}

/** [body, tenant attribute, trace id] of every log record. */
function records(p: Payload): Array<[string, string | undefined, string | undefined]> {
  const out: Array<[string, string | undefined, string | undefined]> = [];
  const doc = JSON.parse(toJson(p)) as Doc;
  for (const rl of doc.resourceLogs as Doc[]) {
    const res = attrs((rl.resource as { attributes: JsonKv[] }).attributes);
    for (const sl of rl.scopeLogs as Doc[]) {
      for (const lr of sl.logRecords as Doc[]) {
        const tenant = attrs(lr.attributes as JsonKv[]).tenant ?? res.tenant;
        out.push([(lr.body as { stringValue: string }).stringValue, tenant as string | undefined, lr.traceId as string | undefined]);
      }
    }
  }
  return out;
}

t.test('logs by attribute: record, then resource, else unkeyed and kept together', async (t) => {
  const payload = logsRequest();
  for (let round = 0; round < 3; round++) {
    const groups = groupByPartition(payload, 16, { by: 'attribute', name: 'tenant' });
    valid(t, groups.values());
    const unkeyedAt = new Set<number>();
    let count = 0;
    for (const [partition, part] of groups) {
      for (const [, tenant] of records(part)) {
        count++;
        if (tenant === undefined) unkeyedAt.add(partition);
        else t.equal(partition, partitionOf(Buffer.from(tenant), 16), `tenant ${tenant}`);
      }
    }
    t.equal(count, 8);
    t.equal(unkeyedAt.size, 1, 'unkeyed records stay together');
  }
  t.same(records(payload).map((r) => r[1]), ['from-resource', 'acme', undefined, 't1', undefined, 't3', undefined, 't5']);
});

t.test('logs by trace id: with the spans of their trace', async (t) => {
  const groups = groupByPartition(logsRequest(), 16, { by: 'trace_id' });
  valid(t, groups.values());
  const unkeyedAt = new Set<number>();
  for (const [partition, part] of groups) {
    for (const [, , traceId] of records(part)) {
      if (traceId === undefined) unkeyedAt.add(partition);
      else t.equal(partition, partitionOf(Buffer.from(traceId, 'hex'), 16));
    }
  }
  t.equal(unkeyedAt.size, 1);
});

t.test('none (and keys that do not apply): whole requests, round-robin', async (t) => {
  const metrics = metricsRequest([1, 2, 3]);
  const traces = new Payload('traces', makeRealisticTraceRequest(16), 16);
  const cases: Array<[Payload, PartitionKey]> = [[metrics, { by: 'none' }], [traces, { by: 'none' }], [traces, { by: 'series' }],
    [metrics, { by: 'trace_id' }], [logsRequest(), { by: 'none' }]];
  for (const [p, key] of cases) {
    const seen = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const groups = groupByPartition(p, 4, key);
      t.equal(groups.size, 1);
      const [partition, part] = [...groups][0]!;
      t.equal(part, p, 'the same payload, unsplit');
      seen.add(partition);
    }
    t.equal(seen.size, 4, `${p.signal} ${key.by}: every partition used`);
  }
});

t.test('traces: trace_id is the default; spans by attribute', async (t) => {
  const traces = new Payload('traces', makeRealisticTraceRequest(64), 64);
  const byDefault = groupByPartition(traces, 4);
  const byTrace = groupByPartition(traces, 4, { by: 'trace_id' });
  t.same([...byTrace].map(([k, v]) => [k, Buffer.from(v.bytes).toString('hex')]), [...byDefault].map(([k, v]) => [k, Buffer.from(v.bytes).toString('hex')]));
  const byRoute = groupByPartition(traces, 4, { by: 'attribute', name: 'url.path' });
  valid(t, byRoute.values());
  let n = 0;
  for (const [partition, part] of byRoute) forEachSpan(part, (s) => { n++; t.equal(partition, partitionOf(Buffer.from(`/api/v1/cart/${Buffer.from(s.spanId).readUInt32BE(4) - 1}`), 4)); });
  t.equal(n, 64);
  const byService = groupByPartition(traces, 4, { by: 'attribute', name: 'service.name' });
  t.equal(byService.size, 1, 'a resource attribute keys every span of the resource alike');
  t.equal([...byService.keys()][0], partitionOf(Buffer.from('checkout'), 4));
  t.equal(groupByPartition(metricsRequest([1]), 4).get(0)?.itemCount, 2, 'no key: metrics whole on partition 0, as before');
});
