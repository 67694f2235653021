/**
 * Tables and scans for the OTLP/JSON writer (./json-write): byte classes, hex pairs, the default
 * check proto3 JSON needs, and the field order of a message whose repeated fields interleave.
 */
import { Kind, type FieldDef, type MessageDef } from './schema.js';
import type { Reader } from './wire.js';

/** The lowercase hex digits. */
export const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** Each byte's two hex digits as one little-endian 16-bit word: ids are written a byte per store. */
export const HEX_PAIRS = new Uint16Array(256);
for (let i = 0; i < 256; i++) HEX_PAIRS[i] = HEX[i >> 4]! | (HEX[i & 15]! << 8);
/** 1 for bytes copied into a JSON string as they are. */
export const PLAIN = new Uint8Array(256).fill(1);
PLAIN.fill(0, 0, 0x20);
PLAIN[0x22] = 0;
PLAIN[0x5c] = 0;

/** Whether the 4 bytes of x are all printable ASCII and none is `"` or `\\` (bit tricks on the whole word). */
export function plainWord(x: number): boolean {
  const quote = x ^ 0x22222222;
  const slash = x ^ 0x5c5c5c5c;
  // a byte of 0 in quote/slash means `"` or `\\`; (y - 0x01…) & ~y & 0x80… is non-zero iff y has a zero byte
  const special = ((quote - 0x01010101) & ~quote) | ((slash - 0x01010101) & ~slash) | ((x - 0x20202020) & ~x) | x;
  return (special & 0x80808080) === 0;
}

/** Whether the scalar at r.pos holds its default value (proto3 JSON omits those); r.pos is kept. */
export function isDefault(r: Reader, f: FieldDef): boolean {
  const at = r.pos;
  const b = r.buf;
  let zero: boolean;
  switch (f.kind) {
    case Kind.String: case Kind.Bytes: zero = b[at] === 0; break;
    case Kind.Fixed32: zero = b[at] === 0 && b[at + 1] === 0 && b[at + 2] === 0 && b[at + 3] === 0; break;
    case Kind.Fixed64: case Kind.Sfixed64: case Kind.Double: {
      zero = true;
      for (let i = 0; i < 8; i++) if (b[at + i] !== 0) { zero = false; break; }
      break;
    }
    default: r.varint64(); r.pos = at; zero = r.lo === 0 && r.hi === 0;
  }
  return zero;
}

/** Field numbers of a message in order of first appearance. */
export function fieldOrder(r: Reader, def: MessageDef, start: number, end: number): number[] {
  const order: number[] = [];
  r.pos = start;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32();
    const no = tag >>> 3;
    if (def.fields[no] !== undefined && !order.includes(no)) order.push(no);
    r.skip(tag & 7);
  }
  return order;
}
