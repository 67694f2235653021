/** The alert_rules processor on the memory log, in process: a replay of last week's data gives last week's alerts. */
import { pino } from 'pino';
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { MemoryLog } from '../../pipeline/memory-log.js';
import { PermanentError } from '../../pipeline/errors.js';
import { MemoryStore } from '../../pipeline/state/memory-store.js';
import { SelfMetrics } from '../../pipeline/telemetry.js';
import { forEachDataPoint, forEachLogRecord, MetricsBuilder, type Payload } from '../../pdata/index.js';
import { readAlert } from '../../exporters/notify-common/alert.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { capturedSettings } from '../../exporters/exporterhelper/test-support.js';
import { waitFor } from '../../test/wait.js';
import { configSchema } from './config.js';
import { factory } from './factory.js';

await factory.load?.(); // the implementation, as the service loads it before building

const T0 = Date.UTC(2026, 10, 19, 10, 0, 0); // a week ago: a replay, not live data
const MIN = 60_000;
const testdata = (name: string): string => fileURLToPath(new URL(`../../../processors/alert-rules/testdata/${name}`, import.meta.url));

/** A request with one `up` gauge point per instance at minute `m`. */
function request(m: number, values: Readonly<Record<string, number>>): Payload {
  const b = new MetricsBuilder();
  for (const [instance, value] of Object.entries(values)) {
    b.scope({ 'service.name': 'api', 'service.instance.id': instance }, { name: 'test' }).gauge({ name: 'up' }, { timeUnixNano: BigInt(T0 + m * MIN) * 1_000_000n, value });
  }
  return b.build()!;
}

const GROUPS = [{
  name: 'availability',
  rules: [{
    alert: 'InstanceDown', expr: 'up == 0', for: '3m',
    labels: { severity: 'critical' },
    annotations: { summary: '{{ $labels.instance }} of {{ $labels.job }} is down' },
  }],
}];

t.test('alerts fire after for: and resolve, in event time, as vigil.alert records', async (t) => {
  const sink = new RecordingConsumer();
  const config = configSchema.parse({ groups: GROUPS, idle_timeout: '1h' });
  const proc = factory.create({ ...testSettings('alert_rules'), pipeline: 'metrics' }, config, 'metrics', sink);
  await proc.start(new NoopHost());
  const log = new MemoryLog('metrics.ingest', { maxSizeBytes: 1 << 20, partitions: 1 }, new SelfMetrics(), pino({ level: 'silent' }));
  await log.consume((payload, delivery) => proc.consume(payload, delivery), proc);
  const up = [1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1];
  for (const [m, v] of up.entries()) await log.append([{ key: undefined, partition: 0, payload: request(m, { i1: v, i2: 1 }) }]);
  const alerts = (): string[] => sink.received.flatMap((p) => {
    const out: string[] = [];
    forEachLogRecord(p, (r) => {
      const a = readAlert(r);
      out.push(typeof a === 'string' ? `invalid: ${a}` : `${r.eventName} ${a.state} ${(Number(r.timeUnixNano / 1_000_000n) - T0) / MIN}m ${a.labels.instance} ${a.annotations.summary}`);
    });
    return out;
  });
  await waitFor('two alert events', () => alerts().length >= 2, 30_000);
  t.same(alerts(), ['vigil.alert firing 5m i1 i1 of api is down', 'vigil.alert resolved 7m i1 i1 of api is down']);
  let points = 0;
  for (const p of sink.received) forEachDataPoint(p, () => points++);
  t.equal(points, up.length * 2, 'the metrics pass on');
  t.equal(await log.drain(Date.now() + 5_000), 0, 'every record acknowledged');
  await proc.shutdown(Date.now() + 5_000);
});

t.test('a bad rule file fails the build with its file, line and column (what vigil validate prints)', async (t) => {
  const config = configSchema.parse({ rule_files: [testdata('invalid-rules.yml')] });
  t.throws(() => factory.create({ ...testSettings('alert_rules'), pipeline: 'metrics' }, config, 'metrics', new RecordingConsumer()), PermanentError);
  try {
    factory.create({ ...testSettings('alert_rules'), pipeline: 'metrics' }, config, 'metrics', new RecordingConsumer());
  } catch (err) {
    t.match((err as Error).message, /invalid-rules\.yml:6:27 groups::0::rules::0::expr: could not parse expression: unsupported PromQL construct: function "label_replace"/);
  }
});

t.test('alert state survives a restart through the state store: a firing alert is neither lost nor paged again', async (t) => {
  const store = new MemoryStore();
  const config = configSchema.parse({ groups: GROUPS, idle_timeout: '1h' });
  async function daemon(first: number, values: readonly number[]): Promise<string[]> {
    const sink = new RecordingConsumer();
    const host = new NoopHost();
    host.stateStore = () => store;
    const proc = factory.create({ ...testSettings('alert_rules'), pipeline: 'metrics' }, config, 'metrics', sink);
    await proc.start(host);
    const log = new MemoryLog('metrics.ingest', { maxSizeBytes: 1 << 20, partitions: 1 }, new SelfMetrics(), pino({ level: 'silent' }));
    await log.consume((payload, delivery) => proc.consume(payload, delivery), proc);
    for (const [i, v] of values.entries()) await log.append([{ key: undefined, partition: 0, payload: request(first + i, { i1: v }) }]);
    t.equal(await log.drain(Date.now() + 5_000), 0);
    await proc.shutdown(Date.now() + 5_000);
    const out: string[] = [];
    for (const p of sink.received) forEachLogRecord(p, (r) => out.push(`${r.attributes.state as string} ${(Number(r.timeUnixNano / 1_000_000n) - T0) / MIN}m`));
    return out;
  }
  t.same(await daemon(0, [0, 0, 0, 0, 0]), ['firing 3m'], 'the first daemon pages');
  t.same(await daemon(5, [0, 0, 1]), ['resolved 7m'], 'the second one does not page again, and resolves');
});

t.test('a hand-over on a durable log: the held records come again as the history, so a firing alert is neither resolved nor re-paged', async (t) => {
  // Like Redis: a checkpoint outlives the process. Points every 2 minutes, evaluations every minute.
  const store = Object.assign(Object.create(new MemoryStore()) as MemoryStore, { durable: true });
  const config = configSchema.parse({ groups: GROUPS, idle_timeout: '1h' });
  /** The partition, as a durable log keeps it: a record is acknowledged once consumed and every hold on it released. */
  const log: Array<{ m: number; v: number; holds: number; acked: boolean }> = [];
  const acked = (): boolean[] => log.map((r) => r.acked);
  async function owner(): Promise<{ readonly alerts: string[]; readonly forwarded: number; handOver(): Promise<void> }> {
    const sink = new RecordingConsumer();
    const host = new NoopHost();
    host.stateStore = () => store;
    const proc = factory.create({ ...testSettings('alert_rules'), pipeline: 'metrics' }, config, 'metrics', sink);
    await proc.start(host);
    // The next owner gets every record not acknowledged, as Kafka delivers from the committed offset.
    for (const [offset, r] of log.entries()) {
      if (r.acked) continue;
      r.holds = 0;
      await proc.consume(request(r.m, { i1: r.v }), {
        log: 'metrics.ingest', partition: 0, offset: BigInt(offset), durable: true,
        hold: () => {
          r.holds++;
          return { release: () => { if (--r.holds === 0) r.acked = true; } };
        },
      });
      if (r.holds === 0) r.acked = true;
    }
    return {
      get alerts() {
        return sink.received.flatMap((p) => {
          const out: string[] = [];
          forEachLogRecord(p, (r) => out.push(`${r.attributes.state as string} ${(Number(r.timeUnixNano / 1_000_000n) - T0) / MIN}m`));
          return out;
        });
      },
      get forwarded() {
        let points = 0;
        for (const p of sink.received) forEachDataPoint(p, () => points++);
        return points;
      },
      async handOver() {
        await proc.revoked?.([0], { redelivered: true });
        await proc.shutdown(Date.now() + 5_000);
      },
    };
  }
  for (const m of [0, 2, 4, 6]) log.push({ m, v: 0, holds: 0, acked: false });
  const first = await owner();
  await waitFor('the firing', () => first.alerts.length >= 1, 10_000);
  await first.handOver();
  t.same(first.alerts, ['firing 3m'], 'the first owner pages');
  t.same(acked(), [true, false, false, false], 'held while the rule may read them: at 6m, the 5m lookback reaches back to 1m');
  for (const [m, v] of [[8, 0], [10, 0], [12, 1]] as const) log.push({ m, v, holds: 0, acked: false });
  const second = await owner();
  await waitFor('the resolve', () => second.alerts.length >= 1, 10_000);
  await second.handOver();
  t.same(second.alerts, ['resolved 12m'], 'the next owner evaluates 7m with the history read again: still firing, no re-page; then resolves');
  t.same(acked(), [true, true, true, true, false, false, false], 'at 12m, the records before 7m are acknowledged');
  t.equal(first.forwarded + second.forwarded, log.length, 'each record forwarded once: a record read again as history is not forwarded again');
});

t.test('an exponential histogram, which rules cannot read, is warned about once per metric', async (t) => {
  const { settings, lines } = capturedSettings('alert_rules', 'warn');
  const proc = factory.create({ ...settings, pipeline: 'metrics' }, configSchema.parse({ groups: GROUPS, idle_timeout: '1h' }), 'metrics', new RecordingConsumer());
  await proc.start(new NoopHost());
  const log = new MemoryLog('metrics.ingest', { maxSizeBytes: 1 << 20, partitions: 1 }, new SelfMetrics(), pino({ level: 'silent' }));
  await log.consume((payload, delivery) => proc.consume(payload, delivery), proc);
  for (let m = 0; m < 3; m++) {
    const b = new MetricsBuilder();
    b.scope({ 'service.name': 'api' }, { name: 'test' }).exponentialHistogram({ name: 'http.server.request.duration', unit: 's', temporality: 'cumulative' },
      { timeUnixNano: BigInt(T0 + m * MIN) * 1_000_000n, count: 2, sum: 3, scale: 3, zeroCount: 0, positive: { offset: 0, bucketCounts: [1, 1] } });
    await log.append([{ key: undefined, partition: 0, payload: b.build()! }]);
  }
  t.equal(await log.drain(Date.now() + 5_000), 0);
  await proc.shutdown(Date.now() + 5_000);
  const warned = lines.filter((l) => String(l.msg).startsWith('exponential histogram not translated'));
  t.same(warned.map((l) => l.metric as string), ['http.server.request.duration'], 'once, naming the metric');
});
