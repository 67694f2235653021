/**
 * The spans of a traces request with only the fields their caller asks for, in one reused object,
 * read from the request's trace index (./trace-index), which tail_sampling reads too (issue 10).
 * A decoded view per span (./span-detail) allocates the view, its attributes, id subarrays and
 * BigInt times; on the analytics chain that allocation and a second, private reader per component
 * were a visible share of the daemon's CPU. Times stay as 32-bit halves: callers make a BigInt or a
 * duration as they need.
 */
import { readKeyValue, readKeyValues, type Attributes } from './any-value.js';
import type { Payload } from './payload.js';
import { traceIndexOf, type TraceIndex } from './trace-index.js';
import { eachField, utf8 } from './wire.js';

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
 * (SpanField bits). The request's trace index (./trace-index) is made, or reused, for it: tail
 * sampling reads the same index of the same record right after.
 */
export function forEachSpanFields(payload: Payload, wanted: number, fn: (span: SpanFields) => void): void {
  if (payload.signal !== 'traces') return;
  const index = traceIndexOf(payload);
  const b = payload.bytes;
  const v = emptyFields();
  const envelope = (wanted & SpanField.envelope) !== 0;
  let resourceNo = -1;
  let scopeNo = -1;
  for (let i = 0; i < index.count; i++) {
    const sc = index.scopeOf(i);
    if (sc !== scopeNo) {
      scopeNo = sc;
      const scope = index.scopes[sc]!;
      if (scope.resource !== resourceNo) {
        resourceNo = scope.resource;
        const resource = index.resources[resourceNo]!;
        v.resourceStart = resource.start;
        v.resourceEnd = resource.end;
        if (envelope) readResource(v, b, resource.start, resource.end);
      }
      if (envelope) readScope(v, b, scope.start, scope.end);
    }
    readSpan(index, v, i, wanted);
    fn(v);
  }
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

/** Span `i`'s wanted fields, from the index (attributes from the span's bytes). */
function readSpan(index: TraceIndex, v: SpanFields, i: number, wanted: number): void {
  const b = index.bytes;
  const start = index.spanStart(i);
  const end = index.spanEnd(i);
  v.start = start;
  v.end = end;
  if (wanted & SpanField.ids) {
    const t = index.traceIdAt(i);
    const s = index.spanIdAt(i);
    v.traceId = b.subarray(t, t + 16);
    v.spanId = b.subarray(s, s + 8);
  }
  if (wanted & SpanField.name) v.name = index.name(i);
  if (wanted & SpanField.kind) v.kind = index.kind(i);
  if (wanted & SpanField.times) {
    v.startLo = index.startLo(i);
    v.startHi = index.startHi(i);
    v.endLo = index.endLo(i);
    v.endHi = index.endHi(i);
    const after = v.endHi > v.startHi || (v.endHi === v.startHi && v.endLo > v.startLo);
    v.durationNanos = after ? (v.endHi - v.startHi) * TWO32 + (v.endLo - v.startLo) : 0;
  }
  if (wanted & SpanField.statusCode) v.statusCode = index.status(i);
  if (wanted & SpanField.traceState) v.traceState = index.traceState(i);
  if (wanted & SpanField.parent) v.isRoot = index.isRoot(i);
  if (wanted & SpanField.flags) v.flags = index.flags(i);
  if (wanted & SpanField.attributes) {
    const attributes: Attributes = {};
    eachField(b, start, end, 9, (s, e) => readKeyValue(attributes, b, s, e));
    v.attributes = attributes;
  }
}
