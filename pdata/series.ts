/**
 * The identity of a metric time series: its metric name, resource attributes and data point
 * attributes, from decoded values. Stateful processors key their state by it; the stage logs
 * partition by a byte-level hash of the same parts instead (./series-hash), which is faster but
 * tells apart encodings this text makes equal (an int and a double of one number).
 */
import { canonicalAttributes, type Attributes } from './any-value.js';

/**
 * The readable identity of a series: `"name" {resource attributes} {point attributes}` with keys
 * sorted and values typed (see canonicalValue). Equal for the same series whatever request, attribute
 * order or encoding it arrived in.
 */
export function seriesKey(metricName: string, resource: Attributes, attributes: Attributes): string {
  return seriesKeyFrom(metricName, canonicalAttributes(resource), attributes);
}

/** seriesKey with the resource's canonical text already computed (it is shared by many points). */
export function seriesKeyFrom(metricName: string, resourceCanonical: string, attributes: Attributes): string {
  return JSON.stringify(metricName) + ' ' + resourceCanonical + ' ' + canonicalAttributes(attributes);
}

/** The series id: 16 hex digits, a 64-bit hash of seriesKey. Compact enough for a map key or a Kafka record key. */
export function seriesId(metricName: string, resource: Attributes, attributes: Attributes): string {
  return hash64(seriesKey(metricName, resource, attributes));
}

/**
 * A 64-bit hash of a string's UTF-16 code units, as 16 hex digits: two 32-bit multiply-xor lanes
 * with different constants, cross-mixed at the end. Not cryptographic; collisions are negligible
 * below billions of series.
 */
export function hash64(s: string): string {
  let a = 0x9e3779b9 ^ s.length;
  let b = 0x85ebca6b ^ Math.imul(s.length, 0x27d4eb2f);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0xcc9e2d51);
    a ^= a >>> 15;
    b = Math.imul(b ^ c, 0x1b873593);
    b = (b << 13) | (b >>> 19);
  }
  a ^= b >>> 7;
  b ^= a >>> 11;
  a = fmix(a ^ Math.imul(b, 0x165667b1));
  b = fmix(b ^ Math.imul(a, 0xd3a2646c));
  return hex8(a) + hex8(b);
}

/** A 32-bit avalanche finaliser (every input bit affects every output bit). */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Two hex digits per byte value: hex8 is four lookups, not a number-to-string conversion and a pad (it runs per data point). */
const HEX2 = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const hex8 = (n: number): string => HEX2[n >>> 24]! + HEX2[(n >>> 16) & 0xff]! + HEX2[(n >>> 8) & 0xff]! + HEX2[n & 0xff]!;
