/** A light per-span view read straight from the protobuf bytes, for exporters and connectors. */
import type { Payload } from './payload.js';
import { statusCode } from './trace-index.js';
import { Reader, uint64BigInt, utf8 } from './wire.js';

/** The fields of a span most consumers need; ids are views into the payload (copy to keep). */
export interface SpanView {
  traceId: Uint8Array;
  spanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  statusCode: number;
  serviceName: string | undefined;
}

const EMPTY = new Uint8Array(0);

/** Calls `fn` for every span of a traces payload, in order. */
export function forEachSpan(payload: Payload, fn: (span: SpanView) => void): void {
  if (payload.signal !== 'traces') return;
  const bytes = payload.bytes;
  const r = new Reader(bytes);
  while (r.pos < bytes.length) {
    const tag = r.uint32();
    if (tag !== 0x0a) { r.skip(tag & 7); continue; }
    const len = r.uint32();
    const end = r.pos + len;
    resourceSpans(bytes, r.pos, end, fn);
    r.pos = end;
  }
}

/** Each field of a message: calls `on(no, wire, reader)`; `on` must consume the value or return false to skip it. */
function fields(r: Reader, end: number, on: (no: number, wire: number) => boolean): void {
  while (r.pos < end) {
    const tag = r.uint32();
    const save = r.end;
    if (!on(tag >>> 3, tag & 7)) r.skip(tag & 7);
    r.end = save;
  }
}

function resourceSpans(bytes: Uint8Array, start: number, end: number, fn: (span: SpanView) => void): void {
  let serviceName: string | undefined;
  const r = new Reader(bytes, start, end);
  // The resource is usually first, but find it before any span in case it is not.
  fields(r, end, (no, wire) => {
    if (no !== 1 || wire !== 2) return false;
    const len = r.uint32();
    serviceName = findServiceName(bytes, r.pos, r.pos + len) ?? serviceName;
    r.pos += len;
    return true;
  });
  r.pos = start;
  fields(r, end, (no, wire) => {
    if (no !== 2 || wire !== 2) return false;
    const len = r.uint32();
    const scopeEnd = r.pos + len;
    fields(r, scopeEnd, (sno, swire) => {
      if (sno !== 2 || swire !== 2) return false;
      const slen = r.uint32();
      const spanEnd = r.pos + slen;
      fn(readSpan(r, spanEnd, serviceName));
      r.pos = spanEnd;
      return true;
    });
    return true;
  });
}

function findServiceName(bytes: Uint8Array, start: number, end: number): string | undefined {
  const r = new Reader(bytes, start, end);
  let found: string | undefined;
  fields(r, end, (no, wire) => {
    if (no !== 1 || wire !== 2) return false;
    const kvEnd = r.uint32() + r.pos;
    let key = '';
    let value: string | undefined;
    fields(r, kvEnd, (kno, kwire) => {
      if (kwire !== 2) return false;
      const len = r.uint32();
      if (kno === 1) key = utf8(bytes, r.pos, r.pos + len);
      else if (kno === 2 && bytes[r.pos] === 0x0a) {
        const v = new Reader(bytes, r.pos + 1, r.pos + len);
        const slen = v.uint32();
        value = utf8(bytes, v.pos, v.pos + slen);
      }
      r.pos += len;
      return true;
    });
    if (key === 'service.name' && value !== undefined) found = value;
    return true;
  });
  return found;
}

function readSpan(r: Reader, end: number, serviceName: string | undefined): SpanView {
  const b = r.buf;
  const view: SpanView = {
    traceId: EMPTY, spanId: EMPTY, name: '', kind: 0, startTimeUnixNano: 0n, endTimeUnixNano: 0n, statusCode: 0, serviceName,
  };
  fields(r, end, (no, wire) => {
    if (wire === 2 && (no === 1 || no === 2 || no === 5 || no === 15)) {
      const len = r.uint32();
      if (no === 1) view.traceId = b.subarray(r.pos, r.pos + len);
      else if (no === 2) view.spanId = b.subarray(r.pos, r.pos + len);
      else if (no === 5) view.name = utf8(b, r.pos, r.pos + len);
      else view.statusCode = statusCode(b, r.pos, r.pos + len, r);
      r.pos += len;
      return true;
    }
    if (no === 6 && wire === 0) { r.varint64(); view.kind = r.lo; return true; }
    if ((no === 7 || no === 8) && wire === 1) {
      r.fixed64();
      const t = uint64BigInt(r.lo, r.hi);
      if (no === 7) view.startTimeUnixNano = t;
      else view.endTimeUnixNano = t;
      return true;
    }
    return false;
  });
  return view;
}
