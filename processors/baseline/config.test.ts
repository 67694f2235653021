/** One test per config rule, each reading a YAML file from testdata/. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { configSchema, DEFAULT_RULES } from './config.js';
import { factory } from './factory.js';

const load = (name: string): unknown => parse(readFileSync(new URL(`../../../processors/baseline/testdata/${name}`, import.meta.url), 'utf8')) as unknown;

function issueOf(name: string): { path: string; message: string } {
  const result = configSchema.safeParse(load(name));
  if (result.success) throw new Error(`${name} should not validate`);
  const issue = result.error.issues[0]!;
  return { path: issue.path.join('::'), message: issue.message };
}

t.test('defaults: the product rules, 24 h trailing in 5-minute buckets, weekly season, keyed by service', async (t) => {
  const c = factory.createDefaultConfig();
  t.same(c.rules, DEFAULT_RULES);
  t.same([c.trailing.window, c.trailing.bucket, c.trailing.min_buckets], [86_400_000, 300_000, 12]);
  t.same([c.seasonal.period, c.seasonal.slot, c.seasonal.periods, c.seasonal.min_periods], [604_800_000, 3_600_000, 4, 2]);
  t.equal(c.volume_metric, 'vigil.red.calls');
  t.same(factory.partitionKey!(c), { by: 'attribute', name: 'service.name' });
  t.same(factory.partitionKey!({ ...c, partition_by: 'series' }), { by: 'series' });
  t.same(factory.emitsEvents, ['vigil.degradation']);
});

t.test('a full config loads, durations in milliseconds, defaults filled in', async (t) => {
  const c = configSchema.parse(load('full.yaml'));
  t.equal(c.rules.length, 2);
  t.match(c.rules[0], { relative: 0.3, min_calls: 50, for: 300_000 });
  t.match(c.rules[1], { absolute: 1000, min_calls: 0, for: 60_000 });
  t.same(c.trailing, { window: 43_200_000, bucket: 60_000, min_buckets: 30 });
  t.equal(c.repeat_interval, 1_800_000);
  t.equal(c.events, true);
});

t.test('a rule gives exactly one of relative and absolute', async (t) => {
  t.same(issueOf('bad-both.yaml'), { path: 'rules::0', message: 'give exactly one of relative and absolute' });
});

t.test('a direction is up or down', async (t) => {
  t.same(issueOf('bad-direction.yaml'), { path: 'rules::0::direction', message: 'expected up or down, got "sideways"' });
});

t.test('rule names are unique', async (t) => {
  t.same(issueOf('bad-duplicate.yaml'), { path: 'rules', message: 'rule names must be unique' });
});

t.test('a seasonal slot is a whole number of buckets', async (t) => {
  t.same(issueOf('bad-slot.yaml').path, 'seasonal::slot');
});

t.test('unknown keys are rejected', async (t) => {
  t.equal(issueOf('bad-key.yaml').path, 'trailing');
});
