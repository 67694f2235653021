/**
 * The exponential histogram against go-expohisto, the library otelcol uses: the expected scales,
 * offsets and counts were printed by a small Go program built on go-expohisto v1.0.0 with the same
 * values and increments (each value i recorded i % 3 + 1 times).
 */
import t from 'tap';
import { ExponentialHistogram, mapToIndex } from './expo-histogram.js';
import { DURATIONS_MS } from './traffic.test-helpers.js';

const GO = {
  160: { scale: 2, offset: -40, counts: [2, ...Array<number>(34).fill(0), 3, 0, 0, 0, 1, 0, 0, 0, 5, 1, 0, 2, 3, 0, 1, 2, 4, 0, 5, 0, 1, 0, 0, 0, 2, 0, 0, 3, 1, 0, 0, 5, 1, 2, 0, 3, 1, 0, 0, 2, 3, 0, 0, 1, 5, 0, 3, 0, 4, 0, 0, 0, 2, 0, 3, 0, 1, 0, 2, 3, 3, 0, 0, 0, 3] },
  20: { scale: -1, offset: -5, counts: [2, 0, 0, 0, 4, 11, 13, 6, 12, 11, 9, 12, 3] },
  4: { scale: -3, offset: -2, counts: [2, 4, 42, 35] },
} as const;

for (const size of [160, 20, 4] as const) {
  t.test(`max_size ${size}: the same scale and buckets as go-expohisto`, async (t) => {
    const h = new ExponentialHistogram(size);
    DURATIONS_MS.forEach((v, i) => h.observe(v, (i % 3) + 1));
    t.equal(h.count, 84);
    t.equal(h.zeroCount, 1);
    t.equal(h.reportedScale, GO[size].scale);
    t.same(h.positive(), { offset: GO[size].offset, bucketCounts: GO[size].counts });
  });
}

t.test('indexes at scale 20 (logarithm) and scale <= 0 (exponent)', async (t) => {
  t.same([1.5, 3, 0.001, 2.000001, 12345].map((v) => mapToIndex(v, 20)), [613377, 1661953, -10449883, 1048576, 14251866]);
  t.equal(mapToIndex(2, 20), (1 << 20) - 1, 'a power of two is the upper bound of its bucket');
  t.same([1, 1.5, 2, 3, 4].map((v) => mapToIndex(v, 0)), [-1, 0, 0, 1, 1]);
  t.equal(mapToIndex(1024, -2), 2);
});

t.test('only zeros: scale 0, no buckets', async (t) => {
  const h = new ExponentialHistogram(160);
  h.observe(0, 3);
  t.same([h.count, h.zeroCount, h.reportedScale, h.positive().bucketCounts], [3, 3, 0, []]);
});
