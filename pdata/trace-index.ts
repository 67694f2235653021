/**
 * A traces request read once (issue 10): per span its byte range and what the event time,
 * span_metrics and the sampling policies read (ids, name, kind, times, status, trace state, flags,
 * whether it is a root), in one typed array shared by every trace of the request, and its spans
 * grouped by trace id for tail_sampling. A trace's spans in one request are a list of span numbers
 * into it (a SpanRun); a request holding them is written only when the trace is kept.
 *
 * Why not one rebuilt request per trace at arrival (splitByKey): on the analytics chain about 72 %
 * of the traces are not kept, so most of those copies were thrown away, and they were most of the
 * forwarding thread's ArrayBuffer churn. V8 starts a full marking each time 64 MiB of ArrayBuffers
 * were allocated since the last one ("external memory pressure"): twice a second at 100,000
 * spans/s. The decision then read every span's bytes a second time, which this index also saves.
 */
import { Payload } from './payload.js';
import { Reader, uint64BigInt, utf8, varintSize } from './wire.js';

/** A resource_spans or scope_spans message: where it is, and its fields other than its children. */
export interface Container {
  /** Content range of the message (after its tag and length). */
  readonly start: number;
  readonly end: number;
  /** Pairs [start, end) of the fields that are not children, copied verbatim when a request is written. */
  readonly other: number[];
  otherLen: number;
  /** A scope's resource number; -1 for a resource. */
  readonly resource: number;
}

/** The spans of one trace in one request, by their number in the request's index. */
export interface SpanRun {
  readonly index: TraceIndex;
  /** Span numbers, ascending (document order). */
  readonly spans: readonly number[];
  /** The size of the request holding only these spans (what otelcol's per-trace batch would be). */
  readonly sizeBytes: number;
}

/** One trace of a request. */
export interface TraceOfRequest {
  /** The trace id's 16 bytes as a latin1 string, for a Map key. */
  readonly id: string;
  readonly run: SpanRun;
}

/** Per span, the facts are STRIDE uint32 words in one array: one allocation per request, not one per fact. */
const STRIDE = 16;
const START = 0, END = 1, SCOPE = 2, TRACE_ID = 3, TIMES = 4, FLAGS = 8, TS_START = 9, TS_END = 10, STATUS_ROOT = 11,
  SPAN_ID = 12, NAME_START = 13, NAME_END = 14, KIND = 15;

/** The spans of a validated traces request, with what is read of them. */
export class TraceIndex {
  readonly resources: Container[] = [];
  readonly scopes: Container[] = [];
  /** Top-level fields of the request other than resource_spans (unknown fields, kept when writing). */
  readonly other: number[] = [];
  otherLen = 0;
  count = 0;
  /** The latest span end, unix nanoseconds (0n without spans): the request's event time. */
  latestEnd = 0n;
  readonly bytes: Uint8Array;
  /** STRIDE words per span, by its number in document order. */
  data: Uint32Array;

  /** The request itself: a run of all its spans is written as the request, not copied. */
  constructor(readonly payload: Payload) {
    this.bytes = payload.bytes;
    this.data = new Uint32Array(STRIDE * Math.max(1, payload.itemCount));
  }

  /** The Span message's byte range. */
  spanStart(i: number): number { return this.data[i * STRIDE + START]!; }
  spanEnd(i: number): number { return this.data[i * STRIDE + END]!; }
  /** The span's scope number. */
  scopeOf(i: number): number { return this.data[i * STRIDE + SCOPE]!; }
  /** The span's resource number. */
  resourceOf(i: number): number { return this.scopes[this.data[i * STRIDE + SCOPE]!]!.resource; }
  /** Offset of the span's 16 trace-id bytes. */
  traceIdAt(i: number): number { return this.data[i * STRIDE + TRACE_ID]!; }
  /** The span's trace id: a view into the request. */
  traceId(i: number): Uint8Array {
    const at = this.traceIdAt(i);
    return this.bytes.subarray(at, at + 16);
  }
  /** Offset of the span's 8 span-id bytes. */
  spanIdAt(i: number): number { return this.data[i * STRIDE + SPAN_ID]!; }
  /** The span's name (one string per distinct name, see spanName). */
  name(i: number): string { return spanName(this.bytes, this.data[i * STRIDE + NAME_START]!, this.data[i * STRIDE + NAME_END]!); }
  kind(i: number): number { return this.data[i * STRIDE + KIND]!; }
  /** start_time_unix_nano and end_time_unix_nano as unsigned 32-bit halves. */
  startLo(i: number): number { return this.data[i * STRIDE + TIMES]!; }
  startHi(i: number): number { return this.data[i * STRIDE + TIMES + 1]!; }
  endLo(i: number): number { return this.data[i * STRIDE + TIMES + 2]!; }
  endHi(i: number): number { return this.data[i * STRIDE + TIMES + 3]!; }
  flags(i: number): number { return this.data[i * STRIDE + FLAGS]!; }
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status(i: number): number { return this.data[i * STRIDE + STATUS_ROOT]! & 0xff; }
  /** No parent span id, or an all-zero one. */
  isRoot(i: number): boolean { return (this.data[i * STRIDE + STATUS_ROOT]! & 0x100) !== 0; }
  /** The trace_state string, '' when empty. */
  traceState(i: number): string {
    const s = this.data[i * STRIDE + TS_START]!;
    const e = this.data[i * STRIDE + TS_END]!;
    return s === e ? '' : utf8(this.bytes, s, e);
  }

  /** Room for one more span (a request is sized by its item count, so this is only a safeguard). */
  ensure(): void {
    if ((this.count + 1) * STRIDE <= this.data.length) return;
    const grown = new Uint32Array(this.data.length * 2);
    grown.set(this.data);
    this.data = grown;
  }
}

/**
 * Indexes a validated traces request (or reuses its index) and groups its spans by trace id,
 * traces in order of first appearance.
 */
export function splitTraces(payload: Payload): TraceOfRequest[] {
  const index = traceIndexOf(payload);
  const groups = new Map<string, number[]>();
  const b = index.bytes;
  let prevAt = -1;
  let prev: number[] | undefined;
  for (let i = 0; i < index.count; i++) {
    const at = index.traceIdAt(i);
    // Spans of a trace mostly come together: compare with the previous span's id before making a string of it.
    if (prev !== undefined && sameId(b, at, prevAt)) { prev.push(i); continue; }
    const id = Buffer.from(b.buffer, b.byteOffset + at, 16).toString('latin1');
    prev = groups.get(id);
    if (prev) prev.push(i);
    else groups.set(id, (prev = [i]));
    prevAt = at;
  }
  const out: TraceOfRequest[] = [];
  for (const [id, spans] of groups) {
    out.push({ id, run: { index, spans, sizeBytes: runSize(index, spans) } });
  }
  return out;
}

function sameId(b: Uint8Array, x: number, y: number): boolean {
  for (let k = 0; k < 16; k++) if (b[x + k] !== b[y + k]) return false;
  return true;
}

/** Names longer than this are decoded each time (rarely repeated, and costly to compare). */
const NAME_CACHE_MAX_BYTES = 128;
/** Distinct names remembered before the cache starts over: it is only a cache. */
const NAME_CACHE_LIMIT = 4096;
const names = new Map<number, { readonly bytes: Uint8Array; readonly name: string }>();

/**
 * A span name as a string, the same string each time the same bytes come: span_metrics looks
 * every span's name up in its series memo, and a fresh string per span (a cons string of its
 * characters, see wire.utf8) had to be flattened and hashed for every lookup, ~6 % of the
 * forwarding thread on the chain. The cache is keyed by an FNV-1a hash of the bytes and checks
 * them, so a collision only costs a decode.
 */
export function spanName(b: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return '';
  if (n > NAME_CACHE_MAX_BYTES) return utf8(b, start, end);
  let h = 0x811c9dc5;
  for (let k = start; k < end; k++) h = Math.imul(h ^ b[k]!, 0x01000193);
  h &= 0x3fffffff; // a small integer key
  const hit = names.get(h);
  if (hit !== undefined && hit.bytes.length === n && sameBytes(hit.bytes, b, start)) return hit.name;
  const name = utf8(b, start, end);
  if (names.size >= NAME_CACHE_LIMIT) names.clear();
  names.set(h, { bytes: new Uint8Array(b.subarray(start, end)), name }); // a copy: a view would keep the request alive
  return name;
}

function sameBytes(a: Uint8Array, b: Uint8Array, at: number): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[at + k]) return false;
  return true;
}

/**
 * Indexes made, by request: the stateful helper reads a record's event time, span_metrics its
 * spans, and tail_sampling splits it, one after the other; one walk serves all three. Weak, so
 * nothing outlives its payload.
 */
const indexes = new WeakMap<Payload, TraceIndex>();

/** The index of a validated traces request, made on first use. */
export function traceIndexOf(payload: Payload): TraceIndex {
  let index = indexes.get(payload);
  if (index === undefined) {
    index = indexTraces(payload);
    indexes.set(payload, index);
  }
  return index;
}

/** Indexes a validated traces request. */
export function indexTraces(payload: Payload): TraceIndex {
  const b = payload.bytes;
  const index = new TraceIndex(payload);
  const r = new Reader(b);
  readContainer(r, 0, b.length, 0x0a, index, (s, e) => readResourceSpans(index, r, s, e));
  let maxLo = 0;
  let maxHi = 0;
  for (let i = 0; i < index.count; i++) {
    const hi = index.endHi(i);
    const lo = index.endLo(i);
    if (hi > maxHi || (hi === maxHi && lo > maxLo)) { maxHi = hi; maxLo = lo; }
  }
  index.latestEnd = uint64BigInt(maxLo, maxHi);
  return index;
}

function addOther(e: { other: number[]; otherLen: number }, from: number, to: number): void {
  const o = e.other;
  if (o.length > 0 && o[o.length - 1] === from) o[o.length - 1] = to;
  else o.push(from, to);
  e.otherLen += to - from;
}

/**
 * Reads the fields of a message's content b[start, end): each child (length-delimited, with tag
 * `childTag`: a resource_spans, scope_spans or span) goes to `child`, every other field is kept as
 * one of `into`'s raw ranges.
 */
function readContainer(r: Reader, start: number, end: number, childTag: number, into: { other: number[]; otherLen: number }, child: (start: number, end: number) => void): void {
  r.pos = start;
  r.end = end;
  while (r.pos < end) {
    const from = r.pos;
    const tag = r.uint32();
    if (tag !== childTag) { r.skip(tag & 7); addOther(into, from, r.pos); continue; }
    const n = r.length();
    const childEnd = r.pos + n;
    child(r.pos, childEnd);
    r.pos = childEnd;
    r.end = end;
  }
}

function readResourceSpans(index: TraceIndex, r: Reader, start: number, end: number): void {
  const resource: Container = { start, end, other: [], otherLen: 0, resource: -1 };
  const number = index.resources.length;
  index.resources.push(resource);
  readContainer(r, start, end, 0x12, resource, (s, e) => readScopeSpans(index, r, number, s, e));
}

function readScopeSpans(index: TraceIndex, r: Reader, resource: number, start: number, end: number): void {
  const scope: Container = { start, end, other: [], otherLen: 0, resource };
  const number = index.scopes.length;
  index.scopes.push(scope);
  readContainer(r, start, end, 0x12, scope, (s, e) => {
    index.ensure();
    readSpan(index, r, number, s, e);
  });
}

/** Little-endian uint32 at `p` (bounds were checked by the caller). */
const u32 = (b: Uint8Array, p: number): number => (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;

function readSpan(index: TraceIndex, r: Reader, scope: number, start: number, end: number): void {
  const b = r.buf;
  const d = index.data;
  const o = index.count++ * STRIDE;
  d[o + START] = start;
  d[o + END] = end;
  d[o + SCOPE] = scope;
  let root = 0x100;
  let status = 0;
  r.pos = start;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (wire === 2) {
      const n = r.length();
      const s = r.pos;
      r.pos += n;
      const no = tag >>> 3;
      if (no === 1) d[o + TRACE_ID] = s;
      else if (no === 2) d[o + SPAN_ID] = s;
      else if (no === 5) { d[o + NAME_START] = s; d[o + NAME_END] = s + n; }
      else if (no === 4) { root = 0x100; for (let k = s; k < s + n; k++) if (b[k] !== 0) { root = 0; break; } }
      else if (no === 15) status = statusCode(b, s, s + n, r);
      else if (no === 3) { d[o + TS_START] = s; d[o + TS_END] = s + n; }
    } else if (tag === 0x39 || tag === 0x41) { // 7 start_time_unix_nano, 8 end_time_unix_nano: fixed64
      const p = r.pos;
      r.skip(1); // bounds-checks the 8 bytes
      const at = o + TIMES + (tag === 0x39 ? 0 : 2);
      d[at] = u32(b, p);
      d[at + 1] = u32(b, p + 4);
    } else if (tag === 0x30) { // 6: kind, varint
      r.varint64();
      d[o + KIND] = r.lo;
    } else if (tag === 0x85) { // 16: flags, fixed32 (field 16 << 3 | 5 = 133, a two-byte varint)
      d[o + FLAGS] = r.fixed32();
    } else {
      r.skip(wire);
    }
  }
  d[o + STATUS_ROOT] = (status & 0xff) | root;
}

/** The size of a length-delimited field of content size `n` whose field number is below 16. */
const field = (n: number): number => 1 + varintSize(n) + n;

/**
 * Walks a run's spans grouped as they are written: `onScope(scope, contentSize)` after each scope
 * and `onResource(resource, contentSize)` after each resource. Returns the request's size.
 */
function eachGroup(index: TraceIndex, spans: readonly number[], onScope?: (scope: number, size: number) => void, onResource?: (resource: number, size: number) => void): number {
  let total = index.otherLen;
  let k = 0;
  while (k < spans.length) {
    const resource = index.resourceOf(spans[k]!);
    let resourceSize = index.resources[resource]!.otherLen;
    while (k < spans.length && index.resourceOf(spans[k]!) === resource) {
      const scope = index.scopeOf(spans[k]!);
      let scopeSize = index.scopes[scope]!.otherLen;
      while (k < spans.length && index.scopeOf(spans[k]!) === scope) {
        const i = spans[k++]!;
        scopeSize += field(index.spanEnd(i) - index.spanStart(i));
      }
      onScope?.(scope, scopeSize);
      resourceSize += field(scopeSize);
    }
    onResource?.(resource, resourceSize);
    total += field(resourceSize);
  }
  return total;
}

/** The size of the request holding exactly `spans` of the index: all of them are the request itself. */
export function runSize(index: TraceIndex, spans: readonly number[]): number {
  return spans.length === index.count ? index.bytes.length : eachGroup(index, spans);
}

/**
 * One request holding every run's spans, in order: each run under its own resource_spans, as the
 * concatenation of one request per run. A single run of a whole request is that request.
 */
export function writeRuns(runs: readonly SpanRun[]): Payload {
  if (runs.length === 1 && runs[0]!.spans.length === runs[0]!.index.count) return runs[0]!.index.payload;
  let size = 0;
  let items = 0;
  for (const run of runs) { size += run.sizeBytes; items += run.spans.length; }
  const out = new Uint8Array(size);
  let at = 0;
  for (const run of runs) at = writeRun(run, out, at);
  if (at !== size) throw new Error(`writeRuns wrote ${at} bytes of ${size}`);
  return new Payload('traces', out, items);
}

function copyRanges(src: Uint8Array, ranges: readonly number[], out: Uint8Array, at: number): number {
  for (let j = 0; j < ranges.length; j += 2) {
    out.set(src.subarray(ranges[j], ranges[j + 1]), at);
    at += ranges[j + 1]! - ranges[j]!;
  }
  return at;
}

function header(out: Uint8Array, at: number, tag: number, size: number): number {
  out[at++] = tag;
  let v = size;
  while (v >= 0x80) { out[at++] = (v & 0x7f) | 0x80; v >>>= 7; }
  out[at++] = v;
  return at;
}

/** Writes the request holding a run's spans at `at`; returns the position after it. */
function writeRun(run: SpanRun, out: Uint8Array, at: number): number {
  const { index, spans } = run;
  const src = index.bytes;
  if (spans.length === index.count) {
    out.set(src, at);
    return at + src.length;
  }
  // Content sizes first (the headers precede the contents), in the order eachGroup meets them.
  const scopeSizes: number[] = [];
  const resourceSizes: number[] = [];
  eachGroup(index, spans, (_, n) => scopeSizes.push(n), (_, n) => resourceSizes.push(n));
  at = copyRanges(src, index.other, out, at);
  let k = 0;
  let sc = 0;
  let rc = 0;
  while (k < spans.length) {
    const resource = index.resourceOf(spans[k]!);
    at = header(out, at, 0x0a, resourceSizes[rc++]!);
    at = copyRanges(src, index.resources[resource]!.other, out, at);
    while (k < spans.length && index.resourceOf(spans[k]!) === resource) {
      const scope = index.scopeOf(spans[k]!);
      at = header(out, at, 0x12, scopeSizes[sc++]!);
      at = copyRanges(src, index.scopes[scope]!.other, out, at);
      while (k < spans.length && index.scopeOf(spans[k]!) === scope) {
        const i = spans[k++]!;
        const s = index.spanStart(i);
        const e = index.spanEnd(i);
        at = header(out, at, 0x12, e - s);
        out.set(src.subarray(s, e), at);
        at += e - s;
      }
    }
  }
  return at;
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
