/**
 * red_indicators with a durable state store (as Redis): records are acknowledged by checkpoints,
 * a rebalance moves windows and last cumulative points to the next owner, which skips redelivered
 * records the checkpoint already holds and keeps counting increases.
 */
import t from 'tap';
import { Acknowledgement, deliveryOf } from '../../pipeline/delivery.js';
import { MemoryStore } from '../../pipeline/state/memory-store.js';
import type { Payload } from '../../pdata/index.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { configSchema } from './config.js';
import { createRedIndicators } from './red-indicators.js';
import { flush, MINUTE_0, MINUTE_1, red } from './red.test-helpers.js';

t.test('checkpoints release records; the next owner resumes from them, each record counted once', async (t) => {
  const store = new MemoryStore();
  Object.defineProperty(store, 'durable', { value: true }); // as Redis: checkpoints outlive the owner
  const sink = new RecordingConsumer();
  const host = new NoopHost();
  host.stateStore = () => store;
  const config = configSchema.parse({ checkpoint_interval: '20ms', pass_through: false });
  const make = async () => {
    const proc = createRedIndicators({ ...testSettings('red_indicators'), pipeline: 'metrics' }, config, 'metrics', sink);
    await proc.start(host);
    await proc.assigned!([0]);
    return proc;
  };
  const deliver = async (proc: Awaited<ReturnType<typeof make>>, offset: bigint, payload: Payload) => {
    let done = false;
    const ack = new Acknowledgement(() => { done = true; });
    await proc.consume(payload, deliveryOf('metrics.ingest', 0, offset, true, ack));
    ack.settle();
    return () => done;
  };
  const first = await make();
  const acked = await deliver(first, 10n, MINUTE_0[0]!);
  t.notOk(acked(), 'held until checkpointed');
  await new Promise((r) => setTimeout(r, 150));
  t.ok(acked(), 'the checkpoint released it');
  await deliver(first, 11n, MINUTE_0[1]!);
  await deliver(first, 12n, MINUTE_0[2]!);
  await first.revoked!([0], { redelivered: true });
  t.same(red(sink), [], 'a rebalance moves open windows, it does not emit them');

  const second = await make();
  await deliver(second, 11n, MINUTE_0[1]!); // redelivered: its effect is in the checkpoint
  await deliver(second, 12n, MINUTE_0[2]!);
  await deliver(second, 13n, MINUTE_1[0]!);
  await deliver(second, 14n, flush(130, 1, 90, 20, [30, 60, 30, 0]));
  await second.revoked!([0], { redelivered: false });
  t.same(red(sink).filter((l) => l.startsWith('vigil.red.calls')), ['vigil.red.calls 0s 80', 'vigil.red.calls 120s 0', 'vigil.red.calls 60s 30'],
    'window 0 counted once; window 1 is +30 over the checkpointed 50 s point');
});
