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
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { waitUntil } from '../../test/wait.js';
import { configSchema } from './config.js';
import { createRedIndicators } from './red-indicators.js';

const T0 = Date.UTC(2026, 10, 19, 10, 0, 0); // a week ago: a replay, not live data
const S = 1_000;
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;
const BOUNDS = [10, 20, 50];

/** One cumulative span_metrics flush of `GET /cart`: ok and error calls, and the duration histogram. */
function flush(atS: number, startS: number, ok: number, err: number, buckets: number[]): Payload {
  const b = new MetricsBuilder();
  const scope = b.scope({ 'service.name': 'checkout' }, { name: 'spanmetricsconnector' });
  const attrs = (code: string) => ({ 'service.name': 'checkout', 'span.name': 'GET /cart', 'span.kind': 'SPAN_KIND_SERVER', 'status.code': code });
  const point = { startTimeUnixNano: ns(T0 + startS * S), timeUnixNano: ns(T0 + atS * S) };
  const calls = { name: 'traces.span.metrics.calls', temporality: 'cumulative' as const, monotonic: true };
  scope.sum(calls, { ...point, attributes: attrs('STATUS_CODE_UNSET'), value: BigInt(ok) });
  scope.sum(calls, { ...point, attributes: attrs('STATUS_CODE_ERROR'), value: BigInt(err) });
  scope.histogram({ name: 'traces.span.metrics.duration', unit: 'ms', temporality: 'cumulative' },
    { ...point, attributes: attrs('STATUS_CODE_UNSET'), count: buckets.reduce((n, c) => n + c, 0), bucketCounts: buckets, explicitBounds: BOUNDS });
  return b.build()!;
}

/** The emitted RED gauges as sorted `name window-start-s value` lines (values to 4 decimals). */
function red(sink: RecordingConsumer): string[] {
  const out: string[] = [];
  for (const p of sink.received) {
    forEachDataPoint(p, (d) => {
      if (d.metricName.startsWith('vigil.red.')) out.push(`${d.metricName} ${(Number(d.startTimeUnixNano / 1_000_000n) - T0) / S}s ${Number(d.value!.toFixed(4))}`);
    });
  }
  return out.sort();
}

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

// cumulative: ok, error calls and buckets [<=10, <=20, <=50, +Inf]
const MINUTE_0 = [flush(10, 1, 0, 0, [0, 0, 0, 0]), flush(30, 1, 30, 10, [10, 20, 10, 0]), flush(50, 1, 60, 20, [20, 40, 20, 0])];
const MINUTE_1 = [
  flush(70, 1, 90, 20, [30, 60, 30, 0]),
  flush(90, 80, 15, 5, [5, 10, 5, 0]), // the source restarted at 80 s: a reset
  flush(110, 80, 45, 5, [5, 10, 5, 20]),
];

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
