/**
 * A daemon pays only for the component types its config names: `vigil validate` (which builds every
 * configured component, as `run` does) of an otlp → batch → debug config must not import kafkajs,
 * ioredis, nodemailer or the PromQL parser; one naming the kafka and email exporters must, which
 * shows the trace sees imports at all.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';

const VIGIL = fileURLToPath(new URL('./vigil.js', import.meta.url));
const TRACE_HOOKS = fileURLToPath(new URL('../test/module-trace/register.js', import.meta.url));
const testdata = (name: string): string => fileURLToPath(new URL(`../../cmd/testdata/${name}`, import.meta.url));
const HEAVY = ['kafkajs', 'ioredis', 'nodemailer', '@prometheus-io/lezer-promql', 'simple-statistics'];

/** The npm packages `vigil validate --config file` imported. */
async function packagesImported(t: Test, file: string): Promise<Set<string>> {
  const trace = join(mkdtempSync(join(tmpdir(), 'vigil-lazy-')), 'modules.txt');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', TRACE_HOOKS, VIGIL, 'validate', '--config', file], {
    env: { ...process.env, VIGIL_MODULE_TRACE: trace },
  });
  t.match(stdout, /configuration is valid/, `${file} validates`);
  const urls = readFileSync(trace, 'utf8').split('\n');
  return new Set(urls.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
}

t.test('otlp, batch and debug import none of the other components\' libraries', async (t) => {
  const packages = await packagesImported(t, testdata('otlp-batch-debug.yaml'));
  t.ok(packages.has('@grpc/grpc-js'), 'the otlp receiver\'s gRPC library is imported (the trace works)');
  for (const heavy of HEAVY) t.notOk(packages.has(heavy), `${heavy} is not imported`);
});

t.test('the kafka and email exporters import kafkajs and nodemailer', async (t) => {
  const packages = await packagesImported(t, testdata('kafka-email.yaml'));
  t.ok(packages.has('kafkajs'), 'kafkajs');
  t.ok(packages.has('nodemailer'), 'nodemailer');
  t.notOk(packages.has('@prometheus-io/lezer-promql'), 'still no PromQL parser');
});
