/**
 * The example alert rules (docs/alerts) are valid Prometheus rules, fire on the series vigil
 * exposes, and name only metrics vigil has. Needs promtool (Debian's `prometheus` package,
 * installed by `npm run services:up`): skipped loudly without it, failed under CI.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { SelfMetrics } from '../pipeline/telemetry.js';
import { requireService } from './services.js';

const DIR = fileURLToPath(new URL('../../docs/alerts/', import.meta.url));
const RULES = `${DIR}vigil.rules.yml`;

function promtool(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('promtool', args, { cwd: DIR, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

t.test('every metric the rules name is one vigil exposes', async (t) => {
  const exposed = new Set((await new SelfMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
  const named = new Set<string>();
  const text = readFileSync(RULES, 'utf8');
  for (const [, expr] of text.matchAll(/expr: (.*(?:\n {12}.*)*)/g)) {
    for (const m of expr!.matchAll(/\b(?:otelcol|vigil)_[a-z_]+/g)) named.add(m[0]);
    // the `__name__=~"otelcol_exporter_send_failed_(spans|metric_points|log_records)_total"` form
    for (const m of expr!.matchAll(/"((?:otelcol|vigil)_[a-z_]+)\(([a-z_|]+)\)([a-z_]*)"/g)) {
      for (const alt of m[2]!.split('|')) named.add(`${m[1]}${alt}${m[3]}`);
    }
  }
  named.forEach((n) => { if (/_\($|_$/.test(n)) named.delete(n); });
  t.ok(named.size >= 8, `the rules name ${named.size} metrics`);
  for (const n of named) t.ok(exposed.has(n), `${n} is a vigil self-metric`);
});

t.test('promtool checks the rules and their unit tests pass', async (t) => {
  const which = await new Promise<boolean>((resolve) => execFile('promtool', ['--version'], (err) => resolve(!err)));
  if (!requireService(t, 'promtool (Debian package `prometheus`)', which)) return;
  const check = await promtool(['check', 'rules', RULES]);
  t.equal(check.code, 0, `promtool check rules:\n${check.out}`);
  const unit = await promtool(['test', 'rules', 'vigil.rules.test.yml']);
  t.equal(unit.code, 0, `promtool test rules:\n${unit.out}`);
});
