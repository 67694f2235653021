/**
 * `vigil test rules` gives the same verdicts as `promtool test rules` (Debian's prometheus package):
 * on every file of the corpus in ../testdata/unit, and on docs/alerts, the same exit code and the
 * same failing tests (alertname or expression, and eval time). Each file runs in-process (a vigil
 * process per file costs seconds on a loaded machine); one `vigil test rules` over the whole corpus
 * checks the command itself. Needs promtool: skipped loudly without it.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { requireService } from '../../../test/services.js';
import { runTestFile } from './runner.js';

const CORPUS = fileURLToPath(new URL('../../../../processors/alert-rules/testdata/unit/', import.meta.url));
const DOCS = fileURLToPath(new URL('../../../../docs/alerts/', import.meta.url));
const VIGIL = fileURLToPath(new URL('../../../cmd/vigil.js', import.meta.url));

interface Verdict {
  readonly code: number;
  readonly failing: readonly string[];
  readonly out: string;
}

function run(cmd: string, args: string[], cwd: string): Promise<Verdict> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      const out = `${stdout}${stderr}`;
      resolve({ code, failing: failingTests(out), out });
    });
  });
}

/** The heads of promtool's failure entries: `alertname: X, time: T`, `expr: "…", time: T`, `rule: R, time: T`. */
function failingTests(out: string): string[] {
  const heads = out.split('\n').flatMap((line) => {
    const m = /^ {4}((?:alertname: .*?|expr: ".*?"|rule: .*?), time: [^,]+),/.exec(line);
    return m?.[1] === undefined ? [] : [m[1]];
  });
  return [...new Set(heads)].sort();
}

const files = readdirSync(CORPUS).filter((f) => /^t\d+.*\.yml$/.test(f)).sort();

t.test('promtool and vigil agree on every corpus file', { timeout: 300_000 }, async (t) => {
  const have = await new Promise<boolean>((resolve) => execFile('promtool', ['--version'], (err) => resolve(!err)));
  if (!requireService(t, 'promtool (Debian package `prometheus`)', have)) return;
  t.ok(files.length >= 15, `${files.length} corpus files`);
  let failed = 0;
  for (const [dir, file] of [...files.map((f) => [CORPUS, f] as const), [DOCS, 'vigil.rules.test.yml'] as const]) {
    const expected = await run('promtool', ['test', 'rules', file], dir);
    const result = runTestFile(`${dir}${file}`);
    const out = result.errors.join('\n');
    t.equal(result.passed ? 0 : 1, expected.code, `${file}: exit code ${expected.code}`, { promtool: expected.out, vigil: out });
    t.same(failingTests(out), expected.failing, `${file}: the same tests fail`);
    if (expected.code !== 0) failed++;
  }
  t.ok(failed >= 5 && files.length - failed >= 10, `both verdicts are exercised (${failed} failing files)`);
});

t.test('the command: every file reported, exit code 1 when one fails, 0 when all pass', async (t) => {
  const passing = ['t01-rate.yml', 't05-aggregations.yml'];
  const all = await run(process.execPath, [VIGIL, 'test', 'rules', ...files], CORPUS);
  t.equal(all.code, 1, 'exit code 1', { out: all.out });
  t.equal(all.out.match(/^Unit Testing: {2}/gm)?.length, files.length, 'one report per file');
  t.ok(all.out.includes('    alertname: InstanceDown, time: 5m, '), 'failures in promtool\'s words');
  const ok = await run(process.execPath, [VIGIL, 'test', 'rules', ...passing], CORPUS);
  t.equal(ok.code, 0, 'exit code 0', { out: ok.out });
  t.equal(ok.out.match(/ {2}SUCCESS/g)?.length, 2);
});
