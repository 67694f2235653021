import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { waitUntil } from '../test/wait.js';
import { clkTck, cpuBetween, parseStatTicks, parseStatusKb, processTree, sampleProc } from './proc-stats.js';

t.test('parses stat with spaces and parentheses in the command name', async (t) => {
  const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 11 0 123 456 789';
  t.equal(parseStatTicks(stat), 325);
});

t.test('parses VmRSS and VmHWM', async (t) => {
  const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n';
  t.equal(parseStatusKb(status, 'VmRSS'), 100 * 1024 * 1024);
  t.equal(parseStatusKb(status, 'VmHWM'), 200 * 1024 * 1024);
  t.equal(parseStatusKb(status, 'VmSwap'), 0);
});

t.test('measures a busy child, its worker thread and its own child process', async (t) => {
  t.equal(clkTck(), 100);
  // The child burns one core in a worker thread and starts a grandchild that burns another.
  const script = `
    const { Worker } = require('node:worker_threads');
    const { spawn } = require('node:child_process');
    new Worker('const e = Date.now() + 3000; while (Date.now() < e) {}', { eval: true });
    spawn(process.execPath, ['-e', 'const e = Date.now() + 3000; while (Date.now() < e) {}'], { stdio: 'ignore' });
    const keep = Buffer.alloc(64 * 1024 * 1024, 1);
    setTimeout(() => keep.length, 3500);
  `;
  // Without tap's NODE_OPTIONS loaders, which make every node start slow (and slower on a busy machine).
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
  t.teardown(() => child.kill('SIGKILL'));
  const seen = await waitUntil(() => processTree(child.pid!).length === 2, 5_000, 20);
  t.ok(seen, 'grandchild found');
  await new Promise((r) => setTimeout(r, 200)); // both busy loops running
  // The child's main thread only waits, so CPU of the child alone is its worker thread's.
  const rootSeconds = (): number => parseStatTicks(readFileSync(`/proc/${child.pid}/stat`, 'utf8')) / clkTck();
  const a = sampleProc(child.pid!);
  const rootA = rootSeconds();
  await new Promise((r) => setTimeout(r, 1500));
  const b = sampleProc(child.pid!);
  const rootB = rootSeconds();
  const { cpuSeconds, wallSeconds } = cpuBetween(a, b);
  t.ok(wallSeconds > 1.4 && wallSeconds < 2.5, `wall ${wallSeconds}`);
  // Low thresholds: an idle thread would be ~0, and the machine may be shared with other work.
  t.ok(rootB - rootA > 0.15, `worker thread counted in the process: ${(rootB - rootA).toFixed(2)} s`);
  t.ok(cpuSeconds - (rootB - rootA) > 0.15, `grandchild added to the tree: ${(cpuSeconds - (rootB - rootA)).toFixed(2)} s`);
  t.ok(b.rssBytes > 64 * 1024 * 1024, `RSS includes the 64 MiB buffer: ${b.rssBytes}`);
  t.ok(b.hwmBytes >= b.rssBytes, 'peak at least current');
  t.equal(b.processes, 2);
});

t.test('a vanished process throws', async (t) => {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  t.throws(() => sampleProc(child.pid!));
});
