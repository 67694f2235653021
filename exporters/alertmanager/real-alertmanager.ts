/** For tests: a real Alertmanager (Debian's prometheus-alertmanager) on a free port, in a temp dir, stopped at teardown. */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { freePort, tempDir } from '../../test/daemon.js';
import { waitFor } from '../../test/wait.js';

/** The binary: Debian's package name, else upstream's. */
export const ALERTMANAGER_BIN = process.env.VIGIL_ALERTMANAGER ?? 'prometheus-alertmanager';

/** True when the binary runs. */
export function alertmanagerInstalled(): Promise<boolean> {
  return new Promise((resolve) => execFile(ALERTMANAGER_BIN, ['--version'], (err) => resolve(!err)));
}

/** Starts one; resolves to its base URL once /-/ready answers. */
export async function startAlertmanager(t: Test): Promise<string> {
  const dir = tempDir('vigil-am-');
  const config = join(dir, 'alertmanager.yml');
  // Every alert goes to a receiver that notifies nobody: the test reads the API, not notifications.
  writeFileSync(config, 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
  const port = await freePort();
  const child: ChildProcess = spawn(ALERTMANAGER_BIN, [
    `--config.file=${config}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=', '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => { stderr = (stderr + c.toString('utf8')).slice(-4000); });
  t.teardown(() => new Promise<void>((resolve) => {
    if (child.exitCode !== null) { resolve(); return; }
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  }));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`alertmanager on ${url} (stderr: ${stderr})`, async () => child.exitCode === null && (await fetch(`${url}/-/ready`)).ok, 30_000, 100);
  return url;
}
