/** One test per config rule, each reading a YAML file from testdata/. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { configSchema, DEFAULT_REFRACTORY_MS, DEFAULT_THRESHOLD } from './config.js';
import { factory } from './factory.js';

const load = (name: string): unknown => parse(readFileSync(new URL(`../../../processors/anomaly/testdata/${name}`, import.meta.url), 'utf8')) as unknown;

function issueOf(name: string): { path: string; message: string } {
  const result = configSchema.safeParse(load(name));
  if (result.success) throw new Error(`${name} should not validate`);
  const issue = result.error.issues[0]!;
  return { path: issue.path.join('::'), message: issue.message };
}

t.test('defaults: every detector, the NAB-chosen threshold and refractory period, input passed on', async (t) => {
  const c = factory.createDefaultConfig();
  t.same(c.detectors, ['robust_z', 'seasonal', 'isolation_forest']);
  t.equal(c.threshold, DEFAULT_THRESHOLD);
  t.equal(c.refractory_period, DEFAULT_REFRACTORY_MS);
  t.equal(c.pass_through, true);
  t.same(factory.partitionKey!(c), { by: 'series' }, 'the stage log is keyed by series');
});

t.test('a full config loads, durations in milliseconds', async (t) => {
  const c = configSchema.parse(load('combined.yaml'));
  t.same(c.detectors, ['robust_z', 'seasonal']);
  t.equal(c.refractory_period, 12 * 3_600_000);
  t.equal(c.seasonal.period, 168 * 3_600_000);
  t.equal(c.robust_z.window, 144);
  t.same(c.isolation_forest, { trees: 24, sample_size: 32, rebuild_every: 128, min_points: 128, seed: 1 }, 'untouched sections keep their defaults');
  t.same(factory.partitionKey!(c), { by: 'attribute', name: 'service.name' }, 'partition_by an attribute keys the stage log by it');
});

t.test('an unknown detector is named with the valid ones', async (t) => {
  t.same(issueOf('bad-detector.yaml'), { path: 'detectors::1', message: 'expected one of robust_z, seasonal, isolation_forest, got "prophet"' });
});

t.test('the threshold is a score in [0, 1]', async (t) => {
  t.same(issueOf('bad-threshold.yaml'), { path: 'threshold', message: 'must be at most 1' });
});

t.test('unknown keys are rejected', async (t) => {
  t.equal(issueOf('bad-key.yaml').path, 'robust_z');
});
