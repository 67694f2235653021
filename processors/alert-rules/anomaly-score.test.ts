/**
 * A Prometheus rule over the anomaly processor's score: `vigil.anomaly.score` (a gauge of unit 1)
 * reaches the rules as `vigil_anomaly_score_ratio`, and a spike the detector scores above the
 * threshold fires one alert that resolves at the first point scored below it again. The anomaly processor's own output is
 * fed to alert_rules, replayed in event time (a week ago).
 */
import { pino } from 'pino';
import t from 'tap';
import { Acknowledgement, deliveryOf } from '../../pipeline/delivery.js';
import { MemoryLog } from '../../pipeline/memory-log.js';
import { SelfMetrics } from '../../pipeline/telemetry.js';
import { forEachDataPoint, forEachLogRecord, MetricsBuilder, type Payload } from '../../pdata/index.js';
import { readAlert } from '../../exporters/notify-common/alert.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { waitFor } from '../../test/wait.js';
import { configSchema as anomalyConfig } from '../anomaly/config.js';
import { factory as anomalyFactory } from '../anomaly/factory.js';
import { configSchema } from './config.js';
import { factory } from './factory.js';

await Promise.all([factory.load?.(), anomalyFactory.load?.()]);

const T0 = Date.UTC(2026, 10, 19, 0, 0, 0);
const STEP = 5 * 60_000;
const DAY_POINTS = 288;
const SPIKE = 3 * DAY_POINTS;
const LAST = SPIKE + 20;

/** A daily wave with deterministic noise, and a spike at SPIKE. */
const value = (i: number): number => 100 + 20 * Math.sin((2 * Math.PI * i) / DAY_POINTS) + 3 * Math.sin(i * 12.9898) + (i === SPIKE ? 150 : 0);

function request(from: number, to: number): Payload {
  const b = new MetricsBuilder();
  const scope = b.scope({ 'service.name': 'checkout' }, { name: 'test' });
  for (let i = from; i < to; i++) scope.gauge({ name: 'queue.depth' }, { timeUnixNano: BigInt(T0 + i * STEP) * 1_000_000n, value: value(i) });
  return b.build()!;
}

t.test('a rule over vigil_anomaly_score_ratio fires once on the spike the anomaly processor scores', async (t) => {
  const scored = new RecordingConsumer();
  const anomaly = anomalyFactory.create({ ...testSettings('anomaly'), pipeline: 'metrics' },
    anomalyConfig.parse({ pass_through: false, events: false }), 'metrics', scored);
  await anomaly.start(new NoopHost());
  await anomaly.assigned?.([0]);
  let offset = 0n;
  for (let i = 0; i < LAST; i += 50) {
    const ack = new Acknowledgement(() => {});
    await anomaly.consume(request(i, Math.min(LAST, i + 50)), deliveryOf('metrics.ingest', 0, offset++, false, ack));
    ack.settle();
  }
  await anomaly.shutdown(Date.now() + 5_000);
  const scores = scored.received.filter((p) => p.signal === 'metrics');
  t.ok(scores.length > 0, 'the anomaly processor emitted scores');
  // The score by point index (one detector series: `combined`); the alert follows it.
  const byIndex = new Map<number, number>();
  for (const p of scores) forEachDataPoint(p, (d) => byIndex.set((Number(d.timeUnixNano / 1_000_000n) - T0) / STEP, d.value ?? 0));
  const high = [...byIndex].filter(([, v]) => v > 0.6).map(([i]) => i).sort((x, y) => x - y);
  t.equal(high[0], SPIKE, 'the spike is the first point scored above 0.6');
  const calm = [...byIndex.keys()].filter((i) => i > SPIKE && (byIndex.get(i) ?? 1) <= 0.6).sort((x, y) => x - y)[0] ?? NaN;
  t.ok(high.every((i) => i < calm), 'the score stays high for a few points after the spike, then calms');

  const sink = new RecordingConsumer();
  const config = configSchema.parse({
    idle_timeout: '1h', forward_metrics: false,
    groups: [{ name: 'anomalies', interval: '5m', rules: [{ alert: 'Anomalous', expr: 'vigil_anomaly_score_ratio > 0.6', labels: { severity: 'warning' } }] }],
  });
  const rules = factory.create({ ...testSettings('alert_rules'), pipeline: 'metrics' }, config, 'metrics', sink);
  await rules.start(new NoopHost());
  const log = new MemoryLog('metrics.ingest', { maxSizeBytes: 1 << 24, partitions: 1 }, new SelfMetrics(), pino({ level: 'silent' }));
  await log.consume((payload, delivery) => rules.consume(payload, delivery), rules);
  for (const payload of scores) await log.append([{ key: undefined, partition: 0, payload }]);
  const seen = (): string[] => sink.received.flatMap((p) => {
    const out: string[] = [];
    forEachLogRecord(p, (r) => {
      const a = readAlert(r);
      out.push(typeof a === 'string' ? `invalid: ${a}` : `${(Number(r.timeUnixNano / 1_000_000n) - T0) / STEP} ${a.alertname} ${a.state} ${a.labels.job ?? ''}`);
    });
    return out;
  });
  await waitFor('the resolve', () => seen().some((s) => s.includes('resolved')), 30_000);
  t.equal(await log.drain(Date.now() + 5_000), 0, 'every record acknowledged');
  await rules.shutdown(Date.now() + 5_000);
  t.same(seen(), [`${SPIKE} Anomalous firing checkout`, `${calm} Anomalous resolved checkout`], 'one firing at the spike, one resolve at the first calm point');
});
