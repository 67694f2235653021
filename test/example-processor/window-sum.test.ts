/** The example stateful processor on the memory log, in process: windows, holds, replay, drain, checkpoints. */
import { pino } from 'pino';
import t from 'tap';
import type { Processor } from '../../pipeline/component.js';
import { MemoryLog } from '../../pipeline/memory-log.js';
import { MemoryStore } from '../../pipeline/state/memory-store.js';
import type { StateStore } from '../../pipeline/state/state-store.js';
import { SelfMetrics } from '../../pipeline/telemetry.js';
import { forEachDataPoint, MetricsBuilder, type Payload } from '../../pdata/index.js';
import { NoopHost, RecordingConsumer, testSettings } from '../doubles.js';
import { deliverAt, durableHost, ownPartition } from '../durable-partition.js';
import { configSchema } from './config.js';
import { createWindowSum } from './window-sum.js';

const T0 = Date.UTC(2026, 10, 19, 10, 0, 0); // a week ago: a replay, not live data
const MIN = 60_000;

/** One request: a gauge point per [series, value, event time]. */
function request(points: ReadonlyArray<[string, number, number]>): Payload {
  const b = new MetricsBuilder();
  for (const [series, value, at] of points) {
    b.scope({ 'service.name': 'checkout' }, { name: 'test' }).gauge({ name: 'queue.depth' }, { attributes: { series }, timeUnixNano: BigInt(at) * 1_000_000n, value });
  }
  return b.build()!;
}

/** The emitted windows as sorted text lines. */
function windows(sink: RecordingConsumer): string[] {
  const out: string[] = [];
  for (const p of sink.received) {
    forEachDataPoint(p, (d) => out.push(`${d.metricName} ${d.attributes.series as string} ${(Number(d.startTimeUnixNano / 1_000_000n) - T0) / MIN}m ${d.value}`));
  }
  return out.sort();
}

/** A window_sum fed by a memory log of `partitions`, as the engine wires it. */
async function pipeline(partitions: number, store: StateStore = new MemoryStore(), idleMs = 60_000, window = '1m') {
  const sink = new RecordingConsumer();
  const host = new NoopHost();
  host.stateStore = () => store;
  const config = configSchema.parse({ window, checkpoint_interval: '50ms', idle_timeout: `${idleMs}ms` });
  const proc = createWindowSum({ ...testSettings('window_sum'), pipeline: 'metrics' }, config, 'metrics', sink);
  await proc.start(host);
  const log = new MemoryLog('metrics.ingest', { maxSizeBytes: 1 << 20, partitions }, new SelfMetrics(), pino({ level: 'silent' }));
  await log.consume((payload, delivery) => proc.consume(payload, delivery), proc);
  return { sink, proc, log };
}

/** An hour of one point a minute for three series, values 1..60, in `batches` requests. */
function hour(): Array<Array<[string, number, number]>> {
  return Array.from({ length: 60 }, (_, m) => ['a', 'b', 'c'].map((s): [string, number, number] => [s, m + 1, T0 + m * MIN + 30_000]));
}

t.test('sums per series and event-time window; a window is emitted once the watermark passes its end', async (t) => {
  const { sink, log } = await pipeline(2);
  await log.append([{ key: undefined, partition: 0, payload: request([['a', 1, T0 + 1_000], ['a', 2, T0 + 2_000], ['b', 5, T0 + 3_000]]) }]);
  await new Promise((r) => setTimeout(r, 20));
  t.same(windows(sink), [], 'the window is open');
  t.equal(log.stats().records, 1, 'its record is held until the window is emitted');
  await log.append([{ key: undefined, partition: 0, payload: request([['a', 10, T0 + MIN + 1]]) }]);
  await new Promise((r) => setTimeout(r, 20));
  t.same(windows(sink), ['queue.depth.window_count a 0m 2', 'queue.depth.window_count b 0m 1', 'queue.depth.window_sum a 0m 3', 'queue.depth.window_sum b 0m 5']);
  t.equal(log.stats().records, 1, 'the first record is released; the second is held by the next window');
});

t.test('a replay in one burst gives the same windows as the same hour arriving minute by minute', async (t) => {
  const burst = await pipeline(4);
  for (const points of hour()) await burst.log.append([{ key: undefined, payload: request(points) }]);
  await burst.log.drain(Date.now() + 2000);

  const paced = await pipeline(4);
  for (const points of hour()) {
    await paced.log.append([{ key: undefined, payload: request(points) }]);
    await new Promise((r) => setTimeout(r, 5));
  }
  await paced.log.drain(Date.now() + 2000);
  const got = windows(burst.sink);
  t.equal(got.length, 60 * 3 * 2, 'every minute of every series, sum and count');
  t.same(got, windows(paced.sink));
  t.ok(got.includes('queue.depth.window_sum b 41m 42'));
});

t.test('drain flushes open windows (the memory log redelivers nothing) and leaves nothing held', async (t) => {
  const { sink, log } = await pipeline(2);
  await log.append([{ key: undefined, payload: request([['a', 4, T0], ['b', 6, T0 + 5]]) }]);
  t.equal(await log.drain(Date.now() + 2000), 0);
  t.same(windows(sink), ['queue.depth.window_count a 0m 1', 'queue.depth.window_count b 0m 1', 'queue.depth.window_sum a 0m 4', 'queue.depth.window_sum b 0m 6']);
});

t.test('an idle partition closes its last window as the wall clock moves on', async (t) => {
  const { sink, log } = await pipeline(1, new MemoryStore(), 100, '1s');
  await log.append([{ key: undefined, payload: request([['a', 7, T0]]) }]);
  const deadline = Date.now() + 5000;
  while (sink.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.same(windows(sink), ['queue.depth.window_count a 0m 1', 'queue.depth.window_sum a 0m 7']);
});

t.test('with a durable store: checkpoints release the records, a new owner resumes from them and skips what they hold', async (t) => {
  const sink = new RecordingConsumer();
  const host = durableHost(); // as Redis: checkpoints outlive the owner
  const config = configSchema.parse({ window: '1m', checkpoint_interval: '20ms' });
  const make = () => ownPartition(() => createWindowSum({ ...testSettings('window_sum'), pipeline: 'metrics' }, config, 'metrics', sink), host);
  const deliver = (proc: Processor, offset: bigint, payload: Payload) => deliverAt(proc, 'metrics.ingest', offset, payload);
  const first = await make();
  const acked = await deliver(first, 10n, request([['a', 1, T0]]));
  t.notOk(acked(), 'held until checkpointed');
  await new Promise((r) => setTimeout(r, 100));
  t.ok(acked(), 'the checkpoint released it (the offset may be committed)');
  await deliver(first, 11n, request([['a', 2, T0 + 1]]));
  await first.revoked!([0], { redelivered: true });
  t.same(windows(sink), [], 'a rebalance moves open windows, it does not emit them');

  const second = await make();
  await deliver(second, 10n, request([['a', 1, T0]])); // redelivered: its effect is in the checkpoint
  await deliver(second, 11n, request([['a', 2, T0 + 1]]));
  await deliver(second, 12n, request([['a', 4, T0 + MIN]]));
  t.same(windows(sink), ['queue.depth.window_count a 0m 2', 'queue.depth.window_sum a 0m 3'], 'each record counted once');
  await second.revoked!([0], { redelivered: false });
});
