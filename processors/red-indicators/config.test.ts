/** One test per config rule, each reading a YAML file from testdata/. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { configSchema } from './config.js';
import { factory } from './factory.js';

const load = (name: string): unknown => parse(readFileSync(new URL(`../../../processors/red-indicators/testdata/${name}`, import.meta.url), 'utf8')) as unknown;

function issueOf(name: string): { path: string; message: string } {
  const result = configSchema.safeParse(load(name));
  if (result.success) throw new Error(`${name} should not validate`);
  const issue = result.error.issues[0]!;
  return { path: issue.path.join('::'), message: issue.message };
}

t.test('defaults: one-minute windows of span_metrics\' metric names, input passed through, keyed by service.name', async (t) => {
  const c = factory.createDefaultConfig();
  t.equal(c.window, 60_000);
  t.equal(c.calls_metric, 'traces.span.metrics.calls');
  t.equal(c.duration_metric, 'traces.span.metrics.duration');
  t.equal(c.pass_through, true);
  t.equal(c.service_rollup, false, 'the service-level rollup is opt-in');
  t.same(c.dimensions, []);
  t.same(factory.partitionKey?.(c), { by: 'attribute', name: 'service.name' });
});

t.test('every key loads', async (t) => {
  const c = configSchema.parse(load('all-keys.yaml'));
  t.equal(c.window, 300_000);
  t.same(c.dimensions, ['deployment.environment', 'http.route']);
  t.equal(c.pass_through, false);
  t.equal(c.service_rollup, true);
  t.equal(c.calls_metric, 'spans.calls');
  t.equal(c.series_expiration, 7_200_000);
});

t.test('refused', async (t) => {
  t.equal(issueOf('bad-window.yaml').path, 'window', 'a window that is not a duration');
  t.match(issueOf('zero-window.yaml').message, /longer than 0/);
  t.match(issueOf('duplicate-dimension.yaml').message, /duplicate dimension/);
  t.match(issueOf('builtin-dimension.yaml').message, /always dimensions/);
  t.match(issueOf('unknown-key.yaml').message, /windw/i, 'an unknown key');
});
