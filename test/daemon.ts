/**
 * Runs the real vigil daemon as a child process for end-to-end tests: writes the YAML to a temp
 * dir, starts `node dist/cmd/vigil.js`, waits for the health check, and stops it with a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shebangNodeFlags } from '../bench/daemon.js';

/** Path of the compiled CLI. */
export const VIGIL = fileURLToPath(new URL('../cmd/vigil.js', import.meta.url));

/** A free TCP port on 127.0.0.1 (closed again before returning; tests accept the tiny race). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A fresh temp directory. */
export function tempDir(prefix = 'vigil-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A running daemon and what it printed. */
export class Daemon {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess, readonly healthPort: number, readonly configFile: string) {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /**
   * Starts vigil with `yaml` (which MUST enable a health_check extension on `healthPort`) and
   * waits until it answers 200.
   */
  static async start(yaml: string, healthPort: number, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}, entry = VIGIL): Promise<Daemon> {
    const daemon = Daemon.spawn(yaml, healthPort, extraArgs, env, entry);
    // Generous: a daemon on the Kafka queue took 11 s to be healthy on a loaded 2-core machine.
    await daemon.waitHealthy(60_000);
    return daemon;
  }

  /** Starts vigil (or another build of the command, `entry`) with `yaml` written to `configFile`, without waiting for anything. */
  static spawn(yaml: string, healthPort: number, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}, entry = VIGIL): Daemon {
    const file = join(tempDir(), 'config.yaml');
    writeFileSync(file, yaml);
    const child = spawn(process.execPath, [...shebangNodeFlags(entry), entry, '--config', file, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    return new Daemon(child, healthPort, file);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Polls the health check until 200, or fails with the daemon's output. */
  async waitHealthy(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited.then((c) => (exitCode = c));
    while (Date.now() < until) {
      if (exitCode !== undefined) throw new Error(`vigil exited with ${exitCode}:\n${this.stderr}\n${this.stdout}`);
      try {
        const res = await fetch(`http://127.0.0.1:${this.healthPort}/`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    this.child.kill('SIGKILL');
    throw new Error(`vigil did not become healthy in ${timeoutMs} ms:\n${this.stderr}\n${this.stdout}`);
  }

  /** Sends SIGTERM and waits for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exited;
  }

  /** Log lines (pino JSON) the daemon printed, parsed. */
  logs(): Array<Record<string, unknown>> {
    return this.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}
