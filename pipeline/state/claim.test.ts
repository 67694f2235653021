/** StateStore.claim: a lease that exactly one caller wins, in memory and on real Redis, through a scoped view; it expires. */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { redisAvailable, REDIS_PORT, requireService } from '../../test/services.js';
import { waitFor } from '../../test/wait.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import { scoped } from './scope.js';
import type { ManagedStateStore } from './state-store.js';

async function check(t: Test, store: ManagedStateStore): Promise<void> {
  const view = scoped(store, 'x', 1);
  const wins = await Promise.all([1, 2, 3, 4, 5].map((i) => view.claim!('lease', `owner-${i}`, 300)));
  t.equal(wins.filter(Boolean).length, 1, 'one of five concurrent claims wins');
  const owner = Buffer.from((await store.get('x:1:lease'))!).toString('utf8');
  t.equal(owner, `owner-${wins.indexOf(true) + 1}`, 'the winner\'s value, under the scoped key');
  t.equal(await view.claim!('lease', 'late', 300), false, 'taken while it lasts');
  await waitFor('the lease to expire', async () => view.claim!('lease', 'next', 300), 5_000, 50);
  t.pass('claimable again after its TTL');
}

t.test('memory store', async (t) => {
  const store = new MemoryStore();
  await store.start();
  t.teardown(() => store.close());
  await check(t, store);
});

t.test('redis store (SET NX PX)', async (t) => {
  if (!requireService(t, 'Redis', await redisAvailable())) return;
  const store = new RedisStore({ endpoint: `127.0.0.1:${REDIS_PORT}`, db: 0, keyPrefix: `test-claim-${randomUUID().slice(0, 8)}`, maxBackoffMs: 200, commandTimeoutMs: 2000 }, pino({ level: 'silent' }));
  await store.start();
  t.teardown(() => store.close());
  await check(t, store);
});
