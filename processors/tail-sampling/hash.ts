/**
 * The probabilistic policy's decision, bit for bit as otelcol's tail_sampling computes it, so that
 * vigil and a Collector with the same hash_salt and percentage keep the same traces:
 * - FNV-1a 64-bit over the salt's UTF-8 bytes, then the 16 trace id bytes (salt "" means
 *   "default-hash-seed");
 * - sampled when the hash is <= threshold, threshold = uint64(float(2^64−1) × percentage/100)
 *   with Go's big.Float: the product rounded to 64 bits of mantissa (nearest even), then truncated.
 */

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;
const MAX_UINT64 = MASK64;

/** otelcol's salt when none is configured. */
export const DEFAULT_HASH_SALT = 'default-hash-seed';

/** FNV-1a 64 of the salt then the trace id: the definition, in BigInt (ProbabilisticHash computes the same in 32-bit halves). */
export function hashTraceId(salt: string, traceId: Uint8Array): bigint {
  let h = FNV64_OFFSET;
  for (const byte of Buffer.from(salt, 'utf8')) h = ((h ^ BigInt(byte)) * FNV64_PRIME) & MASK64;
  for (const byte of traceId) h = ((h ^ BigInt(byte)) * FNV64_PRIME) & MASK64;
  return h;
}

/**
 * FNV-1a 64 steps over `bytes` from the state (hi, lo), in unsigned 32-bit halves: a BigInt
 * multiply and mask per byte was a visible share of a decision (issue 10's chain). The prime is
 * 2^40 + 0x1b3, so h × prime mod 2^64 = h × 0x1b3 + (lo << 40): every partial product is below
 * 2^53, so exact in a double.
 */
function fnvSteps(hi: number, lo: number, bytes: Uint8Array): [number, number] {
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ bytes[i]!) >>> 0;
    const low = lo * 0x1b3;
    const carry = Math.floor(low / 4294967296);
    hi = (hi * 0x1b3 + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  }
  return [hi, lo];
}

/** A float64 as mantissa × 2^exponent, exactly. */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  if (exp === 0) return { mantissa: frac, exponent: -1074 };
  return { mantissa: frac | (1n << 52n), exponent: exp - 1075 };
}

/** Rounds a positive integer to `bits` significant bits, nearest even; returns it with its scale. */
function roundToBits(v: bigint, bits: number): { value: bigint; shift: number } {
  const len = v.toString(2).length;
  if (len <= bits) return { value: v, shift: 0 };
  const shift = len - bits;
  let q = v >> BigInt(shift);
  const rest = v - (q << BigInt(shift));
  const half = 1n << BigInt(shift - 1);
  if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
  return { value: q, shift };
}

/** otelcol's calculateThreshold(percentage / 100). */
export function thresholdFor(percentage: number): bigint {
  const ratio = percentage / 100;
  if (!(ratio > 0)) return 0n;
  const { mantissa, exponent } = decompose(ratio);
  // big.Float with 64 bits of precision: round the exact product, then apply the binary exponent.
  const { value, shift } = roundToBits(MAX_UINT64 * mantissa, 64);
  const e = exponent + shift;
  const whole = e >= 0 ? value << BigInt(e) : value >> BigInt(-e);
  return whole > MAX_UINT64 ? MAX_UINT64 : whole;
}

/** Decides per trace id; the same id always gets the same answer for the same salt and percentage. */
export class ProbabilisticHash {
  /** The threshold and the hash state after the salt, in 32-bit halves. */
  private readonly thresholdHi: number;
  private readonly thresholdLo: number;
  private readonly saltHi: number;
  private readonly saltLo: number;

  constructor(salt: string, percentage: number) {
    const threshold = thresholdFor(percentage);
    this.thresholdHi = Number(threshold >> 32n);
    this.thresholdLo = Number(threshold & 0xffffffffn);
    [this.saltHi, this.saltLo] = fnvSteps(Number(FNV64_OFFSET >> 32n), Number(FNV64_OFFSET & 0xffffffffn), Buffer.from(salt === '' ? DEFAULT_HASH_SALT : salt, 'utf8'));
  }

  sampled(traceId: Uint8Array): boolean {
    const [hi, lo] = fnvSteps(this.saltHi, this.saltLo, traceId);
    return hi < this.thresholdHi || (hi === this.thresholdHi && lo <= this.thresholdLo);
  }
}
