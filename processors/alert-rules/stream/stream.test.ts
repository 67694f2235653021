import t from 'tap';
import { fileURLToPath } from 'node:url';
import { Problems } from '../../../config/errors.js';
import { forEachDataPoint, forEachLogRecord, MetricsBuilder } from '../../../pdata/index.js';
import { readAlert, readAlerts, type Alert } from '../../../exporters/notify-common/alert.js';
import { loadRuleFile } from '../rules/rule-file.js';
import { alertRecords } from './alert-event.js';
import type { AlertEvent } from './evaluator.js';
import { StreamEvaluator } from './evaluator.js';
import { prometheusName, translatePoint } from './otlp-names.js';

const MS = 1_000_000n;
const rules = fileURLToPath(new URL('../../../../processors/alert-rules/testdata/unit/rules-alerts2.yml', import.meta.url));

t.test('OTLP names become Prometheus names as Prometheus translates them', async (t) => {
  t.equal(prometheusName({ metricName: 'http.server.request.duration', unit: 's', type: 'histogram', monotonic: false }), 'http_server_request_duration_seconds');
  t.equal(prometheusName({ metricName: 'http.server.requests', unit: '{request}', type: 'sum', monotonic: true }), 'http_server_requests_total');
  t.equal(prometheusName({ metricName: 'system.memory.utilization', unit: '1', type: 'gauge', monotonic: false }), 'system_memory_utilization_ratio');
  t.equal(prometheusName({ metricName: 'net.io', unit: 'By/s', type: 'gauge', monotonic: false }), 'net_io_bytes_per_second');
  t.equal(prometheusName({ metricName: 'queue.size.bytes', unit: 'By', type: 'gauge', monotonic: false }), 'queue_size_bytes');
  t.equal(prometheusName({ metricName: '2xx-count_total', unit: '', type: 'sum', monotonic: true }), '_2xx_count_total');
});

t.test('points become samples: histograms as cumulative _bucket, _count and _sum', async (t) => {
  const b = new MetricsBuilder();
  const scope = b.scope({ 'service.name': 'shop', 'service.instance.id': 'pod-1' }, { name: 'test' });
  scope.histogram({ name: 'rpc.duration', unit: 'ms', temporality: 'cumulative' }, {
    attributes: { 'rpc.method': 'Get' }, timeUnixNano: 60_000n * MS, count: 6, sum: 120, bucketCounts: [1, 2, 3], explicitBounds: [10, 100],
  });
  scope.gauge({ name: 'temp', unit: 'Cel' }, { timeUnixNano: 60_000n * MS, value: 21.5 });
  const samples: string[] = [];
  forEachDataPoint(b.build()!, (p) => {
    for (const s of translatePoint(p)) samples.push(`${s.labels.__name__}${JSON.stringify({ ...s.labels, __name__: undefined })} ${s.value}`);
  });
  t.same(samples, [
    'rpc_duration_milliseconds_bucket{"rpc_method":"Get","job":"shop","instance":"pod-1","le":"10"} 1',
    'rpc_duration_milliseconds_bucket{"rpc_method":"Get","job":"shop","instance":"pod-1","le":"100"} 3',
    'rpc_duration_milliseconds_bucket{"rpc_method":"Get","job":"shop","instance":"pod-1","le":"+Inf"} 6',
    'rpc_duration_milliseconds_count{"rpc_method":"Get","job":"shop","instance":"pod-1"} 6',
    'rpc_duration_milliseconds_sum{"rpc_method":"Get","job":"shop","instance":"pod-1"} 120',
    'temp_celsius{"job":"shop","instance":"pod-1"} 21.5',
  ]);
});

function run(evaluator: StreamEvaluator, upValues: readonly number[], chunk: number): AlertEvent[] {
  const events: AlertEvent[] = [];
  upValues.forEach((v, i) => {
    evaluator.ingest({ __name__: 'up', job: 'api', instance: 'i1' }, i * 60_000, v);
    if ((i + 1) % chunk === 0 || i === upValues.length - 1) events.push(...evaluator.advanceTo(i * 60_000));
  });
  return events;
}

t.test('event time: alerts fire after for: and resolve, the same in a replay as live', async (t) => {
  const problems = new Problems();
  const groups = loadRuleFile(rules, problems);
  t.same(problems.errors, []);
  const up = [1, 1, 0, 0, 0, 0, 0, 1, 1, 1];
  const live = run(new StreamEvaluator(groups, { defaultIntervalMs: 60_000, retentionMs: 3_600_000 }), up, 1);
  const replay = run(new StreamEvaluator(groups, { defaultIntervalMs: 60_000, retentionMs: 3_600_000 }), up, 10);
  t.same(live.map((e) => `${e.rule} ${e.state} at ${e.atMs / 60_000}m since ${e.startsAtMs / 60_000}m`), [
    'InstanceDown firing at 5m since 2m',
    'InstanceDown resolved at 7m since 2m',
  ]);
  t.same(replay, live, 'a replay in one batch gives the same events');
  const payload = alertRecords(live);
  const records: Array<{ name: string; t: bigint; state: unknown; summary: unknown; job: unknown }> = [];
  forEachLogRecord(payload!, (r) => records.push({ name: r.eventName, t: r.timeUnixNano, state: r.attributes.state, summary: (readAlert(r) as Alert).annotations.summary, job: (readAlert(r) as Alert).labels.job }));
  const read = readAlerts(payload!);
  t.same(read.invalid, [], 'the records keep the alert contract the notification exporters read');
  t.same(read.alerts.map((a) => [a.state, a.startsAtMs, a.endsAtMs, a.fingerprint === read.alerts[0]!.fingerprint]), [
    ['firing', 120_000, undefined, true], ['resolved', 120_000, 420_000, true],
  ], 'firing and resolve: one episode (same starts_at and fingerprint), ends_at on the resolve');
  t.same(records, [
    { name: 'vigil.alert', t: 300_000n * MS, state: 'firing', summary: 'i1 of api is down', job: 'api' },
    { name: 'vigil.alert', t: 420_000n * MS, state: 'resolved', summary: 'i1 of api is down', job: 'api' },
  ]);
});
