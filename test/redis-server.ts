/**
 * A private Debian `redis-server` for a test: its own port, no persistence, killed and restarted
 * at will (outage tests), never the shared one on 6379.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Test } from 'tap';
import { freePort, tempDir } from './daemon.js';

/** Where Debian installs the server. */
export const REDIS_SERVER = '/usr/bin/redis-server';

/** Options of a test server. */
export interface RedisServerOptions {
  readonly port?: number;
  readonly password?: string;
}

/** A redis-server child process. */
export class RedisServer {
  private child: ChildProcess | undefined;
  private readonly dir = tempDir('vigil-redis-');

  private constructor(readonly port: number, private readonly password: string | undefined) {}

  /** True when redis-server is installed (at `binary`, Debian's path by default). */
  static available(binary = REDIS_SERVER): boolean {
    return existsSync(binary);
  }

  /** Starts a server on `options.port` (a free one by default) and waits until it accepts connections. */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(options.port ?? (await freePort()), options.password);
    await server.restart();
    return server;
  }

  /** `127.0.0.1:<port>`. */
  get endpoint(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the server again on the same port (after `kill`), with an empty dataset. */
  async restart(timeoutMs = 5_000): Promise<void> {
    if (this.child) throw new Error('redis-server is already running');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--logfile', ''];
    if (this.password) args.push('--requirepass', this.password);
    const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`redis-server did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        this.child = undefined;
        reject(err);
      };
      child.once('exit', (code) => fail(new Error(`redis-server exited with ${code}:\n${output}`)));
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        output += d;
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve();
        }
      });
    });
  }

  /** Stops the process without closing its sockets (SIGSTOP): a hung server. `thaw` resumes it. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Resumes a frozen server. */
  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  /** Kills the server with SIGKILL (a crash, not a clean shutdown) and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** Where redisOrSkip looks, what it reads and where it shouts; overridable to test it. */
export interface RedisCheck {
  readonly binary?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly warn?: (message: string) => void;
}

/**
 * Decides what a test does without redis-server: fails when the environment promises services
 * (`CI`, `VIGIL_REQUIRE_SERVICES`), otherwise skips saying so loudly. True when the test may run.
 */
export function redisOrSkip(t: Pick<Test, 'fail' | 'skip'>, check: RedisCheck = {}): boolean {
  const { binary = REDIS_SERVER, env = process.env, warn = (m: string) => void process.stderr.write(m) } = check;
  if (RedisServer.available(binary)) return true;
  const why = `${binary} is not installed (apt-get install redis-server, or npm run services:up)`;
  if (env.CI || env.VIGIL_REQUIRE_SERVICES) {
    t.fail(`redis-server is required here (CI or VIGIL_REQUIRE_SERVICES is set): ${why}`);
  } else {
    warn(`\n*** SKIPPING redis tests: ${why} ***\n\n`);
    t.skip(`SKIPPED: ${why}`, () => {});
  }
  return false;
}
