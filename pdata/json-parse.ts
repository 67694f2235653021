/**
 * OTLP/JSON → protobuf, with our own small tokenizer that writes protobuf as it reads.
 * Why not JSON.parse: it turns 1700000000123456789 into 1700000000123456800 before we can see the
 * text, and it recurses, so a 20 000-level body costs a deep native stack before any limit applies.
 * Here number literals keep their text, nesting lives on an explicit stack bounded by the AnyValue
 * limit, and no object tree is built.
 */
import { InvalidInputError } from '../pipeline/errors.js';
import { Kind, MAX_ANY_DEPTH, packable, type FieldDef, type MessageDef } from './schema.js';
import { Writer } from './wire.js';

/** Enum names proto3 JSON parsers accept besides the integers (unique across OTLP's enums). */
const ENUM_NAMES = new Map<string, number>([
  ...['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'].map((n, i): [string, number] => [`SPAN_KIND_${n}`, i]),
  ...['UNSET', 'OK', 'ERROR'].map((n, i): [string, number] => [`STATUS_CODE_${n}`, i]),
  ...['UNSPECIFIED', 'DELTA', 'CUMULATIVE'].map((n, i): [string, number] => [`AGGREGATION_TEMPORALITY_${n}`, i]),
  ['SEVERITY_NUMBER_UNSPECIFIED', 0],
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((n, i) =>
    [1, 2, 3, 4].map((k): [string, number] => [`SEVERITY_NUMBER_${n}${k === 1 ? '' : k}`, i * 4 + k])),
]);

interface Frame {
  /** Message being filled, or undefined for an array. */
  def: MessageDef | undefined;
  /** The repeated field of an array frame. */
  field: FieldDef | undefined;
  /** Writer position where the length of this message / packed array starts; -1 for none. */
  lengthAt: number;
  any: number;
  /** No element or member read yet. */
  empty: boolean;
}

/** Parses an OTLP/JSON request of message `root` into protobuf bytes (not yet validated). */
export function jsonToProtobuf(root: MessageDef, body: Uint8Array): Uint8Array {
  return new Parser(body).parse(root);
}

class Parser {
  private i = 0;
  private readonly w: Writer;
  private readonly stack: Frame[] = [];

  constructor(private readonly s: Uint8Array) {
    this.w = new Writer(Math.max(256, s.length >> 1));
  }

  private fail(message: string): never {
    throw new InvalidInputError(`invalid OTLP/JSON at position ${this.i}: ${message}`);
  }

  /** Skips whitespace and returns the next byte (-1 at the end). */
  private peek(): number {
    const s = this.s;
    let i = this.i;
    while (i < s.length && (s[i] === 0x20 || s[i] === 0x0a || s[i] === 0x0d || s[i] === 0x09)) i++;
    this.i = i;
    return i < s.length ? s[i]! : -1;
  }

  private expect(c: number, what: string): void {
    if (this.peek() !== c) this.fail(`expected ${what}`);
    this.i++;
  }

  parse(root: MessageDef): Uint8Array {
    this.expect(0x7b, "'{'");
    this.stack.push({ def: root, field: undefined, lengthAt: -1, any: 0, empty: true });
    while (this.stack.length > 0) this.step(this.stack[this.stack.length - 1]!);
    if (this.peek() !== -1) this.fail('unexpected data after the request');
    return this.w.finish();
  }

  /** Advances the top frame by one member or element. */
  private step(top: Frame): void {
    const c = this.peek();
    const close = top.def ? 0x7d : 0x5d;
    if (c === close) {
      this.i++;
      this.stack.pop();
      if (top.lengthAt >= 0) this.w.endLength(top.lengthAt);
      return;
    }
    if (!top.empty) {
      if (c !== COMMA) this.fail(`expected ',' or '${String.fromCharCode(close)}'`);
      this.i++;
    }
    top.empty = false;
    if (top.def) {
      const key = this.string();
      this.expect(0x3a, "':'");
      const f = top.def.byName.get(key);
      if (f === undefined) this.skipValue();
      else this.member(top, f);
    } else {
      this.element(top, top.field!);
    }
  }

  /** The value of a known member of a message. */
  private member(top: Frame, f: FieldDef): void {
    const c = this.peek();
    if (c === 0x6e) { this.literal('null'); return; }
    if (f.repeated) {
      this.expect(0x5b, `an array for "${f.json}"`);
      let lengthAt = -1;
      if (packable(f)) { this.w.tag(f.no, 2); lengthAt = this.w.beginLength(); }
      this.stack.push({ def: undefined, field: f, lengthAt, any: top.any, empty: true });
      return;
    }
    if (f.kind === Kind.Message) { this.open(top, f); return; }
    this.scalar(f, !f.presence, true);
  }

  private element(top: Frame, f: FieldDef): void {
    if (f.kind === Kind.Message) this.open(top, f);
    else this.scalar(f, false, top.lengthAt < 0);
  }

  /** Starts a nested message for field f. */
  private open(parent: Frame, f: FieldDef): void {
    const any = parent.any + (f.msg!.anyValue ? 1 : 0);
    if (any > MAX_ANY_DEPTH) this.fail(`attribute nested deeper than ${MAX_ANY_DEPTH} levels`);
    this.expect(0x7b, `an object for "${f.json}"`);
    this.w.tag(f.no, 2);
    this.stack.push({ def: f.msg, field: undefined, lengthAt: this.w.beginLength(), any, empty: true });
  }

  /** A scalar value; `omitDefault` skips zero values, `tagged` writes the field tag (not when packed). */
  private scalar(f: FieldDef, omitDefault: boolean, tagged: boolean): void {
    const w = this.w;
    const c = this.peek();
    if (f.kind === Kind.Bool) {
      if (c !== 0x74 && c !== 0x66) this.fail(`"${f.json}" must be true or false`);
      const v = c === 0x74 ? 1 : 0;
      this.literal(v ? 'true' : 'false');
      if (v === 0 && omitDefault) return;
      if (tagged) w.tag(f.no, 0);
      w.uint32(v);
      return;
    }
    if (f.kind === Kind.String || f.kind === Kind.Bytes) {
      if (c !== Q) this.fail(`"${f.json}" must be a string`);
      const bytes = f.kind === Kind.String ? this.stringBytes() : this.binary(f);
      if (bytes.length === 0 && omitDefault) return;
      if (tagged) w.tag(f.no, 2);
      w.bytes(bytes);
      return;
    }
    const text = c === Q ? this.string() : this.number();
    if (f.kind === Kind.Double) {
      const v = text === 'NaN' || text === 'Infinity' || text === '-Infinity' ? Number(text) : numeric(text) ? Number(text) : this.fail(`"${f.json}" must be a number`);
      if (v === 0 && omitDefault) return;
      if (tagged) w.tag(f.no, 1);
      w.double(v);
      return;
    }
    const [lo, hi] = this.integer(f, text);
    if (lo === 0 && hi === 0 && omitDefault) return;
    switch (f.kind) {
      case Kind.Fixed64: case Kind.Sfixed64: if (tagged) w.tag(f.no, 1); w.fixed64(lo, hi); return;
      case Kind.Fixed32: if (tagged) w.tag(f.no, 5); w.fixed32(lo); return;
      case Kind.Sint32: if (tagged) w.tag(f.no, 0); w.uint32(((lo << 1) ^ (lo >> 31)) >>> 0); return;
      default: if (tagged) w.tag(f.no, 0); w.varint64(lo, hi);
    }
  }

  /** An integer field's text as 64-bit halves, range-checked for its kind. */
  private integer(f: FieldDef, text: string): [number, number] {
    if (f.kind === Kind.Enum && ENUM_NAMES.has(text)) return [ENUM_NAMES.get(text)!, 0];
    let v: bigint;
    if (/^-?\d+$/.test(text)) v = BigInt(text);
    else if (numeric(text) && Number.isSafeInteger(Number(text))) v = BigInt(Number(text));
    else this.fail(`"${f.json}" must be an integer, got ${JSON.stringify(text)}`);
    const [min, max] = RANGE[f.kind]!;
    if (v < min || v > max) this.fail(`"${f.json}" is out of range: ${text}`);
    const u = BigInt.asUintN(64, v);
    return [Number(u & 0xffffffffn), Number(u >> 32n)];
  }

  /** A hex id (trace/span ids) or base64. */
  private binary(f: FieldDef): Uint8Array {
    const text = this.string();
    if (f.idLength === 0) return Buffer.from(text, 'base64');
    if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) this.fail(`"${f.json}" must be hex, got ${JSON.stringify(text)}`);
    return Buffer.from(text, 'hex');
  }

  private literal(word: string): void {
    for (let k = 0; k < word.length; k++) {
      if (this.s[this.i + k] !== word.charCodeAt(k)) this.fail(`unexpected token, expected ${word}`);
    }
    this.i += word.length;
  }

  /** A number literal's text, kept exact. */
  private number(): string {
    const s = this.s;
    const start = this.i;
    let i = start;
    while (i < s.length && NUMBER_CHARS[s[i]!]) i++;
    const text = Buffer.from(s.buffer, s.byteOffset + start, i - start).toString('latin1');
    if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) this.fail(text ? `bad number ${text}` : 'unexpected token');
    this.i = i;
    return text;
  }

  /** A string token's UTF-8 bytes (raw slice when it has no escapes). */
  private stringBytes(): Uint8Array {
    const s = this.s;
    if (this.peek() !== Q) this.fail('expected a string');
    const start = ++this.i;
    let i = start;
    while (i < s.length && s[i] !== Q && s[i] !== 0x5c && s[i]! >= 0x20) i++;
    if (i < s.length && s[i] === Q) { this.i = i + 1; return s.subarray(start, i); }
    this.i = start - 1;
    return Buffer.from(this.string(), 'utf8');
  }

  /** A string token, unescaped. */
  private string(): string {
    const s = this.s;
    if (this.peek() !== Q) this.fail('expected a string');
    let i = this.i + 1;
    const start = i;
    let escaped = false;
    for (;;) {
      if (i >= s.length) this.fail('unterminated string');
      const c = s[i]!;
      if (c === Q) break;
      if (c < 0x20) { this.i = i; this.fail('control character in string'); }
      if (c === 0x5c) { escaped = true; i++; }
      i++;
    }
    const raw = Buffer.from(s.buffer, s.byteOffset + start, i - start).toString('utf8');
    let out = raw;
    if (escaped) {
      try {
        out = JSON.parse(`"${raw}"`) as string;
      } catch (err) {
        this.fail(`bad escape in string: ${(err as Error).message}`);
      }
    }
    this.i = i + 1;
    return out;
  }

  /** Skips any JSON value (unknown fields) without recursion; only its tokens are checked. */
  private skipValue(): void {
    let depth = 0;
    for (;;) {
      const c = this.peek();
      if (c === 0x7b || c === 0x5b) { depth++; this.i++; continue; }
      if (c === 0x7d || c === 0x5d) {
        if (depth === 0) this.fail('unexpected closing bracket');
        depth--;
        this.i++;
      } else if (c === COMMA || c === 0x3a) {
        if (depth === 0) this.fail('unexpected separator');
        this.i++;
        continue;
      } else if (c === Q) this.string();
      else if (c === 0x74) this.literal('true');
      else if (c === 0x66) this.literal('false');
      else if (c === 0x6e) this.literal('null');
      else if (c === -1) this.fail('unexpected end of input');
      else this.number();
      if (depth === 0) return;
    }
  }
}

const Q = 0x22;
const COMMA = 0x2c;
const NUMBER_CHARS: boolean[] = [];
for (const c of '-+.0123456789eE') NUMBER_CHARS[c.charCodeAt(0)] = true;

function numeric(text: string): boolean {
  return /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text);
}

const RANGE: Partial<Record<Kind, [bigint, bigint]>> = {
  [Kind.Int32]: [-(2n ** 31n), 2n ** 31n - 1n], [Kind.Enum]: [-(2n ** 31n), 2n ** 31n - 1n], [Kind.Sint32]: [-(2n ** 31n), 2n ** 31n - 1n],
  [Kind.Uint32]: [0n, 2n ** 32n - 1n], [Kind.Fixed32]: [0n, 2n ** 32n - 1n],
  [Kind.Int64]: [-(2n ** 63n), 2n ** 63n - 1n], [Kind.Sfixed64]: [-(2n ** 63n), 2n ** 63n - 1n],
  [Kind.Uint64]: [0n, 2n ** 64n - 1n], [Kind.Fixed64]: [0n, 2n ** 64n - 1n],
};
