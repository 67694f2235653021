/**
 * The service-level rollup (`service_rollup: true`): one series per service with span.name
 * aggregated, from the summed calls and merged histograms, emitted in the same request as the
 * operations' series; and off by default.
 */
import { pino } from 'pino';
import t from 'tap';
import { MemoryLog } from '../../pipeline/memory-log.js';
import { MemoryStore } from '../../pipeline/state/memory-store.js';
import { SelfMetrics } from '../../pipeline/telemetry.js';
import { forEachDataPoint, MetricsBuilder, type Payload } from '../../pdata/index.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { configSchema } from './config.js';
import { createRedIndicators } from './red-indicators.js';
import { ns, S, T0 } from './red.test-helpers.js';
import { serviceRollups } from './rollup.js';
import type { OpenWindow } from './state.js';

const BOUNDS = [50, 100, 200];
const traceId = (i: number): string => i.toString(16).padStart(32, '0');

/** A delta flush of one operation: ok and error calls, an explicit ms histogram and one exemplar per bucket. */
function op(name: string, ok: number, err: number, buckets: number[], firstId: number): Payload {
  const b = new MetricsBuilder();
  const scope = b.scope({ 'service.name': 'shop' }, { name: 'spanmetricsconnector' });
  const point = (code: string) => ({ attributes: { 'service.name': 'shop', 'span.name': name, 'status.code': code }, startTimeUnixNano: ns(T0), timeUnixNano: ns(T0 + 30 * S) });
  scope.sum({ name: 'traces.span.metrics.calls', temporality: 'delta', monotonic: true }, { ...point('STATUS_CODE_UNSET'), value: BigInt(ok) });
  scope.sum({ name: 'traces.span.metrics.calls', temporality: 'delta', monotonic: true }, { ...point('STATUS_CODE_ERROR'), value: BigInt(err) });
  const exemplars = buckets.map((_, i) => ({ value: [40, 90, 150, 300][i]!, timeUnixNano: ns(T0 + 30 * S), traceId: traceId(firstId + i), spanId: '0000000000000001' }));
  scope.histogram({ name: 'traces.span.metrics.duration', unit: 'ms', temporality: 'delta' },
    { ...point('STATUS_CODE_UNSET'), count: buckets.reduce((n, c) => n + c, 0), explicitBounds: BOUNDS, bucketCounts: buckets, exemplars });
  return b.build()!;
}

async function run(config: Record<string, unknown>): Promise<{ points: Map<string, { value: number; traces: string[] }>; requests: number }> {
  const sink = new RecordingConsumer();
  const host = new NoopHost();
  host.stateStore = () => new MemoryStore();
  const proc = createRedIndicators({ ...testSettings('red_indicators'), pipeline: 'metrics' }, configSchema.parse({ idle_timeout: '60s', pass_through: false, ...config }), 'metrics', sink);
  await proc.start(host);
  const log = new MemoryLog('metrics.ingest', { maxSizeBytes: 1 << 20, partitions: 1 }, new SelfMetrics(), pino({ level: 'silent' }));
  await log.consume((payload, delivery) => proc.consume(payload, delivery), proc);
  await log.append([{ key: undefined, partition: 0, payload: op('GET /a', 90, 10, [0, 50, 50, 0], 1) }]);
  await log.append([{ key: undefined, partition: 0, payload: op('GET /b', 100, 0, [100, 0, 0, 0], 11) }]);
  await log.drain(Date.now() + 5_000);
  const points = new Map<string, { value: number; traces: string[] }>();
  for (const p of sink.received) {
    forEachDataPoint(p, (d) => {
      const who = d.attributes['vigil.rollup'] === 'span.name' ? 'service' : d.attributes['span.name'] as string;
      points.set(`${d.metricName} ${who}`, { value: d.value!, traces: d.exemplars.map((x) => x.traceId) });
    });
  }
  return { points, requests: sink.received.length };
}

t.test('service_rollup: the service series sums the operations; quantiles from the merged histogram', async (t) => {
  const { points, requests } = await run({ service_rollup: true });
  t.equal(requests, 1, 'the operations and the service in one request (the contribution needs them together)');
  t.equal(points.get('vigil.red.calls service')?.value, 200);
  t.equal(points.get('vigil.red.error_rate service')?.value, 5, '10 errors of 200 calls');
  // merged buckets [100, 50, 50, 0]: rank 190 in (100, 200]: 100 + 100·40/50
  t.equal(points.get('vigil.red.latency.p95 service')?.value, 180, 'a quantile of the merged distribution, not of the quantiles');
  t.equal(points.get('vigil.red.latency.p50 service')?.value, 50, 'rank 100: the top of (0, 50]');
  t.same(points.get('vigil.red.latency.p95 service')?.traces.slice(0, 2), [traceId(4), traceId(14)], 'the slowest spans of either operation');
  t.equal(points.get('vigil.red.calls GET /a')?.value, 100, 'the operations\' series unchanged');
  t.equal(points.get('vigil.red.latency.p95 GET /b')?.value, 47.5);
});

t.test('without service_rollup (the default) no service series', async (t) => {
  const { points } = await run({});
  t.notOk([...points.keys()].some((k) => k.endsWith(' service')));
  t.equal(configSchema.parse({}).service_rollup, false);
});

t.test('operations whose histograms cannot be merged: the service has calls but no latency', async (t) => {
  const win = (name: string, bounds: number[], msPerUnit = 1): OpenWindow => ({
    attributes: { 'service.name': 'shop', 'span.name': name }, startMs: 0, calls: 10, errors: 1, msPerUnit,
    latency: { kind: 'explicit', bounds, counts: bounds.map(() => 1).concat(0) },
  });
  const warned: string[] = [];
  const [s] = serviceRollups([win('a', [1, 2]), win('b', [1, 3])], (w) => warned.push(w));
  t.equal(s?.calls, 20);
  t.equal(s?.latency, undefined);
  t.equal(warned.length, 1);
  const [u] = serviceRollups([win('a', [1, 2]), win('b', [1, 2], 1000)], () => {});
  t.equal(u?.latency, undefined, 'different units are not merged either');
  const [ok] = serviceRollups([win('a', [1, 2]), win('b', [1, 2])], () => {});
  t.same(ok?.latency, { kind: 'explicit', bounds: [1, 2], counts: [2, 2, 0] });
  t.same(ok?.attributes, { 'service.name': 'shop', 'vigil.rollup': 'span.name' });
});
