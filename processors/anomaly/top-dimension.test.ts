/**
 * An anomaly event on a service-level series (red_indicators' `service_rollup`), with the
 * processor keyed by service (`partition_by: service.name`), names the operation that moved most
 * in the direction of the anomaly, weighted by its calls, and puts its spans first in the evidence.
 */
import t from 'tap';
import { Acknowledgement, deliveryOf } from '../../pipeline/delivery.js';
import { MemoryStore } from '../../pipeline/state/memory-store.js';
import { forEachLogRecord, MetricsBuilder, type Payload } from '../../pdata/index.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { configSchema } from './config.js';
import { factory } from './factory.js';
import { createAnomaly } from './processor.js';

const T0 = Date.UTC(2026, 10, 19, 0, 0, 0);
const STEP = 5 * 60_000;
const SPIKE = 3 * 288;
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;
const traceId = (op: number, i: number): string => `${op.toString(16).padStart(16, '0')}${i.toString(16).padStart(16, '0')}`;
const wave = (i: number): number => 100 + 20 * Math.sin((2 * Math.PI * i) / 288) + 3 * Math.sin(i * 12.9898);

/** Window i: per operation and for the service, calls and p95 (the service's p95 given). */
function window(i: number, checkout: number, cart: number, service: number): Payload {
  const b = new MetricsBuilder();
  const scope = b.scope({ 'service.name': 'shop' }, { name: 'vigil.red_indicators' });
  const at = { startTimeUnixNano: ns(T0 + (i - 1) * STEP), timeUnixNano: ns(T0 + i * STEP) };
  const add = (attributes: Record<string, string>, calls: number, p95: number, op: number) => {
    scope.gauge({ name: 'vigil.red.calls', unit: '{call}' }, { ...at, attributes, value: calls });
    const exemplars = [0, 1].map((k) => ({ value: p95 + k, timeUnixNano: at.timeUnixNano, traceId: traceId(op, i * 10 + k), spanId: '0000000000000001' }));
    scope.gauge({ name: 'vigil.red.latency.p95', unit: 'ms' }, { ...at, attributes, value: p95, exemplars });
  };
  add({ 'service.name': 'shop', 'vigil.rollup': 'span.name' }, 400, service, 9);
  add({ 'service.name': 'shop', 'span.name': 'GET /cart' }, 300, cart, 2);
  add({ 'service.name': 'shop', 'span.name': 'GET /checkout' }, 100, checkout, 1);
  return b.build()!;
}

t.test('the anomaly on the service\'s p95 names GET /checkout, whose latency jumped', async (t) => {
  const sink = new RecordingConsumer();
  const host = new NoopHost();
  host.stateStore = () => new MemoryStore();
  const config = configSchema.parse({ partition_by: 'service.name', metrics: ['vigil.red.latency.p95'] });
  const proc = createAnomaly({ ...testSettings('anomaly'), pipeline: 'metrics' }, config, 'metrics', sink);
  await proc.start(host);
  await proc.assigned!([0]);
  for (let i = 0; i < SPIKE + 5; i++) {
    const jump = i === SPIKE ? 150 : 0;
    const ack = new Acknowledgement(() => {});
    await proc.consume(window(i, wave(i) + jump, 40 + (i % 3), wave(i) + jump), deliveryOf('metrics.ingest', 0, BigInt(i), false, ack));
    ack.settle();
  }
  await proc.shutdown(Date.now() + 1000);
  const service: Array<Record<string, unknown>> = [];
  for (const p of sink.received) if (p.signal === 'logs') forEachLogRecord(p, (r) => { if (r.attributes['vigil.rollup'] !== undefined) service.push({ ...r.attributes, at: (Number(r.timeUnixNano / 1_000_000n) - T0) / STEP }); });
  const e = service.find((a) => a.at === SPIKE);
  t.ok(e, `an event on the service series at the spike (${JSON.stringify(service.map((a) => a.at))})`);
  t.match(e, { 'evidence.dimension': 'span.name', 'evidence.dimension.value': 'GET /checkout' });
  t.ok((e?.['evidence.dimension.share'] as number) > 0.9, `GET /checkout holds most of the rise (${String(e?.['evidence.dimension.share'])})`);
  t.same((e?.['evidence.trace_ids'] as string[]).slice(0, 2), [traceId(1, SPIKE * 10 + 1), traceId(1, SPIKE * 10)], 'its spans first, slowest first');
});

t.test('partition_by: series by default; an attribute keys the stage log by it', async (t) => {
  t.same(factory.partitionKey!(configSchema.parse({})), { by: 'series' });
  t.same(factory.partitionKey!(configSchema.parse({ partition_by: 'service.name' })), { by: 'attribute', name: 'service.name' });
});
