/** The statistics of a series baseline: robust estimates, no look-ahead, bounded memory, seasonality. */
import fc from 'fast-check';
import t from 'tap';
import { MAX_OPEN_VALUES, SeriesBaseline, type BaselineOptions } from './series-baseline.js';
import { band, deviationRatio, mad, median, robustScale } from './stats.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 2, 0, 0, 0); // a Monday, midnight
const trailingOnly: BaselineOptions = { windowMs: DAY, bucketMs: 5 * MIN, minBuckets: 12, seasonal: undefined, sigmas: 3 };

t.test('median, MAD and the band are robust to a few outliers', async (t) => {
  t.equal(median([1, 2, 3, 4, 100]), 3);
  t.equal(mad([1, 2, 3, 4, 100]), 1);
  const b = band(10, robustScale(2, 10), 3, 'trailing');
  t.same(b, { expected: 10, lower: 10 - 3 * 1.4826 * 2, upper: 10 + 3 * 1.4826 * 2, kind: 'trailing' });
  t.ok(Math.abs(robustScale(0, 200) - 2) < 1e-6, 'a flat history gets a band of 1 % of its level');
  t.equal(deviationRatio(160, 100), 0.6);
  t.equal(deviationRatio(5, 0), undefined);
});

t.test('no estimate before min_buckets closed buckets; then the median of bucket medians', async (t) => {
  const b = new SeriesBaseline(trailingOnly);
  // One point a minute for an hour at 100, except a spike: bucket medians stay 100.
  for (let i = 0; i < 60; i++) {
    const e = b.observe(i === 30 ? 5_000 : 100, T0 + i * MIN);
    if (i < 60) t.equal(e, undefined, `minute ${i}: ${Math.floor(i / 5)} buckets closed, too few`);
  }
  const e = b.observe(160, T0 + 60 * MIN);
  t.equal(e?.expected, 100);
  t.equal(e?.kind, 'trailing');
  t.ok(e!.upper < 160, 'the spike did not widen the band past a 60 % rise');
});

t.test('property: a point never influences its own estimate (no look-ahead)', async () => {
  fc.assert(fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 20, maxLength: 200 }), fc.double({ min: -1e9, max: 1e9, noNaN: true }), (values, last) => {
    const o: BaselineOptions = { ...trailingOnly, minBuckets: 1 };
    const a = new SeriesBaseline(o);
    const b = new SeriesBaseline(o);
    values.forEach((v, i) => { a.observe(v, T0 + i * MIN); b.observe(v, T0 + i * MIN); });
    const at = T0 + values.length * MIN;
    const ea = a.observe(last, at);
    const eb = b.observe(-last, at);
    return JSON.stringify(ea) === JSON.stringify(eb);
  }));
});

t.test('property: expected lies within the values seen, lower <= expected <= upper', async () => {
  fc.assert(fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 30, maxLength: 300 }), (values) => {
    const b = new SeriesBaseline({ ...trailingOnly, minBuckets: 1 });
    values.forEach((v, i) => b.observe(v, T0 + i * MIN));
    const e = b.estimate(T0 + values.length * MIN);
    if (!e) return false;
    return e.expected >= Math.min(...values) && e.expected <= Math.max(...values) && e.lower <= e.expected && e.expected <= e.upper;
  }));
});

t.test('property: memory stays bounded whatever the history length', async () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 50 }), (points, perMinute) => {
    const b = new SeriesBaseline({ ...trailingOnly, seasonal: { periodMs: 7 * DAY, slotMs: HOUR, periods: 4, minPeriods: 2 } });
    for (let i = 0; i < points; i++) b.observe(i % 97, T0 + Math.floor((i * MIN) / perMinute) * 5);
    const s = b.save();
    return s.starts.length <= DAY / (5 * MIN) + 1 && s.medians.length === s.starts.length
      && (s.open?.values.length ?? 0) <= MAX_OPEN_VALUES && (s.seasonal?.length ?? 0) === (s.seasonal ? 2 * 4 * 168 : 0);
  }), { numRuns: 30 });
});

t.test('the seasonal baseline takes over once the same hour of the week has min_periods of history', async (t) => {
  const o: BaselineOptions = { ...trailingOnly, seasonal: { periodMs: 7 * DAY, slotMs: HOUR, periods: 4, minPeriods: 2 } };
  let b = new SeriesBaseline(o);
  // Every Monday 09:00–10:00 is busy (500), the rest of the week 100; one point every 5 minutes for 3 weeks.
  const value = (tMs: number): number => ((tMs - T0) % (7 * DAY) >= 9 * HOUR && (tMs - T0) % (7 * DAY) < 10 * HOUR ? 500 : 100);
  const kinds = new Map<number, string>();
  let tuesday: string | undefined;
  for (let tMs = T0; tMs < T0 + 21 * DAY; tMs += 5 * MIN) {
    const e = b.observe(value(tMs), tMs);
    // Through a checkpoint's JSON every ten days: empty seasonal entries come back as NaN.
    if ((tMs - T0) % (10 * DAY) === 0) b = new SeriesBaseline(o, JSON.parse(JSON.stringify(b.save())) as ReturnType<SeriesBaseline['save']>);
    if ((tMs - T0) % (7 * DAY) === 9 * HOUR + 30 * MIN) kinds.set(Math.floor((tMs - T0) / (7 * DAY)), `${e?.kind} ${e?.expected}`);
    if (tMs === T0 + 15 * DAY + 9 * HOUR + 30 * MIN) tuesday = `${e?.kind} ${e?.expected}`;
  }
  t.same([...kinds.values()], ['trailing 100', 'trailing 100', 'seasonal 500'], 'week 3: Monday 09:30 expects the Monday-morning rush');
  t.equal(tuesday, 'seasonal 100', 'Tuesday 09:30 of week 3 expects a normal hour');
});

t.test('a reloaded state continues exactly where it left off', async (t) => {
  const a = new SeriesBaseline(trailingOnly);
  for (let i = 0; i < 100; i++) a.observe(100 + (i % 7), T0 + i * MIN);
  const b = new SeriesBaseline(trailingOnly, JSON.parse(JSON.stringify(a.save())) as ReturnType<SeriesBaseline['save']>);
  for (let i = 100; i < 130; i++) t.same(b.observe(i, T0 + i * MIN), a.observe(i, T0 + i * MIN));
});

t.test('a late point is judged but not learned into a closed bucket', async (t) => {
  const b = new SeriesBaseline({ ...trailingOnly, minBuckets: 1 });
  for (let i = 0; i < 20; i++) b.observe(100, T0 + i * MIN);
  const before = JSON.stringify(b.save());
  t.ok(b.observe(1e6, T0 + 2 * MIN), 'judged');
  t.equal(JSON.stringify(b.save()), before, 'not learned');
});
