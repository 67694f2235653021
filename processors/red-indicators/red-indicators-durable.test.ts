/**
 * red_indicators with a durable state store (as Redis): records are acknowledged by checkpoints,
 * a rebalance moves windows and last cumulative points to the next owner, which skips redelivered
 * records the checkpoint already holds and keeps counting increases.
 */
import t from 'tap';
import type { Processor } from '../../pipeline/component.js';
import type { Payload } from '../../pdata/index.js';
import { RecordingConsumer, testSettings } from '../../test/doubles.js';
import { deliverAt, durableHost, ownPartition } from '../../test/durable-partition.js';
import { configSchema } from './config.js';
import { createRedIndicators } from './red-indicators.js';
import { flush, MINUTE_0, MINUTE_1, red } from './red.test-helpers.js';

t.test('checkpoints release records; the next owner resumes from them, each record counted once', async (t) => {
  const sink = new RecordingConsumer();
  const host = durableHost(); // as Redis: checkpoints outlive the owner
  const config = configSchema.parse({ checkpoint_interval: '20ms', pass_through: false });
  const make = () => ownPartition(() => createRedIndicators({ ...testSettings('red_indicators'), pipeline: 'metrics' }, config, 'metrics', sink), host);
  const deliver = (proc: Processor, offset: bigint, payload: Payload) => deliverAt(proc, 'metrics.ingest', offset, payload);
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
