/** One test per config rule, each reading a YAML file from testdata/. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parse } from 'yaml';
import { FACTORIES } from '../../cmd/components.js';
import { checkConfig } from '../../cmd/validate.js';
import { configSchema } from './config.js';
import { factory } from './factory.js';

const load = (name: string): unknown => parse(readFileSync(new URL(`../../../processors/tail-sampling/testdata/${name}`, import.meta.url), 'utf8')) as unknown;

function issueOf(name: string): { path: string; message: string } {
  const result = configSchema.safeParse(load(name));
  if (result.success) throw new Error(`${name} should not validate`);
  const issue = result.error.issues[0]!;
  return { path: issue.path.join('::'), message: issue.message };
}

t.test('defaults are otelcol\'s', async (t) => {
  const c = factory.createDefaultConfig();
  t.same([c.decision_wait, c.num_traces, c.sample_on_first_match, c.sampling_strategy, c.policies], [30_000, 50_000, false, 'trace-complete', []]);
  t.same(c.decision_cache, { sampled_cache_size: 0, non_sampled_cache_size: 0 });
});

t.test('every key of otelcol\'s config.go loads unchanged', async (t) => {
  const c = configSchema.parse(load('every-key.yaml'));
  t.same([c.decision_wait, c.decision_wait_after_root_received, c.num_traces, c.expected_new_traces_per_sec, c.maximum_trace_size_bytes], [10_000, 2_000, 100, 10, 1_048_576]);
  t.equal(c.policies.length, 16);
  const composite = c.policies.find((p) => p.type === 'composite')!.composite;
  t.same(composite.rate_allocation, [{ policy: 'c-1', percent: 50 }, { policy: 'c-2', percent: 25 }]);
  t.equal(composite.composite_sub_policy[2]!.and.and_sub_policy.length, 2);
  t.equal(c.policies.find((p) => p.name === 'p-and')!.and.and_sub_policy[1]!.not.not_sub_policy.name, 'inner');
});

t.test('ottl_condition is refused with the reason', async (t) => {
  const issue = issueOf('ottl.yaml');
  t.equal(issue.path, 'policies::0::type');
  t.match(issue.message, /^not supported: ottl_condition policies need an OTTL engine/);
});

t.test('an unknown key is refused where it is', async (t) => {
  const issue = issueOf('unknown-key.yaml');
  t.equal(issue.path, 'policies::0::latency');
  t.match(issue.message, /treshold/);
});

t.test('an unknown policy type lists the valid ones', async (t) => {
  const issue = issueOf('unknown-type.yaml');
  t.equal(issue.path, 'policies::0::type');
  t.match(issue.message, /unknown sampling policy type "composite_by_magic"; expected one of always_sample, latency/);
});

t.test('a composite inside an and is refused, as otelcol refuses it', async (t) => {
  const issue = issueOf('nested-composite.yaml');
  t.equal(issue.path, 'policies::0::and::and_sub_policy::0::type');
  t.match(issue.message, /unknown sampling policy type "composite"/);
});

t.test('an unknown status code is refused', async (t) => {
  t.same(issueOf('bad-status.yaml'), { path: 'policies::0::status_code::status_codes::0', message: 'unknown status code "FAILED", supported: OK, ERROR, UNSET' });
});

t.test('policy names are unique', async (t) => {
  t.same(issueOf('duplicate-name.yaml'), { path: 'policies::1::name', message: 'duplicate policy name "same"' });
});

t.test('a policy needs a name', async (t) => {
  t.same(issueOf('no-name.yaml'), { path: 'policies::0::name', message: 'policy name cannot be empty' });
});

t.test('a regex that does not compile is refused at validation', async (t) => {
  const issue = issueOf('bad-regex.yaml');
  t.equal(issue.path, 'policies::0::string_attribute::values::0');
  t.match(issue.message, /^invalid regex "\(unclosed"/);
});

t.test('tail_storage is refused with the reason', async (t) => {
  const issue = issueOf('tail-storage.yaml');
  t.equal(issue.path, 'tail_storage');
  t.match(issue.message, /^not supported: vigil has no tail storage extensions/);
});

t.test('sampling_strategy is one of two', async (t) => {
  t.same(issueOf('bad-strategy.yaml'), { path: 'sampling_strategy', message: 'invalid sampling_strategy "eventually", expected one of "trace-complete" or "span-ingest"' });
});

t.test('span-ingest refuses stateful policies, as otelcol does', async (t) => {
  t.same(issueOf('span-ingest-stateful.yaml'), { path: 'policies::0::type', message: 'sampling_strategy "span-ingest" requires all policies to be stateless, but policy "limit" is stateful' });
});

t.test('vigil validate reports it with file, line and column', async (t) => {
  const file = fileURLToPath(new URL('../../../processors/tail-sampling/testdata/collector-ottl.yaml', import.meta.url));
  const r = await checkConfig({ files: [file], sets: [], factories: FACTORIES, env: {} });
  t.notOk(r.config);
  t.equal(r.errors.length, 1);
  t.match(String(r.errors[0]), new RegExp(`^${file}:15:15 processors::tail_sampling::policies::1::type: not supported: ottl_condition`));
});
