/** One test per config rule, each reading a YAML file from testdata/. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { configSchema, limitsOf } from './config.js';
import { cgroupLimitBytes } from './memory.js';

const load = (name: string): unknown => parse(readFileSync(new URL(`../../../processors/memory-limiter/testdata/${name}`, import.meta.url), 'utf8')) as unknown;
const MIB = 1024 * 1024;

function issueOf(name: string): { path: string; message: string } {
  const result = configSchema.safeParse(load(name));
  if (result.success) throw new Error(`${name} should not validate`);
  const issue = result.error.issues[0]!;
  return { path: issue.path.join('::'), message: issue.message };
}

t.test('an otelcol config loads unchanged; limits in MiB', async (t) => {
  const c = configSchema.parse(load('otelcol-readme.yaml'));
  t.equal(c.check_interval, 1000);
  t.same(limitsOf(c, 0), { hardBytes: 4000 * MIB, softBytes: 3200 * MIB });
});

t.test('spike defaults to 20 % of the limit', async (t) => {
  const c = configSchema.parse({ check_interval: '1s', limit_mib: 1000 });
  t.same(limitsOf(c, 0), { hardBytes: 1000 * MIB, softBytes: 800 * MIB });
});

t.test('percentages are of the available memory', async (t) => {
  const c = configSchema.parse(load('percentage.yaml'));
  t.same(limitsOf(c, 1000 * MIB), { hardBytes: 500 * MIB, softBytes: 200 * MIB });
  const d = configSchema.parse({ check_interval: '1s', limit_percentage: 50 });
  t.same(limitsOf(d, 1000 * MIB), { hardBytes: 500 * MIB, softBytes: 400 * MIB });
});

t.test('both limit styles at once is an error', async (t) => {
  t.same(issueOf('both-styles.yaml'), { path: 'limit_percentage', message: 'limit_mib and limit_percentage are exclusive: set only one of them' });
});

t.test('no limit is an error', async (t) => {
  t.same(issueOf('no-limit.yaml'), { path: 'limit_mib', message: 'one of limit_mib or limit_percentage must be set to more than 0' });
});

t.test('check_interval is required', async (t) => {
  t.same(issueOf('no-interval.yaml'), { path: 'check_interval', message: 'must be set to a duration greater than 0, like "1s"' });
});

t.test('the spike must be below the limit', async (t) => {
  t.same(issueOf('spike-too-big.yaml'), { path: 'spike_limit_mib', message: 'must be less than limit_mib (1000)' });
});

t.test('a percentage over 100 is out of range', async (t) => {
  t.same(issueOf('percentage-over-100.yaml'), { path: 'limit_percentage', message: 'must be at most 100' });
});

t.test('cgroup limits: a number is used, "max" and missing files are not', async (t) => {
  const dir = t.testdir({ limited: '536870912\n', unlimited: 'max\n' });
  t.equal(cgroupLimitBytes([`${dir}/limited`]), 512 * MIB);
  t.equal(cgroupLimitBytes([`${dir}/unlimited`]), undefined);
  t.equal(cgroupLimitBytes([`${dir}/absent`, `${dir}/limited`]), 512 * MIB, 'falls through to the next file');
});
