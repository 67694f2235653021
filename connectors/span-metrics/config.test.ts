/** One test per config rule, each reading a YAML file from testdata/. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { configSchema, parseDurationNs } from './config.js';
import { factory } from './factory.js';
import { explicitBounds } from './series.js';

const load = (name: string): unknown => parse(readFileSync(new URL(`../../../connectors/span-metrics/testdata/${name}`, import.meta.url), 'utf8')) as unknown;

function issueOf(name: string): { path: string; message: string } {
  const result = configSchema.safeParse(load(name));
  if (result.success) throw new Error(`${name} should not validate`);
  const issue = result.error.issues[0]!;
  return { path: issue.path.join('::'), message: issue.message };
}

t.test('defaults are otelcol\'s', async (t) => {
  const c = factory.createDefaultConfig();
  t.equal(c.namespace, 'traces.span.metrics');
  t.equal(c.aggregation_temporality, 'cumulative');
  t.equal(c.metrics_flush_interval, 60_000);
  t.equal(c.histogram.unit, 'ms');
  t.equal(c.exemplars.max_per_data_point, 5);
  t.equal(c.resource_metrics_cache_size, 1000);
  t.equal(c.metric_timestamp_cache_size, 1000);
  t.same(explicitBounds(c), [2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10000, 15000]);
  t.same(factory.aliases, ['spanmetrics']);
});

t.test('every key of otelcol v0.155\'s config.go loads', async (t) => {
  const c = configSchema.parse(load('all-keys.yaml'));
  t.equal(c.aggregation_temporality, 'delta');
  t.equal(c.metrics_flush_interval, 15_000);
  t.equal(c.metrics_expiration, 300_000);
  t.same(explicitBounds(c), [0.002, 0.0105, 0.1, 1.5]);
  t.same(c.dimensions.map((d) => [d.name, d.default, d.glob]), [['http.method', 'GET', ''], ['http.status_code', '200', ''], ['', undefined, 'k8s.*']]);
  t.equal(c.events.enabled, true);
  t.equal(c.include_instrumentation_scope[0], 'shop');
});

t.test('exponential: max_size; enabled: false turns a section off', async (t) => {
  const c = configSchema.parse(load('exponential.yaml'));
  t.equal(c.histogram.exponential?.max_size, 40);
  t.equal(c.histogram.explicit, undefined, 'explicit with enabled: false is absent');
});

t.test('explicit and exponential together are refused', async (t) => {
  t.same(issueOf('both-histograms.yaml'), { path: 'histogram', message: 'use either `explicit` or `exponential` buckets histogram' });
});

t.test('an unknown key is refused', async (t) => {
  t.match(issueOf('unknown-key.yaml'), { path: 'histogram::explicit', message: /bukets/ });
});

t.test('a bad unit names the allowed ones', async (t) => {
  t.match(issueOf('bad-unit.yaml'), { path: 'histogram::unit', message: /allowed units are "ms" and "s"/ });
});

t.test('a bucket that is not a duration', async (t) => {
  t.same(issueOf('bad-bucket.yaml'), { path: 'histogram::explicit::buckets::1', message: 'expected a duration like "10ms", got "ten"' });
});

t.test('a bad flush interval', async (t) => {
  t.same(issueOf('bad-interval.yaml'), { path: 'metrics_flush_interval', message: 'expected a duration like "10s", got "-15s"' });
});

t.test('a dimension repeating a built-in one', async (t) => {
  t.same(issueOf('duplicate-dimension.yaml'), { path: 'dimensions', message: 'duplicate dimension name "service.name"' });
});

t.test('a dimension with both name and glob', async (t) => {
  t.match(issueOf('name-and-glob.yaml'), { path: 'dimensions', message: /must set only one of `name` or `glob`/ });
});

t.test('a glob that matches a built-in dimension', async (t) => {
  t.same(issueOf('glob-conflict.yaml'), { path: 'calls_dimensions', message: 'duplicate dimension name "span.kind" conflicting with glob "span.*"' });
});

t.test('events enabled without dimensions', async (t) => {
  t.same(issueOf('events-no-dimensions.yaml'), { path: 'events::dimensions', message: 'no dimensions configured for events' });
});

t.test('Go durations to nanoseconds', async (t) => {
  t.same(['2ms', '1.5s', '100us', '1m30s', '0', '250µs'].map(parseDurationNs), [2e6, 1.5e9, 1e5, 90e9, 0, 250e3]);
  t.equal(parseDurationNs('ten'), undefined);
});
