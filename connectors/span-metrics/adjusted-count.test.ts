/** Adjusted counts from the `ot=th:` sampling threshold of the W3C tracestate. */
import t from 'tap';
import { adjustedCount } from './adjusted-count.js';

t.test('exact powers of two', async (t) => {
  t.same(adjustedCount(''), [1, false]);
  t.same(adjustedCount('vendor=x'), [1, false]);
  t.same(adjustedCount('ot=th:0'), [1, true]);
  t.same(adjustedCount('ot=th:8'), [2, true]);
  t.same(adjustedCount('ot=th:c'), [4, true]);
  t.same(adjustedCount('a=b,ot=rv:0123456789abcd;th:f'), [16, true]);
});

t.test('malformed thresholds count 1', async (t) => {
  t.same(adjustedCount('ot=th:XYZ'), [1, false]);
  t.same(adjustedCount('ot=th:'), [1, false]);
  t.same(adjustedCount('ot=rv:01'), [1, false]);
});

t.test('stochastic rounding: 2^56 / (2^56 - T) rounded up with the remainder\'s probability', async (t) => {
  // th:5555... ≈ 1/3 rejected: 1.5 spans each
  t.same(adjustedCount('ot=th:55555555555556', () => 0), [2, true]);
  t.same(adjustedCount('ot=th:55555555555556', () => 0.99), [1, true]);
});
