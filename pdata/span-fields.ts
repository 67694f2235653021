/**
 * One walk over a traces request's spans that reads only the fields its caller asks for, into one
 * reused object: span_metrics and tail_sampling both read spans this way (issue 10). A decoded view
 * per span (./span-detail) allocates the view, its attributes, id subarrays and BigInt times; on the
 * analytics chain that allocation and a second, private reader per component were a visible share
 * of the daemon's CPU. Times stay as 32-bit halves: callers make a BigInt or a duration as they need.
 */
import { readKeyValue, readKeyValues, type Attributes } from './any-value.js';
import { noteLatestSpanEnd } from './event-time.js';
import type { Payload } from './payload.js';
import { eachField, Reader, utf8 } from './wire.js';

/** Bits of the wanted-fields mask; a field not asked for keeps its empty value. */
export const SpanField = {
  /** traceId and spanId (views into the request). */
  ids: 1,
  name: 2,
  kind: 4,
  /** The start and end halves, and durationNanos. */
  times: 8,
  statusCode: 16,
  traceState: 32,
  /** isRoot: no parent span id, or an all-zero one. */
  parent: 64,
  flags: 128,
  /** Every span attribute, into a fresh object per span. */
  attributes: 256,
  /** The resource's attributes and service.name, the scope's name and version. */
  envelope: 512,
} as const;

/** One span. The object is reused for the next span: copy what you keep. */
export interface SpanFields {
  /** The ResourceSpans message holding the span, as a byte range of the request. */
  resourceStart: number;
  resourceEnd: number;
  /** The Span message, as a byte range of the request. */
  start: number;
  end: number;
  /** Shared by the spans of a resource (do not mutate); empty unless `envelope` was asked for. */
  resource: Attributes;
  /** resource["service.name"] when it is a string, else ''. */
  serviceName: string;
  scopeName: string;
  scopeVersion: string;
  traceId: Uint8Array;
  spanId: Uint8Array;
  name: string;
  kind: number;
  /** Unsigned 32-bit halves of start_time_unix_nano and end_time_unix_nano. */
  startLo: number;
  startHi: number;
  endLo: number;
  endHi: number;
  /** end − start in nanoseconds (0 when end is not after start), exact below 2^53 ns. */
  durationNanos: number;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  traceState: string;
  isRoot: boolean;
  flags: number;
  /** A fresh object per span when asked for, else one shared empty object. */
  attributes: Attributes;
}

const EMPTY = new Uint8Array(0);
const NO_ATTRIBUTES: Attributes = Object.freeze({});
const TWO32 = 4294967296;

/** A SpanFields with every field empty. */
function emptyFields(): SpanFields {
  return {
    resourceStart: 0, resourceEnd: 0, start: 0, end: 0, resource: NO_ATTRIBUTES, serviceName: '', scopeName: '', scopeVersion: '',
    traceId: EMPTY, spanId: EMPTY, name: '', kind: 0, startLo: 0, startHi: 0, endLo: 0, endHi: 0, durationNanos: 0,
    statusCode: 0, traceState: '', isRoot: true, flags: 0, attributes: NO_ATTRIBUTES,
  };
}

/**
 * Calls `fn` for every span of a traces payload, in order, with the fields in the `wanted` mask
 * (SpanField bits). A walk with `times` also tells maxEventTime the request's latest span end, so a
 * second component asking for the record's event time does not walk it again.
 */
export function forEachSpanFields(payload: Payload, wanted: number, fn: (span: SpanFields) => void): void {
  if (payload.signal !== 'traces') return;
  const b = payload.bytes;
  const r = new Reader(b);
  const v = emptyFields();
  const envelope = (wanted & SpanField.envelope) !== 0;
  const times = (wanted & SpanField.times) !== 0;
  let maxLo = 0;
  let maxHi = 0;
  eachField(b, 0, b.length, 1, (rs, re) => {
    v.resourceStart = rs;
    v.resourceEnd = re;
    if (envelope) readResource(v, b, rs, re);
    eachField(b, rs, re, 2, (ss, se) => {
      if (envelope) readScope(v, b, ss, se);
      eachField(b, ss, se, 2, (start, end) => {
        readSpan(r, v, start, end, wanted);
        if (times && (v.endHi > maxHi || (v.endHi === maxHi && v.endLo > maxLo))) { maxLo = v.endLo; maxHi = v.endHi; }
        fn(v);
      });
    });
  });
  if (times) noteLatestSpanEnd(payload, maxLo, maxHi);
}

function readResource(v: SpanFields, b: Uint8Array, start: number, end: number): void {
  let resource: Attributes = {};
  eachField(b, start, end, 1, (s, e) => { resource = readKeyValues(b, s, e, 1, resource); });
  const service = resource['service.name'];
  v.resource = resource;
  v.serviceName = typeof service === 'string' ? service : '';
}

function readScope(v: SpanFields, b: Uint8Array, start: number, end: number): void {
  v.scopeName = '';
  v.scopeVersion = '';
  eachField(b, start, end, 1, (is, ie) => {
    eachField(b, is, ie, 1, (s, e) => { v.scopeName = utf8(b, s, e); });
    eachField(b, is, ie, 2, (s, e) => { v.scopeVersion = utf8(b, s, e); });
  });
}

/** Little-endian uint32 at `p` (bounds were checked by the caller). */
const u32 = (b: Uint8Array, p: number): number => (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;

function isZero(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

function readSpan(r: Reader, v: SpanFields, start: number, end: number, wanted: number): void {
  const b = r.buf;
  v.start = start; v.end = end;
  v.name = ''; v.kind = 0; v.statusCode = 0; v.traceState = ''; v.traceId = EMPTY; v.spanId = EMPTY; v.isRoot = true; v.flags = 0;
  v.startLo = 0; v.startHi = 0; v.endLo = 0; v.endHi = 0;
  v.attributes = (wanted & SpanField.attributes) !== 0 ? {} : NO_ATTRIBUTES;
  r.pos = start;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32();
    const no = tag >>> 3;
    const wire = tag & 7;
    if (wire === 2) {
      const n = r.length();
      const s = r.pos;
      r.pos += n;
      if (no === 5) { if (wanted & SpanField.name) v.name = utf8(b, s, s + n); }
      else if (no === 9) { if (wanted & SpanField.attributes) readKeyValue(v.attributes, b, s, s + n); }
      else if (no === 15) { if (wanted & SpanField.statusCode) v.statusCode = statusCode(b, s, s + n, r); }
      else if (no === 3) { if (wanted & SpanField.traceState) v.traceState = n === 0 ? '' : utf8(b, s, s + n); }
      else if (no === 4) { if (wanted & SpanField.parent) v.isRoot = isZero(b, s, s + n); }
      else if (no === 1) { if (wanted & SpanField.ids) v.traceId = b.subarray(s, s + n); }
      else if (no === 2) { if (wanted & SpanField.ids) v.spanId = b.subarray(s, s + n); }
    } else if (wire === 1 && (no === 7 || no === 8) && (wanted & SpanField.times) !== 0) {
      const p = r.pos;
      r.skip(1); // bounds-checks the 8 bytes
      if (no === 7) { v.startLo = u32(b, p); v.startHi = u32(b, p + 4); } else { v.endLo = u32(b, p); v.endHi = u32(b, p + 4); }
    } else if (wire === 0 && no === 6 && (wanted & SpanField.kind) !== 0) {
      r.varint64();
      v.kind = r.lo;
    } else if (wire === 5 && no === 16 && (wanted & SpanField.flags) !== 0) {
      v.flags = r.fixed32();
    } else {
      r.skip(wire);
    }
  }
  const after = v.endHi > v.startHi || (v.endHi === v.startHi && v.endLo > v.startLo);
  v.durationNanos = after ? (v.endHi - v.startHi) * TWO32 + (v.endLo - v.startLo) : 0;
}

/**
 * The code (field 3) of the Status message in b[start, end): 0 unset, 1 ok, 2 error. With a reader
 * of `b` given, it is used and put back where it was (no reader made per span).
 */
export function statusCode(b: Uint8Array, start: number, end: number, r = new Reader(b)): number {
  const pos = r.pos;
  const stop = r.end;
  r.pos = start;
  r.end = end;
  let code = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x18) { r.varint64(); code = r.lo; } else r.skip(tag & 7);
  }
  r.pos = pos;
  r.end = stop;
  return code;
}
