/**
 * Turns a detector's raw surprise into a score in [0, 1] that means the same on every series:
 * how unlikely the recent surprise (a short average) is, given the distribution of this series'
 * own short averages over a long horizon (exponentially weighted mean and variance). This is
 * Numenta's "anomaly likelihood": a noisy series raises its own bar, a quiet one lowers it; like
 * Numenta's, the reference distribution is that of the averaged surprise (the very quantity tested),
 * not of single surprises.
 */

import { Block, Layout } from './block.js';

/** Settings of the calibration. */
export interface LikelihoodOptions {
  /** Weight of a new surprise in the short average (1 = none). */
  readonly shortAlpha: number;
  /** Weight of a new surprise in the long mean and variance. */
  readonly longAlpha: number;
  /** Points before it scores. */
  readonly minPoints: number;
}

/** Checkpointed state. */
export interface LikelihoodState { readonly short: number; readonly mean: number; readonly variance: number; readonly n: number }

/** The standard normal CDF (Abramowitz–Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** log10 of the upper normal tail Q(z), accurate far into the tail (where 1 − CDF would round to 0). */
export function log10Tail(z: number): number {
  if (z < 3) return Math.log10(Math.max(1 - normalCdf(z), 1e-300));
  const z2 = z * z;
  // The asymptotic series of Mills' ratio; at z = 3 it is within 1 % of the exact tail.
  return (-z2 / 2 - Math.log(z * Math.sqrt(2 * Math.PI)) + Math.log(1 - 1 / z2 + 3 / (z2 * z2))) / Math.LN10;
}

/** The doubles a calibration takes from the model's block: short, mean, variance, n. */
export const LIKELIHOOD_DOUBLES = 4;

/** Writes a calibration's state (or a fresh one) at v[b, b + 4). */
export function loadLikelihood(v: Float64Array, b: number, state: LikelihoodState | undefined): void {
  v[b] = state?.short ?? 0;
  v[b + 1] = state?.mean ?? 0;
  v[b + 2] = state?.variance ?? 0;
  v[b + 3] = state?.n ?? 0;
}

/** The calibration state at v[b, b + 4), for a checkpoint. */
export function saveLikelihood(v: Float64Array, b: number): LikelihoodState {
  return { short: v[b]!, mean: v[b + 1]!, variance: v[b + 2]!, n: v[b + 3]! };
}

/**
 * Scores `surprise` with the calibration at v[b, b + 4) against the past (before learning it): how
 * far in the tail the short average lies, in decades of probability over 10 (0.5: a
 * one-in-100,000 event), clamped to [0, 1]. A function over the model's block, not an object a
 * detector: a series model holds its calibrations without an object each (block.ts).
 */
export function observeLikelihood(o: LikelihoodOptions, v: Float64Array, b: number, surprise: number): number {
  const n = v[b + 3]!;
  const short = n === 0 ? surprise : v[b]! + o.shortAlpha * (surprise - v[b]!);
  const mean = v[b + 1]!;
  const variance = v[b + 2]!;
  let score = 0;
  if (n >= o.minPoints) {
    const sd = Math.sqrt(variance) + 1e-6;
    score = Math.min(1, Math.max(0, -log10Tail((short - mean) / sd) / 10));
  }
  const a = Math.max(o.longAlpha, 1 / (n + 1));
  // The average is compared with averages (NAB dev half: 70.4 → 71.9 with the threshold retuned).
  const d = short - mean;
  v[b] = short;
  v[b + 1] = mean + a * d;
  v[b + 2] = (1 - a) * (variance + a * d * d);
  v[b + 3] = n + 1;
  return score;
}

/** One calibration in a block of its own (tests). */
export class Likelihood {
  private readonly v: Float64Array;
  private readonly b: number;

  constructor(private readonly o: LikelihoodOptions, state?: LikelihoodState) {
    const layout = new Layout();
    this.b = layout.takeF(LIKELIHOOD_DOUBLES);
    this.v = Block.alone(layout).f;
    loadLikelihood(this.v, this.b, state);
  }

  /** observeLikelihood on this calibration. */
  observe(surprise: number): number {
    return observeLikelihood(this.o, this.v, this.b, surprise);
  }

  save(): LikelihoodState {
    return saveLikelihood(this.v, this.b);
  }
}
