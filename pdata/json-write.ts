/**
 * Protobuf → OTLP/JSON, streamed from the wire bytes into a byte buffer (strings are copied as
 * UTF-8 without decoding) and turned into one string at the end; no object tree in between.
 */
import type { Payload } from './payload.js';
import { Kind, REQUEST, WIRE_OF, message, type FieldDef, type MessageDef } from './schema.js';
import { MAX_INTEGER_BYTES, writeInt32, writeInt64, writeUint64 } from './json-numbers.js';
import { HEX, HEX_PAIRS, PLAIN, fieldOrder, isDefault, plainWord } from './json-write-tables.js';
import { Reader } from './wire.js';
import type { BufferPool } from './buffer-pool.js';

const KEY_VALUE = message('KeyValue');
const KV_KEY = KEY_VALUE.fields[1]!;
const KV_VALUE = KEY_VALUE.fields[2]!;
const ANY_VALUE = message('AnyValue');
const Q = 0x22;
const COMMA = 0x2c;

/** One line of OTLP/JSON for the payload, as the Collector's file exporter writes it. */
export function toJson(payload: Payload): string {
  const w = write(payload);
  // latin1 is a plain copy into a one-byte string; only non-ASCII text needs the UTF-8 decoder
  return w.buf.toString(w.nonAscii ? 'utf8' : 'latin1', 0, w.pos);
}

/**
 * The same OTLP/JSON as `toJson`, as UTF-8 bytes, for writers that want bytes (files, sockets).
 * It skips the string: for a batch of thousands of spans that string is megabytes in V8's
 * large-object space, copied twice (bytes → string → bytes), and it is what drives full GCs
 * when the file exporter runs under load. The buffer is off the V8 heap and is the result as it is.
 */
export function toJsonBytes(payload: Payload, buffers?: BufferPool): Buffer {
  const w = write(payload, buffers);
  return w.buf.subarray(0, w.pos);
}

function write(payload: Payload, buffers?: BufferPool): JsonOut {
  const w = new JsonOut(payload.bytes, buffers);
  w.message(REQUEST[payload.signal], 0, payload.bytes.length);
  return w;
}

class JsonOut {
  buf: Buffer;
  pos = 0;
  /** Some string held bytes ≥ 0x80. */
  nonAscii = false;
  private first = true;
  private readonly r: Reader;
  /** 32-bit reads of the source and writes of the output: keys and plain strings go 4 bytes at a time. */
  private readonly srcView: DataView;
  private view: DataView;

  constructor(private readonly src: Uint8Array, private readonly buffers?: BufferPool) {
    const size = Math.max(1024, src.length * 3);
    this.buf = buffers ? buffers.take(size) : Buffer.allocUnsafe(size);
    this.r = new Reader(src);
    this.srcView = new DataView(src.buffer, src.byteOffset, src.byteLength);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const size = Math.max(this.buf.length * 2, this.pos + n);
    // Grown through the buffers too, so that the grown one can be given back.
    const next = this.buffers ? this.buffers.take(size) : Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buffers?.give(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  private byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  private ascii(s: string): void {
    this.ensure(s.length);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** `"json":`, after a comma unless first; whole words, so up to 3 bytes past the key are scratch. */
  private key(f: FieldDef): void {
    const words = this.first ? f.jsonKeyWords : f.jsonCommaKeyWords;
    const len = this.first ? f.jsonKey.length : f.jsonKey.length + 1;
    this.first = false;
    this.ensure(words.length * 4);
    const v = this.view;
    const p = this.pos;
    for (let i = 0; i < words.length; i++) v.setInt32(p + i * 4, words[i]!, true);
    this.pos = p + len;
  }

  /** `{...}` for the message in src[start, end). */
  message(def: MessageDef, start: number, end: number): void {
    const mark = this.pos;
    this.byte(0x7b);
    this.first = true;
    if (!this.fields(def, start, end, -1)) {
      // A repeated field interleaved with others: emit field by field so each array is whole.
      this.pos = mark + 1;
      this.first = true;
      for (const no of fieldOrder(this.r, def, start, end)) this.fields(def, start, end, no);
    }
    this.byte(0x7d);
    this.first = false;
  }

  /** Emits the fields (only field `only` when ≥ 0); false when a repeated field reappears after others. */
  private fields(def: MessageDef, start: number, end: number, only: number): boolean {
    const r = this.r;
    r.pos = start;
    r.end = end;
    let open = -1;
    let closed = 0;
    let firstElem = true;
    while (r.pos < end) {
      const tag = r.uint32();
      const no = tag >>> 3;
      const wire = tag & 7;
      const f = def.fields[no];
      if (f === undefined || (only >= 0 && no !== only)) { r.skip(wire); continue; }
      if (f.repeated) {
        if (no !== open) {
          if (open >= 0) { this.byte(0x5d); closed |= 1 << open; }
          if ((closed & (1 << no)) !== 0) return false;
          this.key(f);
          this.byte(0x5b);
          open = no;
          firstElem = true;
        }
        if (wire === 2 && f.packable) {
          const packedEnd = r.length() + r.pos;
          while (r.pos < packedEnd) {
            if (!firstElem) this.byte(COMMA);
            firstElem = false;
            this.scalar(f, packedEnd);
          }
          r.end = end;
        } else {
          if (!firstElem) this.byte(COMMA);
          firstElem = false;
          this.value(f, end);
        }
        continue;
      }
      if (open >= 0) { this.byte(0x5d); closed |= 1 << open; open = -1; }
      if (f.kind === Kind.Message || f.presence || !isDefault(r, f)) {
        this.key(f);
        this.value(f, end);
      } else {
        r.skip(wire);
      }
    }
    if (open >= 0) this.byte(0x5d);
    return true;
  }

  /** A value of field f at r.pos; the enclosing message ends at `end`. */
  private value(f: FieldDef, end: number): void {
    const r = this.r;
    if (f.kind === Kind.Message) {
      const len = r.length();
      const at = r.pos;
      if (f.msg !== KEY_VALUE || !this.keyValue(at, at + len)) this.message(f.msg!, at, at + len);
      r.pos = at + len;
      r.end = end;
      return;
    }
    this.scalar(f, end);
  }

  /**
   * An attribute, `{"key":"…","value":{"<scalar>":…}}`, without the generic field loop: attributes are
   * most of a span's fields. False, with nothing written, for any other layout (the generic path's).
   */
  private keyValue(start: number, end: number): boolean {
    const r = this.r;
    const s = this.src;
    // A non-empty key (field 1; an empty one is a default, left out) then the value (field 2), nothing else.
    if (s[start] !== 0x0a) return false;
    r.pos = start + 1;
    r.end = end;
    const keyLen = r.length();
    const keyAt = r.pos;
    r.pos += keyLen;
    if (keyLen === 0 || r.pos >= end || s[r.pos] !== 0x12) return false;
    r.pos++;
    if (r.length() + r.pos !== end || r.pos === end) return false;
    const tag = r.uint32();
    const f = ANY_VALUE.fields[tag >>> 3];
    if (f === undefined || f.kind === Kind.Message || (tag & 7) !== WIRE_OF[f.kind]) return false;
    const mark = this.pos;
    this.byte(0x7b);
    this.first = true;
    this.key(KV_KEY);
    this.string(keyAt, keyAt + keyLen);
    this.key(KV_VALUE);
    this.byte(0x7b);
    this.first = true;
    this.key(f);
    this.scalar(f, end);
    // A second field in the value: undo, the generic path writes it whole.
    if (r.pos !== end) { this.pos = mark; return false; }
    this.byte(0x7d);
    this.byte(0x7d);
    this.first = false;
    return true;
  }

  private scalar(f: FieldDef, end: number): void {
    const r = this.r;
    switch (f.kind) {
      case Kind.String: { const len = r.length(); this.string(r.pos, r.pos + len); r.pos += len; return; }
      case Kind.Bytes: { const len = r.length(); this.bytes(f, r.pos, len); r.pos += len; return; }
      case Kind.Bool: r.varint64(); this.ascii(r.lo !== 0 || r.hi !== 0 ? 'true' : 'false'); return;
      case Kind.Int32: case Kind.Enum: r.varint64(); this.int32(r.lo | 0); return;
      case Kind.Uint32: r.varint64(); this.int32(r.lo >>> 0); return;
      case Kind.Sint32: r.varint64(); this.int32((r.lo >>> 1) ^ -(r.lo & 1)); return;
      case Kind.Int64: r.varint64(); this.int64(r.lo, r.hi, true); return;
      case Kind.Uint64: r.varint64(); this.int64(r.lo, r.hi, false); return;
      case Kind.Fixed64: r.fixed64(); this.int64(r.lo, r.hi, false); return;
      case Kind.Sfixed64: r.fixed64(); this.int64(r.lo, r.hi, true); return;
      case Kind.Fixed32: this.int32(r.fixed32()); return;
      case Kind.Double: this.double(r.double()); return;
      default: throw new Error(`unexpected kind ${f.kind} at ${end}`);
    }
  }

  /** A 32-bit integer (unsigned ones arrive as numbers up to 2^32 - 1), bare. */
  private int32(v: number): void {
    this.ensure(MAX_INTEGER_BYTES);
    this.pos = writeInt32(this.buf, this.pos, v);
  }

  /** A 64-bit integer, quoted as proto3 JSON wants. */
  private int64(lo: number, hi: number, signed: boolean): void {
    this.ensure(MAX_INTEGER_BYTES + 2);
    const b = this.buf;
    b[this.pos] = Q;
    const p = signed ? writeInt64(b, this.pos + 1, lo, hi) : writeUint64(b, this.pos + 1, lo, hi);
    b[p] = Q;
    this.pos = p + 1;
  }

  private quoted(s: string): void {
    this.byte(Q);
    this.ascii(s);
    this.byte(Q);
  }

  private double(v: number): void {
    if (Number.isFinite(v)) this.ascii(String(v));
    else this.quoted(Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity');
  }

  /** A JSON string from UTF-8 bytes, escaping what JSON requires. */
  private string(start: number, end: number): void {
    const src = this.src;
    this.ensure((end - start) * 6 + 2);
    const b = this.buf;
    let p = this.pos;
    b[p++] = Q;
    // Printable ASCII other than `"` and `\\` (nearly every attribute) is copied a word at a time.
    let i = start;
    const sv = this.srcView;
    const v = this.view;
    while (i + 4 <= end) {
      const x = sv.getInt32(i, true);
      if (!plainWord(x)) break;
      v.setInt32(p, x, true);
      i += 4;
      p += 4;
    }
    let high = 0;
    for (; i < end; i++) {
      const c = src[i]!;
      if (PLAIN[c] === 1) {
        b[p++] = c;
        high |= c;
        continue;
      }
      b[p++] = 0x5c;
      switch (c) {
        case Q: b[p++] = Q; break;
        case 0x5c: b[p++] = 0x5c; break;
        case 0x0a: b[p++] = 0x6e; break;
        case 0x0d: b[p++] = 0x72; break;
        case 0x09: b[p++] = 0x74; break;
        default: b[p++] = 0x75; b[p++] = 0x30; b[p++] = 0x30; b[p++] = HEX[c >> 4]!; b[p++] = HEX[c & 15]!;
      }
    }
    if (high >= 0x80) this.nonAscii = true;
    b[p++] = Q;
    this.pos = p;
  }

  private bytes(f: FieldDef, start: number, len: number): void {
    if (f.idLength === 0) {
      this.quoted(Buffer.from(this.src.buffer, this.src.byteOffset + start, len).toString('base64'));
      return;
    }
    this.ensure(len * 2 + 2);
    const b = this.buf;
    const src = this.src;
    let p = this.pos;
    b[p++] = Q;
    const v = this.view;
    for (let i = start; i < start + len; i++, p += 2) v.setUint16(p, HEX_PAIRS[src[i]!]!, true);
    b[p++] = Q;
    this.pos = p;
  }
}
