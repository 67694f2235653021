/** The builders write valid requests equal to the expected OTLP/JSON and to what the OpenTelemetry JS SDK serialises. */
import { ProtobufLogsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import t from 'tap';
import { normalize } from '../test/otlp-compare.js';
import { invalid } from './decode.test-helpers.js';
import { decodeProtobuf } from './decode.js';
import { toJson } from './json.js';
import { forEachLogRecord, type LogRecordView } from './log-view.js';
import { LogsBuilder } from './logs-builder.js';
import { forEachDataPoint, type DataPointView } from './metric-view.js';
import { MetricsBuilder } from './metrics-builder.js';
import type { Payload } from './payload.js';
import { seriesId } from './series.js';
import { ALL_ATTRIBUTES, makeSdkLogs, makeSdkMetrics } from './test-fixtures.js';

const RESOURCE = { 'service.name': 'checkout', 'service.version': '1.4.2', 'host.name': 'node-7', 'process.pid': 4242,
  'deployment.environment': 'test', 'cloud.region': 'eu-west-1', 'k8s.pod.uid': 'c0ffee', 'telemetry.sdk.language': 'nodejs' };
const SCOPE = { name: 'fidelity-test', version: '2.0.1', schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' };

/** The payload re-validated by the decoder, as OTLP/JSON. */
function json(p: Payload | null): unknown {
  const decoded = decodeProtobuf(p!.signal, p!.bytes);
  if (decoded.payload?.itemCount !== p!.itemCount) throw new Error(`decoder counted ${decoded.payload?.itemCount}, builder ${p!.itemCount}`);
  return JSON.parse(toJson(decoded.payload));
}

t.test('MetricsBuilder writes what the SDK writes for the same metrics', async (t) => {
  const b = new MetricsBuilder();
  const s = b.scope(RESOURCE, SCOPE);
  const start = 1700000000123456789n;
  const at = (i: number): bigint => 1700000010123456789n + BigInt(i);
  const attrs = (i: number) => ({ route: i % 2 ? '/cart' : '/pay', code: 200 + i });
  const metric = (name: string) => ({ name, description: `${name} described`, unit: 'ms', temporality: 'cumulative' as const });
  s.sum({ ...metric('http.requests'), monotonic: true }, { attributes: attrs(0), startTimeUnixNano: start, timeUnixNano: at(0), value: 10 });
  s.sum({ ...metric('http.requests'), monotonic: true }, { attributes: attrs(1), startTimeUnixNano: start, timeUnixNano: at(1), value: 20 });
  s.sum({ ...metric('http.inflight'), monotonic: false }, { attributes: attrs(0), startTimeUnixNano: start, timeUnixNano: at(0), value: -3 });
  s.sum({ ...metric('http.inflight'), monotonic: false }, { attributes: attrs(1), startTimeUnixNano: start, timeUnixNano: at(1), value: 2.5 });
  const gauge = { name: 'cpu.temperature', description: 'cpu.temperature described', unit: 'ms' };
  s.gauge(gauge, { attributes: { core: 0 }, startTimeUnixNano: start, timeUnixNano: at(0), value: 41.25 });
  s.gauge(gauge, { startTimeUnixNano: start, timeUnixNano: at(1), value: 9007199254740991 });
  s.histogram(metric('http.latency'), { attributes: attrs(0), startTimeUnixNano: start, timeUnixNano: at(0), count: 6, sum: 123.5, min: 0.5, max: 80,
    bucketCounts: [1, 0, 3, 2], explicitBounds: [5, 10, 25] });
  s.exponentialHistogram(metric('payload.size'), { attributes: attrs(0), startTimeUnixNano: start, timeUnixNano: at(0), count: 7, sum: 300, min: 1,
    max: 200, scale: 3, zeroCount: 1, positive: { offset: -2, bucketCounts: [1, 2, 0, 3] }, negative: { offset: 0, bucketCounts: [] } });
  t.equal(b.pointCount, 8);
  const ours = json(b.build());
  const sdk = json(decodeProtobuf('metrics', ProtobufMetricsSerializer.serializeRequest(makeSdkMetrics(1))!).payload);
  t.same(normalize(ours), normalize(sdk), 'same OTLP/JSON as the SDK transformer');
});

t.test('MetricsBuilder: exact OTLP/JSON with exemplars, ints, grouping by resource and scope', async (t) => {
  const b = new MetricsBuilder();
  const m = { name: 'calls', unit: '1', temporality: 'delta' as const, monotonic: true };
  b.scope({ 'service.name': 'a', pid: 1 }, { name: 'vigil' }).sum(m, { attributes: { op: 'GET', ok: true, tags: ['x', 2], n: null, skip: undefined },
    timeUnixNano: 5n, value: -7n, flags: 1,
    exemplars: [{ value: 1.5, timeUnixNano: 4n, traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', filteredAttributes: { u: 'x' } }] });
  b.scope({ pid: 1, 'service.name': 'a' }, { name: 'vigil' }).sum(m, { timeUnixNano: 6n, value: 2 });
  b.scope({ 'service.name': 'b' }, { name: 'vigil', version: '1' }).exponentialHistogram({ name: 'e', temporality: 'delta' },
    { timeUnixNano: 7n, count: 3, scale: -2, zeroCount: 0, zeroThreshold: 0.001, negative: { offset: -1, bucketCounts: [2, 0, 1] } });
  const expected = { resourceMetrics: [
    { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'a' } }, { key: 'pid', value: { intValue: '1' } }] },
      scopeMetrics: [{ scope: { name: 'vigil' }, metrics: [{ name: 'calls', unit: '1', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [
        { attributes: [{ key: 'op', value: { stringValue: 'GET' } }, { key: 'ok', value: { boolValue: true } },
          { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: '2' }] } } }, { key: 'n', value: {} }],
        timeUnixNano: '5', asInt: '-7', flags: 1, exemplars: [{ filteredAttributes: [{ key: 'u', value: { stringValue: 'x' } }], timeUnixNano: '4', asDouble: 1.5,
          spanId: 'eee19b7ec3c1b174', traceId: '5b8efff798038103d269b633813fc60c' }] },
        { timeUnixNano: '6', asDouble: 2 }] } }] }] },
    { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'b' } }] },
      scopeMetrics: [{ scope: { name: 'vigil', version: '1' }, metrics: [{ name: 'e', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [
        { timeUnixNano: '7', count: '3', scale: -2, zeroThreshold: 0.001, negative: { offset: -1, bucketCounts: ['2', '0', '1'] } }] } }] }] },
  ] };
  const built = b.build()!;
  t.same(json(built), expected, 'exactly the expected OTLP/JSON');
  const views: DataPointView[] = [];
  forEachDataPoint(built, (p) => views.push(p));
  t.equal(views[0]!.seriesId, seriesId('calls', { 'service.name': 'a', pid: 1 }, { op: 'GET', ok: true, tags: ['x', 2], n: null }),
    'the series id a processor computes from its own values is the one read back');
  t.same(views[2]!.negative, { offset: -1, bucketCounts: [2, 0, 1] });
  t.equal(new MetricsBuilder().build(), null, 'nothing added: null');
  invalid(t, () => { const e = new MetricsBuilder(); e.scope({}, { name: 's' }).gauge({ name: 'g' }, { timeUnixNano: 1n, value: 1, exemplars: [{ value: 1, timeUnixNano: 1n, traceId: 'abc' }] }); e.build(); },
    /exemplar trace id must be 16 bytes/);
  t.throws(() => { const e = new MetricsBuilder(); e.scope({}, { name: 's' }).histogram({ name: 'h', temporality: 'delta' }, { timeUnixNano: 1n, count: 1, bucketCounts: [1], explicitBounds: [1] }); e.build(); },
    { name: 'RangeError', message: /1 bucket counts for 1 bounds/ });
});

t.test('LogsBuilder writes what the SDK writes for the same records', async (t) => {
  const b = new LogsBuilder();
  const s = b.scope(RESOURCE, SCOPE);
  for (let i = 0; i < 4; i++) {
    s.add({
      timeUnixNano: 1700000000123456789n + BigInt(i), observedTimeUnixNano: 1700000000223456789n, severityNumber: 13, severityText: 'WARN',
      body: i % 2 ? `payment retry ${i}` : { message: `payment retry ${i}`, nested: { depth: [1, 'two', { three: true }] }, raw: new Uint8Array([0, 1, 255]) },
      attributes: { ...(ALL_ATTRIBUTES as Record<string, never>), seq: i }, droppedAttributesCount: i,
      ...(i % 2 ? { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', flags: 1 } : {}),
      ...(i === 0 ? { eventName: 'payment.retry' } : {}),
    });
  }
  t.equal(b.recordCount, 4);
  const ours = json(b.build());
  const sdk = json(decodeProtobuf('logs', ProtobufLogsSerializer.serializeRequest(makeSdkLogs(4))!).payload);
  t.same(normalize(ours), normalize(sdk), 'same OTLP/JSON as the SDK transformer');
});

t.test('LogsBuilder: an anomaly event, read back', async (t) => {
  const b = new LogsBuilder();
  b.scope({ 'service.name': 'vigil' }, { name: 'vigil.anomaly', version: '0.1.0' }).add({
    eventName: 'vigil.anomaly', timeUnixNano: 1700000010000000000n, severityNumber: 13, severityText: 'WARN',
    attributes: { 'series.id': '0123456789abcdef', value: 12.5, expected: 3, bounds: [1, 5.5], evidence: { trace_ids: ['5b8e'] } },
  });
  const built = b.build()!;
  t.same(json(built), { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'vigil' } }] },
    scopeLogs: [{ scope: { name: 'vigil.anomaly', version: '0.1.0' }, logRecords: [{ timeUnixNano: '1700000010000000000', severityNumber: 13,
      severityText: 'WARN', attributes: [{ key: 'series.id', value: { stringValue: '0123456789abcdef' } }, { key: 'value', value: { doubleValue: 12.5 } },
        { key: 'expected', value: { intValue: '3' } }, { key: 'bounds', value: { arrayValue: { values: [{ intValue: '1' }, { doubleValue: 5.5 }] } } },
        { key: 'evidence', value: { kvlistValue: { values: [{ key: 'trace_ids', value: { arrayValue: { values: [{ stringValue: '5b8e' }] } } }] } } }],
      observedTimeUnixNano: '1700000010000000000', eventName: 'vigil.anomaly' }] }] }] });
  const read: LogRecordView[] = [];
  forEachLogRecord(built, (r) => read.push(r));
  t.match(read[0], { eventName: 'vigil.anomaly', serviceName: 'vigil', attributes: { value: 12.5, expected: 3, bounds: [1, 5.5], evidence: { trace_ids: ['5b8e'] } } });
  invalid(t, () => { const e = new LogsBuilder(); e.scope({}, { name: 's' }).add({ timeUnixNano: 1n, spanId: new Uint8Array(4) }); e.build(); }, /span id must be 8 bytes/);
});
