/** `on_events`: anomaly events at or above the floor raise alerts directly; resolve after quiet; cooldown; checkpoint. */
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { MemoryLog } from '../../../pipeline/memory-log.js';
import { MemoryStore } from '../../../pipeline/state/memory-store.js';
import { SelfMetrics } from '../../../pipeline/telemetry.js';
import { forEachLogRecord, LogsBuilder, type Payload } from '../../../pdata/index.js';
import { readAlert } from '../../../exporters/notify-common/alert.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../../test/doubles.js';
import { waitFor } from '../../../test/wait.js';
import { checkConfig } from '../../../cmd/validate.js';
import { FACTORIES } from '../../../cmd/components.js';
import { configSchema } from '../config.js';
import { factory } from '../factory.js';

await factory.load?.(); // the implementation, as the service loads it before building

const T0 = Date.UTC(2026, 10, 19, 10, 0, 0);
const MIN = 60_000;
const TRACE = '5b8efff798038103d269b633813fc60c';

/** An anomaly event as the anomaly processor writes it (docs/events.md), at minute `m`. */
function anomaly(m: number, severity: 'warning' | 'error' | 'critical', route = '/checkout', eventName = 'vigil.anomaly'): Payload {
  const b = new LogsBuilder();
  b.scope({ 'service.name': 'shop' }, { name: 'vigil.processor.anomaly', version: '1' }).add({
    eventName, timeUnixNano: BigInt(T0 + m * MIN) * 1_000_000n, severityNumber: 17, severityText: severity,
    attributes: {
      'http.route': route, 'vigil.event.version': 1, 'metric.name': 'vigil.red.latency.p95', value: 1432.5, expected: 120,
      lower: 80, upper: 160, score: 0.93, threshold: 0.5, severity, detector: 'robust_z', 'evidence.trace_ids': [TRACE],
    },
  });
  return b.build()!;
}

/** A plain log record (no event name): passes on, raises nothing. */
function plainLog(m: number): Payload {
  const b = new LogsBuilder();
  b.scope({ 'service.name': 'shop' }, { name: 'app' }).add({ timeUnixNano: BigInt(T0 + m * MIN) * 1_000_000n, body: 'hello' });
  return b.build()!;
}

const ANOMALY_ALERT = { name: 'AnomalyDetected', on_events: ['vigil.anomaly'], min_severity: 'error', severity: 'high', cooldown: '10m', resolve_after: '3m' };

async function run(t: Test, store: MemoryStore, payloads: readonly Payload[], done: (seen: string[]) => boolean,
  alerts: readonly object[] = [ANOMALY_ALERT]): Promise<{ seen: string[]; passed: number }> {
  const config = configSchema.parse({ idle_timeout: '1h', alerts });
  const sink = new RecordingConsumer();
  const host = new NoopHost();
  host.stateStore = () => store;
  const proc = factory.create({ ...testSettings('alert_rules'), pipeline: 'logs' }, config, 'logs', sink);
  await proc.start(host);
  const log = new MemoryLog('logs.ingest', { maxSizeBytes: 1 << 20, partitions: 1 }, new SelfMetrics(), pino({ level: 'silent' }));
  await log.consume((payload, delivery) => proc.consume(payload, delivery), proc);
  for (const p of payloads) await log.append([{ key: undefined, partition: 0, payload: p }]);
  const seen = (): string[] => sink.received.flatMap((p) => {
    const out: string[] = [];
    forEachLogRecord(p, (r) => {
      if (r.eventName !== 'vigil.alert') return;
      const a = readAlert(r);
      out.push(typeof a === 'string' ? `invalid: ${a}` : `${(Number(r.timeUnixNano / 1_000_000n) - T0) / MIN}m ${a.alertname} ${a.state} ${a.severity} ${a.labels.http_route} [${a.traceIds.join()}]`);
    });
    return out;
  });
  await waitFor('the expected alerts', () => done(seen()), 30_000).catch(() => {});
  t.equal(await log.drain(Date.now() + 5_000), 0, 'every record acknowledged');
  await proc.shutdown(Date.now() + 5_000);
  let passed = 0;
  for (const p of sink.received) forEachLogRecord(p, (r) => { if (r.eventName !== 'vigil.alert') passed++; });
  return { seen: seen(), passed };
}

t.test('an anomaly at or above the floor fires once per series, resolves after quiet, and a re-fire waits out the cooldown', async (t) => {
  const { seen, passed } = await run(t, new MemoryStore(), [
    anomaly(0, 'warning'), // below the floor
    anomaly(1, 'error'), anomaly(2, 'critical'), anomaly(2, 'error', '/cart'), // fires: /checkout, /cart
    plainLog(4),
    plainLog(6), // 3m after the last events (2m): both resolved at 5m
    anomaly(8, 'error'), // fires again 7m after its first notification: held (cooldown 10m)
    plainLog(9), plainLog(12), // resolved at 11m, as the cooldown ends: never heard of
    anomaly(13, 'critical'), // 12m after the first notification: notified
    plainLog(17),
  ], (s) => s.length >= 6);
  t.same(seen, [
    `1m AnomalyDetected firing error /checkout [${TRACE}]`,
    `2m AnomalyDetected firing error /cart [${TRACE}]`,
    `5m AnomalyDetected resolved error /checkout [${TRACE}]`,
    `5m AnomalyDetected resolved error /cart [${TRACE}]`,
    `13m AnomalyDetected firing error /checkout [${TRACE}]`,
    `16m AnomalyDetected resolved error /checkout [${TRACE}]`,
  ]);
  t.equal(passed, 11, 'every received record passes on');
});

t.test('a restart neither loses a firing event alert nor pages it again', async (t) => {
  const store = new MemoryStore();
  const first = await run(t, store, [anomaly(1, 'error'), anomaly(2, 'error')], (s) => s.length >= 1);
  t.same(first.seen, [`1m AnomalyDetected firing error /checkout [${TRACE}]`]);
  const second = await run(t, store, [anomaly(3, 'error'), plainLog(5), plainLog(7)], (s) => s.length >= 1);
  t.same(second.seen, [`6m AnomalyDetected resolved error /checkout [${TRACE}]`], 'no second firing; the resolve 3m after the last event');
});

t.test('a metrics pipeline ignores on_events alerts, a logs pipeline ignores conditions', async (t) => {
  const config = configSchema.parse({ alerts: [{ name: 'A', on_events: ['vigil.anomaly'] }, { name: 'B', condition: 'calls > 1' }] });
  const logs = factory.create({ ...testSettings('alert_rules'), pipeline: 'logs' }, config, 'logs', new RecordingConsumer());
  const metrics = factory.create({ ...testSettings('alert_rules'), pipeline: 'metrics' }, config, 'metrics', new RecordingConsumer());
  await Promise.all([logs.shutdown(Date.now() + 1000), metrics.shutdown(Date.now() + 1000)]);
  t.pass('both build');
});

t.test('vigil validate accepts alert_rules with on_events in a logs pipeline fed by the events connector', async (t) => {
  const file = fileURLToPath(new URL('../../../../processors/alert-rules/testdata/on-events.yaml', import.meta.url));
  const r = await checkConfig({ files: [file], sets: [], factories: FACTORIES, env: {} });
  t.same(r.errors.map(String), []);
  t.same(r.warnings.map(String), []);
  t.ok(r.config);
});

t.test('on_events: [vigil.degradation] raises an alert from a degradation event, and not from an anomaly', async (t) => {
  const degradation = { name: 'Degraded', on_events: ['vigil.degradation'], min_severity: 'warning', resolve_after: '3m' };
  const { seen } = await run(t, new MemoryStore(), [
    anomaly(0, 'critical'), // another event: not this alert's
    anomaly(1, 'warning', '/checkout', 'vigil.degradation'),
    plainLog(6),
  ], (s) => s.some((x) => x.includes('resolved')), [degradation]);
  t.same(seen, [`1m Degraded firing warning /checkout [${TRACE}]`, `4m Degraded resolved warning /checkout [${TRACE}]`]);
});
