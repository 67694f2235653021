import t from 'tap';
import { fileURLToPath } from 'node:url';
import { Problems } from '../../../config/errors.js';
import { loadRuleFile } from './rule-file.js';
import { Template } from './template.js';

const testdata = (name: string): string => fileURLToPath(new URL(`../../../../processors/alert-rules/testdata/${name}`, import.meta.url));

t.test('a valid rule file loads', async (t) => {
  const problems = new Problems();
  const groups = loadRuleFile(testdata('unit/rules-basic.yml'), problems);
  t.same(problems.errors.map(String), []);
  t.equal(groups.length, 1);
  t.same(groups[0]?.rules.map((r) => `${r.kind}:${r.name}`), ['record:job:http_requests:rate5m', 'record:job:errors:ratio', 'alert:HighErrorRate', 'alert:HighLatency']);
  t.equal(groups[0]?.intervalMs, 30_000);
});

t.test('mistakes are reported with file, line, column and key path', async (t) => {
  const problems = new Problems();
  loadRuleFile(testdata('invalid-rules.yml'), problems);
  const printed = problems.errors.map((e) => String(e).replace(/^.*invalid-rules\.yml/, 'invalid-rules.yml'));
  t.same(printed, [
    'invalid-rules.yml:6:27 groups::0::rules::0::expr: could not parse expression: unsupported PromQL construct: function "label_replace"',
    'invalid-rules.yml:9:14 groups::0::rules::1::for: expected a duration like "5m", got "soon"',
    'invalid-rules.yml:12:15 groups::0::rules::2::expr: could not parse expression: unsupported PromQL construct: subquery "x[5m:1m]"',
    'invalid-rules.yml:14:9 groups::0::rules::3::bogus: field bogus not found (valid: alert, record, expr, for, keep_firing_for, labels, annotations, condition, severity, cooldown)',
    "invalid-rules.yml:18:9 groups::0::rules::4::annotations: invalid field 'annotations' in recording rule",
    'invalid-rules.yml:22:23 groups::0::rules::5::annotations::summary: template: unsupported template construct "query" (vigil supports $labels, $value, $externalLabels, $externalURL and humanize, humanize1024, humanizeDuration, humanizePercentage, printf, toUpper, toLower, index)',
  ]);
});

t.test('templates: the subset Prometheus alerts use', async (t) => {
  const data = { labels: { job: 'api', instance: 'i1' }, value: 0.123456 };
  t.equal(new Template('{{ $labels.job }}/{{ .Labels.instance }} {{ $value }}').render(data), 'api/i1 0.123456');
  t.equal(new Template('{{ humanizePercentage $value }} {{ $value | humanize }}').render(data), '12.35% 123.5m');
  t.equal(new Template('{{ printf "%.2f" $value }} {{ humanizeDuration 3725 }}').render(data), '0.12 1h 2m 5s');
  t.equal(new Template('{{- $labels.missing -}} x').render(data), 'x');
  t.equal(new Template('{{ 1e-05 }} {{ 1e21 }} {{ 0.0001 }}').render(data), '1e-05 1e+21 0.0001');
  t.throws(() => new Template('{{ if $value }}x{{ end }}'), /unsupported template construct "if"/);
});

t.test('the short form in a rule file: condition, severity and cooldown', async (t) => {
  const problems = new Problems();
  const groups = loadRuleFile(testdata('short-form-rules.yml'), problems);
  t.same(problems.errors.map(String), []);
  const rules = groups[0]?.rules ?? [];
  t.same(rules.map((r) => [r.kind, r.name, r.exprText, r.cooldownMs]), [
    ['alert', 'SlowP95', 'vigil_red_latency_p95_milliseconds > 1000', 300_000],
    ['alert', 'Errors', 'vigil_red_error_rate_percent > 5', 120_000],
    ['alert', 'Saturated', 'process_cpu_utilization_ratio * 100 > 80 or process_memory_usage_bytes / 1048576 > 1024', 60_000],
    ['alert', 'TooLong', 'vigil_red_latency_p99_milliseconds > 300000', undefined],
  ]);
  const tooLong = rules[3];
  t.same(tooLong?.labels.map(([k]) => k), ['team', 'severity']);
  t.same(Object.fromEntries(tooLong?.annotations.map(([k, v]) => [k, v.render({ labels: { job: 'shop', span_name: 'GET /' }, value: 400_000 })]) ?? []), {
    summary: 'shop GET /: duration_ms > 300000 (value 400000)',
    condition: 'duration_ms > 300000',
    runbook_url: 'https://runbooks.example/too-long',
  });
});

t.test('short-form mistakes in a rule file are reported at their line and column', async (t) => {
  const problems = new Problems();
  loadRuleFile(testdata('short-form-rules-invalid.yml'), problems);
  const printed = problems.errors.map((e) => String(e).replace(/^.*short-form-rules-invalid\.yml/, 'f.yml'));
  t.same(printed, [
    'f.yml:5:21 groups::0::rules::0::condition: at character 1 of "latency_p90_ms > 1000": unknown indicator "latency_p90_ms"; known: latency_p50_ms, latency_p95_ms, latency_p99_ms, duration_ms, error_rate_percent, throughput_rps, calls, cpu_percent, memory_mb',
    'f.yml:8:19 groups::0::rules::1::severity: unknown severity "urgent" (valid: critical, high, medium, low, error, warning, info)',
    'f.yml:7:40 groups::0::rules::1::condition: at character 20 of "error_rate_percent = 5": unexpected character "="',
    "f.yml:11:9 groups::0::rules::2::condition: only one of 'expr' or 'condition' may be set",
    "f.yml:13:9 groups::0::rules::3::condition: invalid field 'condition' in recording rule",
    'f.yml:16:9 groups::0::rules::4::severity: severity is set twice: here and in labels',
    'f.yml:18:19 groups::0::rules::4::cooldown: expected a duration like "5m", got "later"',
  ]);
});
