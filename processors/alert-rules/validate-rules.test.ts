/**
 * `vigil validate` on a config whose alert_rules read rule files: every PromQL construct issue 12
 * lists is accepted; anything else is refused with the rule file, the line and column of the
 * construct, and its name.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { checkConfig } from '../../cmd/validate.js';
import { FACTORIES } from '../../cmd/components.js';
import { tempDir } from '../../test/daemon.js';

const testdata = (name: string): string => fileURLToPath(new URL(`../../../processors/alert-rules/testdata/${name}`, import.meta.url));

/** A config with one alert_rules processor reading `ruleFile`. */
function config(ruleFile: string): string {
  const file = join(tempDir('vigil-validate-rules-'), 'collector.yaml');
  writeFileSync(file, [
    'receivers:',
    '  otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } }',
    'processors:',
    `  alert_rules: { rule_files: [${JSON.stringify(ruleFile)}] }`,
    'exporters:',
    '  debug: {}',
    'service:',
    '  telemetry: { metrics: { level: none } }',
    '  pipelines:',
    '    metrics: { receivers: [otlp], processors: [alert_rules], exporters: [debug] }',
    '',
  ].join('\n'));
  return file;
}

t.test('every listed selector, function, aggregation and operator validates', async (t) => {
  const r = await checkConfig({ files: [config(testdata('supported-promql.yml'))], sets: [], factories: FACTORIES, env: {} });
  t.same(r.errors.map(String), []);
  t.ok(r.config, 'valid');
});

t.test('anything else is refused with the rule file, its line and column, and the construct', async (t) => {
  const rules = testdata('unsupported-promql.yml');
  const r = await checkConfig({ files: [config(rules)], sets: [], factories: FACTORIES, env: {} });
  t.notOk(r.config);
  const message = r.errors.map(String).join('\n');
  const lines = readFileSync(rules, 'utf8').split('\n');
  const exprLines = lines.flatMap((l, i) => (l.trimStart().startsWith('expr:') ? [i + 1] : []));
  t.equal(exprLines.length, 16);
  const constructs = ['function "label_replace"', 'function "predict_linear"', 'function "deriv"', 'function "changes"', 'function "resets"',
    'function "round"', 'function "sort"', 'function "label_join"', 'function "histogram_count"', 'function "mad_over_time"',
    'aggregation "stddev"', 'aggregation "count_values"', 'aggregation "group"', 'aggregation "limitk"', 'subquery', '@ modifier'];
  constructs.forEach((construct, i) => {
    const line = exprLines[i] ?? 0;
    const re = new RegExp(`unsupported-promql\\.yml:${line}:\\d+ groups::0::rules::${i}::expr: could not parse expression: unsupported PromQL construct: ${construct.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
    t.match(message, re, `${construct} refused at line ${line}`);
  });
});
