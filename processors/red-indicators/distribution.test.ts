/** Merging, differencing and downscaling of latency distributions. */
import t from 'tap';
import { downscale, increase, merge, totalOf, type ExpoDist } from './distribution.js';

const expo = (scale: number, offset: number, counts: number[], zeroCount = 0): ExpoDist => ({
  kind: 'exponential', scale, zeroCount, zeroThreshold: 0, positive: { offset, counts }, negative: { offset: 0, counts: [] },
});

t.test('downscale merges 2^n neighbours', async (t) => {
  // scale 2 indices 3..6 → scale 1 indices 1,1? floor(3/2)=1, 4/2=2, 5/2=2, 6/2=3
  t.same(downscale(expo(2, 3, [1, 2, 3, 4]), 1).positive, { offset: 1, counts: [1, 5, 4] });
  // scale 2 → 0 groups by 4: -5 → -2; -4, -3 → -1
  t.same(downscale(expo(2, -5, [1, 2, 3]), 0).positive, { offset: -2, counts: [1, 5] }, 'negative indices floor');
});

t.test('merge: same bounds or both exponential; increase: a drop is a reset', async (t) => {
  const a = { kind: 'explicit' as const, bounds: [1, 2], counts: [1, 2, 3] };
  t.same(merge(a, { kind: 'explicit', bounds: [1, 2], counts: [1, 1, 1] }), { kind: 'explicit', bounds: [1, 2], counts: [2, 3, 4] });
  t.equal(merge(a, { kind: 'explicit', bounds: [1, 3], counts: [1, 1, 1] }), undefined, 'other bounds do not merge');
  t.equal(merge(a, expo(0, 0, [1])), undefined, 'explicit and exponential do not merge');
  t.same(increase({ kind: 'explicit', bounds: [1, 2], counts: [2, 5, 3] }, a), { kind: 'explicit', bounds: [1, 2], counts: [1, 3, 0] });
  t.equal(increase({ kind: 'explicit', bounds: [1, 2], counts: [0, 9, 9] }, a), undefined, 'a bucket went down');
  const inc = increase(expo(0, 0, [3, 5], 2), expo(1, 0, [1, 1, 1], 1));
  t.same(inc, { kind: 'exponential', scale: 0, zeroThreshold: 0, zeroCount: 1, positive: { offset: 0, counts: [1, 4] }, negative: { offset: 0, counts: [] } },
    'the finer one is downscaled first');
  t.equal(totalOf(inc!), 6);
});
