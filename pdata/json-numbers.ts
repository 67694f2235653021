/**
 * Decimal integers written straight into a byte buffer, for the OTLP/JSON writer. Neither String()
 * nor BigInt: a span's nanosecond timestamps are above 2^53, and BigInt's toString for each of them
 * (four per span with two events) was a measurable share of the file exporter's CPU, plus garbage.
 * Every function writes at b[p] and returns the position after what it wrote; the caller makes room
 * (MAX_INTEGER_BYTES at most).
 */

const TWO32 = 4294967296;
const MINUS = 0x2d;

/** The most bytes an integer takes here: a sign and the 20 digits of 2^64 - 1. */
export const MAX_INTEGER_BYTES = 21;

/** 0 ≤ v < 2^53, an integer. */
export function writeDigits(b: Uint8Array, p: number, v: number): number {
  if (v < 1e9) return writeBelow1e9(b, p, v, 1);
  const high = Math.floor(v / 1e9);
  return writeBelow1e9(b, writeDigits(b, p, high), v - high * 1e9, 9);
}

/** "00" to "99" as ASCII pairs, so digits go out two per division. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) { PAIRS[2 * i] = 0x30 + ((i / 10) | 0); PAIRS[2 * i + 1] = 0x30 + (i % 10); }

/** How many digits 0 ≤ v < 1e9 has. */
function digitCount(v: number): number {
  if (v < 10000) return v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : 4;
  return v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : 9;
}

/** 0 ≤ v < 1e9, zero-padded to 9 digits when `width` is 9. */
function writeBelow1e9(b: Uint8Array, p: number, v: number, width: number): number {
  let x = v | 0; // below 2^31: integer arithmetic from here on
  const end = p + (width === 9 ? 9 : digitCount(x));
  let q = end;
  while (x >= 100) {
    const r = x % 100;
    x = (x / 100) | 0;
    b[--q] = PAIRS[2 * r + 1]!;
    b[--q] = PAIRS[2 * r]!;
  }
  if (x >= 10) {
    b[--q] = PAIRS[2 * x + 1]!;
    b[--q] = PAIRS[2 * x]!;
  } else {
    b[--q] = 0x30 + x;
  }
  while (q > p) b[--q] = 0x30;
  return end;
}

/** A signed 32-bit integer (int32, enum, sint32 after zigzag). */
export function writeInt32(b: Uint8Array, p: number, v: number): number {
  if (v >= 0) return writeDigits(b, p, v);
  b[p] = MINUS;
  return writeDigits(b, p + 1, -v);
}

/** The unsigned 64-bit value hi·2^32 + lo, exact. */
export function writeUint64(b: Uint8Array, p: number, lo: number, hi: number): number {
  if (hi < 0x200000) return writeDigits(b, p, hi * TWO32 + lo);
  // Long division by 1e9, 16 bits at a time, so that every intermediate stays below 2^53; the
  // quotient is below 2^35 and the value above 2^53, so the quotient is never 0.
  let q = Math.floor(hi / 1e9);
  let rem = hi - q * 1e9;
  let cur = rem * 65536 + (lo >>> 16);
  let d = Math.floor(cur / 1e9);
  q = q * 65536 + d;
  rem = cur - d * 1e9;
  cur = rem * 65536 + (lo & 0xffff);
  d = Math.floor(cur / 1e9);
  q = q * 65536 + d;
  rem = cur - d * 1e9;
  return writeBelow1e9(b, writeDigits(b, p, q), rem, 9);
}

/** The two's-complement signed 64-bit value of lo/hi, exact. */
export function writeInt64(b: Uint8Array, p: number, lo: number, hi: number): number {
  if (hi < 0x80000000) return writeUint64(b, p, lo, hi);
  // negate over 64 bits: ~x + 1
  const nlo = (~lo + 1) >>> 0;
  const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
  b[p] = MINUS;
  return writeUint64(b, p + 1, nlo, nhi);
}
