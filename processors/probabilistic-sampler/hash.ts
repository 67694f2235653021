/**
 * otelcol's hash_seed sampling decision, bit for bit, so that vigil and a Collector sampling the
 * same trace at the same percentage and seed agree:
 * - FNV-1a 32-bit over the 4 seed bytes, least significant first, then the 16 trace id bytes;
 * - the low 14 bits of the hash (a bucket in [0, 16384)) are compared with the scaled rate;
 * - the scaled rate is `uint32(pct * 163.84)` computed in float32, truncated (16384 buckets / 100).
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** 2^14 buckets, as in otelcol. */
export const NUM_HASH_BUCKETS = 0x4000;
const BUCKET_MASK = NUM_HASH_BUCKETS - 1;

/** Continues an FNV-1a 32-bit hash over `bytes`. */
function fnvStep(hash: number, bytes: Uint8Array): number {
  let h = hash;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return h >>> 0;
}

/** The 4 bytes otelcol feeds before the data: the seed, least significant byte first. */
export function seedBytes(seed: number): Uint8Array {
  return Uint8Array.of(seed & 0xff, (seed >>> 8) & 0xff, (seed >>> 16) & 0xff, (seed >>> 24) & 0xff);
}

/** FNV-1a 32 of seed bytes then `bytes`, as otelcol's computeHash. */
export function computeHash(bytes: Uint8Array, seed: number): number {
  return fnvStep(fnvStep(FNV_OFFSET, seedBytes(seed)), bytes);
}

/** How many of the 16384 buckets are sampled for a percentage: float32 arithmetic, truncated, like otelcol. */
export function scaledSamplingRate(percentage: number): number {
  const pct = Math.min(Math.fround(percentage), 100);
  const factor = Math.fround(NUM_HASH_BUCKETS / 100);
  return Math.trunc(Math.fround(pct * factor));
}

/** Decides per trace id; the same id always gets the same answer for the same percentage and seed. */
export class TraceIdSampler {
  /** The hash state after the seed bytes, which never change. */
  private readonly seeded: number;
  readonly scaledRate: number;

  constructor(percentage: number, seed: number) {
    this.seeded = fnvStep(FNV_OFFSET, seedBytes(seed));
    this.scaledRate = scaledSamplingRate(percentage);
  }

  sampled(traceId: Uint8Array): boolean {
    if (this.scaledRate === 0) return false;
    if (this.scaledRate >= NUM_HASH_BUCKETS) return true;
    return (fnvStep(this.seeded, traceId) & BUCKET_MASK) < this.scaledRate;
  }
}
