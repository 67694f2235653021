/** A partition's state as one map: in memory and in a real redis-server. */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { RedisServer, redisOrSkip } from '../../test/redis-server.js';
import { SelfMetrics } from '../telemetry.js';
import { MemoryStore } from './memory-store.js';
import { OwnershipCheckpoints } from './ownership.js';
import { partitionState } from './partition-state.js';
import { RedisStore } from './redis-store.js';
import type { StateStore, StateValue } from './state-store.js';

const logger = pino({ level: 'silent' });
const text = (m: Map<string, Uint8Array>): Record<string, string> => Object.fromEntries([...m].map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));

async function behaves(t: Test, store: StateStore): Promise<void> {
  const a = partitionState(store, 'window_count', 'metrics.ingest', 3);
  const b = partitionState(store, 'window_count', 'metrics.ingest', 4);
  t.same(text(await a.load()), {}, 'a partition never checkpointed is empty');
  await a.save(new Map<string, StateValue>([['series-1', 'v1'], ['series-2', Uint8Array.of(0x76, 0x32)], ['offset', '41']]));
  await b.save(new Map([['series-9', 'other partition']]));
  await a.save(new Map([['offset', '42']]), ['series-1']);
  t.same(text(await a.load()), { 'series-2': 'v2', offset: '42' }, 'one transaction: puts and removals');
  t.same(text(await b.load()), { 'series-9': 'other partition' }, 'partitions do not share state');
  t.equal(a.key, 'state:window_count:metrics.ingest:3');
  await a.clear();
  t.same(text(await a.load()), {});
}

t.test('memory store', async (t) => {
  const store = new MemoryStore();
  await store.start();
  t.teardown(() => store.close());
  await behaves(t, store);
});

t.test('redis store: one hash per partition, loaded with one HGETALL', async (t) => {
  if (!redisOrSkip(t)) return;
  const server = await RedisServer.start({});
  t.teardown(() => server.kill());
  const store = new RedisStore({ endpoint: server.endpoint, db: 0, keyPrefix: `test-${randomUUID().slice(0, 8)}` }, logger);
  await store.start();
  t.teardown(() => store.close());
  await behaves(t, store);
});

t.test('a new owner waits for the previous owner to release a partition, not for a dead one past its expiry', async (t) => {
  const store = new MemoryStore();
  await store.start();
  t.teardown(() => store.close());
  const metrics = new SelfMetrics();
  // Claims live 3 s (3 periods of 1 s): far from the release at 250 ms, even on a loaded machine.
  const old = new OwnershipCheckpoints(store, metrics, logger, { instance: 'old', intervalMs: 1_000 });
  const next = new OwnershipCheckpoints(store, metrics, logger, { instance: 'next', intervalMs: 1_000 });
  await old.hooksFor('traces.ingest').assigned([0, 1]);

  const started = Date.now();
  const handover = next.handoverFor('traces.ingest').assigned([1, 2]);
  setTimeout(() => void old.hooksFor('traces.ingest').revoked([1], { redelivered: true }), 250);
  await handover;
  const waited = Date.now() - started;
  t.ok(waited >= 250 && waited < 2_000, `waited for the release (${waited} ms), not for the claim to expire`);

  const dead = Date.now();
  await next.handoverFor('traces.ingest').assigned([0]); // 'old' still claims 0 but never refreshes it
  const waitedDead = Date.now() - dead;
  t.ok(waitedDead < 5_000, `a claim that is not refreshed expires (${waitedDead} ms, TTL 3 s)`);
});
