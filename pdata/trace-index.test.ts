/**
 * The trace index against the readers it stands in for: splitByKey's rebuilt request per trace
 * (pdata/tree) and the detailed span view's fields, on generated requests with several resources, scopes,
 * interleaved traces and unknown fields.
 */
import fc from 'fast-check';
import t from 'tap';
import { makeRealisticTraceRequest } from './bench.js';
import { decodeProtobuf } from './decode.js';
import { maxEventTime } from './event-time.js';
import { fromJson } from './json.js';
import { Payload } from './payload.js';
import { mergePayloads, splitByKey } from './records.js';
import { readKeyValues, type Attributes } from './any-value.js';
import { forEachSpanDetailed } from './span-detail.js';
import { indexTraces, runSize, spanName, splitTraces, writeRuns } from './trace-index.js';
import { eachField, uint64BigInt, Writer } from './wire.js';

interface SpanSpec { trace: number; root: boolean; status: number; flags: number; traceState: string; startMs: number; lengthMs: number }

const spanArb = fc.record({
  trace: fc.integer({ min: 1, max: 4 }),
  root: fc.boolean(),
  status: fc.integer({ min: 0, max: 2 }),
  flags: fc.integer({ min: 0, max: 0x3ff }),
  traceState: fc.constantFrom('', 'ot=th:8', 'vendor=x'),
  startMs: fc.integer({ min: 0, max: 10_000 }),
  lengthMs: fc.integer({ min: 0, max: 2_000 }),
});
const requestArb = fc.array(fc.record({
  schemaUrl: fc.constantFrom('', 'https://opentelemetry.io/schemas/1.26.0'),
  scopes: fc.array(fc.array(spanArb, { minLength: 0, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
}), { minLength: 1, maxLength: 3 });

type Request = Array<{ schemaUrl: string; scopes: SpanSpec[][] }>;

const T0 = 1_764_000_000_000n * 1_000_000n;
const nanos = (ms: number): string => (T0 + BigInt(ms) * 1_000_000n).toString();

function payloadOf(request: Request): Payload | null {
  let n = 0;
  const body = {
    resourceSpans: request.map((r, ri) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${ri}` } }] },
      schemaUrl: r.schemaUrl,
      scopeSpans: r.scopes.map((spans, si) => ({
        scope: { name: `scope-${si}` },
        spans: spans.map((s: SpanSpec) => ({
          traceId: s.trace.toString(16).padStart(32, '0'),
          spanId: (++n).toString(16).padStart(16, '0'),
          ...(s.root ? {} : { parentSpanId: '00000000000000aa' }),
          name: `op-${n}`, kind: 2,
          startTimeUnixNano: nanos(s.startMs), endTimeUnixNano: nanos(s.startMs + s.lengthMs),
          status: { code: s.status }, flags: s.flags, ...(s.traceState ? { traceState: s.traceState } : {}),
        })),
      })),
    })),
  };
  return fromJson('traces', JSON.stringify(body)).payload;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Per span in document order, what the detailed view (an independent decoder) reads. */
function factsByDetail(p: Payload): string[] {
  const out: string[] = [];
  forEachSpanDetailed(p, (s) => out.push(JSON.stringify([s.serviceName, hex(s.traceId), hex(s.spanId), s.name, s.kind, String(s.startTimeUnixNano), String(s.endTimeUnixNano),
    s.statusCode, s.traceState, s.flags, s.parentSpanId.every((x) => x === 0)])), false);
  return out;
}

function factsByIndex(p: Payload): string[] {
  const index = indexTraces(p);
  const b = index.bytes;
  const out: string[] = [];
  for (let i = 0; i < index.count; i++) {
    const resource = index.resources[index.resourceOf(i)]!;
    let attributes: Attributes = {};
    eachField(b, resource.start, resource.end, 1, (s, e) => { attributes = readKeyValues(b, s, e, 1, attributes); });
    const t = index.traceIdAt(i);
    const sp = index.spanIdAt(i);
    out.push(JSON.stringify([attributes['service.name'], hex(b.subarray(t, t + 16)), hex(b.subarray(sp, sp + 8)), index.name(i), index.kind(i),
      String(uint64BigInt(index.startLo(i), index.startHi(i))), String(uint64BigInt(index.endLo(i), index.endHi(i))),
      index.status(i), index.traceState(i), index.flags(i), index.isRoot(i)]));
  }
  return out;
}

t.test('each trace is written byte for byte as the tree builder writes it, and sized exactly', async (t) => {
  fc.assert(fc.property(requestArb, (request) => {
    const p = payloadOf(request);
    if (!p || p.itemCount === 0) return;
    const byTree = splitByKey(p);
    const byIndex = splitTraces(p);
    t.same(byIndex.map((x) => x.id), byTree.map((x) => x.id), 'the same traces in the same order');
    byIndex.forEach((x, k) => {
      const written = writeRuns([x.run]);
      t.same(Buffer.from(written.bytes), Buffer.from(byTree[k]!.payload.bytes), 'the same bytes');
      t.equal(written.itemCount, byTree[k]!.payload.itemCount);
      t.equal(x.run.sizeBytes, byTree[k]!.payload.bytes.length, 'runSize is the written size');
      t.same(Buffer.from(x.run.index.traceId(x.run.spans[0]!)), Buffer.from(byTree[k]!.key!));
    });
    const all = writeRuns(byIndex.map((x) => x.run));
    t.same(Buffer.from(all.bytes), Buffer.from(mergePayloads(byTree.map((x) => x.payload)).bytes), 'several runs: the requests concatenated');
    t.equal(decodeProtobuf('traces', all.bytes).payload?.itemCount, p.itemCount, 'a valid request');
  }), { numRuns: 300 });
});

t.test('the facts of each span are those the detailed view reads', async (t) => {
  fc.assert(fc.property(requestArb, (request) => {
    const p = payloadOf(request);
    if (!p) return;
    t.same(factsByIndex(p), factsByDetail(p));
  }), { numRuns: 300 });
});

t.test('a realistic request: 64 traces of 8 spans, facts and latest span end', async (t) => {
  const bytes = makeRealisticTraceRequest(512);
  const p = new Payload('traces', bytes, 512);
  const traces = splitTraces(p);
  t.equal(traces.length, 64);
  t.ok(traces.every((x) => x.run.spans.length === 8));
  t.same(factsByIndex(p), factsByDetail(p));
  t.equal(maxEventTime(p), maxEventTime(new Payload('traces', bytes, 512)), 'noted the latest span end');
});

t.test('a single run of a whole request is the request; unknown top-level fields are kept', async (t) => {
  const one = payloadOf([{ schemaUrl: '', scopes: [[{ trace: 1, root: true, status: 0, flags: 0, traceState: '', startMs: 0, lengthMs: 5 }]] }])!;
  const [only] = splitTraces(one);
  t.equal(writeRuns([only!.run]), one, 'the same payload, not a copy');

  // The same request with an unknown field (99, varint) at the top level, as a newer sender might write.
  const w = new Writer();
  w.raw(one.bytes);
  w.tag(99, 0);
  w.uint32(7);
  const withUnknown = new Payload('traces', w.finish(), 1);
  const [x] = splitTraces(withUnknown);
  t.equal(runSize(x!.run.index, x!.run.spans), withUnknown.bytes.length);
  const twice = writeRuns([x!.run, x!.run]);
  t.same(Buffer.from(twice.bytes), Buffer.concat([withUnknown.bytes, withUnknown.bytes]), 'field 99 copied with each run');
  t.equal(twice.itemCount, 2);
});

t.test('span names: the cached string is always the text of the bytes asked for', async (t) => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.constantFrom('GET /cart', 'SELECT orders.items 3', ''), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 200 })), { minLength: 1, maxLength: 30 }), (texts) => {
    // Several names in one buffer, each looked up twice, at different offsets.
    const parts = texts.map((x) => Buffer.from(x, 'utf8'));
    const b = new Uint8Array(Buffer.concat([...parts, ...parts]));
    let at = 0;
    for (const text of [...texts, ...texts]) {
      const n = Buffer.byteLength(text, 'utf8');
      t.equal(spanName(b, at, at + n), text);
      at += n;
    }
  }), { numRuns: 200 });
});
