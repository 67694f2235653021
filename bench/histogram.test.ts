import t from 'tap';
import { Histogram, percentile } from './histogram.js';

t.test('nearest-rank percentiles over 1..100', async (t) => {
  const h = new Histogram();
  // Shuffled insertion order: the summary must not depend on it.
  for (let i = 100; i >= 1; i -= 2) h.record(i);
  for (let i = 1; i <= 100; i += 2) h.record(i);
  const s = h.summary();
  t.equal(s.count, 100);
  t.equal(s.p50, 50);
  t.equal(s.p90, 90);
  t.equal(s.p99, 99);
  t.equal(s.max, 100);
  t.equal(s.mean, 50.5);
});

t.test('grows past its initial capacity and keeps every sample', async (t) => {
  const h = new Histogram();
  for (let i = 0; i < 5000; i++) h.record(i === 4321 ? 1e6 : 1);
  t.equal(h.count, 5000);
  t.equal(h.summary().max, 1e6);
  t.equal(h.summary().p99, 1);
});

t.test('empty and single-sample cases', async (t) => {
  t.same(new Histogram().summary(), { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  t.equal(percentile(Float64Array.of(7), 99), 7);
  t.equal(percentile(Float64Array.of(1, 2), 50), 1);
});
