/**
 * The partition key of a metric series, hashed straight from the protobuf bytes: nothing is decoded.
 * A series is its metric name, its resource's attributes and its point's attributes; attributes come
 * in no canonical order, so each set is hashed order-independently (the sum of its KeyValues' hashes)
 * and the three parts are then mixed in order, so an attribute on the resource and the same one on
 * the point make different series.
 *
 * The hash is over raw KeyValue bytes, so two encodings of one value are two series: an int and a
 * double of the same number, a string sent as bytes, a nested kvlist in another key order, or a
 * KeyValue written value-before-key. The Collector's own series identity keeps value types apart
 * too, and an SDK encodes a given attribute the same way every time. seriesId (./series) makes an
 * int and a double equal: a sender mixing both for one series has it on two partitions. Duplicate
 * keys each count (OTLP forbids them; they stay deterministic).
 * No seed is random: every process and machine computes the same key, as the stage logs need.
 */
import { Reader } from './wire.js';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** One 32-bit block into the running hash (the Murmur3 round). */
function round(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, C2);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** A 32-bit avalanche finaliser (every input bit affects every output bit). */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Murmur3 (32-bit, seed 0) of b[start, end): well mixed, so sums of such hashes stay uniform. */
export function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = 0;
  const whole = end - ((end - start) & 3);
  let i = start;
  for (; i < whole; i += 4) h = round(h, b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
  if (i < end) {
    let k = b[i]!;
    if (i + 1 < end) k |= b[i + 1]! << 8;
    if (i + 2 < end) k |= b[i + 2]! << 16;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, C2);
  }
  return fmix(h ^ (end - start));
}

/**
 * The order-independent hash of the KeyValues in field `no` of the message in b[start, end): the
 * sum (mod 2^32) of each KeyValue's hashBytes. A sum rather than a xor, so a repeated KeyValue does
 * not cancel out. 0 when there are none.
 */
export function hashKeyValues(b: Uint8Array, start: number, end: number, no: number): number {
  const want = (no << 3) | 2;
  const r = new Reader(b, start, end);
  let sum = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== want) { r.skip(tag & 7); continue; }
    const n = r.length();
    sum = (sum + hashBytes(b, r.pos, r.pos + n)) | 0;
    r.pos += n;
  }
  return sum;
}

/**
 * A series' 32-bit hash from its three parts, mixed in order (resource before point attributes):
 * hashBytes of the metric name, hashKeyValues of the resource and of the point.
 */
export function seriesHash(name: number, resource: number, point: number): number {
  return fmix(round(round(round(0x5eb1e5, name), resource), point) ^ 12) >>> 0;
}
