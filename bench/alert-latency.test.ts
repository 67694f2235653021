/** The alert-latency scenario's code on a tiny size against the real daemon (built first): it measures, and the percentiles are exact. Says nothing about speed. */
import t from 'tap';
import { alertLatency, percentile } from './alert-latency.js';

t.test('nearest-rank percentiles', async (t) => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  t.equal(percentile(xs, 50), 50);
  t.equal(percentile(xs, 99), 99);
  t.equal(percentile([7], 99), 7);
  t.ok(Number.isNaN(percentile([], 50)));
});

t.test('two breaching series: each notified once, no sooner than `for`', async (t) => {
  const r = await alertLatency({ alerts: 2, forS: 1, intervalS: 1, tickMs: 250, staggerMs: 300, nodeArgs: [], log: () => {} });
  t.equal(r.notified, 2);
  t.equal(r.otherRequests, 0, 'no duplicate notification');
  t.equal(r.latenciesMs.length, 2);
  t.ok(r.minMs >= 1000, `no sooner than for: ${Math.round(r.minMs)} ms`);
  t.equal(r.exitCode, 0);
});
