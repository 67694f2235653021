/**
 * A base-2 exponential histogram with the exact bucket layout of the Go library otelcol's
 * span_metrics uses (lightstep/go-expohisto): it starts at scale 20 and, when a value would make
 * the positive range span `maxSize` buckets or more, lowers the scale by just enough to fit.
 * Durations are never negative, so only the zero count and the positive range are kept.
 */

const MAX_SCALE = 20;
const MIN_NORMAL_EXPONENT = -1022;
const MAX_NORMAL_EXPONENT = 1023;
const MIN_NORMAL_VALUE = 2 ** -1022;

const view = new DataView(new ArrayBuffer(8));

/** The unbiased base-2 exponent and whether the significand is zero (an exact power of two). */
function decompose(value: number): { exponent: number; powerOfTwo: boolean } {
  view.setFloat64(0, value);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  return { exponent: ((hi >>> 20) & 0x7ff) - 1023, powerOfTwo: (hi & 0xfffff) === 0 && lo === 0 };
}

/** The bucket index of a positive `value` at `scale` (go-expohisto's logarithm and exponent mappings). */
export function mapToIndex(value: number, scale: number): number {
  if (scale > 0) {
    if (value <= MIN_NORMAL_VALUE) return (MIN_NORMAL_EXPONENT << scale) - 1;
    const { exponent, powerOfTwo } = decompose(value);
    // Exact powers of two are lower boundaries: computed exactly, not through the logarithm.
    if (powerOfTwo) return (exponent << scale) - 1;
    const index = Math.floor(Math.log(value) * Math.LOG2E * 2 ** scale);
    const max = ((MAX_NORMAL_EXPONENT + 1) << scale) - 1;
    return index >= max ? max : index;
  }
  const shift = -scale;
  if (value < MIN_NORMAL_VALUE) return (MIN_NORMAL_EXPONENT >> shift) - (shift < 2 ? 1 : 0);
  const { exponent, powerOfTwo } = decompose(value);
  return (exponent + (powerOfTwo ? -1 : 0)) >> shift;
}

/** How many halvings make [low, high] fit in `size` buckets. */
function changeScale(low: number, high: number, size: number): number {
  let change = 0;
  while (high - low >= size) {
    high >>= 1;
    low >>= 1;
    change++;
  }
  return change;
}

/** An exponential histogram's whole state, as a checkpoint keeps it (JSON-safe). */
export interface ExponentialDump {
  count: number;
  sum: number;
  zeroCount: number;
  min: number;
  max: number;
  scale: number;
  start: number;
  end: number;
  buckets: Array<[index: number, count: number]>;
}

/** One exponential histogram: count, sum, min, max, zero count and the positive buckets. */
export class ExponentialHistogram {
  count = 0;
  sum = 0;
  zeroCount = 0;
  min = 0;
  max = 0;
  private scale = MAX_SCALE;
  private readonly buckets = new Map<number, number>();
  private start = 0;
  private end = 0;

  constructor(private readonly maxSize: number) {}

  /** The most buckets this histogram keeps (its max_size). */
  get maxBuckets(): number {
    return this.maxSize;
  }

  /** A histogram of `maxSize` buckets in the state `d` (from `dump`). */
  static restore(maxSize: number, d: ExponentialDump): ExponentialHistogram {
    const h = new ExponentialHistogram(maxSize);
    Object.assign(h, { count: d.count, sum: d.sum, zeroCount: d.zeroCount, min: d.min, max: d.max, scale: d.scale, start: d.start, end: d.end });
    for (const [i, c] of d.buckets) h.buckets.set(i, c);
    return h;
  }

  /** The whole state, for a checkpoint. */
  dump(): ExponentialDump {
    return { count: this.count, sum: this.sum, zeroCount: this.zeroCount, min: this.min, max: this.max, scale: this.scale, start: this.start, end: this.end, buckets: [...this.buckets] };
  }

  /** Records `value` `n` times (n > 0: an adjusted count). */
  observe(value: number, n: number): void {
    if (this.count === 0) { this.min = value; this.max = value; } else {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
    this.count += n;
    if (value === 0) { this.zeroCount += n; return; }
    this.sum += value * n;
    if (n === 0) return;
    let index = mapToIndex(value, this.scale);
    if (!this.fits(index)) {
      const [low, high] = index < this.start ? [index, this.end] : [this.start, index];
      this.downscale(changeScale(low, high, this.maxSize));
      index = mapToIndex(value, this.scale);
    }
    this.increment(index, n);
  }

  private fits(index: number): boolean {
    if (this.buckets.size === 0) return true;
    if (index < this.start) return this.end - index < this.maxSize;
    if (index > this.end) return index - this.start < this.maxSize;
    return true;
  }

  private increment(index: number, n: number): void {
    if (this.buckets.size === 0) { this.start = index; this.end = index; } else {
      if (index < this.start) this.start = index;
      if (index > this.end) this.end = index;
    }
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + n);
  }

  private downscale(change: number): void {
    if (change === 0) return;
    const old = [...this.buckets];
    this.buckets.clear();
    for (const [i, c] of old) {
      const j = i >> change;
      this.buckets.set(j, (this.buckets.get(j) ?? 0) + c);
    }
    this.start >>= change;
    this.end >>= change;
    this.scale -= change;
  }

  /** The scale as otelcol reports it: 0 while only zeros were recorded. */
  get reportedScale(): number {
    return this.count === this.zeroCount ? 0 : this.scale;
  }

  /** The positive range as OTLP writes it: an offset and the counts from there, zeros included. */
  positive(): { offset: number; bucketCounts: number[] } {
    if (this.buckets.size === 0) return { offset: this.start, bucketCounts: [] };
    const counts: number[] = [];
    for (let i = this.start; i <= this.end; i++) counts.push(this.buckets.get(i) ?? 0);
    return { offset: this.start, bucketCounts: counts };
  }
}

