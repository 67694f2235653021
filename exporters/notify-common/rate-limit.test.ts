import t from 'tap';
import { factory as webhook } from '../webhook/factory.js';
import { RateLimiter } from './rate-limit.js';
import { FAST_DELIVERY, ScriptedServer, sampleAlert, started } from './test-support.js';

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

t.test('wired into an exporter: rate_limit spaces the requests a sink receives', async (t) => {
  const server = new ScriptedServer(() => ({ status: 200 }));
  const url = await server.listen();
  t.teardown(() => server.close());
  const { exporter } = await started(webhook, 'webhook/limited', { endpoint: url, ...FAST_DELIVERY, rate_limit: { per_second: 5, burst: 1 } });
  t.teardown(() => exporter.shutdown(Date.now() + 2000));
  const began = Date.now();
  const at: number[] = [];
  for (let i = 0; i < 4; i++) {
    await exporter.consume(sampleAlert({ alertname: `Limited${i}` }).firing);
    at.push(Date.now());
  }
  t.equal(server.accepted().length, 4, 'every notification delivered');
  // burst 1 at 5/s: the first goes at once, each later one waits ~200 ms for a token.
  // Measured from before the first take: the tokens refill while a request is in flight.
  t.ok(at[3]! - began >= 3 * 200 - 20, `4 requests took ${at[3]! - began} ms, not less than 580`);
});
