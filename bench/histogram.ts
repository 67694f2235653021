/** Latency samples kept whole, so percentiles are exact rather than bucket estimates. */

/** Summary of a set of latency samples, in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Records every sample; a benchmark phase holds a few thousand, so sorting once at the end is cheap. */
export class Histogram {
  private samples = new Float64Array(1024);
  private n = 0;

  /** Adds one sample (milliseconds). */
  record(ms: number): void {
    if (this.n === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.n++] = ms;
  }

  get count(): number {
    return this.n;
  }

  /** Nearest-rank percentiles over all recorded samples (zeros when empty). */
  summary(): LatencySummary {
    if (this.n === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
    const sorted = this.samples.slice(0, this.n).sort();
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      count: this.n,
      mean: sum / this.n,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted[this.n - 1]!,
    };
  }
}

/** Nearest-rank percentile of ascending `sorted`: the smallest value with at least p % of samples at or below it. */
export function percentile(sorted: Float64Array, p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
