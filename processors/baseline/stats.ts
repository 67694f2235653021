/** The robust statistics of a baseline: median, MAD and the band they give. */
import { median as ssMedian, medianAbsoluteDeviation } from 'simple-statistics';

/** MAD × 1.4826 estimates σ for normal data. */
export const MAD_TO_SIGMA = 1.4826;

/** What a baseline expects of a point, and its band. */
export interface Estimate {
  readonly expected: number;
  readonly lower: number;
  readonly upper: number;
  /** Which baseline gave it. */
  readonly kind: 'trailing' | 'seasonal';
}

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  return values.length === 0 ? NaN : ssMedian([...values]);
}

/** The median absolute deviation from the median (NaN when empty). */
export function mad(values: readonly number[]): number {
  return values.length === 0 ? NaN : medianAbsoluteDeviation([...values]);
}

/**
 * A scale that is never 0: a flat history (MAD 0) still gets a band, 1 % of its level, so that a
 * constant series does not call every wobble out of band.
 */
export function robustScale(madValue: number, level: number): number {
  const floor = 0.01 * Math.abs(level) + 1e-9;
  const s = MAD_TO_SIGMA * madValue;
  return Number.isFinite(s) && s > floor ? s : floor;
}

/** expected ± sigmas × scale. */
export function band(expected: number, scale: number, sigmas: number, kind: Estimate['kind']): Estimate {
  return { expected, lower: expected - sigmas * scale, upper: expected + sigmas * scale, kind };
}

/** (value − expected) / |expected|: +0.6 is 60 % above; undefined when nothing is expected. */
export function deviationRatio(value: number, expected: number): number | undefined {
  return expected === 0 || !Number.isFinite(expected) ? undefined : (value - expected) / Math.abs(expected);
}
