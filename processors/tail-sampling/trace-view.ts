/**
 * What the policies read of a trace, decoded once at decision time from the held requests: per
 * resource (in arrival order, as otelcol's ReceivedBatches) its attributes and its spans' times,
 * status, trace state, flags and attributes. Attribute values keep their OTLP type, because
 * otelcol's policies read them with pcommon's typed getters (`Int()` of a double is 0, `Str()` of
 * an int is "").
 */
import type { SpanRun } from '../../pdata/trace-index.js';
import { eachField, Reader, utf8 } from '../../pdata/wire.js';

/** An attribute value with its OTLP type; composite values (arrays, maps, bytes) are `other`. */
export type Typed =
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'int'; readonly v: bigint }
  | { readonly t: 'double'; readonly v: number }
  | { readonly t: 'other' };

/** One span, as the policies see it. */
export interface SpanFacts {
  /** start_time_unix_nano and end_time_unix_nano as unsigned 32-bit halves (no BigInt per span). */
  startHi: number;
  startLo: number;
  endHi: number;
  endLo: number;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  traceState: string;
  flags: number;
  isRoot: boolean;
  readonly attributes: Map<string, Typed>;
}

/** One resource_spans of a held request. */
export interface ResourceFacts {
  readonly attributes: Map<string, Typed>;
  readonly spans: SpanFacts[];
}

const OTHER: Typed = { t: 'other' };

function anyValue(b: Uint8Array, start: number, end: number): Typed {
  const r = new Reader(b, start, end);
  let value: Typed = OTHER;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x0a) { const n = r.length(); value = { t: 'str', v: utf8(b, r.pos, r.pos + n) }; r.pos += n; }
    else if (tag === 0x10) { r.varint64(); value = { t: 'bool', v: r.lo !== 0 || r.hi !== 0 }; }
    else if (tag === 0x18) { r.varint64(); value = { t: 'int', v: BigInt.asIntN(64, (BigInt(r.hi) << 32n) | BigInt(r.lo)) }; }
    else if (tag === 0x21) value = { t: 'double', v: r.double() };
    else { r.skip(tag & 7); value = OTHER; }
  }
  return value;
}

/** KeyValues in field `no` of b[start, end) into `out`; a repeated key keeps its first value, as pcommon's Get. */
function keyValues(b: Uint8Array, start: number, end: number, no: number, out: Map<string, Typed>): void {
  eachField(b, start, end, no, (s, e) => {
    const r = new Reader(b, s, e);
    let key = '';
    let value: Typed = OTHER;
    while (r.pos < e) {
      const tag = r.uint32();
      if (tag === 0x0a) { const n = r.length(); key = utf8(b, r.pos, r.pos + n); r.pos += n; }
      else if (tag === 0x12) { const n = r.length(); value = anyValue(b, r.pos, r.pos + n); r.pos += n; }
      else r.skip(tag & 7);
    }
    if (!out.has(key)) out.set(key, value);
  });
}

/**
 * A span's facts, its attributes decoded on first use: the common policies (latency, status_code,
 * probabilistic) never read them, and decoding every attribute of every held span was the largest
 * cost of a decision (measured on the analytics chain bench).
 */
class LazySpan implements SpanFacts {
  startHi = 0;
  startLo = 0;
  endHi = 0;
  endLo = 0;
  statusCode = 0;
  traceState = '';
  flags = 0;
  isRoot = true;
  private decoded: Map<string, Typed> | undefined;

  constructor(private readonly b: Uint8Array, private readonly start: number, private readonly end: number) {}

  get attributes(): Map<string, Typed> {
    if (this.decoded === undefined) {
      this.decoded = new Map();
      keyValues(this.b, this.start, this.end, 9, this.decoded);
    }
    return this.decoded;
  }
}

/** A resource_spans' facts, its attributes decoded on first use. */
class LazyResource implements ResourceFacts {
  readonly spans: SpanFacts[] = [];
  private decoded: Map<string, Typed> | undefined;

  constructor(private readonly b: Uint8Array, private readonly start: number, private readonly end: number) {}

  get attributes(): Map<string, Typed> {
    if (this.decoded === undefined) {
      const out = new Map<string, Typed>();
      eachField(this.b, this.start, this.end, 1, (s, e) => keyValues(this.b, s, e, 1, out));
      this.decoded = out;
    }
    return this.decoded;
  }
}

/**
 * The resources and spans of a trace's runs (one per request it arrived in), in order. Each run's
 * facts were read when its request was indexed; only attributes are decoded here, on first use.
 */
export function resourcesOf(runs: readonly SpanRun[]): ResourceFacts[] {
  const out: ResourceFacts[] = [];
  for (const { index, spans } of runs) {
    const b = index.bytes;
    let resource: LazyResource | undefined;
    let resourceNo = -1;
    for (const i of spans) {
      const r = index.resourceOf(i);
      if (resource === undefined || r !== resourceNo) {
        const e = index.resources[r]!;
        resource = new LazyResource(b, e.start, e.end);
        resourceNo = r;
        out.push(resource);
      }
      const s = new LazySpan(b, index.spanStart(i), index.spanEnd(i));
      s.startLo = index.startLo(i);
      s.startHi = index.startHi(i);
      s.endLo = index.endLo(i);
      s.endHi = index.endHi(i);
      s.statusCode = index.status(i);
      s.traceState = index.traceState(i);
      s.flags = index.flags(i);
      s.isRoot = index.isRoot(i);
      resource.spans.push(s);
    }
  }
  return out;
}

/** True when a run holds a root span (no parent span id). */
export function hasRootSpan(run: SpanRun): boolean {
  for (const i of run.spans) if (run.index.isRoot(i)) return true;
  return false;
}
