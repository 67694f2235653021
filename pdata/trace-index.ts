/**
 * A traces request read once for tail sampling (issue 10): its spans grouped by trace id, and per
 * span its byte range and the facts the sampling policies read (times, status, trace state, flags,
 * whether it is a root), in typed arrays shared by every trace of the request. A trace's spans in
 * one request are a list of span numbers into it (a SpanRun); a request holding them is written
 * only when the trace is kept.
 *
 * Why not one rebuilt request per trace at arrival (splitByKey): on the analytics chain about 72 %
 * of the traces are not kept, so most of those copies were thrown away, and they were most of the
 * forwarding thread's ArrayBuffer churn. V8 starts a full marking each time 64 MiB of ArrayBuffers
 * were allocated since the last one ("external memory pressure"): twice a second at 100,000
 * spans/s. The decision then read every span's bytes a second time, which this index also saves.
 */
import { noteLatestSpanEnd } from './event-time.js';
import { Payload } from './payload.js';
import { statusCode } from './span-fields.js';
import { Reader, varintSize } from './wire.js';

/** A resource_spans or scope_spans message: where it is, and its fields other than its children. */
export interface Envelope {
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
  /** A copy of the trace id's 16 bytes. */
  readonly key: Uint8Array;
  /** The same 16 bytes as a latin1 string, for a Map key. */
  readonly id: string;
  readonly run: SpanRun;
}

/** The spans of a validated traces request, with what tail sampling reads of them. */
export class TraceIndex {
  readonly resources: Envelope[] = [];
  readonly scopes: Envelope[] = [];
  /** Top-level fields of the request other than resource_spans (unknown fields, kept when writing). */
  readonly other: number[] = [];
  otherLen = 0;
  count = 0;
  // Per span, by its number in document order.
  spanStart: Uint32Array;
  spanEnd: Uint32Array;
  spanScope: Uint32Array;
  /** Offset of the span's 16 trace-id bytes. */
  traceIdAt: Uint32Array;
  /** start_time_unix_nano and end_time_unix_nano as 32-bit halves: [startLo, startHi, endLo, endHi] per span. */
  times: Uint32Array;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: Uint8Array;
  /** 1 when the span has no parent span id, or an all-zero one. */
  root: Uint8Array;
  flags: Uint32Array;
  /** The trace_state string's byte range; start === end when empty. */
  traceStateStart: Uint32Array;
  traceStateEnd: Uint32Array;

  readonly bytes: Uint8Array;

  /** The request itself: a run of all its spans is written as the request, not copied. */
  constructor(readonly payload: Payload) {
    this.bytes = payload.bytes;
    const n = Math.max(1, payload.itemCount);
    this.spanStart = new Uint32Array(n);
    this.spanEnd = new Uint32Array(n);
    this.spanScope = new Uint32Array(n);
    this.traceIdAt = new Uint32Array(n);
    this.times = new Uint32Array(4 * n);
    this.status = new Uint8Array(n);
    this.root = new Uint8Array(n);
    this.flags = new Uint32Array(n);
    this.traceStateStart = new Uint32Array(n);
    this.traceStateEnd = new Uint32Array(n);
  }

  /** The resource holding span `i`. */
  resourceOf(i: number): number {
    return this.scopes[this.spanScope[i]!]!.resource;
  }

  /** Room for one more span (a request is sized by its item count, so this is only a safeguard). */
  ensure(): void {
    if (this.count < this.spanStart.length) return;
    const grow = <T extends Uint32Array | Uint8Array>(a: T, per = 1): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a.subarray(0, this.count * per));
      return b;
    };
    this.spanStart = grow(this.spanStart);
    this.spanEnd = grow(this.spanEnd);
    this.spanScope = grow(this.spanScope);
    this.traceIdAt = grow(this.traceIdAt);
    this.times = grow(this.times, 4);
    this.status = grow(this.status);
    this.root = grow(this.root);
    this.flags = grow(this.flags);
    this.traceStateStart = grow(this.traceStateStart);
    this.traceStateEnd = grow(this.traceStateEnd);
  }
}

/**
 * Indexes a validated traces request and groups its spans by trace id, traces in order of first
 * appearance. It also tells maxEventTime the request's latest span end (no second walk for it).
 */
export function splitTraces(payload: Payload): TraceOfRequest[] {
  const index = indexTraces(payload);
  const groups = new Map<string, number[]>();
  const b = index.bytes;
  for (let i = 0; i < index.count; i++) {
    const at = index.traceIdAt[i]!;
    const id = Buffer.from(b.buffer, b.byteOffset + at, 16).toString('latin1');
    const list = groups.get(id);
    if (list) list.push(i);
    else groups.set(id, [i]);
  }
  const out: TraceOfRequest[] = [];
  for (const [id, spans] of groups) {
    const at = index.traceIdAt[spans[0]!]!;
    out.push({ key: b.slice(at, at + 16), id, run: { index, spans, sizeBytes: runSize(index, spans) } });
  }
  return out;
}

/** The index of a validated traces request. */
export function indexTraces(payload: Payload): TraceIndex {
  const b = payload.bytes;
  const index = new TraceIndex(payload);
  const r = new Reader(b);
  let maxLo = 0;
  let maxHi = 0;
  while (r.pos < b.length) {
    const from = r.pos;
    const tag = r.uint32();
    if (tag !== 0x0a) { r.skip(tag & 7); addOther(index, from, r.pos); continue; }
    const n = r.length();
    const end = r.pos + n;
    readResourceSpans(index, r, r.pos, end);
    r.pos = end;
    r.end = b.length;
  }
  for (let i = 0; i < index.count; i++) {
    const hi = index.times[4 * i + 3]!;
    const lo = index.times[4 * i + 2]!;
    if (hi > maxHi || (hi === maxHi && lo > maxLo)) { maxHi = hi; maxLo = lo; }
  }
  noteLatestSpanEnd(payload, maxLo, maxHi);
  return index;
}

function addOther(e: { other: number[]; otherLen: number }, from: number, to: number): void {
  const o = e.other;
  if (o.length > 0 && o[o.length - 1] === from) o[o.length - 1] = to;
  else o.push(from, to);
  e.otherLen += to - from;
}

function readResourceSpans(index: TraceIndex, r: Reader, start: number, end: number): void {
  const resource: Envelope = { start, end, other: [], otherLen: 0, resource: -1 };
  const number = index.resources.length;
  index.resources.push(resource);
  r.pos = start;
  r.end = end;
  while (r.pos < end) {
    const from = r.pos;
    const tag = r.uint32();
    if (tag !== 0x12) { r.skip(tag & 7); addOther(resource, from, r.pos); continue; }
    const n = r.length();
    const scopeEnd = r.pos + n;
    readScopeSpans(index, r, number, r.pos, scopeEnd);
    r.pos = scopeEnd;
    r.end = end;
  }
}

function readScopeSpans(index: TraceIndex, r: Reader, resource: number, start: number, end: number): void {
  const scope: Envelope = { start, end, other: [], otherLen: 0, resource };
  const number = index.scopes.length;
  index.scopes.push(scope);
  r.pos = start;
  r.end = end;
  while (r.pos < end) {
    const from = r.pos;
    const tag = r.uint32();
    if (tag !== 0x12) { r.skip(tag & 7); addOther(scope, from, r.pos); continue; }
    const n = r.length();
    const spanEnd = r.pos + n;
    index.ensure();
    readSpan(index, r, number, r.pos, spanEnd);
    r.pos = spanEnd;
    r.end = end;
  }
}

/** Little-endian uint32 at `p` (bounds were checked by the caller). */
const u32 = (b: Uint8Array, p: number): number => (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;

function readSpan(index: TraceIndex, r: Reader, scope: number, start: number, end: number): void {
  const b = r.buf;
  const i = index.count++;
  index.spanStart[i] = start;
  index.spanEnd[i] = end;
  index.spanScope[i] = scope;
  index.root[i] = 1;
  const t = 4 * i;
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
      if (no === 1) index.traceIdAt[i] = s;
      else if (no === 4) { let zero = 1; for (let k = s; k < s + n; k++) if (b[k] !== 0) { zero = 0; break; } index.root[i] = zero; }
      else if (no === 15) index.status[i] = statusCode(b, s, s + n, r);
      else if (no === 3) { index.traceStateStart[i] = s; index.traceStateEnd[i] = s + n; }
    } else if (tag === 0x39) { // 7: start_time_unix_nano, fixed64
      const p = r.pos;
      r.skip(1);
      index.times[t] = u32(b, p);
      index.times[t + 1] = u32(b, p + 4);
    } else if (tag === 0x41) { // 8: end_time_unix_nano, fixed64
      const p = r.pos;
      r.skip(1);
      index.times[t + 2] = u32(b, p);
      index.times[t + 3] = u32(b, p + 4);
    } else if (tag === 0x85) { // 16: flags, fixed32 (field 16 << 3 | 5 = 133, a two-byte varint)
      index.flags[i] = r.fixed32();
    } else {
      r.skip(wire);
    }
  }
}

/** The size of a length-delimited field of content size `n` whose field number is below 16. */
const field = (n: number): number => 1 + varintSize(n) + n;

/**
 * Walks a run's spans grouped as they are written: `scopeDone(scope, contentSize)` after each scope
 * and `resourceDone(resource, contentSize)` after each resource. Returns the request's size.
 */
function eachGroup(index: TraceIndex, spans: readonly number[], onScope?: (scope: number, size: number) => void, onResource?: (resource: number, size: number) => void): number {
  let total = index.otherLen;
  let k = 0;
  while (k < spans.length) {
    const resource = index.resourceOf(spans[k]!);
    let resourceSize = index.resources[resource]!.otherLen;
    while (k < spans.length && index.resourceOf(spans[k]!) === resource) {
      const scope = index.spanScope[spans[k]!]!;
      let scopeSize = index.scopes[scope]!.otherLen;
      while (k < spans.length && index.spanScope[spans[k]!] === scope) {
        const i = spans[k++]!;
        scopeSize += field(index.spanEnd[i]! - index.spanStart[i]!);
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
      const scope = index.spanScope[spans[k]!]!;
      at = header(out, at, 0x12, scopeSizes[sc++]!);
      at = copyRanges(src, index.scopes[scope]!.other, out, at);
      while (k < spans.length && index.spanScope[spans[k]!] === scope) {
        const i = spans[k++]!;
        const s = index.spanStart[i]!;
        const e = index.spanEnd[i]!;
        at = header(out, at, 0x12, e - s);
        out.set(src.subarray(s, e), at);
        at += e - s;
      }
    }
  }
  return at;
}
