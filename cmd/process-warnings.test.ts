import { spawnSync } from 'node:child_process';
import t from 'tap';

const MODULE = new URL('./process-warnings.js', import.meta.url).href;

/** Runs a process that routes its warnings, then emits `warnings` (name, message); its log at `level` and its stderr. */
function run(level: string, warnings: Array<[string, string]>): { log: Array<Record<string, unknown>>; stderr: string } {
  const script = `
    const { pino } = await import('pino');
    const { logProcessWarnings } = await import(${JSON.stringify(MODULE)});
    logProcessWarnings(pino({ level: ${JSON.stringify(level)} }));
    for (const [name, message] of ${JSON.stringify(warnings)}) process.emitWarning(message, name);
    await new Promise((r) => setTimeout(r, 50));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: process.cwd() });
  return { log: r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), stderr: r.stderr };
}

t.test('process warnings go to the JSON log, none to stderr as text', async (t) => {
  const { log, stderr } = run('info', [['DeprecationWarning', 'old api'], ['TimeoutNegativeWarning', '-1795771546506 is a negative number']]);
  t.equal(stderr, '', 'nothing printed by Node itself');
  t.same(log.map((l) => [l.level, l.warning, l.msg]), [[40, 'DeprecationWarning', 'old api']], 'a warning a user may act on, at warn');
  const debug = run('debug', [['TimeoutNegativeWarning', '-1 is a negative number']]);
  t.same(debug.log.map((l) => [l.level, l.warning]), [[20, 'TimeoutNegativeWarning']], 'kafkajs\' negative timeout only at debug');
});
