/** One test per config rule, each reading a YAML file from testdata/. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { configSchema } from './config.js';
import { factory } from './factory.js';

const load = (name: string): unknown => parse(readFileSync(new URL(`../../../processors/batch/testdata/${name}`, import.meta.url), 'utf8')) as unknown;

function issueOf(name: string): { path: string; message: string } {
  const result = configSchema.safeParse(load(name));
  if (result.success) throw new Error(`${name} should not validate`);
  const issue = result.error.issues[0]!;
  return { path: issue.path.join('::'), message: issue.message };
}

t.test('defaults are otelcol\'s', async (t) => {
  t.same(factory.createDefaultConfig(), { send_batch_size: 8192, send_batch_max_size: 0, timeout: 200, metadata_keys: [], metadata_cardinality_limit: 1000 });
});

t.test('the otelcol README config loads unchanged', async (t) => {
  const c = configSchema.parse(load('otelcol-readme.yaml'));
  t.same([c.timeout, c.send_batch_size, c.send_batch_max_size], [5000, 10000, 11000]);
});

t.test('send_batch_max_size below send_batch_size is an error', async (t) => {
  t.same(issueOf('max-below-size.yaml'), { path: 'send_batch_max_size', message: 'send_batch_max_size must be 0 (no limit) or at least send_batch_size' });
});

t.test('metadata_keys are refused with a reason', async (t) => {
  const issue = issueOf('metadata-keys.yaml');
  t.equal(issue.path, 'metadata_keys');
  t.match(issue.message, /^not supported: .*remove metadata_keys/);
});

t.test('a bad timeout names the expected form', async (t) => {
  t.same(issueOf('bad-timeout.yaml'), { path: 'timeout', message: 'expected a duration like "10s", got "soon"' });
});

t.test('a negative size is out of range', async (t) => {
  t.same(issueOf('negative-size.yaml'), { path: 'send_batch_size', message: 'must be at least 0' });
});
