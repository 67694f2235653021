/** Payloads as Kafka messages: encodings, per-trace keys, splitting to max_message_bytes. */
import t from 'tap';
import { decodeProtobuf, forEachSpan, fromJson, toJson } from '../../pdata/index.js';
import { benchPayload, samplePayload } from '../exporterhelper/test-support.js';
import { toMessages, toRequests } from './encode.js';

t.test('otlp_proto is the payload bytes; otlp_json parses back to the same request', async (t) => {
  const p = await samplePayload('logs', 3);
  const [proto] = toMessages(p, 'otlp_proto', 1_000_000, false);
  t.ok(proto!.value.equals(Buffer.from(p.bytes)));
  t.equal(proto!.key, null);
  const [json] = toMessages(p, 'otlp_json', 1_000_000, false);
  t.equal(json!.value.toString('utf8'), toJson(p));
  t.same(toJson(fromJson('logs', json!.value).payload!), toJson(p));
});

t.test('partition_traces_by_id: one message per trace, keyed by the hex trace id', async (t) => {
  const p = benchPayload(40);
  const traces = new Map<string, number>();
  forEachSpan(p, (s) => { const id = Buffer.from(s.traceId).toString('hex'); traces.set(id, (traces.get(id) ?? 0) + 1); });
  t.ok(traces.size > 1, `the request holds ${traces.size} traces`);
  const messages = toMessages(p, 'otlp_proto', 1_000_000, true);
  t.equal(messages.length, traces.size);
  for (const m of messages) {
    const ids = new Set<string>();
    forEachSpan(decodeProtobuf('traces', m.value).payload!, (s) => ids.add(Buffer.from(s.traceId).toString('hex')));
    t.same([...ids], [m.key], 'every span of the message has the key\'s trace id');
    t.equal(m.items, traces.get(m.key!));
  }
  t.equal(toMessages(await samplePayload('logs', 2), 'otlp_proto', 1_000_000, true)[0]!.key, null, 'logs are not keyed');
});

t.test('a request over max_message_bytes is split at item boundaries; one item too large is permanent', async (t) => {
  const p = benchPayload(64);
  for (const encoding of ['otlp_proto', 'otlp_json'] as const) {
    const whole = toMessages(p, encoding, Number.MAX_SAFE_INTEGER, false)[0]!.value.length;
    const max = Math.ceil(whole / 5);
    const messages = toMessages(p, encoding, max, false);
    t.ok(messages.length >= 5 && messages.length <= 16, `${encoding}: ${messages.length} messages of at most ${max} bytes`);
    t.ok(messages.every((m) => m.value.length <= max), 'each within the limit');
    t.equal(messages.reduce((n, m) => n + m.items, 0), 64, 'no span lost');
  }
  t.throws(() => toMessages(p, 'otlp_proto', 100, false), { name: 'PermanentError', message: /more than producer::max_message_bytes \(100\)/ });
});

t.test('produce requests stay within max_message_bytes, whichever partition their records land on', async (t) => {
  const messages = toMessages(benchPayload(200), 'otlp_proto', 1_000_000, true);
  const total = messages.reduce((n, m) => n + m.value.length, 0);
  const max = Math.ceil(total / 4);
  const requests = toRequests(messages, max);
  t.ok(requests.length >= 4, `${messages.length} messages, ${total} bytes: ${requests.length} requests`);
  const size = (r: typeof messages): number => r.reduce((n, m) => n + m.value.length + Buffer.byteLength(m.key!) + 32, 0);
  t.ok(requests.every((r) => size(r) <= max), 'each within the limit, keys and record overhead included');
  t.same(requests.flat(), messages, 'every message once, in order');
  t.same(toRequests(messages, Number.MAX_SAFE_INTEGER), [messages], 'one request when all fit');
});
