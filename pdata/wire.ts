/**
 * Protobuf wire primitives: a bounds-checked reader over a byte range and a growable writer.
 * 64-bit values travel as two unsigned 32-bit halves (lo, hi) so nothing is rounded through a
 * double; BigInt appears only where a caller asks for one.
 */
import { InvalidInputError } from '../pipeline/errors.js';

const TWO32 = 4294967296;

/** Reads protobuf values from `buf` between `pos` and `end`; every read is bounds-checked. */
export class Reader {
  /** Halves of the last 64-bit value read. */
  lo = 0;
  hi = 0;
  // Made on first fixed-width read: most readers (attributes, ids, strings) never need one.
  private dataView: DataView | undefined;

  constructor(readonly buf: Uint8Array, public pos = 0, public end = buf.length) {}

  private get view(): DataView {
    return (this.dataView ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  /** A varint that must fit 32 bits unsigned (tags, lengths); longer encodings keep their low bits. */
  uint32(): number {
    const b = this.buf;
    let p = this.pos;
    if (p < this.end && b[p]! < 0x80) { this.pos = p + 1; return b[p]!; }
    let v = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (p >= this.end) throw new InvalidInputError('truncated varint');
      const c = b[p++]!;
      if (shift < 32) v += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) { this.pos = p; return v % TWO32; }
    }
    throw new InvalidInputError('varint longer than 10 bytes');
  }

  /** A varint of up to 64 bits into lo/hi. */
  varint64(): void {
    const b = this.buf;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (p >= this.end) throw new InvalidInputError('truncated varint');
      const c = b[p++]!;
      const bits = c & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) { lo |= bits << 28; hi = bits >>> 4; }
      else hi |= bits << (7 * i - 32);
      if (c < 0x80) { this.pos = p; this.lo = lo >>> 0; this.hi = hi >>> 0; return; }
    }
    throw new InvalidInputError('varint longer than 10 bytes');
  }

  /** A length prefix; the bytes it announces must lie within the current range. */
  length(): number {
    const n = this.uint32();
    if (n > this.end - this.pos) throw new InvalidInputError(`length ${n} exceeds the ${this.end - this.pos} bytes left`);
    return n;
  }

  fixed32(): number {
    if (this.end - this.pos < 4) throw new InvalidInputError('truncated fixed32');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A fixed64 into lo/hi. */
  fixed64(): void {
    if (this.end - this.pos < 8) throw new InvalidInputError('truncated fixed64');
    this.lo = this.view.getUint32(this.pos, true);
    this.hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
  }

  double(): number {
    if (this.end - this.pos < 8) throw new InvalidInputError('truncated double');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Skips one value of `wire` type after its tag (groups included, without recursion). */
  skip(wire: number): void {
    let depth = 0;
    for (;;) {
      switch (wire) {
        case 0: this.varint64(); break;
        case 1: this.need(8); break;
        case 2: { const len = this.length(); this.pos += len; break; }
        case 3: depth++; break;
        case 4:
          if (depth === 0) throw new InvalidInputError('unexpected end-group');
          depth--;
          break;
        case 5: this.need(4); break;
        default: throw new InvalidInputError(`invalid wire type ${wire}`);
      }
      if (depth === 0) return;
      if (this.pos >= this.end) throw new InvalidInputError('unterminated group');
      wire = this.uint32() & 7;
    }
  }

  private need(n: number): void {
    if (this.end - this.pos < n) throw new InvalidInputError('truncated value');
    this.pos += n;
  }
}

/** The unsigned value of lo/hi as a decimal string, exact. */
export function uint64String(lo: number, hi: number): string {
  if (hi < 0x200000) return String(hi * TWO32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** The two's-complement signed value of lo/hi as a decimal string, exact. */
export function int64String(lo: number, hi: number): string {
  if (hi < 0x80000000) return uint64String(lo, hi);
  // negate: ~x + 1 over 64 bits
  const nlo = (~lo + 1) >>> 0;
  const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
  return '-' + uint64String(nlo, nhi);
}

/** lo/hi as a BigInt (unsigned). */
export function uint64BigInt(lo: number, hi: number): bigint {
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

/** Bytes needed for `v` (0 ≤ v < 2^32) as a varint. */
export function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

const F64 = new Float64Array(1);
const F64B = new Uint8Array(F64.buffer);

/** A growable protobuf writer. */
export class Writer {
  buf: Buffer;
  pos = 0;

  constructor(initial = 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Makes room for n more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** An unsigned varint below 2^32. */
  uint32(v: number): void {
    this.ensure(5);
    const b = this.buf;
    while (v >= 0x80) { b[this.pos++] = (v & 0x7f) | 0x80; v = v >>> 7; }
    b[this.pos++] = v;
  }

  tag(no: number, wire: number): void {
    this.uint32(no * 8 + wire);
  }

  /** A 64-bit varint from lo/hi (negative int32 values are sign-extended to hi = 0xffffffff). */
  varint64(lo: number, hi: number): void {
    this.ensure(10);
    const b = this.buf;
    while (hi !== 0 || lo >= 0x80) {
      b[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi = hi >>> 7;
    }
    b[this.pos++] = lo;
  }

  fixed32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    b[this.pos++] = v & 0xff; b[this.pos++] = (v >>> 8) & 0xff; b[this.pos++] = (v >>> 16) & 0xff; b[this.pos++] = v >>> 24;
  }

  fixed64(lo: number, hi: number): void {
    this.fixed32(lo);
    this.fixed32(hi);
  }

  double(v: number): void {
    F64[0] = v;
    this.raw(F64B);
  }

  /** Bytes as they are, no prefix. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Length-prefixed bytes. */
  bytes(bytes: Uint8Array): void {
    this.uint32(bytes.length);
    this.raw(bytes);
  }

  /** Length-prefixed UTF-8. */
  string(s: string): void {
    const max = s.length * 3;
    this.ensure(max + 5);
    if (s.length < 0x80 / 3) {
      const start = this.pos + 1;
      const n = this.buf.write(s, start, 'utf8');
      this.buf[this.pos] = n;
      this.pos = start + n;
      return;
    }
    this.bytes(Buffer.from(s, 'utf8'));
  }

  /** Reserves one byte for a length that `endLength` fills in; returns where the content starts. */
  beginLength(): number {
    this.ensure(1);
    this.pos++;
    return this.pos;
  }

  /** Writes the length of everything since `start`, moving the content if the varint needs more room. */
  endLength(start: number): void {
    const len = this.pos - start;
    const size = varintSize(len);
    if (size > 1) {
      this.ensure(size - 1);
      this.buf.copyWithin(start + size - 1, start, this.pos);
      this.pos += size - 1;
    }
    let p = start - 1;
    let v = len;
    while (v >= 0x80) { this.buf[p++] = (v & 0x7f) | 0x80; v >>>= 7; }
    this.buf[p] = v;
  }

  /** The bytes written so far (a copy sized to fit). */
  finish(): Uint8Array {
    return new Uint8Array(this.buf.subarray(0, this.pos));
  }
}

/** UTF-8 text of buf[start, end); short ASCII without allocating a Buffer view. */
export function utf8(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 24) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
      s += String.fromCharCode(c);
    }
    return s;
  }
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
}

/** Calls `fn` with the content range of every length-delimited field `no` of the message in b[start, end). */
export function eachField(b: Uint8Array, start: number, end: number, no: number, fn: (start: number, end: number) => void): void {
  const want = (no << 3) | 2;
  const r = new Reader(b, start, end);
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== want) { r.skip(tag & 7); continue; }
    const n = r.length();
    const at = r.pos;
    r.pos += n;
    fn(at, at + n);
  }
}
