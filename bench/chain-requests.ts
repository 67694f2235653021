/**
 * The requests of the analytics chain scenarios (span_metrics + tail_sampling): whole traces of 10
 * spans, 50 per request, shaped like the realistic request (8 resource attributes, 10 attributes and
 * 2 events per span) but with what makes the sampling policies mean something: every tenth trace is
 * slow (its root lasts 800 ms, past the 500 ms latency policy), every tenth has a span with status
 * ERROR, the rest are fast and OK (kept only by the 10 % probabilistic policy). Each send gets a copy
 * with trace ids never used before (a sampler must never see a trace again) and timestamps moved to
 * the wall clock (vigil decides on event time; a fixed past time would never advance it).
 */
import { randomBytes } from 'node:crypto';
import { Reader, Writer } from '../pdata/wire.js';

/** Spans per trace, and traces per request. */
export const CHAIN_SPANS_PER_TRACE = 10;
export const CHAIN_TRACES_PER_REQUEST = 50;
/** Root duration of a slow trace, and of every other trace. */
export const SLOW_MS = 800;
const FAST_MS = 40;
/** The share of traces every run keeps for sure: the slow tenth and the erroneous tenth. */
export const FORCED_SHARE = 0.2;

type Attr = [key: string, value: string | bigint | boolean | number];

const RESOURCE: Attr[] = [
  ['service.name', 'checkout'], ['service.version', '1.4.2'], ['service.instance.id', '7f3c9a2e-1b44-4c1e-9f0a-2d5e8b6c4a10'],
  ['deployment.environment', 'production'], ['host.name', 'ip-10-0-12-34.eu-west-1.compute.internal'],
  ['process.pid', 4242n], ['telemetry.sdk.language', 'nodejs'], ['telemetry.sdk.version', '2.12.1'],
];
/** Template timestamps are BASE_NS + offset; a send adds (now − BASE_NS). */
const BASE_NS = 1_700_000_000_000_000_000n;
const MS = 1_000_000n;

/** Whether trace `t` (0-based, within a request) is slow, or carries an ERROR span. */
export const isSlow = (t: number): boolean => t % 10 === 0;
export const isError = (t: number): boolean => t % 10 === 5;

function nested(w: Writer, no: number, body: () => void): void {
  w.tag(no, 2);
  const at = w.beginLength();
  body();
  w.endLength(at);
}

function attribute(w: Writer, no: number, [key, value]: Attr): void {
  nested(w, no, () => {
    w.tag(1, 2);
    w.string(key);
    nested(w, 2, () => {
      if (typeof value === 'string') { w.tag(1, 2); w.string(value); }
      else if (typeof value === 'boolean') { w.tag(2, 0); w.uint32(value ? 1 : 0); }
      else if (typeof value === 'bigint') { w.tag(3, 0); w.varint64(Number(value & 0xffffffffn), Number(value >> 32n)); }
      else { w.tag(4, 1); w.double(value); }
    });
  });
}

function fixed64(w: Writer, no: number, v: bigint): void {
  w.tag(no, 1);
  w.fixed64(Number(v & 0xffffffffn), Number(v >> 32n));
}

/** One span of trace `t`: `i` 0 is the root (SERVER), 1..9 its children (CLIENT), all inside the root's time. */
function span(w: Writer, t: number, i: number): void {
  const traceId = Buffer.alloc(16);
  traceId.writeUInt32BE(t + 1, 12);
  const spanId = Buffer.alloc(8);
  spanId.writeUInt32BE(t + 1, 0);
  spanId.writeUInt32BE(i + 1, 4);
  const durMs = BigInt(isSlow(t) ? SLOW_MS : FAST_MS);
  // Every trace ends within the last 5 ms before the request is sent.
  const rootEnd = BASE_NS - BigInt(t) * 100_000n;
  const rootStart = rootEnd - durMs * MS;
  const slot = (durMs * MS) / 10n;
  const start = i === 0 ? rootStart : rootStart + BigInt(i) * slot;
  const end = i === 0 ? rootEnd : start + slot - 1000n;
  const error = isError(t) && i === 3;
  nested(w, 2, () => {
    w.tag(1, 2); w.bytes(traceId);
    w.tag(2, 2); w.bytes(spanId);
    if (i > 0) { const parent = Buffer.from(spanId); parent.writeUInt32BE(1, 4); w.tag(4, 2); w.bytes(parent); }
    w.tag(5, 2); w.string(i === 0 ? 'GET /api/v1/cart/{id}' : `SELECT orders.items ${i}`);
    w.tag(6, 0); w.uint32(i === 0 ? 2 : 3);
    fixed64(w, 7, start);
    fixed64(w, 8, end);
    const attrs: Attr[] = [
      ['http.request.method', 'GET'], ['http.response.status_code', error ? 500n : 200n], ['url.path', `/api/v1/cart/${t}`],
      ['server.address', 'checkout.internal'], ['server.port', 8080n], ['network.protocol.version', '1.1'],
      ['user_agent.original', 'Mozilla/5.0 (X11; Linux x86_64)'], ['http.route', '/api/v1/cart/{id}'],
      ['cache.hit', i % 3 === 0], ['load.ratio', 0.25 + i / 1000],
    ];
    for (const a of attrs) attribute(w, 9, a);
    for (let e = 0; e < 2; e++) {
      nested(w, 11, () => {
        fixed64(w, 1, start + BigInt(e + 1) * 100_000n);
        w.tag(2, 2); w.string(e === 0 ? 'cache.lookup' : 'db.query.done');
        attribute(w, 3, ['event.seq', BigInt(e)]);
      });
    }
    // Status: code 2 (ERROR) with a message, else 1 (OK).
    nested(w, 15, () => { if (error) { w.tag(2, 2); w.string('connection reset'); } w.tag(3, 0); w.uint32(error ? 2 : 1); });
  });
}

/** The template request: `traces` traces of 10 spans, in one resource and scope. */
export function makeChainTemplate(traces = CHAIN_TRACES_PER_REQUEST): Uint8Array {
  const w = new Writer(traces * CHAIN_SPANS_PER_TRACE * 800);
  nested(w, 1, () => {
    nested(w, 1, () => { for (const a of RESOURCE) attribute(w, 1, a); });
    nested(w, 2, () => {
      nested(w, 1, () => { w.tag(1, 2); w.string('@opentelemetry/instrumentation-http'); w.tag(2, 2); w.string('0.52.1'); });
      for (let t = 0; t < traces; t++) for (let i = 0; i < CHAIN_SPANS_PER_TRACE; i++) span(w, t, i);
    });
  });
  return w.finish();
}

/** Where a send patches the template: the first byte of every span's trace id, and of every timestamp. */
export interface PatchTable {
  traceIds: number[];
  times: number[];
}

/** Walks ResourceSpans → ScopeSpans → Span (and its events) and records the offsets to patch. */
export function patchTable(b: Uint8Array): PatchTable {
  const out: PatchTable = { traceIds: [], times: [] };
  fields(b, 0, b.length, (no, wire, at, end) => {
    if (no !== 1 || wire !== 2) return;
    fields(b, at, end, (no2, wire2, at2, end2) => {
      if (no2 !== 2 || wire2 !== 2) return;
      fields(b, at2, end2, (no3, wire3, at3, end3) => {
        if (no3 === 2 && wire3 === 2) spanOffsets(b, at3, end3, out);
      });
    });
  });
  return out;
}

function spanOffsets(b: Uint8Array, start: number, end: number, out: PatchTable): void {
  fields(b, start, end, (no, wire, at, fieldEnd) => {
    if (no === 1 && wire === 2) out.traceIds.push(at);
    else if ((no === 7 || no === 8) && wire === 1) out.times.push(at);
    else if (no === 11 && wire === 2) fields(b, at, fieldEnd, (eno, ewire, eat) => { if (eno === 1 && ewire === 1) out.times.push(eat); });
  });
}

/** Calls `each(field, wire, valueStart, valueEnd)` for every field of the message in b[start, end). */
function fields(b: Uint8Array, start: number, end: number, each: (no: number, wire: number, at: number, end: number) => void): void {
  const r = new Reader(b, start, end);
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (wire === 2) {
      const n = r.length();
      each(tag >>> 3, wire, r.pos, r.pos + n);
      r.pos += n;
    } else {
      const at = r.pos;
      r.skip(wire);
      each(tag >>> 3, wire, at, r.pos);
    }
  }
}

/** A source of chain requests: each `next()` is a fresh copy with unused trace ids and current times. */
export interface ChainSource {
  readonly spansPerRequest: number;
  next(): Buffer;
}

/** Trace ids are (run salt: 4 bytes, request number: 8 bytes, trace index: 4 bytes), unique within a run and across runs. */
export function makeChainSource(traces = CHAIN_TRACES_PER_REQUEST, now: () => bigint = wallClockNs): ChainSource {
  const template = Buffer.from(makeChainTemplate(traces));
  const table = patchTable(template);
  const spans = traces * CHAIN_SPANS_PER_TRACE;
  if (table.traceIds.length !== spans || table.times.length !== spans * 4) {
    throw new Error(`chain template: found ${table.traceIds.length} trace ids and ${table.times.length} timestamps for ${spans} spans`);
  }
  const salt = randomBytes(4);
  let seq = 0n;
  return {
    spansPerRequest: spans,
    next(): Buffer {
      const copy = Buffer.from(template);
      seq++;
      for (const at of table.traceIds) {
        salt.copy(copy, at);
        copy.writeBigUInt64BE(seq, at + 4);
      }
      const shift = now() - BASE_NS;
      for (const at of table.times) copy.writeBigUInt64LE(copy.readBigUInt64LE(at) + shift, at);
      return copy;
    },
  };
}

/** Now, in Unix nanoseconds (sub-millisecond from the monotonic clock). */
function wallClockNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}
