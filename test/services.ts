/**
 * The real services integration tests run against: is the shared Kafka / Redis up, what to do when
 * it is not (skip loudly, or fail under CI), and private Kafka brokers a test may stop and restart.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { freePort, tempDir } from './daemon.js';

/** The shared services of `npm run services:up`. */
export const KAFKA_PORT = 9092;
export const REDIS_PORT = 6379;
/** The shared Kafka broker's address. */
export const KAFKA_BROKER = `localhost:${KAFKA_PORT}`;

const BROKER_SCRIPT = fileURLToPath(new URL('../../scripts/kafka-broker.sh', import.meta.url));
const BROKER_START_TIMEOUT_MS = 90_000;

/** True when something accepts a TCP connection on `host`:`port` within `timeoutMs`. */
export function portOpen(port: number, timeoutMs = 500, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Whether the shared Kafka broker answers on localhost:9092. */
export const kafkaAvailable = (): Promise<boolean> => portOpen(KAFKA_PORT);
/** Whether the shared Redis answers on localhost:6379. */
export const redisAvailable = (): Promise<boolean> => portOpen(REDIS_PORT);

/**
 * Returns `ok`. When a service is missing the test is skipped with a loud message — or failed when
 * `CI` or `VIGIL_REQUIRE_SERVICES` is set, so a CI run can never pass by skipping.
 */
export function requireService(t: Test, name: string, ok: boolean): boolean {
  if (ok) return true;
  const why = `${name} is not running on localhost; start it with \`npm run services:up\``;
  if (process.env.CI || process.env.VIGIL_REQUIRE_SERVICES) {
    t.fail(`${why} (required: CI or VIGIL_REQUIRE_SERVICES is set)`);
  } else {
    process.stderr.write(`\n*** SKIPPED ${t.name}: ${why} ***\n\n`);
    t.pass(`SKIPPED: ${why}`, { skip: why });
  }
  return false;
}

function runScript(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [BROKER_SCRIPT, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kafka-broker.sh ${args[0]} failed: ${err.message}\n${stderr}${stdout}`));
      else resolve(stdout);
    });
  });
}

/**
 * A single-node Kafka broker of the test's own (scripts/kafka-broker.sh in a temp dir, on free ports),
 * for tests that stop and restart Kafka. Its data survives stop/start; it is stopped in t.teardown and,
 * failing that, killed when the test process exits.
 */
export class PrivateBroker {
  private constructor(readonly dir: string, readonly port: number, readonly controllerPort: number) {}

  /** `localhost:PORT`, for `service.queue.kafka.brokers`. */
  get address(): string {
    return `localhost:${this.port}`;
  }

  /** Starts a broker (about 5 s) and registers its stop with `t`. */
  static async start(t: Test): Promise<PrivateBroker> {
    const [port, controllerPort] = await Promise.all([freePort(), freePort()]);
    const broker = new PrivateBroker(tempDir('vigil-kafka-'), port, controllerPort);
    const killOnExit = (): void => broker.killNow();
    process.once('exit', killOnExit);
    t.teardown(async () => {
      await broker.stop();
      process.removeListener('exit', killOnExit);
      rmSync(broker.dir, { recursive: true, force: true });
    });
    await broker.startAgain();
    return broker;
  }

  /** Starts the broker again on the same ports and data (no-op when running); resolves once it answers. */
  async startAgain(): Promise<void> {
    await runScript(['start', this.dir, String(this.port), String(this.controllerPort)], BROKER_START_TIMEOUT_MS);
  }

  /** Stops the broker (SIGTERM, a clean shutdown; SIGKILL after 30 s). */
  async stop(): Promise<void> {
    await runScript(['stop', this.dir], 45_000);
  }

  /** Stops and starts the broker. */
  async restart(): Promise<void> {
    await this.stop();
    await this.startAgain();
  }

  /** The last `lines` lines of the broker's log, for failure messages. */
  logTail(lines = 40): string {
    const file = `${this.dir}/broker.log`;
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '(no broker log)';
  }

  private killNow(): void {
    try {
      const pid = readFileSync(`${this.dir}/pid`, 'utf8').trim();
      if (pid) execFileSync('kill', ['-KILL', pid]);
    } catch {
      // not running
    }
  }
}
