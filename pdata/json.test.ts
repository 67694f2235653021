/** OTLP/JSON: 64-bit exactness both ways, malformed input, hostile nesting, responses. */
import t from 'tap';
import { invalid } from './decode.test-helpers.js';
import { decodeProtobuf } from './decode.js';
import { makeRealisticTraceRequest } from './bench.js';
import { fromJson, toJson, toJsonBytes } from './json.js';
import { BufferPool } from './buffer-pool.js';
import { Payload } from './payload.js';
import { Writer } from './wire.js';
import { encodeExportResponse, encodeStatus, exportResponseJson, statusJson } from './responses.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const request = (start: string, intValue: string, extra = ''): string =>
  `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"x"}}]},"scopeSpans":[{"spans":[` +
  `{"traceId":"${TRACE}","spanId":"eee19b7ec3c1b174","name":"n","kind":2,"startTimeUnixNano":${start},` +
  `"attributes":[{"key":"big","value":{"intValue":${intValue}}}]${extra}}]}]}]}`;

t.test('64-bit values are exact as strings and as bare number literals', async (t) => {
  for (const [start, int] of [['"1700000000123456789"', '"9007199254740993"'], ['1700000000123456789', '9007199254740993']]) {
    const { payload } = fromJson('traces', request(start!, int!));
    const out = toJson(payload!);
    t.match(out, '"startTimeUnixNano":"1700000000123456789"');
    t.match(out, '{"intValue":"9007199254740993"}');
    // and through protobuf again
    t.equal(toJson(decodeProtobuf('traces', payload!.bytes).payload!), out);
  }
  const neg = toJson(fromJson('traces', request('1', '-9223372036854775808')).payload!);
  t.match(neg, '{"intValue":"-9223372036854775808"}');
  t.match(toJson(fromJson('traces', request('"18446744073709551615"', '1')).payload!), '"startTimeUnixNano":"18446744073709551615"');
});

t.test('accepts proto field names, enum names, unknown fields, and body as bytes', async (t) => {
  const body = Buffer.from(request('1', '2', ',"unknown":{"a":[1,{"b":null}],"c":"d"},"status":{"code":"STATUS_CODE_ERROR"},"parent_span_id":""'));
  const out = JSON.parse(toJson(fromJson('traces', body).payload!));
  const span = out.resourceSpans[0].scopeSpans[0].spans[0];
  t.same(span.status, { code: 2 });
  t.notOk('parentSpanId' in span, 'empty defaults omitted');
  t.notOk('unknown' in span);
});

t.test('malformed JSON and bad values are InvalidInputError with a position', async (t) => {
  invalid(t, () => fromJson('traces', '{"resourceSpans":['), /invalid OTLP\/JSON at position 18/);
  invalid(t, () => fromJson('traces', '{"resourceSpans":[}'), /position 18/);
  invalid(t, () => fromJson('traces', '{"resourceSpans":[]} x'), /unexpected data after the request/);
  invalid(t, () => fromJson('traces', 'nope'), /expected '\{'/);
  invalid(t, () => fromJson('traces', request('"12a"', '1')), /must be an integer/);
  invalid(t, () => fromJson('traces', request('1', '1.5')), /must be an integer/);
  invalid(t, () => fromJson('traces', request('-1', '1')), /out of range/);
  invalid(t, () => fromJson('traces', request('1', '1').replace(TRACE, 'zz'.repeat(16))), /"traceId" must be hex/);
  invalid(t, () => fromJson('traces', request('1', '1').replace(TRACE, TRACE.slice(0, 10))), /trace_id must be 16 bytes, got 5/);
});

t.test('zero ids are rejected with partial success, as in protobuf', async (t) => {
  const res = fromJson('traces', request('1', '1').replace(TRACE, '0'.repeat(32)));
  t.equal(res.payload, null);
  t.equal(res.rejected, 1);
});

t.test('20 000-level nesting in JSON: an error, before any recursion', async (t) => {
  const depth = 20000;
  const value = '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(depth) + '{"stringValue":"x"}' + '}]}}'.repeat(depth);
  invalid(t, () => fromJson('traces', request('1', '1').replace('{"intValue":1}', value)), /attribute nested deeper than 100 levels/);
  // deep unknown fields are skipped without recursion
  const unknown = '['.repeat(depth) + ']'.repeat(depth);
  t.equal(fromJson('traces', request('1', '1', `,"junk":${unknown}`)).payload?.itemCount, 1);
});

t.test('doubles: NaN and infinities as strings', async (t) => {
  const body = request('1', '1').replace('{"intValue":1}', '{"doubleValue":"NaN"}');
  t.match(toJson(fromJson('traces', body).payload!), '{"doubleValue":"NaN"}');
  const inf = request('1', '1').replace('{"intValue":1}', '{"doubleValue":"-Infinity"}');
  t.match(toJson(fromJson('traces', inf).payload!), '{"doubleValue":"-Infinity"}');
});

t.test('export responses and statuses', async (t) => {
  t.equal(encodeExportResponse('traces', 0, '').length, 0);
  t.equal(exportResponseJson('traces', 0, ''), '{}');
  t.equal(exportResponseJson('metrics', 3, 'bad'), '{"partialSuccess":{"rejectedDataPoints":"3","errorMessage":"bad"}}');
  t.equal(exportResponseJson('logs', 1, ''), '{"partialSuccess":{"rejectedLogRecords":"1"}}');
  t.same([...encodeExportResponse('traces', 3, 'x')], [0x0a, 0x05, 0x08, 0x03, 0x12, 0x01, 0x78]);
  t.equal(statusJson(8, 'full', 1000), '{"code":8,"message":"full","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1s"}]}');
  t.match(statusJson(14, 'x', 1500), '"retryDelay":"1.500s"');
  const status = Buffer.from(encodeStatus(8, 'full', 1500));
  t.equal(status.subarray(0, 8).toString('hex'), '0808120466756c6c', 'code 8, message "full"');
  t.match(status.toString('latin1'), 'type.googleapis.com/google.rpc.RetryInfo');
  t.equal(status.subarray(status.length - 10).toString('hex'), '0a08080110' + '80cab5ee01', 'Duration{seconds: 1, nanos: 500000000}');
});

t.test('toJsonBytes is toJson as UTF-8 bytes, non-ASCII included', async (t) => {
  for (const value of ['plain', 'grüße ✓ 日本']) {
    const payload = fromJson('traces', Buffer.from(request('1', '2', `,"status":{"message":"${value}"}`))).payload!;
    t.same(toJsonBytes(payload), Buffer.from(toJson(payload), 'utf8'));
  }
});

t.test('strings: every escape at every offset of the 4-byte fast path, as JSON.stringify writes them', async (t) => {
  let bad = 0;
  let cases = 0;
  for (const special of ['"', '\\', '\n', '\r', '\t', '\u0001', '\u001f', ' ', '~', '\u007f', 'é', '✓']) {
    for (let len = 0; len <= 13; len++) {
      for (let at = 0; at < len; at++) {
        const name = 'abcdefghijklm'.slice(0, at) + special + 'nopqrstuvwxyz'.slice(0, len - at - 1);
        const payload = fromJson('traces', request('1', '2', `,"status":{"message":${JSON.stringify(name)}}`)).payload!;
        cases++;
        if (!toJson(payload).includes(`"status":{"message":${JSON.stringify(name)}}`)) bad++;
      }
    }
  }
  t.equal(bad, 0, `${cases} strings`);
});

t.test('attributes: the fast path and every layout it leaves to the generic writer', async (t) => {
  // empty key (a default, left out), no value, empty value, array, kvlist, bytes, double, escaped key,
  // two fields in one value, value before key: each written as the generic field loop writes it
  const attrs = '[{"key":"","value":{"stringValue":"x"}},{"key":"a"},{"key":"a","value":{}},' +
    '{"key":"a","value":{"arrayValue":{"values":[{"intValue":"1"},{"stringValue":""}]}}},' +
    '{"key":"a","value":{"kvlistValue":{"values":[{"key":"b","value":{"boolValue":false}}]}}},' +
    '{"key":"a","value":{"bytesValue":"AQI="}},{"key":"a","value":{"doubleValue":1.5}},{"key":"é\\"","value":{"intValue":"-3"}},' +
    '{"key":"a","value":{"stringValue":"x","intValue":"1"}},{"value":{"stringValue":"x"},"key":"a"}]';
  const want = '[{"value":{"stringValue":"x"}},{"key":"a"},{"key":"a","value":{}},' +
    '{"key":"a","value":{"arrayValue":{"values":[{"intValue":"1"},{"stringValue":""}]}}},' +
    '{"key":"a","value":{"kvlistValue":{"values":[{"key":"b","value":{"boolValue":false}}]}}},' +
    '{"key":"a","value":{"bytesValue":"AQI="}},{"key":"a","value":{"doubleValue":1.5}},{"key":"é\\"","value":{"intValue":"-3"}},' +
    '{"key":"a","value":{"stringValue":"x","intValue":"1"}},{"value":{"stringValue":"x"},"key":"a"}]';
  const logs = `{"resourceLogs":[{"resource":{"attributes":${attrs}},"scopeLogs":[{"logRecords":[{"timeUnixNano":"1",` +
    `"body":{"kvlistValue":{"values":${attrs}}},"attributes":${attrs}}]}]}]}`;
  t.equal(toJson(fromJson('logs', logs).payload!),
    `{"resourceLogs":[{"resource":{"attributes":${want}},"scopeLogs":[{"logRecords":[{"timeUnixNano":"1",` +
    `"body":{"kvlistValue":{"values":${want}}},"attributes":${want}}]}]}]}`);
});

t.test('BufferPool: a given-back buffer is written into again, and the output stays the same', async (t) => {
  const payload = new Payload('traces', makeRealisticTraceRequest(512), 512);
  const expected = toJsonBytes(payload).toString('utf8');
  const buffers = new BufferPool(2);
  const first = toJsonBytes(payload, buffers);
  t.equal(first.toString('utf8'), expected);
  buffers.give(first);
  t.equal(buffers.size, 1, 'kept');
  const second = toJsonBytes(payload, buffers);
  t.equal(second.buffer, first.buffer, 'the same memory, written again');
  t.equal(second.toString('utf8'), expected);
  t.equal(buffers.size, 0, 'taken while in use');
  const other = toJsonBytes(payload, buffers);
  t.not(other.buffer, second.buffer, 'a buffer in use is never handed out twice');
  for (const b of [second, other, toJsonBytes(payload)]) buffers.give(b);
  t.equal(buffers.size, 2, 'no more than it keeps');
  buffers.give(Buffer.from('small'));
  t.equal(buffers.size, 2, 'a small buffer (maybe cut from Node\'s shared pool) is not kept');
});

t.test('BufferPool never takes back memory it did not allocate (Node 24 cuts small Buffers from a 64 KiB pool)', async (t) => {
  const payload = new Payload('traces', makeRealisticTraceRequest(64), 64);
  const expected = toJsonBytes(payload).toString('utf8');
  const buffers = new BufferPool(4);
  // What a pool looks like: one large ArrayBuffer, a Buffer at its offset 0, others (someone's data) beside it.
  const pool = new ArrayBuffer(1 << 20);
  const atStart = Buffer.from(pool, 0, 4096);
  const neighbour = Buffer.from(pool, 4096, 4096).fill(7);
  buffers.give(atStart);
  buffers.give(Buffer.allocUnsafe(100));
  buffers.give(toJsonBytes(payload));
  t.equal(buffers.size, 0, 'none of them kept: not allocated by these buffers');
  for (let i = 0; i < 3; i++) {
    const out = toJsonBytes(payload, buffers);
    t.equal(out.toString('utf8'), expected);
    buffers.give(out);
  }
  t.ok(neighbour.every((b) => b === 7), 'the memory beside a given Buffer is untouched');
  t.equal(buffers.size, 1, 'its own buffer, kept and used again');
});

t.test('BufferPool: a buffer grown while writing is its own too, and given back', async (t) => {
  // 1,000 spans holding only dropped_attributes_count = 1: 4 bytes of protobuf, 29 of JSON each, past
  // the writer's first guess (3x), so it grows while writing.
  const span = Buffer.from([0x12, 0x02, 0x50, 0x01]);
  const field = (tag: number, body: Buffer): Buffer => { const w = new Writer(body.length + 8); w.tag(tag, 2); w.bytes(body); return Buffer.from(w.finish()); };
  const bytes = field(1, field(2, Buffer.concat(Array.from({ length: 1000 }, () => span))));
  const payload = new Payload('traces', bytes, 1000);
  const buffers = new BufferPool(4);
  const out = toJsonBytes(payload, buffers);
  t.ok(out.length > 3 * bytes.length, `grown: ${out.length} bytes of JSON from ${bytes.length}`);
  t.equal(out.toString('utf8'), toJson(payload));
  const outgrown = buffers.size;
  t.ok(outgrown >= 1, `the outgrown buffers given back at once (${outgrown})`);
  buffers.give(out);
  t.equal(buffers.size, outgrown + 1, 'and the grown one once written');
  t.equal(toJsonBytes(payload, buffers).buffer, out.buffer, 'which fits the next one at once');
});
