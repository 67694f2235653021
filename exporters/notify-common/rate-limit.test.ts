import t from 'tap';
import { RateLimiter } from './rate-limit.js';

t.test('a burst passes, then one per 1/per_second; a pause holds everyone', async (t) => {
  let now = 0;
  const limiter = new RateLimiter(2, 3, () => now);
  const tryTake = (): number => (limiter as unknown as { tryTake(): number }).tryTake();
  t.same([tryTake(), tryTake(), tryTake()], [0, 0, 0], 'the burst');
  t.equal(tryTake(), 500, 'then wait half a second at 2/s');
  now += 500;
  t.equal(tryTake(), 0);
  limiter.pause(now + 10_000);
  now += 5_000;
  t.equal(tryTake(), 5_000, 'paused (a 429 with Retry-After) even with tokens refilled');
  now += 5_000;
  t.equal(tryTake(), 0);
});

t.test('take waits, and gives up when aborted', async (t) => {
  const limiter = new RateLimiter(1000, 1);
  await limiter.take();
  await limiter.take();
  t.pass('waited about a millisecond');
  limiter.pause(Date.now() + 60_000);
  const ac = new AbortController();
  const waiting = limiter.take(ac.signal);
  ac.abort(new Error('stop'));
  await t.rejects(waiting, /stop/);
});
