/**
 * red_indicators on the memory log, in process: cumulative span metrics with a counter reset into
 * per-window RED gauges, delta exponential histograms, pass-through, and a restart that continues
 * from the checkpointed cumulative points.
 */
import { pino } from 'pino';
import t from 'tap';
import { MemoryLog } from '../../pipeline/memory-log.js';
import { MemoryStore } from '../../pipeline/state/memory-store.js';
import type { StateStore } from '../../pipeline/state/state-store.js';
import { SelfMetrics } from '../../pipeline/telemetry.js';
import { forEachDataPoint, MetricsBuilder, type Payload } from '../../pdata/index.js';
import { flush, MINUTE_0, MINUTE_1, ns, red, S, T0 } from './red.test-helpers.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { waitUntil } from '../../test/wait.js';
import { configSchema } from './config.js';
import { createRedIndicators } from './red-indicators.js';

async function pipeline(store: StateStore = new MemoryStore(), extra: Record<string, unknown> = {}) {
  const sink = new RecordingConsumer();
  const host = new NoopHost();
  host.stateStore = () => store;
  const config = configSchema.parse({ checkpoint_interval: '50ms', idle_timeout: '60s', ...extra });
  const proc = createRedIndicators({ ...testSettings('red_indicators'), pipeline: 'metrics' }, config, 'metrics', sink);
  await proc.start(host);
  const log = new MemoryLog('metrics.ingest', { maxSizeBytes: 1 << 20, partitions: 1 }, new SelfMetrics(), pino({ level: 'silent' }));
  await log.consume((payload, delivery) => proc.consume(payload, delivery), proc);
  const send = (p: Payload) => log.append([{ key: undefined, partition: 0, payload: p }]);
  return { sink, log, send };
}

t.test('cumulative input: per-window increases across a reset, RED gauges when the watermark passes', async (t) => {
  const { sink, log, send } = await pipeline();
  for (const p of [...MINUTE_0, ...MINUTE_1]) await send(p);
  await send(flush(130, 80, 45, 5, [5, 10, 5, 20]));
  await log.drain(Date.now() + 5_000);
  t.same(red(sink), [
    // window 0: 60 ok + 20 errors; buckets [20,40,20,0]
    'vigil.red.calls 0s 80', 'vigil.red.calls 120s 0', 'vigil.red.calls 60s 80',
    'vigil.red.error_rate 0s 25', 'vigil.red.error_rate 60s 6.25', // none for a window without calls
    'vigil.red.latency.p50 0s 15', // rank 40 in (10,20]: 10 + 10·20/40
    // window 1: +30 ok, reset 15 ok + 5 err, +30 ok = 80 calls, 5 errors; buckets [15,30,15,20]
    'vigil.red.latency.p50 60s 18.3333', // rank 40 in (10,20]: 10 + 10·25/30
    'vigil.red.latency.p95 0s 44', // rank 76 in (20,50]: 20 + 30·16/20
    'vigil.red.latency.p95 60s 50', // rank 76 in +Inf: 50
    'vigil.red.latency.p99 0s 48.8', 'vigil.red.latency.p99 60s 50',
    'vigil.red.throughput 0s 1.3333', 'vigil.red.throughput 120s 0', 'vigil.red.throughput 60s 1.3333',
  ]);
  const input = sink.received.filter((p) => { let n = 0; forEachDataPoint(p, (d) => { if (d.metricName.startsWith('traces.')) n++; }); return n > 0; });
  t.equal(input.length, 7, 'the input passed through');
});

t.test('a window is emitted only when the watermark passes its end, and without pass-through only RED', async (t) => {
  const { sink, send, log } = await pipeline(new MemoryStore(), { pass_through: false });
  for (const p of MINUTE_0) await send(p);
  await new Promise((r) => setTimeout(r, 50));
  t.same(red(sink), [], 'window 0 still open');
  await send(MINUTE_1[0]!);
  t.ok(await waitUntil(() => red(sink).length > 0, 10_000), 'closed by the 70 s point');
  t.same(red(sink).filter((l) => l.startsWith('vigil.red.calls')), ['vigil.red.calls 0s 80']);
  t.equal(log.stats().records, 1, 'only the record of the open window is held');
  t.ok(sink.received.every((p) => { let only = true; forEachDataPoint(p, (d) => { only &&= d.metricName.startsWith('vigil.red.'); }); return only; }));
});

t.test('a restart continues from the checkpointed cumulative points', async (t) => {
  const store = new MemoryStore();
  const first = await pipeline(store);
  for (const p of MINUTE_0) await first.send(p);
  await first.log.drain(Date.now() + 5_000);
  const second = await pipeline(store);
  await second.send(MINUTE_1[0]!);
  await second.send(flush(130, 1, 90, 20, [30, 60, 30, 0]));
  await second.log.drain(Date.now() + 5_000);
  t.same(red(second.sink).filter((l) => l.startsWith('vigil.red.calls')), ['vigil.red.calls 120s 0', 'vigil.red.calls 60s 30'],
    'the 70 s point counts +30 against the 50 s point of the previous run (without state it would be only a baseline)');
});

t.test('delta exponential histograms in seconds: summed per window, quantiles in ms', async (t) => {
  const { sink, send, log } = await pipeline(new MemoryStore(), { pass_through: false });
  for (const at of [10, 40]) {
    const b = new MetricsBuilder();
    const scope = b.scope({ 'service.name': 'checkout' }, { name: 'spanmetricsconnector' });
    const attributes = { 'service.name': 'checkout', 'span.name': 'GET /cart', 'status.code': 'STATUS_CODE_UNSET' };
    const point = { attributes, startTimeUnixNano: ns(T0 + (at - 30) * S), timeUnixNano: ns(T0 + at * S) };
    scope.sum({ name: 'traces.span.metrics.calls', temporality: 'delta', monotonic: true }, { ...point, value: 10n });
    // scale 0: index 3 is (8, 16] s, index 4 (16, 32] s
    scope.exponentialHistogram({ name: 'traces.span.metrics.duration', unit: 's', temporality: 'delta' },
      { ...point, count: 10, scale: 0, zeroCount: 0, positive: { offset: 3, bucketCounts: [6, 4] } });
    await send(b.build()!);
  }
  await log.drain(Date.now() + 5_000);
  t.same(red(sink), [
    'vigil.red.calls 0s 20', 'vigil.red.error_rate 0s 0',
    `vigil.red.latency.p50 0s ${Number((1000 * 2 ** (3 + 10 / 12)).toFixed(4))}`, // rank 10 of 20: 10/12 through (8,16] in log2
    `vigil.red.latency.p95 0s ${Number((1000 * 2 ** (4 + 7 / 8)).toFixed(4))}`, // rank 19: 7/8 through (16,32]
    `vigil.red.latency.p99 0s ${Number((1000 * 2 ** (4 + 7.8 / 8)).toFixed(4))}`,
    'vigil.red.throughput 0s 0.3333',
  ]);
});

t.test('a replay in one burst gives the same indicators as the same data paced', async (t) => {
  const input = [...MINUTE_0, ...MINUTE_1, flush(130, 80, 45, 5, [5, 10, 5, 20]), flush(190, 80, 60, 9, [9, 10, 5, 20])];
  const burst = await pipeline(new MemoryStore(), { pass_through: false });
  for (const p of input) await burst.send(p);
  await burst.log.drain(Date.now() + 5_000);
  const paced = await pipeline(new MemoryStore(), { pass_through: false });
  for (const p of input) {
    await paced.send(p);
    await new Promise((r) => setTimeout(r, 10));
  }
  await paced.log.drain(Date.now() + 5_000);
  t.equal(red(burst.sink).filter((l) => l.startsWith('vigil.red.calls')).length, 4, 'four windows');
  t.same(red(burst.sink), red(paced.sink));
});
