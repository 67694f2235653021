/** The short rule form: conditions parsed and translated to PromQL, refused with their position, cooldowns. */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { checkConfig } from '../../../cmd/validate.js';
import { FACTORIES } from '../../../cmd/components.js';
import { configSchema } from '../config.js';
import { ConditionError, parseCondition, toPromql } from './condition.js';
import { shortFormRules } from './translate.js';

const promql = (text: string): string => toPromql(parseCondition(text));

t.test('the seed conditions translate to PromQL over the RED indicators and the process metrics', async (t) => {
  t.equal(promql('latency_p95_ms > 1000'), 'vigil_red_latency_p95_milliseconds > 1000');
  t.equal(promql('error_rate_percent > 5'), 'vigil_red_error_rate_percent > 5');
  t.equal(promql('cpu_percent > 80 or memory_mb > 1024'), 'process_cpu_utilization_ratio * 100 > 80 or process_memory_usage_bytes / 1048576 > 1024');
  t.equal(promql('duration_ms > 300000'), 'vigil_red_latency_p99_milliseconds > 300000');
  t.equal(promql('throughput_rps < 0.5'), 'vigil_red_throughput_per_second < 0.5');
});

t.test('and binds tighter than or; parentheses group; families other than RED match on job', async (t) => {
  t.equal(promql('latency_p95_ms > 1000 and error_rate_percent >= 5'), 'vigil_red_latency_p95_milliseconds > 1000 and vigil_red_error_rate_percent >= 5');
  t.equal(promql('latency_p99_ms > 1 or latency_p95_ms > 2 and calls > 3'),
    'vigil_red_latency_p99_milliseconds > 1 or vigil_red_latency_p95_milliseconds > 2 and vigil_red_calls > 3');
  t.equal(promql('(cpu_percent > 80 or memory_mb > 1024) and latency_p95_ms > 500'),
    '(process_cpu_utilization_ratio * 100 > 80 or process_memory_usage_bytes / 1048576 > 1024) and on (job) vigil_red_latency_p95_milliseconds > 500');
  t.same(parseCondition('calls != -1.5e3'), { kind: 'compare', indicator: 'calls', op: '!=', threshold: -1500 });
});

t.test('anything else is refused, at the character where it goes wrong', async (t) => {
  const refused = (text: string): [string, number] => {
    try {
      parseCondition(text);
    } catch (err) {
      if (err instanceof ConditionError) return [err.message, err.offset];
      throw err;
    }
    return ['accepted', -1];
  };
  t.match(refused('latency_p90_ms > 1000'), [/^unknown indicator "latency_p90_ms"; known: latency_p50_ms, latency_p95_ms/, 0]);
  t.match(refused('error_rate_percent = 5'), [/^unexpected character "="/, 19]);
  t.match(refused('cpu_percent > 80 or'), [/^expected an indicator .*, got the end of the condition/, 19]);
  t.match(refused('cpu_percent > high'), [/^expected a number after ">", got "high"/, 14]);
  t.match(refused('cpu_percent 80'), [/^expected a comparison \(>= <= == != > <\) after "cpu_percent", got "80"/, 12]);
  t.match(refused('cpu_percent > 80 xor memory_mb > 1'), [/^expected "and", "or" or the end of the condition, got "xor"/, 17]);
  t.match(refused('(cpu_percent > 80'), [/^expected "\)"/, 17]);
  t.match(refused('rate(calls) > 1'), [/^unknown indicator "rate"/, 0]);
  t.match(refused('calls[5m] > 1'), [/^unexpected character "\["/, 5]);
  t.match(refused(''), [/^expected an indicator/, 0]);
});

t.test('vigil validate reports every bad short-form alert with file:line:column and its key path', async (t) => {
  const file = fileURLToPath(new URL('../../../../processors/alert-rules/testdata/short-form-invalid.yaml', import.meta.url));
  const r = await checkConfig({ files: [file], sets: [], factories: FACTORIES, env: {} });
  t.notOk(r.config);
  t.same(r.errors.map(String), [
    `${file}:11:20 processors::alert_rules::alerts::1::condition: at character 1 of "latency_p90_ms > 1000": unknown indicator "latency_p90_ms"; known: latency_p50_ms, latency_p95_ms, latency_p99_ms, duration_ms, error_rate_percent, throughput_rps, calls, cpu_percent, memory_mb`,
    `${file}:14:20 processors::alert_rules::alerts::2::condition: at character 20 of "error_rate_percent = 5": unexpected character "="`,
    `${file}:16:20 processors::alert_rules::alerts::3::condition: at character 20 of "cpu_percent > 80 or": expected an indicator (latency_p50_ms, latency_p95_ms, latency_p99_ms, duration_ms, error_rate_percent, throughput_rps, calls, cpu_percent, memory_mb), got the end of the condition`,
    `${file}:18:19 processors::alert_rules::alerts::4::severity: expected one of "critical", "high", "medium", "low", "error", "warning", "info", got "urgent"`,
  ]);
});

t.test('the seed alerts become one rule group; cooldowns are kept beside it', async (t) => {
  const config = configSchema.parse({
    alerts: [
      { name: 'SlowP95', condition: 'latency_p95_ms > 1000', severity: 'medium', cooldown: '5m' },
      { name: 'Errors', condition: 'error_rate_percent > 5', severity: 'high', cooldown: '2m' },
      { name: 'Saturated', condition: 'cpu_percent > 80 or memory_mb > 1024', severity: 'high', cooldown: '1m' },
      { name: 'TooLong', condition: 'duration_ms > 300000', severity: 'critical', cooldown: '0m' },
    ],
  });
  const { group, cooldowns } = shortFormRules(config.alerts);
  t.same(group?.rules.map((r) => [r.name, r.exprText, r.forMs, Object.fromEntries(r.labels.map(([k, v]) => [k, v.text]))]), [
    ['SlowP95', 'vigil_red_latency_p95_milliseconds > 1000', 0, { severity: 'medium' }],
    ['Errors', 'vigil_red_error_rate_percent > 5', 0, { severity: 'high' }],
    ['Saturated', 'process_cpu_utilization_ratio * 100 > 80 or process_memory_usage_bytes / 1048576 > 1024', 0, { severity: 'high' }],
    ['TooLong', 'vigil_red_latency_p99_milliseconds > 300000', 0, { severity: 'critical' }],
  ]);
  t.same([...cooldowns], [['SlowP95', 300_000], ['Errors', 120_000], ['Saturated', 60_000]], 'cooldown 0m is no cooldown');
});

t.test('the schema refuses a condition and on_events together, and keys of the other kind', async (t) => {
  const issues = (alert: unknown): string[] => {
    const r = configSchema.safeParse({ alerts: [alert] });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  t.same(issues({ name: 'A', condition: 'calls > 1', on_events: ['vigil.anomaly'] }), ['alerts.0.condition: an alert needs exactly one of condition or on_events']);
  t.same(issues({ name: 'A' }), ['alerts.0.condition: an alert needs exactly one of condition or on_events']);
  t.same(issues({ name: 'A', condition: 'calls > 1', min_severity: 'high' }), ['alerts.0.min_severity: min_severity applies only to on_events alerts']);
  t.same(issues({ name: 'A', on_events: ['vigil.anomaly'], for: '1m' }), ['alerts.0.for: for applies only to condition alerts']);
  t.match(issues({ name: 'A', on_events: ['vigil.alert'] }), [/^alerts\.0\.on_events\.0: /]);
  t.match(issues({ name: 'A', condition: 'calls > 1', annotations: { summary: '{{ if $value }}x{{ end }}' } }), [/^alerts\.0\.annotations\.summary: template: /]);
  t.same(configSchema.safeParse({ alerts: [{ name: 'A', condition: 'calls > 1' }, { name: 'A', condition: 'calls > 2' }] }).error?.issues.map((i) => i.message), ['alert "A" is defined twice']);
});
