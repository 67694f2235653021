/** One test per config rule, each reading a YAML file from testdata/. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { configSchema, effectiveMode } from './config.js';
import { factory } from './factory.js';

const load = (name: string): unknown => parse(readFileSync(new URL(`../../../processors/probabilistic-sampler/testdata/${name}`, import.meta.url), 'utf8')) as unknown;

function issueOf(name: string): { path: string; message: string } {
  const result = configSchema.safeParse(load(name));
  if (result.success) throw new Error(`${name} should not validate`);
  const issue = result.error.issues[0]!;
  return { path: issue.path.join('::'), message: issue.message };
}

t.test('defaults are otelcol\'s', async (t) => {
  const c = factory.createDefaultConfig();
  t.same(c, {
    sampling_percentage: 0, hash_seed: 0, fail_closed: true, sampling_precision: 4,
    attribute_source: 'traceID', from_attribute: '', sampling_priority: '',
  });
  t.equal(effectiveMode(c), 'proportional', 'otelcol\'s mode without a seed');
});

t.test('the otelcol README config loads unchanged and selects hash_seed', async (t) => {
  const c = configSchema.parse(load('otelcol-readme.yaml'));
  t.equal(c.hash_seed, 22);
  t.equal(c.sampling_percentage, 15.3);
  t.equal(effectiveMode(c), 'hash_seed');
});

t.test('more than 100 % is allowed (samples everything), as in otelcol', async (t) => {
  const c = configSchema.parse(load('over-100.yaml'));
  t.equal(c.sampling_percentage, 150);
  t.equal(c.fail_closed, false);
});

t.test('a negative percentage is out of range', async (t) => {
  t.same(issueOf('negative.yaml'), { path: 'sampling_percentage', message: 'must be at least 0' });
});

t.test('a percentage too small to express is an error', async (t) => {
  t.same(issueOf('too-small.yaml'), { path: 'sampling_percentage', message: 'is too small: use 0 to drop everything' });
});

t.test('hash_seed is a uint32', async (t) => {
  t.same(issueOf('seed-too-big.yaml'), { path: 'hash_seed', message: 'must be at most 4294967295' });
});

t.test('an unknown mode lists the valid ones', async (t) => {
  t.same(issueOf('bad-mode.yaml'), { path: 'mode', message: 'expected one of "hash_seed", "equalizing", "proportional", got "random"' });
});

t.test('sampling logs by a record attribute is refused as not supported', async (t) => {
  const r = configSchema.safeParse(load('record-source.yaml'));
  t.notOk(r.success);
  const issues = r.error!.issues.map((i) => `${i.path.join('::')}: ${i.message}`);
  t.match(issues[0], /^attribute_source: not supported/);
  t.match(issues[1], /^from_attribute: not supported/);
});
