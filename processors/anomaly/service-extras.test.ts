/**
 * A service's extra features as of a window's end: the sum over its series of each one's latest
 * point at or before the end, within the 5-minute lookback; what a scored window passed is
 * forgotten; a checkpoint round trip answers the same.
 */
import t from 'tap';
import { LOOKBACK_MS, MAX_POINTS, ServiceExtras } from './service-extras.js';

const CPU = 'process.cpu.utilization';
const M = 60_000;
const make = (max = 100) => new ServiceExtras(new Set([CPU]), max);

t.test('the sum over series of each one\'s latest point at or before the end, within the lookback', async (t) => {
  const x = make();
  // Two hosts reporting at different seconds, and a point after the window's end.
  x.note('shop', CPU, 'h1', 10 * M, 0.2, MAX_POINTS.other);
  x.note('shop', CPU, 'h2', 10 * M + 7_000, 0.3, MAX_POINTS.other);
  x.note('shop', CPU, 'h1', 11 * M, 0.9, MAX_POINTS.other);
  t.equal(x.asOf('shop', CPU, 10 * M + 30_000), 0.5, 'h1 at 10 m and h2 at 10 m 7 s; not h1\'s later point');
  t.equal(x.asOf('shop', CPU, 11 * M), 0.9 + 0.3);
  t.equal(x.asOf('shop', CPU, 10 * M - 1), undefined, 'nothing before the first point');
  t.equal(x.asOf('shop', CPU, 10 * M + 7_000 + LOOKBACK_MS), 0.9, 'h2 past the lookback: not counted');
  t.equal(x.asOf('shop', CPU, 11 * M + LOOKBACK_MS), undefined, 'every series past the lookback');
  t.equal(x.asOf('cart', CPU, 11 * M), undefined, 'another service has none');
});

t.test('a point of the same series and time again replaces it; an earlier one arriving late is placed in order', async (t) => {
  const x = make();
  x.note('shop', CPU, 'h1', 10 * M, 0.2, MAX_POINTS.other);
  x.note('shop', CPU, 'h1', 10 * M, 0.4, MAX_POINTS.other);
  t.equal(x.asOf('shop', CPU, 10 * M), 0.4);
  x.note('shop', CPU, 'h1', 12 * M, 0.6, MAX_POINTS.other);
  x.note('shop', CPU, 'h1', 11 * M, 0.5, MAX_POINTS.other);
  t.equal(x.asOf('shop', CPU, 11 * M + 1), 0.5);
  t.equal(x.asOf('shop', CPU, 12 * M), 0.6);
});

t.test('a scored window forgets what no later window can use, and keeps what it can', async (t) => {
  const x = make();
  for (let i = 0; i < 10; i++) x.note('shop', CPU, 'h1', i * M, i, MAX_POINTS.other);
  x.note('shop', CPU, 'gone', 0, 100, MAX_POINTS.other);
  t.equal(x.passed('shop', 5 * M + 1), 'extras|shop', 'something forgotten: the checkpoint id to save');
  t.equal(x.asOf('shop', CPU, 5 * M + 1), 5, 'the point the window used stays');
  t.equal(x.asOf('shop', CPU, 9 * M), 9, 'later points stay');
  t.same(x.saved('extras|shop'), { extras: { [CPU]: [['h1', [5, 6, 7, 8, 9].map((i) => [i * M, i])]] } }, 'the stale series and the passed points gone');
  t.equal(x.passed('shop', 5 * M + 1), undefined, 'nothing more to forget');
  for (let i = 10; i < 40; i++) x.note('shop', CPU, 'h1', i * M, i, MAX_POINTS.other);
  t.equal(x.saved('extras|shop')!.extras[CPU]![0]![1].length, 16, 'without windows, a series keeps its latest 16 points');
  for (let i = 40; i < 400; i++) x.note('shop', CPU, 'h1', i * M, i, MAX_POINTS.scored);
  t.equal(x.saved('extras|shop')!.extras[CPU]![0]![1].length, 256, 'or its latest 256, when the service is scored');
});

t.test('series beyond the limit are not kept', async (t) => {
  const x = make(2);
  t.equal(x.note('shop', CPU, 'a', M, 1, MAX_POINTS.other), 'extras|shop');
  t.equal(x.note('shop', CPU, 'b', M, 1, MAX_POINTS.other), 'extras|shop');
  t.equal(x.note('shop', CPU, 'c', M, 1, MAX_POINTS.other), undefined);
  t.equal(x.note('shop', CPU, 'a', 2 * M, 1, MAX_POINTS.other), 'extras|shop', 'a series kept goes on');
  t.equal(x.asOf('shop', CPU, 2 * M), 2);
});

t.test('saved and loaded: the same answers; a metric no longer configured is dropped', async (t) => {
  const x = make();
  x.note('shop', CPU, 'h1', 10 * M, 0.2, MAX_POINTS.other);
  x.note('shop', CPU, 'h2', 10 * M + 7_000, 0.3, MAX_POINTS.other);
  x.note('shop', CPU, 'h1', 11 * M, 0.9, MAX_POINTS.other);
  const saved = JSON.parse(JSON.stringify({ ...x.saved('extras|shop')!, extras: { ...x.saved('extras|shop')!.extras, 'old.metric': [['z', [[0, 1]]]] } })) as Parameters<ServiceExtras['load']>[1];
  const y = make();
  y.load('extras|shop', saved);
  for (const at of [10 * M, 10 * M + 30_000, 11 * M, 13 * M]) t.equal(y.asOf('shop', CPU, at), x.asOf('shop', CPU, at), `as of ${at}`);
  t.same(Object.keys(y.saved('extras|shop')!.extras), [CPU]);
  t.equal(x.saved('s-not-extras'), undefined);
});
