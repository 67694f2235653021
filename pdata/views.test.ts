/** The per-item views read what the OpenTelemetry JS SDK serialised, field by field. */
import { ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import t from 'tap';
import { makeRealisticTraceRequest } from './bench.js';
import { decodeProtobuf } from './decode.js';
import { maxEventTime } from './event-time.js';
import { fromJson, toJson } from './json.js';
import { forEachLogRecord, type LogRecordView } from './log-view.js';
import { forEachDataPoint, type DataPointView } from './metric-view.js';
import { groupByPartition } from './partition.js';
import { Payload } from './payload.js';
import { forEachSpan } from './records.js';
import { seriesId } from './series.js';
import { forEachSpanDetailed, type SpanDetailView } from './span-detail.js';
import { FULL_METRICS_JSON, makeSdkLogs, makeSdkMetrics, makeSdkSpans } from './test-fixtures.js';

const RESOURCE = { 'service.name': 'checkout', 'service.version': '1.4.2', 'host.name': 'node-7', 'process.pid': 4242,
  'deployment.environment': 'test', 'cloud.region': 'eu-west-1', 'k8s.pod.uid': 'c0ffee', 'telemetry.sdk.language': 'nodejs' };

function points(p: Payload): DataPointView[] {
  const out: DataPointView[] = [];
  forEachDataPoint(p, (v) => out.push(v));
  return out;
}

t.test('forEachDataPoint: every metric type the SDK writes', async (t) => {
  for (const [sdk, temporality] of [[0, 'delta'], [1, 'cumulative']] as const) {
    const payload = decodeProtobuf('metrics', ProtobufMetricsSerializer.serializeRequest(makeSdkMetrics(sdk))!).payload!;
    const ps = points(payload);
    t.equal(ps.length, 8);
    const [req, , inflight, , temp, big, hist, exp] = ps;
    t.match(req, { resource: RESOURCE, serviceName: 'checkout', scopeName: 'fidelity-test', scopeVersion: '2.0.1', metricName: 'http.requests',
      description: 'http.requests described', unit: 'ms', type: 'sum', temporality, monotonic: true, value: 10,
      attributes: { route: '/pay', code: 200 }, startTimeUnixNano: 1700000000123456789n, timeUnixNano: 1700000010123456789n, flags: 0, exemplars: [] });
    t.match(inflight, { type: 'sum', monotonic: false, value: -3 });
    t.match(temp, { type: 'gauge', temporality: 'unspecified', value: 41.25, attributes: { core: 0 } });
    t.match(big, { value: 9007199254740991 });
    t.same(big!.attributes, {});
    t.match(hist, { type: 'histogram', temporality, count: 6, sum: 123.5, min: 0.5, max: 80, bucketCounts: [1, 0, 3, 2], explicitBounds: [5, 10, 25] });
    t.match(exp, { type: 'exponential_histogram', temporality, count: 7, sum: 300, min: 1, max: 200, scale: 3, zeroCount: 1,
      positive: { offset: -2, bucketCounts: [1, 2, 0, 3] } });
    t.equal(req!.value !== undefined && hist!.value === undefined, true, 'value only on numbers');
    for (const p of ps) t.equal(p.seriesId, seriesId(p.metricName, p.resource, p.attributes));
    t.equal(ps[0]!.resource, ps[7]!.resource, 'resource decoded once, shared');
  }
});

t.test('forEachDataPoint: summary, exemplars, flags, non-finite (hand-written JSON)', async (t) => {
  const ps = points(fromJson('metrics', JSON.stringify(FULL_METRICS_JSON)).payload!);
  t.same(ps.map((p) => p.type), ['summary', 'sum', 'histogram', 'exponential_histogram', 'gauge', 'gauge', 'gauge']);
  const [summary, jobs, size, exp, g0, g1, g2] = ps;
  t.match(summary, { metricName: 'rpc.latency', count: 2 ** 64, sum: 12.5, flags: 1, attributes: { q: 0.5 }, value: undefined });
  t.same(summary!.quantiles!.slice(0, 2), [{ quantile: 0, value: 0.1 }, { quantile: 0.99, value: Infinity }]);
  t.ok(Number.isNaN(summary!.quantiles![2]!.value));
  t.match(jobs, { temporality: 'cumulative', monotonic: true, value: -5 });
  t.same(jobs!.exemplars, [
    { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', value: 9007199254740992, timeUnixNano: 1700000005000000001n, filteredAttributes: { user: 'u1' } },
    { traceId: '', spanId: '', value: 0, timeUnixNano: 1n, filteredAttributes: {} },
  ]);
  t.match(size, { temporality: 'delta', count: 3, sum: 0, min: 0, max: 3, bucketCounts: [1, 2], explicitBounds: [1.5] });
  t.equal(size!.exemplars[0]!.value, -1.5);
  t.match(exp, { scale: -3, zeroCount: 1, zeroThreshold: 1e-9, flags: 1, positive: { offset: -4, bucketCounts: [1, 0, 2] },
    negative: { offset: 7, bucketCounts: [0] }, sum: undefined });
  t.equal(exp!.exemplars[0]!.traceId, '5b8efff798038103d269b633813fc60d');
  t.same([g0!.value, g1!.value, g2!.value], [0, -Infinity, 0]);
  t.equal(summary!.resource['service.name'], 'checkout');
});

t.test('series ids of the view: each on one partition of groupByPartition, in every request', async (t) => {
  const placed = new Map<string, number>();
  for (const temporality of [1, 0] as const) {
    const payload = decodeProtobuf('metrics', ProtobufMetricsSerializer.serializeRequest(makeSdkMetrics(temporality))!).payload!;
    let n = 0;
    for (const [partition, part] of groupByPartition(payload, 5, { by: 'series' })) {
      forEachDataPoint(part, (p) => {
        n++;
        if (!placed.has(p.seriesId)) placed.set(p.seriesId, partition);
        t.equal(placed.get(p.seriesId), partition, `series ${p.seriesId}`);
      });
    }
    t.equal(n, 8);
  }
});

t.test('forEachLogRecord', async (t) => {
  const payload = decodeProtobuf('logs', ProtobufLogsSerializer.serializeRequest(makeSdkLogs(4))!).payload!;
  const logs: LogRecordView[] = [];
  forEachLogRecord(payload, (l) => logs.push(l));
  t.equal(logs.length, 4);
  const [first, second] = logs;
  t.match(first, { resource: RESOURCE, serviceName: 'checkout', scopeName: 'fidelity-test', scopeVersion: '2.0.1', eventName: 'payment.retry',
    timeUnixNano: 1700000000123456789n, observedTimeUnixNano: 1700000000223456789n, severityNumber: 13, severityText: 'WARN',
    traceId: '', spanId: '', droppedAttributesCount: 0 });
  t.same(first!.body, { message: 'payment retry 0', nested: { depth: [1, 'two', { three: true }] }, raw: new Uint8Array([0, 1, 255]) });
  t.match(first!.attributes, { str: 'GET', empty: '', unicode: 'Grüße, 世界 ✓', int: 200, big: 9007199254740991, neg: -42, double: 0.25,
    bool: true, no: false, strs: ['a', 'b'], ints: [80, 443], mixed: [1, 'two', true, 2.5], seq: 0 });
  t.same(first!.attributes.bytes, new Uint8Array([0, 1, 2, 254, 255]));
  t.same(first!.attributes.kv, { tenant: 'acme', tier: 3, nested: { deep: [1, { x: 'y' }] } });
  t.match(second, { body: 'payment retry 1', eventName: '', traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', flags: 1,
    droppedAttributesCount: 1 });
  const big = fromJson('logs', JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ observedTimeUnixNano: '5',
    attributes: [{ key: 'i', value: { intValue: '-9007199254740993' } }, { key: '__proto__', value: { stringValue: 'x' } }] }] }] }] })).payload!;
  forEachLogRecord(big, (l) => {
    t.equal(l.attributes.i, -9007199254740993n, 'int64 beyond 2^53: bigint');
    t.equal(Object.getPrototypeOf(l.attributes), Object.prototype, '__proto__ key does not reach the prototype');
    t.equal(l.attributes.__proto__, 'x');
    t.equal(l.serviceName, undefined);
    t.equal(l.body, null);
  });
  t.equal(maxEventTime(big), 5n, 'observed time when the record has none');
});

t.test('forEachSpanDetailed agrees with forEachSpan and the JSON', async (t) => {
  const payload = decodeProtobuf('traces', ProtobufTraceSerializer.serializeRequest(makeSdkSpans(9))!).payload!;
  const light: unknown[] = [];
  forEachSpan(payload, (s) => light.push({ ...s, traceId: Buffer.from(s.traceId).toString('hex'), spanId: Buffer.from(s.spanId).toString('hex') }));
  const spans: SpanDetailView[] = [];
  forEachSpanDetailed(payload, (s) => spans.push(s));
  t.equal(spans.length, 9);
  const doc = JSON.parse(toJson(payload)) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
  const json = doc.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  spans.forEach((s, i) => {
    const j = json[i]!;
    t.match({ ...s, traceId: Buffer.from(s.traceId).toString('hex'), spanId: Buffer.from(s.spanId).toString('hex') }, light[i], 'light fields agree');
    t.equal(s.name, j.name);
    t.equal(Buffer.from(s.parentSpanId).toString('hex'), j.parentSpanId ?? '');
    t.equal(s.traceState, j.traceState ?? '');
    t.equal(s.flags, j.flags ?? 0);
    t.equal(s.statusMessage, (j.status as { message?: string }).message ?? '');
    t.equal(s.eventsCount, (j.events as unknown[] | undefined)?.length ?? 0);
    t.equal(s.linksCount, (j.links as unknown[] | undefined)?.length ?? 0);
    t.equal(s.droppedAttributesCount, j.droppedAttributesCount ?? 0);
    t.equal(s.droppedEventsCount, 3);
    t.same(Object.keys(s.attributes), (j.attributes as Array<{ key: string }>).map((a) => a.key));
    t.equal(s.attributes.seq, i % 2 ? Number(s.name.split('/')[2]) : s.attributes.seq);
    t.same(s.resource, RESOURCE);
  });
  t.equal(spans[0]!.statusMessage, 'deadlock detected');
});

t.test('maxEventTime', async (t) => {
  const traces = new Payload('traces', makeRealisticTraceRequest(64), 64);
  t.equal(maxEventTime(traces), 1700000000123456789n + 63n * 1_000_000n + 1_234_567n, 'latest span end');
  const metrics = fromJson('metrics', JSON.stringify(FULL_METRICS_JSON)).payload!;
  t.equal(maxEventTime(metrics), 1700000010123456789n);
  const logs = decodeProtobuf('logs', ProtobufLogsSerializer.serializeRequest(makeSdkLogs(4))!).payload!;
  t.equal(maxEventTime(logs), 1700000000123456792n, 'latest record time, not observed');
  t.equal(maxEventTime(new Payload('traces', new Uint8Array(0), 0)), 0n);
  const big = fromJson('metrics', JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'g', gauge: { dataPoints: [
    { timeUnixNano: '18446744073709551615', asInt: '1' }, { timeUnixNano: '4294967296', asInt: '1' }] } }] }] }] })).payload!;
  t.equal(maxEventTime(big), 18446744073709551615n);
});
