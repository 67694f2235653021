/** The shared backoff: the schedules it replaced come out of it unchanged. */
import t from 'tap';
import { Backoff, backoffDelay, jitteredBelow } from './backoff.js';

const RANDOMS = [0, 0.25, 0.5, 0.999999];

t.test('symmetric jitter: [d·(1−f), d·(1+f)], growing to the cap (otelcol retry_on_failure, the Kafka consumer)', async (t) => {
  const s = { initialMs: 100, multiplier: 2, maxMs: 10_000, jitter: 0.5 };
  for (const r of RANDOMS) {
    let d = s.initialMs; // the Kafka consumer's former loop
    for (let n = 1; n <= 10; n++) {
      t.ok(Math.abs(backoffDelay(s, n, () => r) - d * (1 - s.jitter + r * 2 * s.jitter)) <= 0.5, `retry ${n}, random ${r}`);
      d = Math.min(d * s.multiplier, s.maxMs);
    }
  }
});

t.test('jitter below only: the memory log\'s redelivery and the Redis reconnects as they were', async (t) => {
  const memory = jitteredBelow({ initialMs: 100, multiplier: 2, maxMs: 5000, jitter: 0.5 });
  const redis = jitteredBelow({ initialMs: 100, multiplier: 2, maxMs: 2000, jitter: 0.25 });
  for (const r of RANDOMS) {
    for (let n = 1; n <= 10; n++) {
      const formerMemory = Math.min(5000, 100 * 2 ** (n - 1)) * (0.5 + r / 2);
      const formerRedis = Math.min(2000, 100 * 2 ** (n - 1)) * (0.75 + r / 4);
      t.ok(Math.abs(backoffDelay(memory, n, () => r) - formerMemory) <= 0.5, `memory log, retry ${n}, random ${r}`);
      t.ok(Math.abs(backoffDelay(redis, n, () => r) - formerRedis) <= 0.5, `redis, retry ${n}, random ${r}`);
    }
  }
});

t.test('a Backoff walks the schedule and knows when to give up', async (t) => {
  let now = 0;
  const b = new Backoff({ initialMs: 10, multiplier: 3, maxMs: 50, jitter: 0, maxElapsedMs: 100 }, () => now);
  t.same([b.nextDelay(), b.nextDelay(), b.nextDelay()], [10, 30, 50]);
  now = 60;
  t.notOk(b.exceeds(40));
  t.ok(b.exceeds(41));
  t.equal(b.elapsed(), 60);
  t.notOk(new Backoff({ initialMs: 10, multiplier: 2, maxMs: 10, jitter: 0 }, () => now).exceeds(1e9), 'no maxElapsedMs: never');
});
