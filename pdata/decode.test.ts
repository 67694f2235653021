/** Validation of protobuf requests: malformed input is an InvalidInputError, zero ids are rejected one by one. */
import t from 'tap';
import { invalid } from './decode.test-helpers.js';
import { makeRealisticTraceRequest } from './bench.js';
import { decodeProtobuf } from './decode.js';
import { toJson } from './json.js';
import { Writer } from './wire.js';

const msg = (w: Writer, no: number, body: () => void): void => {
  w.tag(no, 2);
  const at = w.beginLength();
  body();
  w.endLength(at);
};

/** A request of spans with the given (trace id, span id) pairs. */
function spans(ids: Array<[Uint8Array, Uint8Array]>): Uint8Array {
  const w = new Writer();
  msg(w, 1, () => msg(w, 2, () => {
    for (const [trace, span] of ids) msg(w, 2, () => { w.tag(1, 2); w.bytes(trace); w.tag(2, 2); w.bytes(span); w.tag(5, 2); w.string('s'); });
  }));
  return w.finish();
}

const id = (n: number, len: number): Uint8Array => new Uint8Array(len).fill(n);

t.test('counts spans and passes the input bytes through, even from a Buffer slice', async (t) => {
  const req = makeRealisticTraceRequest(64);
  const pool = Buffer.alloc(req.length + 100);
  pool.set(req, 37);
  const slice = pool.subarray(37, 37 + req.length);
  const { payload, rejected } = decodeProtobuf('traces', slice);
  t.equal(rejected, 0);
  t.equal(payload?.itemCount, 64);
  t.equal(payload?.bytes, slice, 'no copy');
});

t.test('malformed input', async (t) => {
  const good = makeRealisticTraceRequest(4);
  for (let cut = 1; cut < good.length; cut += 97) {
    invalid(t, () => decodeProtobuf('traces', good.subarray(0, cut)), /./, `truncated at ${cut}`);
  }
  invalid(t, () => decodeProtobuf('traces', Uint8Array.from([0x08, 0x01])), /field 1 \(resource_spans\) has wire type 0, expected 2/);
  invalid(t, () => decodeProtobuf('traces', Uint8Array.from([0x0a, 0x05, 0x00])), /length 5 exceeds the 1 bytes left/);
  invalid(t, () => decodeProtobuf('traces', Uint8Array.from([0x7f])), /invalid wire type 7/);
  invalid(t, () => decodeProtobuf('traces', Uint8Array.from([0x0a, 0x80])), /truncated varint/);
  invalid(t, () => decodeProtobuf('traces', spans([[id(1, 16), id(1, 8)], [id(1, 5), id(1, 8)]])),
    /^span 1 of scope 0 of resource 0: trace_id must be 16 bytes, got 5$/);
  invalid(t, () => decodeProtobuf('traces', spans([[id(1, 16), id(1, 3)]])), /span_id must be 8 bytes, got 3/);
  invalid(t, () => decodeProtobuf('metrics', Uint8Array.from([0x0a, 0x02, 0x1a, 0x05])));
  invalid(t, () => decodeProtobuf('logs', Uint8Array.from([0x00])), /field number 0/);
});

t.test('unknown fields of every wire type are skipped', async (t) => {
  const w = new Writer();
  w.tag(99, 0); w.varint64(0xffffffff, 0xffffffff);
  w.tag(98, 1); w.fixed64(1, 2);
  w.tag(97, 5); w.fixed32(3);
  w.tag(96, 2); w.string('x');
  w.tag(95, 3); w.tag(1, 0); w.uint32(1); w.tag(95, 4);
  const req = Buffer.concat([w.finish(), spans([[id(1, 16), id(2, 8)]])]);
  t.equal(decodeProtobuf('traces', req).payload?.itemCount, 1);
});

t.test('spans with all-zero ids are rejected individually', async (t) => {
  const req = spans([[id(1, 16), id(1, 8)], [id(0, 16), id(1, 8)], [id(2, 16), id(0, 8)], [id(3, 16), id(3, 8)]]);
  const { payload, rejected, rejectMessage } = decodeProtobuf('traces', req);
  t.equal(rejected, 2);
  t.match(rejectMessage, /2 span\(s\) rejected.*all zeros \(first: span 1 of scope 0 of resource 0\)/);
  t.equal(payload?.itemCount, 2);
  const json = JSON.parse(toJson(payload!));
  t.same(json.resourceSpans[0].scopeSpans[0].spans.map((s: { traceId: string }) => s.traceId), ['01'.repeat(16), '03'.repeat(16)]);
  t.equal(decodeProtobuf('traces', payload!.bytes).payload?.itemCount, 2, 'the rebuilt request is valid');
  const all = decodeProtobuf('traces', spans([[id(0, 16), id(1, 8)]]));
  t.same({ payload: all.payload, rejected: all.rejected }, { payload: null, rejected: 1 });
});

t.test('20 000-level nested kvlist: an error, not a stack overflow', async (t) => {
  // Built inside out: AnyValue{kvlist_value: KeyValueList{values: KeyValue{key, value: AnyValue{...}}}}
  let inner: Uint8Array = Uint8Array.from([0x0a, 0x01, 0x78]); // AnyValue{string_value: "x"}
  for (let i = 0; i < 20000; i++) {
    const kv = new Writer(inner.length + 16);
    kv.tag(1, 2); kv.string('k'); kv.tag(2, 2); kv.bytes(inner);
    const list = new Writer(inner.length + 16);
    list.tag(1, 2); list.bytes(kv.finish());
    const any = new Writer(inner.length + 16);
    any.tag(6, 2); any.bytes(list.finish());
    inner = any.finish();
  }
  const w = new Writer(inner.length + 64);
  msg(w, 1, () => msg(w, 1, () => msg(w, 1, () => { w.tag(1, 2); w.string('deep'); w.tag(2, 2); w.bytes(inner); })));
  invalid(t, () => decodeProtobuf('traces', w.finish()), /attribute nested deeper than 100 levels/);
});

t.test('an attribute of one scalar value: accepted at 100 levels of nesting, refused at 101, as with the frames', async (t) => {
  const nested = (levels: number): Uint8Array => {
    let inner: Uint8Array = Uint8Array.from([0x0a, 0x01, 0x78]); // AnyValue{string_value: "x"}
    for (let i = 0; i < levels; i++) {
      const kv = new Writer(inner.length + 16);
      kv.tag(1, 2); kv.string('k'); kv.tag(2, 2); kv.bytes(inner);
      const list = new Writer(inner.length + 16);
      list.tag(1, 2); list.bytes(kv.finish());
      const any = new Writer(inner.length + 16);
      any.tag(6, 2); any.bytes(list.finish());
      inner = any.finish();
    }
    const w = new Writer(inner.length + 64);
    msg(w, 1, () => msg(w, 1, () => msg(w, 1, () => { w.tag(1, 2); w.string('deep'); w.tag(2, 2); w.bytes(inner); })));
    return w.finish();
  };
  t.doesNotThrow(() => decodeProtobuf('traces', nested(99)));
  invalid(t, () => decodeProtobuf('traces', nested(100)), /attribute nested deeper than 100 levels/);
});

t.test('attributes: every malformed or unusual layout is judged as the frames judge it', async (t) => {
  const attr = (kv: number[]): Uint8Array => Uint8Array.from([0x0a, kv.length + 4, 0x0a, kv.length + 2, 0x0a, kv.length, ...kv]);
  // ResourceSpans{Resource{attributes: <kv>}}
  const ok = [
    [0x0a, 1, 0x6b, 0x12, 3, 0x0a, 1, 0x76], [0x0a, 1, 0x6b, 0x12, 2, 0x0a, 0], [0x0a, 1, 0x6b, 0x12, 2, 0x10, 1],
    [0x0a, 1, 0x6b, 0x12, 11, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
    [0x0a, 1, 0x6b, 0x12, 9, 0x21, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f], [0x12, 3, 0x0a, 1, 0x76, 0x0a, 1, 0x6b],
    [0x0a, 0, 0x12, 3, 0x0a, 1, 0x76], [0x0a, 1, 0x6b, 0x12, 0], [0x0a, 1, 0x6b], [0x0a, 1, 0x6b, 0x12, 4, 0x10, 1, 0x18, 2],
  ];
  for (const kv of ok) t.doesNotThrow(() => decodeProtobuf('traces', attr(kv)), Buffer.from(kv).toString('hex'));
  const bad: [number[], RegExp][] = [
    [[0x0a, 1, 0x6b, 0x12, 12, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], /varint longer than 10 bytes/],
    [[0x0a, 1, 0x6b, 0x12, 3, 0x18, 0x80, 0x80], /truncated varint/],
    [[0x0a, 1, 0x6b, 0x12, 8, 0x21, 0, 0, 0, 0, 0, 0, 0], /truncated/],
    [[0x0a, 1, 0x6b, 0x12, 3, 0x0a, 2, 0x76], /length 2 exceeds/],
    [[0x0a, 1, 0x6b, 0x12, 2, 0x11, 1], /wire type 1, expected 0/],
  ];
  for (const [kv, why] of bad) invalid(t, () => decodeProtobuf('traces', attr(kv)), why);
});
