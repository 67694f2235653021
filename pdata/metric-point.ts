/** The fields of one data point of any metric type, read from its protobuf bytes. */
import { int64Value, readKeyValue, readKeyValues, type Attributes } from './any-value.js';
import { hex } from './envelope.js';
import { Reader, uint64BigInt } from './wire.js';

/** An exemplar: ids as lowercase hex ('' when absent). */
export interface ExemplarView {
  readonly traceId: string;
  readonly spanId: string;
  readonly value: number;
  readonly timeUnixNano: bigint;
  readonly filteredAttributes: Attributes;
}

/** What a data point carries; fields that its type lacks are undefined. 64-bit counts become numbers. */
export interface PointFields {
  readonly attributes: Attributes;
  readonly startTimeUnixNano: bigint;
  readonly timeUnixNano: bigint;
  /** Gauge and sum: as_int or as_double (an int beyond 2^53 is rounded). */
  readonly value: number | undefined;
  /** Histograms and summaries. */
  readonly count: number | undefined;
  readonly sum: number | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
  /** Histogram: bucket_counts and explicit_bounds (one fewer). */
  readonly bucketCounts: number[] | undefined;
  readonly explicitBounds: number[] | undefined;
  /** Exponential histogram. */
  readonly scale: number | undefined;
  readonly zeroCount: number | undefined;
  readonly zeroThreshold: number | undefined;
  readonly positive: { offset: number; bucketCounts: number[] } | undefined;
  readonly negative: { offset: number; bucketCounts: number[] } | undefined;
  /** Summary. */
  readonly quantiles: Array<{ quantile: number; value: number }> | undefined;
  readonly exemplars: ExemplarView[];
  readonly flags: number;
}

/** PointFields, writable while a point is read. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const TWO32 = 4294967296;
const fixedNumber = (r: Reader): number => { r.fixed64(); return r.hi * TWO32 + r.lo; };

/** Field numbers per point type (by the Metric field holding it): attributes, exemplars, flags, min, max. */
const LAYOUT: Record<number, readonly [attrs: number, exemplars: number, flags: number, min: number, max: number]> = {
  5: [7, 5, 8, 0, 0], 7: [7, 5, 8, 0, 0], 9: [9, 8, 10, 11, 12], 10: [1, 11, 10, 12, 13], 11: [7, 0, 8, 0, 0],
};

/**
 * Reads the data point in b[start, end) of the metric type held in Metric field `dataNo` into `p`,
 * whose fields must hold their empty values (undefined, 0, 0n, {}, []).
 */
export function readPoint(dataNo: number, b: Uint8Array, start: number, end: number, p: Mutable<PointFields>): void {
  const [attrsNo, exemplarsNo, flagsNo, minNo, maxNo] = LAYOUT[dataNo]!;
  const number = dataNo === 5 || dataNo === 7;
  const r = new Reader(b, start, end);
  while (r.pos < end) {
    const tag = r.uint32();
    const no = tag >>> 3;
    const wire = tag & 7;
    if (wire === 2) {
      const n = r.length();
      const s = r.pos;
      r.pos += n;
      if (no === attrsNo) readKeyValue(p.attributes, b, s, s + n);
      else if (no === exemplarsNo) p.exemplars.push(readExemplar(b, s, s + n));
      else if (dataNo === 9 && no === 6) p.bucketCounts = packed(b, s, s + n, p.bucketCounts, 1);
      else if (dataNo === 9 && no === 7) p.explicitBounds = packed(b, s, s + n, p.explicitBounds, 2);
      else if (dataNo === 10 && (no === 8 || no === 9)) p[no === 8 ? 'positive' : 'negative'] = readBuckets(b, s, s + n);
      else if (dataNo === 11 && no === 6) (p.quantiles ??= []).push(readQuantile(b, s, s + n));
      continue;
    }
    if (wire === 1) {
      if (no === 2) { r.fixed64(); p.startTimeUnixNano = uint64BigInt(r.lo, r.hi); }
      else if (no === 3) { r.fixed64(); p.timeUnixNano = uint64BigInt(r.lo, r.hi); }
      else if (number && no === 4) p.value = r.double();
      else if (number && no === 6) { r.fixed64(); p.value = Number(int64Value(r.lo, r.hi)); }
      else if (!number && no === 4) p.count = fixedNumber(r);
      else if (!number && no === 5) p.sum = r.double();
      else if (no === minNo) p.min = r.double();
      else if (no === maxNo) p.max = r.double();
      else if (dataNo === 9 && no === 6) (p.bucketCounts ??= []).push(fixedNumber(r));
      else if (dataNo === 9 && no === 7) (p.explicitBounds ??= []).push(r.double());
      else if (dataNo === 10 && no === 7) p.zeroCount = fixedNumber(r);
      else if (dataNo === 10 && no === 14) p.zeroThreshold = r.double();
      else r.skip(wire);
      continue;
    }
    if (wire === 0 && no === flagsNo) { r.varint64(); p.flags = r.lo; continue; }
    if (wire === 0 && dataNo === 10 && no === 6) { r.varint64(); p.scale = zigzag(r.lo); continue; }
    r.skip(wire);
  }
  if (dataNo === 9) { p.bucketCounts ??= []; p.explicitBounds ??= []; }
  if (dataNo === 10) { p.scale ??= 0; p.zeroCount ??= 0; p.zeroThreshold ??= 0; }
  if (dataNo === 11) p.quantiles ??= [];
  if (!number) p.count ??= 0;
}

const zigzag = (n: number): number => (n >>> 1) ^ -(n & 1);

/** Appends a packed run: kind 1 fixed64 counts, 2 doubles, 3 varint counts. */
function packed(b: Uint8Array, start: number, end: number, into: number[] | undefined, kind: 1 | 2 | 3): number[] {
  const out = into ?? [];
  const r = new Reader(b, start, end);
  while (r.pos < end) {
    if (kind === 1) out.push(fixedNumber(r));
    else if (kind === 2) out.push(r.double());
    else { r.varint64(); out.push(r.hi * TWO32 + r.lo); }
  }
  return out;
}

function readBuckets(b: Uint8Array, start: number, end: number): { offset: number; bucketCounts: number[] } {
  const out = { offset: 0, bucketCounts: [] as number[] };
  const r = new Reader(b, start, end);
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x08) { r.varint64(); out.offset = zigzag(r.lo); }
    else if (tag === 0x12) { const n = r.length(); packed(b, r.pos, r.pos + n, out.bucketCounts, 3); r.pos += n; }
    else if (tag === 0x10) { r.varint64(); out.bucketCounts.push(r.hi * TWO32 + r.lo); }
    else r.skip(tag & 7);
  }
  return out;
}

function readQuantile(b: Uint8Array, start: number, end: number): { quantile: number; value: number } {
  const out = { quantile: 0, value: 0 };
  const r = new Reader(b, start, end);
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x09) out.quantile = r.double();
    else if (tag === 0x11) out.value = r.double();
    else r.skip(tag & 7);
  }
  return out;
}

function readExemplar(b: Uint8Array, start: number, end: number): ExemplarView {
  let traceId = '';
  let spanId = '';
  let value = 0;
  let timeUnixNano = 0n;
  const filteredAttributes: Attributes = {};
  const r = new Reader(b, start, end);
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x11) { r.fixed64(); timeUnixNano = uint64BigInt(r.lo, r.hi); }
    else if (tag === 0x19) value = r.double();
    else if (tag === 0x31) { r.fixed64(); value = Number(int64Value(r.lo, r.hi)); }
    else if (tag === 0x22 || tag === 0x2a || tag === 0x3a) {
      const n = r.length();
      if (tag === 0x22) spanId = hex(b, r.pos, r.pos + n);
      else if (tag === 0x2a) traceId = hex(b, r.pos, r.pos + n);
      r.pos += n;
    } else r.skip(tag & 7);
  }
  // filtered_attributes (field 7) are read in a second pass: KeyValues are rare here
  readKeyValues(b, start, end, 7, filteredAttributes);
  return { traceId, spanId, value, timeUnixNano, filteredAttributes };
}
