/**
 * OTLP AnyValue and KeyValue lists read from protobuf bytes into plain JavaScript values, and their
 * canonical text (sorted keys, typed scalars) that series ids and partition keys are built on.
 */
import { eachField, Reader, utf8 } from './wire.js';

/** An AnyValue as JavaScript: int64 beyond 2^53 is a bigint, a kvlist a plain object, an empty value null. */
export type AttributeValue = string | number | boolean | bigint | Uint8Array | null | AttributeValue[] | { [key: string]: AttributeValue };

/** Attributes (KeyValue lists) as a plain object; a repeated key keeps its last value. */
export type Attributes = Record<string, AttributeValue>;

const TWO32 = 4294967296;

/** Signed int64 from lo/hi: a number when it is exact, a bigint otherwise. */
export function int64Value(lo: number, hi: number): number | bigint {
  if (hi < 0x200000) return hi * TWO32 + lo;
  if (hi >= 0xffe00000) return (hi - TWO32) * TWO32 + lo;
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

/** Sets a key without letting "__proto__" reach the prototype. */
export function setKey(out: Attributes, key: string, value: AttributeValue): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** The AnyValue message in b[start, end). */
export function readAnyValue(b: Uint8Array, start: number, end: number): AttributeValue {
  const r = new Reader(b, start, end);
  let value: AttributeValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 0x0a: { const n = r.length(); value = utf8(b, r.pos, r.pos + n); r.pos += n; break; }
      case 0x10: r.varint64(); value = r.lo !== 0 || r.hi !== 0; break;
      case 0x18: r.varint64(); value = int64Value(r.lo, r.hi); break;
      case 0x21: value = r.double(); break;
      case 0x2a: { const n = r.length(); value = readArray(b, r.pos, r.pos + n); r.pos += n; break; }
      case 0x32: { const n = r.length(); value = readKeyValues(b, r.pos, r.pos + n, 1); r.pos += n; break; }
      case 0x3a: { const n = r.length(); value = b.slice(r.pos, r.pos + n); r.pos += n; break; }
      default: r.skip(tag & 7);
    }
  }
  return value;
}

function readArray(b: Uint8Array, start: number, end: number): AttributeValue[] {
  const out: AttributeValue[] = [];
  const r = new Reader(b, start, end);
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== 0x0a) { r.skip(tag & 7); continue; }
    const n = r.length();
    out.push(readAnyValue(b, r.pos, r.pos + n));
    r.pos += n;
  }
  return out;
}

/** One KeyValue message into `out`. */
export function readKeyValue(out: Attributes, b: Uint8Array, start: number, end: number): void {
  const r = new Reader(b, start, end);
  let key = '';
  let value: AttributeValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x0a) { const n = r.length(); key = utf8(b, r.pos, r.pos + n); r.pos += n; }
    else if (tag === 0x12) { const n = r.length(); value = readAnyValue(b, r.pos, r.pos + n); r.pos += n; }
    else r.skip(tag & 7);
  }
  setKey(out, key, value);
}

/** Every KeyValue in field `no` of the message in b[start, end), as a plain object. */
export function readKeyValues(b: Uint8Array, start: number, end: number, no: number, out: Attributes = {}): Attributes {
  eachField(b, start, end, no, (s, e) => readKeyValue(out, b, s, e));
  return out;
}

/**
 * The value of attribute `key` in field `no` of the message in b[start, end), or undefined when
 * absent. Only the matching KeyValue's value is decoded.
 */
export function findKeyValue(b: Uint8Array, start: number, end: number, no: number, key: string): AttributeValue | undefined {
  const want = (no << 3) | 2;
  const keyBytes = Buffer.from(key, 'utf8');
  const r = new Reader(b, start, end);
  let found: AttributeValue | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== want) { r.skip(tag & 7); continue; }
    const kvEnd = r.length() + r.pos;
    let matched = false;
    let valueAt = -1;
    let valueEnd = -1;
    while (r.pos < kvEnd) {
      const kt = r.uint32();
      if (kt === 0x0a) { const n = r.length(); matched = equalBytes(b, r.pos, n, keyBytes); r.pos += n; }
      else if (kt === 0x12) { const n = r.length(); valueAt = r.pos; valueEnd = r.pos + n; r.pos += n; }
      else r.skip(kt & 7);
    }
    if (matched) found = valueAt < 0 ? null : readAnyValue(b, valueAt, valueEnd);
  }
  return found;
}

function equalBytes(b: Uint8Array, at: number, n: number, want: Uint8Array): boolean {
  if (n !== want.length) return false;
  for (let i = 0; i < n; i++) if (b[at + i] !== want[i]) return false;
  return true;
}

/**
 * The canonical text of a value: strings JSON-quoted, numbers in decimal (an int and a double of
 * the same integral value agree, so senders that type a number differently still agree), bytes as
 * 0x-hex, arrays in order, kvlists with sorted keys, null for an empty value.
 */
export function canonicalValue(v: AttributeValue): string {
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'number': return Object.is(v, -0) ? '0' : String(v);
    case 'bigint': return String(v);
    case 'boolean': return v ? 'true' : 'false';
    default:
      if (v === null) return 'null';
      if (v instanceof Uint8Array) return '0x' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
      if (Array.isArray(v)) return '[' + v.map(canonicalValue).join(',') + ']';
      return canonicalAttributes(v);
  }
}

/** Attributes as canonical text: keys sorted, `{"k":v,...}`; order-independent by construction. */
export function canonicalAttributes(attrs: Attributes): string {
  const keys = Object.keys(attrs).sort();
  let s = '{';
  for (const key of keys) {
    const v = attrs[key];
    // undefined is what a builder leaves out: it is no attribute
    if (v === undefined) continue;
    if (s.length > 1) s += ',';
    s += JSON.stringify(key) + ':' + canonicalValue(v);
  }
  return s + '}';
}
