/**
 * Promise: a bad config is reported — every error, each with file:line:column and the key's path —
 * before anything listens; `vigil validate` runs the same checks; the shipped example is valid.
 */
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { VIGIL } from '../daemon.js';

const BAD = fileURLToPath(new URL('../../../test/e2e/testdata/bad-config.yaml', import.meta.url));
const EMPTY = fileURLToPath(new URL('../../../test/e2e/testdata/empty-bodies.yaml', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../collector.example.yaml', import.meta.url));

const vigil = (...args: string[]): { status: number | null; stderr: string; stdout: string } => {
  const r = spawnSync(process.execPath, [VIGIL, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
};

t.test('validate reports every error with position and path, exit 1', async (t) => {
  const { status, stderr } = vigil('validate', '--config', BAD);
  t.equal(status, 1);
  t.match(stderr, /bad-config\.yaml:8:14 processors::batch::timeout: expected a duration like "10s", got "ten"/);
  t.match(stderr, /bad-config\.yaml:9:5 processors::batch::sned_batch_size: unknown key "sned_batch_size"; did you mean "send_batch_size"\?/);
  t.match(stderr, /bad-config\.yaml:12:16 exporters::debug::verbosity: /);
  t.match(stderr, /bad-config\.yaml:18:\d+ service::pipelines::traces::exporters(::1)?: .*file/);
});

t.test('run with a bad config exits 1 before listening', async (t) => {
  const { status, stderr, stdout } = vigil('--config', BAD);
  t.equal(status, 1);
  t.match(stderr, /timeout: expected a duration/);
  t.notMatch(stdout, /listening/);
  const listening = await new Promise<boolean>((resolve) => {
    const s = connect(43170, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    }).on('error', () => resolve(false));
  });
  t.notOk(listening, 'the receiver port was never opened');
});

t.test('an exporter written with no body is checked like any other: no endpoint, no start', async (t) => {
  const validated = vigil('validate', '--config', EMPTY);
  t.equal(validated.status, 1);
  t.match(validated.stderr, /empty-bodies\.yaml:8:3 exporters::otlphttp::endpoint: set endpoint/);
  t.match(validated.stderr, /empty-bodies\.yaml:9:3 exporters::otlp::endpoint: missing required key "endpoint"/);
  t.notMatch(validated.stdout, /valid/);
  const ran = vigil('--config', EMPTY);
  t.equal(ran.status, 1);
  t.match(ran.stderr, /exporters::otlp::endpoint: missing required key "endpoint"/);
  t.notMatch(ran.stderr + ran.stdout, /Cannot read properties/);
  t.notMatch(ran.stdout, /listening/);
});

t.test('the example config is valid; --set and --version work', async (t) => {
  t.equal(vigil('validate', '--config', EXAMPLE).status, 0);
  const bad = vigil('validate', '--config', EXAMPLE, '--set', 'processors.batch.timeout=soon');
  t.equal(bad.status, 1);
  t.match(bad.stderr, /processors::batch::timeout: expected a duration/);
  t.match(vigil('--version').stdout, /^vigil version \d+\.\d+\.\d+/);
  t.match(vigil('components').stdout, /receivers:\n {2}- name: otlp/);
});
