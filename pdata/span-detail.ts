/**
 * A fuller per-span view than forEachSpan's (attributes, parent, status message, events, resource
 * attributes), for processors that need them; forEachSpan stays as light as it was.
 */
import { readKeyValue, type Attributes } from './any-value.js';
import { forEachScope, type Envelope } from './envelope.js';
import type { Payload } from './payload.js';
import type { SpanView } from './span-view.js';
import { eachField, Reader, uint64BigInt, utf8 } from './wire.js';

/** A span with its attributes and envelope. Ids are views into the payload (copy to keep); parentSpanId is empty for a root. */
export interface SpanDetailView extends SpanView, Omit<Envelope, 'serviceName'> {
  readonly parentSpanId: Uint8Array;
  readonly traceState: string;
  readonly flags: number;
  readonly attributes: Attributes;
  readonly statusMessage: string;
  readonly eventsCount: number;
  readonly linksCount: number;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const EMPTY = new Uint8Array(0);

/**
 * Calls `fn` for every span of a traces payload, in order, with the detailed view. With
 * `withAttributes` false the span attributes are left empty: decoding them is most of the cost, and
 * a caller that reads none (span_metrics without dimensions) saves it.
 */
export function forEachSpanDetailed(payload: Payload, fn: (span: SpanDetailView) => void, withAttributes = true): void {
  if (payload.signal !== 'traces') return;
  forEachScope(payload, (env, b, start, end) => {
    eachField(b, start, end, 2, (ss, se) => fn(readSpan(env, b, ss, se, withAttributes)));
  });
}

function readSpan(env: Envelope, b: Uint8Array, start: number, end: number, withAttributes: boolean): SpanDetailView {
  // explicit, not a spread of env: a spread leaves V8 a slow object shape
  const v: Mutable<SpanDetailView> = {
    resource: env.resource, serviceName: env.serviceName, scopeName: env.scopeName, scopeVersion: env.scopeVersion, traceId: EMPTY, spanId: EMPTY, parentSpanId: EMPTY, traceState: '', flags: 0, name: '', kind: 0,
    startTimeUnixNano: 0n, endTimeUnixNano: 0n, attributes: {}, statusCode: 0, statusMessage: '', eventsCount: 0, linksCount: 0,
    droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
  };
  const r = new Reader(b, start, end);
  while (r.pos < end) {
    const tag = r.uint32();
    const no = tag >>> 3;
    const wire = tag & 7;
    if (wire === 2) {
      const n = r.length();
      const s = r.pos;
      r.pos += n;
      if (no === 1) v.traceId = b.subarray(s, s + n);
      else if (no === 2) v.spanId = b.subarray(s, s + n);
      else if (no === 3) v.traceState = utf8(b, s, s + n);
      else if (no === 4) v.parentSpanId = b.subarray(s, s + n);
      else if (no === 5) v.name = utf8(b, s, s + n);
      else if (no === 9) { if (withAttributes) readKeyValue(v.attributes, b, s, s + n); }
      else if (no === 11) v.eventsCount++;
      else if (no === 13) v.linksCount++;
      else if (no === 15) readStatus(v, b, s, s + n);
    } else if (wire === 1 && (no === 7 || no === 8)) {
      r.fixed64();
      if (no === 7) v.startTimeUnixNano = uint64BigInt(r.lo, r.hi);
      else v.endTimeUnixNano = uint64BigInt(r.lo, r.hi);
    } else if (wire === 0 && (no === 6 || no === 10 || no === 12 || no === 14)) {
      r.varint64();
      if (no === 6) v.kind = r.lo;
      else if (no === 10) v.droppedAttributesCount = r.lo;
      else if (no === 12) v.droppedEventsCount = r.lo;
      else v.droppedLinksCount = r.lo;
    } else if (wire === 5 && no === 16) {
      v.flags = r.fixed32();
    } else {
      r.skip(wire);
    }
  }
  return v;
}

function readStatus(v: Mutable<SpanDetailView>, b: Uint8Array, start: number, end: number): void {
  const r = new Reader(b, start, end);
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x12) { const n = r.length(); v.statusMessage = utf8(b, r.pos, r.pos + n); r.pos += n; }
    else if (tag === 0x18) { r.varint64(); v.statusCode = r.lo; }
    else r.skip(tag & 7);
  }
}
