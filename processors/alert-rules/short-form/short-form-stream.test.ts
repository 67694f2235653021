/** The seed short-form alerts on the processor, replaying RED indicators and process metrics: severities, `or`, cooldown. */
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import t from 'tap';
import { MemoryLog } from '../../../pipeline/memory-log.js';
import { SelfMetrics } from '../../../pipeline/telemetry.js';
import { forEachLogRecord, MetricsBuilder, type Payload } from '../../../pdata/index.js';
import { readAlert } from '../../../exporters/notify-common/alert.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../../test/doubles.js';
import { waitFor } from '../../../test/wait.js';
import { configSchema } from '../config.js';
import { factory } from '../factory.js';

await factory.load?.(); // the implementation, as the service loads it before building

const T0 = Date.UTC(2026, 10, 19, 10, 0, 0);
const MIN = 60_000;

interface Minute { p95?: number; p99?: number; errors?: number; cpu?: number; memMb?: number }

/** One minute of what red_indicators and an SDK's host metrics send for service `shop`. */
function minute(m: number, v: Minute): Payload {
  const b = new MetricsBuilder();
  const time = { timeUnixNano: BigInt(T0 + m * MIN) * 1_000_000n };
  const red = b.scope({ 'service.name': 'shop' }, { name: 'vigil.red_indicators' });
  const op = { ...time, attributes: { 'service.name': 'shop', 'span.name': 'GET /checkout' } };
  red.gauge({ name: 'vigil.red.latency.p95', unit: 'ms' }, { ...op, value: v.p95 ?? 100 });
  red.gauge({ name: 'vigil.red.latency.p99', unit: 'ms' }, { ...op, value: v.p99 ?? 200 });
  red.gauge({ name: 'vigil.red.error_rate', unit: '%' }, { ...op, value: v.errors ?? 0 });
  const host = b.scope({ 'service.name': 'shop', 'service.instance.id': 'pod-1' }, { name: 'host-metrics' });
  host.gauge({ name: 'process.cpu.utilization', unit: '1' }, { ...time, value: v.cpu ?? 0.2 });
  host.sum({ name: 'process.memory.usage', unit: 'By', monotonic: false, temporality: 'cumulative' }, { ...time, value: (v.memMb ?? 300) * 1048576 });
  return b.build()!;
}

const ALERTS = [
  { name: 'SlowP95', condition: 'latency_p95_ms > 1000', severity: 'medium', cooldown: '5m' },
  { name: 'Errors', condition: 'error_rate_percent > 5', severity: 'high', cooldown: '2m' },
  { name: 'Saturated', condition: 'cpu_percent > 80 or memory_mb > 1024', severity: 'high', cooldown: '1m' },
  { name: 'TooLong', condition: 'duration_ms > 300000', severity: 'critical', cooldown: '0m' },
];

const EXPECTED = [
  '1m SlowP95 firing warning',
  '2m Errors firing error',
  '3m SlowP95 resolved warning',
  '3m Errors resolved error',
  // 4m: SlowP95 fires again 3m after its last notification: held, and its resolve at 5m too.
  '6m Saturated firing error',
  '7m Saturated resolved error',
  '8m Saturated firing error', // the `or`'s memory side, 2m after: past the 1m cooldown
  '9m SlowP95 firing warning', // 8m after the last: past the cooldown
  '9m Saturated resolved error',
  '10m TooLong firing critical',
  '11m SlowP95 resolved warning',
  '11m TooLong resolved critical',
];

/** Replays the seed minutes through a processor built from `raw` config; the alert records seen. */
async function replay(raw: Record<string, unknown>): Promise<string[]> {
  const sink = new RecordingConsumer();
  const config = configSchema.parse({ ...raw, idle_timeout: '1h', forward_metrics: false });
  const proc = factory.create({ ...testSettings('alert_rules'), pipeline: 'metrics' }, config, 'metrics', sink);
  await proc.start(new NoopHost());
  const log = new MemoryLog('metrics.ingest', { maxSizeBytes: 1 << 20, partitions: 1 }, new SelfMetrics(), pino({ level: 'silent' }));
  await log.consume((payload, delivery) => proc.consume(payload, delivery), proc);
  const minutes: Minute[] = [
    {}, { p95: 1500 }, { p95: 1500, errors: 7 }, {}, { p95: 1500 }, {}, { cpu: 0.9 }, {}, { memMb: 2048 }, { p95: 1500 },
    { p95: 1500, p99: 400_000 }, {}, {}, {},
  ];
  for (const [m, v] of minutes.entries()) await log.append([{ key: undefined, partition: 0, payload: minute(m, v) }]);
  const seen = (): string[] => sink.received.flatMap((p) => {
    const out: string[] = [];
    forEachLogRecord(p, (r) => {
      const a = readAlert(r);
      out.push(typeof a === 'string' ? `invalid: ${a}` : `${(Number(r.timeUnixNano / 1_000_000n) - T0) / MIN}m ${a.alertname} ${a.state} ${a.severity}`);
    });
    return out;
  });
  await waitFor('the last resolve', () => seen().some((s) => s.startsWith('11m TooLong resolved')), 30_000);
  const undrained = await log.drain(Date.now() + 5_000);
  await proc.shutdown(Date.now() + 5_000);
  return undrained === 0 ? seen() : [`${undrained} records not acknowledged`];
}

t.test('the seed alerts fire with their severity, and SlowP95 is not re-notified within its 5m cooldown', async (t) => {
  t.same(await replay({ alerts: ALERTS }), EXPECTED);
});

t.test('the same seed alerts written in a rule file (condition, severity, cooldown) behave the same', async (t) => {
  t.same(await replay({ rule_files: [fileURLToPath(new URL('../../../../processors/alert-rules/testdata/short-form-rules.yml', import.meta.url))] }), EXPECTED);
});
