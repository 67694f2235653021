/**
 * Round-trip fidelity against the OpenTelemetry JS transformer: its protobuf is accepted and counted,
 * our JSON of it equals its JSON (semantically), and its JSON parsed by us gives the same payload.
 */
import {
  JsonLogsSerializer, JsonMetricsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import t, { type Test } from 'tap';
import { normalize } from '../test/otlp-compare.js';
import { decodeProtobuf } from './decode.js';
import { fromJson, toJson } from './json.js';
import type { Signal } from './payload.js';
import { FULL_METRICS_JSON, makeSdkLogs, makeSdkMetrics, makeSdkSpans } from './test-fixtures.js';

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

function roundTrip(t: Test, signal: Signal, proto: Uint8Array, json: Uint8Array, items: number): void {
  const decoded = decodeProtobuf(signal, proto);
  t.equal(decoded.rejected, 0);
  t.equal(decoded.payload?.itemCount, items, 'items counted');
  const ours = toJson(decoded.payload!);
  t.notOk(ours.includes('\n'), 'one line');
  t.same(normalize(JSON.parse(ours)), normalize(JSON.parse(text(json))), 'toJson equals the transformer JSON');
  const parsed = fromJson(signal, json);
  t.equal(parsed.payload?.itemCount, items);
  // The transformer's JSON orders fields differently and its protobuf writes some zero values: compare semantically.
  t.same(normalize(JSON.parse(toJson(parsed.payload!))), normalize(JSON.parse(ours)), 'fromJson(transformer JSON) equals the protobuf path');
  const again = fromJson(signal, ours).payload!;
  t.equal(toJson(again), ours, 'toJson → fromJson → toJson is exact');
}

t.test('traces', async (t) => {
  const spans = makeSdkSpans(9);
  roundTrip(t, 'traces', ProtobufTraceSerializer.serializeRequest(spans)!, JsonTraceSerializer.serializeRequest(spans)!, 9);
  const json = JSON.parse(toJson(decodeProtobuf('traces', ProtobufTraceSerializer.serializeRequest(spans)!).payload!));
  const span = json.resourceSpans[0].scopeSpans[0].spans[0];
  t.equal(span.startTimeUnixNano, '1700000000123456789', '64-bit timestamp exact');
  t.equal(span.traceId, '5b8efff798038103d269b633813fc60a', 'hex trace id');
  t.equal(span.traceState, 'vendor1=value1,vendor2=value2');
  t.equal(span.flags, 256, 'span flags');
  t.same(span.attributes.find((a: { key: string }) => a.key === 'bytes').value, { bytesValue: 'AAEC/v8=' });
  t.match(span.attributes.find((a: { key: string }) => a.key === 'kv').value, { kvlistValue: { values: [{ key: 'tenant' }] } });
});

for (const temporality of [0, 1] as const) {
  t.test(`metrics, temporality ${temporality}`, async (t) => {
    const rm = makeSdkMetrics(temporality);
    roundTrip(t, 'metrics', ProtobufMetricsSerializer.serializeRequest(rm)!, JsonMetricsSerializer.serializeRequest(rm)!, 8);
  });
}

t.test('logs', async (t) => {
  const logs = makeSdkLogs(4);
  roundTrip(t, 'logs', ProtobufLogsSerializer.serializeRequest(logs)!, JsonLogsSerializer.serializeRequest(logs)!, 4);
  const json = JSON.parse(toJson(decodeProtobuf('logs', ProtobufLogsSerializer.serializeRequest(logs)!).payload!));
  t.equal(json.resourceLogs[0].scopeLogs[0].logRecords[0].eventName, 'payment.retry');
});

t.test('summary, exemplars, flags, entity refs, non-finite doubles (hand-written JSON)', async (t) => {
  const body = JSON.stringify(FULL_METRICS_JSON);
  const parsed = fromJson('metrics', body);
  t.equal(parsed.payload?.itemCount, 7, 'summary 1 + sum 1 + histogram 1 + exponential 1 + gauge 3');
  const out = toJson(parsed.payload!);
  t.same(normalize(JSON.parse(out)), normalize(FULL_METRICS_JSON));
  // protobuf → JSON → protobuf is stable
  const again = fromJson('metrics', out);
  t.same(again.payload!.bytes, parsed.payload!.bytes);
  t.match(out, '"count":"18446744073709551615"');
  t.match(out, '"asInt":"9007199254740993"');
  t.match(out, '{"quantile":0.99,"value":"Infinity"}');
  t.match(out, '"value":"NaN"');
  t.match(out, '"asDouble":0', 'a oneof value of 0 is kept');
  t.match(out, '"sum":0', 'an optional value of 0 is kept');
  t.match(out, '"scale":-3');
});
