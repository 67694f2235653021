/** Cumulative points into increases: first points, resets by start time and by a drop, stale points. */
import t from 'tap';
import { step, type LastPoint } from './cumulative.js';

const MIN = 60_000;
const T = 1_700_000_000_000;
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;

t.test('a series\' first point counts whole only when it began within a window', async (t) => {
  t.equal(step(5, ns(T - 10_000), T, undefined, MIN).increase, 5, 'started 10 s before: new series');
  t.equal(step(5, ns(T - 2 * MIN), T, undefined, MIN).increase, undefined, 'started 2 min before: joined mid-stream, baseline only');
  t.equal(step(5, 0n, T, undefined, MIN).increase, undefined, 'no start time: baseline only');
});

t.test('increases, resets and stale points', async (t) => {
  const start = ns(T - 10_000);
  let last: LastPoint | undefined = step(5, start, T, undefined, MIN).last;
  const seq: Array<[number, bigint, number]> = [[8, start, T + 10_000], [8, start, T + 20_000], [3, start, T + 30_000], [6, ns(T + 31_000), T + 40_000], [9, ns(T + 41_000), T + 50_000]];
  const got: Array<number | undefined> = [];
  for (const [v, s, at] of seq) {
    const r = step(v, s, at, last, MIN);
    got.push(r.increase as number | undefined);
    last = r.last;
  }
  t.same(got, [3, 0, 3, 6, 9], '+3, +0, drop to 3 (reset: 3), start time moved (reset: 6), moved again (reset: 9)');
  const stale = step(100, ns(T + 41_000), T + 45_000, last, MIN);
  t.equal(stale.increase, undefined, 'a point older than the last one is ignored');
  t.equal(stale.last, last, 'and does not replace it');
});

t.test('histograms: a bucket that went down is a reset', async (t) => {
  const start = ns(T - 1_000);
  const h = (counts: number[]) => ({ kind: 'explicit' as const, bounds: [10, 100], counts });
  const first = step(h([1, 1, 0]), start, T, undefined, MIN);
  const second = step(h([3, 1, 1]), start, T + 1_000, first.last, MIN);
  t.same(second.increase, h([2, 0, 1]));
  const reset = step(h([0, 2, 0]), start, T + 2_000, second.last, MIN);
  t.ok(reset.reset, 'reset');
  t.same(reset.increase, h([0, 2, 0]), 'the whole point is the increase');
});
