/**
 * Quantiles against values worked out by hand from Prometheus' documented histogram_quantile
 * (linear within a classic bucket, +Inf bucket → highest finite bound, first bucket from 0) and
 * its native-histogram rule (exponential interpolation, zero bucket linear).
 */
import t from 'tap';
import type { ExplicitDist, ExpoDist } from './distribution.js';
import { quantile } from './quantile.js';

const explicit = (bounds: number[], counts: number[]): ExplicitDist => ({ kind: 'explicit', bounds, counts });
const expo = (scale: number, zeroCount: number, zeroThreshold: number, pos: [number, number[]], neg: [number, number[]] = [0, []]): ExpoDist => ({
  kind: 'exponential', scale, zeroCount, zeroThreshold, positive: { offset: pos[0], counts: pos[1] }, negative: { offset: neg[0], counts: neg[1] },
});

t.test('classic buckets: linear interpolation inside the bucket holding the rank', async (t) => {
  // le=10: 10, le=20: 40, le=50: 80, +Inf: 100 (cumulative)
  const d = explicit([10, 20, 50], [10, 30, 40, 20]);
  t.equal(quantile(0.5, d), 27.5, 'rank 50 in (20,50]: 20 + 30·(10/40)');
  t.equal(quantile(0.25, d), 15, 'rank 25 in (10,20]: 10 + 10·(15/30)');
  t.equal(quantile(0.4, d), 20, 'rank 40 is the top of (10,20]');
  t.equal(quantile(0.05, d), 5, 'rank 5 in the first bucket, interpolated from 0: 10·(5/10)');
  t.equal(quantile(0.95, d), 50, 'rank 95 in +Inf: the highest finite bound');
  t.equal(quantile(0.8, d), 50, 'rank 80 is the top of (20,50]');
});

t.test('classic buckets: the edge rules', async (t) => {
  t.equal(quantile(0.2, explicit([-5, 10], [5, 5, 0])), -5, 'first bucket with a bound <= 0: the bound itself');
  t.ok(Number.isNaN(quantile(0.5, explicit([10, 20], [0, 0, 0]))), 'no observations: NaN');
  t.ok(Number.isNaN(quantile(0.5, explicit([], [7]))), 'only the +Inf bucket: NaN');
  t.equal(quantile(1.5, explicit([10], [1, 0])), Infinity, 'q > 1: +Inf');
  t.equal(quantile(-0.1, explicit([10], [1, 0])), -Infinity, 'q < 0: -Inf');
  t.equal(quantile(0.99, explicit([2, 4, 6], [0, 100, 0, 0])), 2 + 2 * 0.99, 'all in one bucket: spread linearly across it');
});

t.test('exponential buckets: log-linear inside (base^i, base^(i+1)], zero bucket linear from 0', async (t) => {
  // scale 0: buckets (1,2] and (2,4] with 4 each; 2 in the zero bucket [0, 0.5]
  const d = expo(0, 2, 0.5, [0, [4, 4]]);
  t.equal(quantile(0.1, d), 0.25, 'rank 1 of 2 in the zero bucket: 0.5·(1/2)');
  t.equal(quantile(0.5, d), 2 ** 0.75, 'rank 5: 3/4 of the way through (1,2] in log2: 2^0.75');
  t.equal(quantile(0.9, d), 2 ** 1.75, 'rank 9: 3/4 through (2,4]: 2^1.75');
  t.equal(quantile(0.6, d), 2, 'rank 6: the top of (1,2]');
  t.equal(quantile(0.5, expo(1, 0, 0, [2, [10]])), 2 ** 1.25, 'scale 1, index 2 is (2, 2^1.5]: halfway is 2^1.25');
  t.equal(quantile(0.25, expo(0, 0, 0, [0, []], [0, [4]])), -(2 ** 0.75), 'negative bucket [-2,-1): mirrored');
  t.ok(Number.isNaN(quantile(0.5, expo(0, 0, 0, [0, [0, 0]]))), 'empty: NaN');
});
