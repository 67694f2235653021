import t from 'tap';
import { ExtendedForest } from './extended-forest.js';
import { IsolationForest } from './isolation-forest.js';
import { Random } from './random.js';

/** 256 points on a diagonal (y ≈ 2x, x in 0–100, a little noise): a service whose latency follows its load. */
function diagonal(): Float64Array {
  const rnd = new Random(7);
  const data = new Float64Array(256 * 2);
  for (let i = 0; i < 256; i++) {
    const x = rnd.next() * 100;
    data[2 * i] = x;
    data[2 * i + 1] = 2 * x + (rnd.next() - 0.5) * 4;
  }
  return data;
}

t.test('a point off the diagonal, inside its range, scores as isolated; the axis-parallel forest hardly sees it', async (t) => {
  const data = diagonal();
  const options = { trees: 64, sampleSize: 64, rebuildEvery: 64 };
  const extended = new ExtendedForest(options, 2, new Random(1));
  extended.build(data, 256);
  const axis = new IsolationForest(options, 2, new Random(1));
  axis.build(data, 256);
  const off = Float64Array.from([50, 40]); // slow at an ordinary load: on the diagonal it would be 100
  const on = Float64Array.from([50, 100]);
  t.ok(extended.score(off) > extended.score(on) + 0.1, `extended: off the diagonal ${extended.score(off)}`);
  t.ok(extended.score(on) < 0.5, `extended: on it ${extended.score(on)}`);
  t.ok(extended.score(off) - extended.score(on) > 2 * (axis.score(off) - axis.score(on)), `the gap at least twice the axis-parallel forest's (${axis.score(off)} vs ${axis.score(on)})`);
});

t.test('the same vectors and random state build the same forest; features of any unit weigh alike', async (t) => {
  const data = diagonal();
  const make = () => { const f = new ExtendedForest({ trees: 16, sampleSize: 32, rebuildEvery: 32 }, 2, new Random(9)); f.build(data, 256); return f; };
  const x = Float64Array.from([20, 70]);
  t.equal(make().score(x), make().score(x), 'reproducible');
  // The same points with y in thousandths: standardised, the same cuts, the same score.
  const scaled = data.map((v, i) => (i % 2 === 1 ? v / 1000 : v));
  const f = new ExtendedForest({ trees: 16, sampleSize: 32, rebuildEvery: 32 }, 2, new Random(9));
  f.build(scaled, 256);
  t.ok(Math.abs(f.score(Float64Array.from([20, 0.07])) - make().score(x)) < 1e-9, 'a feature\'s unit does not change the score');
});
