import { pino } from 'pino';
import t from 'tap';
import { waitFor } from '../../test/wait.js';
import { RetryableError } from '../errors.js';
import { SelfMetrics } from '../telemetry.js';
import { MemoryStore } from './memory-store.js';
import { OwnershipCheckpoints, ownershipKey, type OwnershipRecord } from './ownership.js';
import type { StateOp } from './state-store.js';

const logger = pino({ level: 'silent' });

/** A memory store whose batches fail while `down`, and can be held to test overlapping writes. */
class FlakyStore extends MemoryStore {
  down = false;
  batches = 0;
  hold: Promise<void> | undefined;
  override async batch(ops: readonly StateOp[]): Promise<void> {
    this.batches++;
    await this.hold;
    if (this.down) throw new RetryableError('redis 127.0.0.1:1 unreachable: ECONNREFUSED');
    return super.batch(ops);
  }
}

const record = async (store: MemoryStore, log: string, partition: number): Promise<OwnershipRecord | undefined> => {
  const bytes = await store.get(ownershipKey(log, partition));
  return bytes && (JSON.parse(Buffer.from(bytes).toString('utf8')) as OwnershipRecord);
};
const count = async (metrics: SelfMetrics, name: string): Promise<number> => {
  const m = (await metrics.registry.getSingleMetric(name)!.get()).values;
  return m.reduce((n, v) => n + v.value, 0);
};

t.test('assignment writes a checkpoint per partition at once; revocation replaces it with a release', async (t) => {
  const store = new MemoryStore();
  const metrics = new SelfMetrics();
  const owner = new OwnershipCheckpoints(store, metrics, logger, { instance: 'host:1:abc' });
  const hooks = owner.hooksFor('traces.ingest');
  const before = Date.now();
  await hooks.assigned([0, 1]);
  const r0 = await record(store, 'traces.ingest', 0);
  t.match(r0, { instance: 'host:1:abc', log: 'traces.ingest', partition: 0, state: 'owned' });
  t.ok(Date.parse(r0!.at) >= before - 1, 'stamped with the write time');
  t.equal((await record(store, 'traces.ingest', 1))?.state, 'owned');
  t.equal(await count(metrics, 'vigil_state_checkpoints_total'), 2);
  await hooks.revoked([1], { redelivered: true });
  t.equal((await record(store, 'traces.ingest', 1))?.state, 'released');
  t.equal((await record(store, 'traces.ingest', 0))?.state, 'owned');
  t.equal(await count(metrics, 'vigil_state_checkpoints_total'), 4, 'partition 0 refreshed, partition 1 released');
  await hooks.revoked([0], { redelivered: true });
  await owner.checkpoint();
  t.equal(await count(metrics, 'vigil_state_checkpoints_total'), 5, 'a written release is not written again');
});

t.test('checkpoints expire after a few periods unless refreshed', async (t) => {
  let now = 0;
  const store = new MemoryStore({ now: () => now });
  const owner = new OwnershipCheckpoints(store, new SelfMetrics(), logger, { intervalMs: 1_000 });
  await owner.hooksFor('l').assigned([0]);
  now = 2_999;
  t.ok(await record(store, 'l', 0), 'alive within three periods');
  now = 3_000;
  t.equal(await record(store, 'l', 0), undefined, 'gone after three periods');
});

t.test('failed writes are counted and retried every period until the store is back', async (t) => {
  const store = new FlakyStore();
  const metrics = new SelfMetrics();
  const owner = new OwnershipCheckpoints(store, metrics, logger, { intervalMs: 20 });
  t.teardown(() => owner.stop());
  store.down = true;
  await owner.hooksFor('l').assigned([0, 1]); // resolves although the write failed: never blocks
  owner.start();
  await waitFor('three failed ticks', () => store.batches >= 3, 2_000);
  t.ok((await count(metrics, 'vigil_state_checkpoint_failures_total')) >= 6, 'two checkpoints counted per failed tick');
  t.equal(await record(store, 'l', 0), undefined);
  store.down = false;
  await waitFor('the checkpoint to be written', () => record(store, 'l', 0), 2_000);
  t.ok((await count(metrics, 'vigil_state_checkpoints_total')) >= 2);
});

t.test('an assignment during a write is written right after it, not a period later', async (t) => {
  const store = new FlakyStore();
  const owner = new OwnershipCheckpoints(store, new SelfMetrics(), logger, { intervalMs: 60_000 });
  let release!: () => void;
  store.hold = new Promise((r) => (release = r));
  const first = owner.hooksFor('a').assigned([0]);
  const second = owner.hooksFor('b').assigned([3]);
  const third = owner.checkpoint();
  release();
  await Promise.all([first, second, third]);
  t.ok(await record(store, 'b', 3), 'the later assignment was written');
  t.equal(store.batches, 2, 'calls during a write share one follow-up write');
});
