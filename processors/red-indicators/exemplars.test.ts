/** red_indicators carries the window's slowest and erroring spans (span_metrics' exemplars) onto its latency and error-rate points. */
import { pino } from 'pino';
import t from 'tap';
import { MemoryLog } from '../../pipeline/memory-log.js';
import { MemoryStore } from '../../pipeline/state/memory-store.js';
import { SelfMetrics } from '../../pipeline/telemetry.js';
import { forEachDataPoint, MetricsBuilder, type Payload } from '../../pdata/index.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { configSchema } from './config.js';
import { MAX_EXEMPLARS, slowestOf } from './exemplars.js';
import { createRedIndicators } from './red-indicators.js';
import { ns, S, T0 } from './red.test-helpers.js';

const traceId = (i: number): string => i.toString(16).padStart(32, '0');
const spanId = (i: number): string => i.toString(16).padStart(16, '0');

/** A delta flush: per status, calls and a duration histogram (seconds) with one exemplar per span. */
function flush(atS: number, spans: ReadonlyArray<{ id: number; s: number; error: boolean }>): Payload {
  const b = new MetricsBuilder();
  const scope = b.scope({ 'service.name': 'checkout' }, { name: 'spanmetricsconnector' });
  for (const error of [false, true]) {
    const mine = spans.filter((x) => x.error === error);
    if (mine.length === 0) continue;
    const attributes = { 'service.name': 'checkout', 'span.name': 'GET /cart', 'status.code': error ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET' };
    const point = { attributes, startTimeUnixNano: ns(T0 + (atS - 1) * S), timeUnixNano: ns(T0 + atS * S) };
    scope.sum({ name: 'traces.span.metrics.calls', temporality: 'delta', monotonic: true }, { ...point, value: BigInt(mine.length) });
    scope.histogram({ name: 'traces.span.metrics.duration', unit: 's', temporality: 'delta' }, {
      ...point, count: mine.length, explicitBounds: [0.1, 1], bucketCounts: [mine.filter((x) => x.s <= 0.1).length, mine.filter((x) => x.s > 0.1 && x.s <= 1).length, mine.filter((x) => x.s > 1).length],
      exemplars: mine.map((x) => ({ value: x.s, timeUnixNano: point.timeUnixNano, traceId: traceId(x.id), spanId: spanId(x.id) })),
    });
  }
  return b.build()!;
}

t.test('latency points carry the 5 slowest spans of the window, error_rate the erroring ones', async (t) => {
  const sink = new RecordingConsumer();
  const host = new NoopHost();
  host.stateStore = () => new MemoryStore();
  const proc = createRedIndicators({ ...testSettings('red_indicators'), pipeline: 'metrics' }, configSchema.parse({ idle_timeout: '60s', pass_through: false }), 'metrics', sink);
  await proc.start(host);
  const log = new MemoryLog('metrics.ingest', { maxSizeBytes: 1 << 20, partitions: 1 }, new SelfMetrics(), pino({ level: 'silent' }));
  await log.consume((payload, delivery) => proc.consume(payload, delivery), proc);
  const send = (p: Payload) => log.append([{ key: undefined, partition: 0, payload: p }]);
  // Two flushes of one window: 10 spans, 0.01 s × id, ids 3 and 7 in error; then the next window closes it.
  await send(flush(10, [1, 2, 3, 4, 5].map((id) => ({ id, s: id / 100, error: id === 3 }))));
  await send(flush(20, [6, 7, 8, 9, 10].map((id) => ({ id, s: id / 100, error: id === 7 }))));
  await send(flush(70, [{ id: 11, s: 0.5, error: false }]));
  await log.drain(Date.now() + 5_000);
  const seen = new Map<string, Array<{ traceId: string; value: number }>>();
  for (const p of sink.received) {
    forEachDataPoint(p, (d) => {
      if (d.startTimeUnixNano === ns(T0)) seen.set(d.metricName, d.exemplars.map((e) => ({ traceId: e.traceId, value: e.value })));
    });
  }
  const slow = [10, 9, 8, 7, 6].map((id) => ({ traceId: traceId(id), value: id * 10 }));
  t.same(seen.get('vigil.red.latency.p95'), slow, 'p95: the 5 slowest, slowest first, in ms');
  t.same(seen.get('vigil.red.latency.p50'), slow, 'every latency quantile carries them');
  t.same(seen.get('vigil.red.error_rate')?.map((e) => e.traceId), [traceId(3), traceId(7)], 'error_rate: the erroring spans');
  t.same(seen.get('vigil.red.calls'), [], 'calls carry none');
});

t.test('slowestOf keeps at most 5, slowest first, each span once', async (t) => {
  let list = slowestOf([], { traceId: 'a', spanId: '1', value: 1, timeMs: 0 });
  for (let i = 2; i < 10; i++) list = slowestOf(list, { traceId: 'a', spanId: String(i), value: i % 4, timeMs: 0 });
  list = slowestOf(list, list[0]!);
  t.equal(list.length, MAX_EXEMPLARS);
  t.same(list.map((e) => e.value), [3, 3, 2, 2, 1]);
});
