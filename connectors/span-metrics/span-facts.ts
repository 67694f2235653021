/**
 * The span fields span_metrics reads, straight from the bytes into one reused object per request.
 * pdata's detailed span view allocates per span (the view, its attributes object, three id
 * subarrays, two BigInt times, a DataView); on the analytics chain that allocation was most of the
 * connector's cost and a good part of the daemon's GC. Here the duration is computed from the
 * times' 32-bit halves, ids are sliced only when exemplars are kept, attributes decoded only when a
 * dimension reads them.
 */
import { readKeyValue, type Attributes } from '../../pdata/any-value.js';
import { forEachScope } from '../../pdata/envelope.js';
import type { Payload } from '../../pdata/payload.js';
import { eachField, Reader, utf8 } from '../../pdata/wire.js';

const EMPTY = new Uint8Array(0);
const TWO32 = 4294967296;

/** One span as span_metrics sees it. The object is reused for the next span: copy what you keep. */
export interface SpanFactsView {
  resource: Attributes;
  /** resource["service.name"] when it is a string, else ''. */
  serviceName: string;
  scopeName: string;
  scopeVersion: string;
  name: string;
  kind: number;
  statusCode: number;
  traceState: string;
  /** end − start in nanoseconds (0 when end is not after start), exact below 2^53 ns. */
  durationNanos: number;
  /** Views into the request; EMPTY unless ids were asked for. */
  traceId: Uint8Array;
  spanId: Uint8Array;
  /** A fresh object per span when attributes were asked for, else one shared empty object. */
  attributes: Attributes;
}

/** What to decode beyond the fields every series key needs. */
export interface FactsWanted {
  readonly attributes: boolean;
  readonly ids: boolean;
}

const NO_ATTRIBUTES: Attributes = Object.freeze({});

/** Calls `fn` for every span of a traces payload, in forEachSpanDetailed's order. */
export function forEachSpanFacts(payload: Payload, wanted: FactsWanted, fn: (span: SpanFactsView) => void): void {
  if (payload.signal !== 'traces') return;
  const b = payload.bytes;
  const r = new Reader(b);
  const v: SpanFactsView = {
    resource: NO_ATTRIBUTES, serviceName: '', scopeName: '', scopeVersion: '', name: '', kind: 0, statusCode: 0, traceState: '',
    durationNanos: 0, traceId: EMPTY, spanId: EMPTY, attributes: NO_ATTRIBUTES,
  };
  forEachScope(payload, (env, _b, start, end) => {
    v.resource = env.resource;
    v.serviceName = env.serviceName ?? '';
    v.scopeName = env.scopeName;
    v.scopeVersion = env.scopeVersion;
    eachField(b, start, end, 2, (ss, se) => {
      readSpan(r, v, ss, se, wanted);
      fn(v);
    });
  });
}

/** Little-endian uint32 at `p` (bounds were checked by the caller). */
const u32 = (b: Uint8Array, p: number): number => (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;

function readSpan(r: Reader, v: SpanFactsView, start: number, end: number, wanted: FactsWanted): void {
  const b = r.buf;
  v.name = ''; v.kind = 0; v.statusCode = 0; v.traceState = ''; v.traceId = EMPTY; v.spanId = EMPTY;
  v.attributes = wanted.attributes ? {} : NO_ATTRIBUTES;
  let startLo = 0, startHi = 0, endLo = 0, endHi = 0;
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
      if (no === 5) v.name = utf8(b, s, s + n);
      else if (no === 3) v.traceState = n === 0 ? '' : utf8(b, s, s + n);
      else if (no === 15) v.statusCode = statusCode(r, s, s + n, end);
      else if (no === 9) { if (wanted.attributes) readKeyValue(v.attributes, b, s, s + n); }
      else if (no === 1) { if (wanted.ids) v.traceId = b.subarray(s, s + n); }
      else if (no === 2) { if (wanted.ids) v.spanId = b.subarray(s, s + n); }
    } else if (wire === 1 && (no === 7 || no === 8)) {
      const p = r.pos;
      r.skip(1); // bounds-checks the 8 bytes
      if (no === 7) { startLo = u32(b, p); startHi = u32(b, p + 4); } else { endLo = u32(b, p); endHi = u32(b, p + 4); }
    } else if (wire === 0 && no === 6) {
      r.varint64();
      v.kind = r.lo;
    } else {
      r.skip(wire);
    }
  }
  const after = endHi > startHi || (endHi === startHi && endLo > startLo);
  v.durationNanos = after ? (endHi - startHi) * TWO32 + (endLo - startLo) : 0;
}

/** The Status message's code (field 3); the reader is put back where it was, in the span. */
function statusCode(r: Reader, start: number, stop: number, spanEnd: number): number {
  const resume = r.pos;
  r.pos = start;
  r.end = stop;
  let code = 0;
  while (r.pos < stop) {
    const tag = r.uint32();
    if (tag === 0x18) { r.varint64(); code = r.lo; } else r.skip(tag & 7);
  }
  r.pos = resume;
  r.end = spanEnd;
  return code;
}
