/**
 * The comparison peer: the real OpenTelemetry Collector (an otelcol-contrib distribution built by
 * scripts/peer-otelcol.sh) run as a child process with a test's YAML. Tests choose its ports; the
 * YAML should turn the peer's own telemetry off (`service: { telemetry: { metrics: { level: none } } }`),
 * or its default :8888 clashes with other tests.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { tempDir } from './daemon.js';

const PEER_SCRIPT = fileURLToPath(new URL('../../scripts/peer-otelcol.sh', import.meta.url));
/** A first build takes several minutes on 2 cores; later calls return the cached binary at once. */
const BUILD_TIMEOUT_MS = 30 * 60_000;
const READY_TIMEOUT_MS = 30_000;
/** What otelcol logs once every component has started. */
const READY_LINE = 'Everything is ready';

let located: Promise<string> | undefined;

/** The peer binary: $VIGIL_PEER_OTELCOL when set, else scripts/peer-otelcol.sh (builds once, cached). */
export function peerBinary(): Promise<string> {
  located ??= locate();
  return located;
}

async function locate(): Promise<string> {
  const fromEnv = process.env.VIGIL_PEER_OTELCOL;
  if (fromEnv) {
    accessSync(fromEnv, constants.X_OK); // a set but wrong path is an error, not a reason to rebuild
    return fromEnv;
  }
  return new Promise((resolve, reject) => {
    execFile('bash', [PEER_SCRIPT], { timeout: BUILD_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`scripts/peer-otelcol.sh failed: ${err.message}\n${stderr.slice(-4000)}`));
      else resolve(stdout.trim().split('\n').pop()!);
    });
  });
}

/**
 * The peer binary, or undefined after skipping `t` loudly — or failing it when `CI` or
 * `VIGIL_REQUIRE_SERVICES` is set, so a CI run can never pass without the peer.
 */
export async function requirePeer(t: Test): Promise<string | undefined> {
  try {
    return await peerBinary();
  } catch (err) {
    const why = `the otelcol peer is not available (${(err as Error).message.split('\n')[0]}); build it with scripts/peer-otelcol.sh`;
    if (process.env.CI || process.env.VIGIL_REQUIRE_SERVICES) {
      t.fail(`${why} (required: CI or VIGIL_REQUIRE_SERVICES is set)`, { error: (err as Error).message });
    } else {
      process.stderr.write(`\n*** SKIPPED ${t.name}: ${why} ***\n\n`);
      t.pass(`SKIPPED: ${why}`, { skip: why });
    }
    return undefined;
  }
}

/** A running peer and what it logged. */
export class Peer {
  output = '';
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    const keep = (d: string): void => {
      this.output += d;
    };
    child.stdout!.setEncoding('utf8').on('data', keep);
    child.stderr!.setEncoding('utf8').on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts `binary` with `yaml`, waits until every component has started, and stops it at `t`'s end. */
  static async start(t: Test, binary: string, yaml: string): Promise<Peer> {
    const file = join(tempDir('vigil-peer-'), 'config.yaml');
    writeFileSync(file, yaml);
    const peer = new Peer(spawn(binary, ['--config', file], { stdio: ['ignore', 'pipe', 'pipe'] }));
    t.teardown(() => peer.stop('SIGKILL'));
    await peer.waitReady();
    return peer;
  }

  private async waitReady(): Promise<void> {
    const until = Date.now() + READY_TIMEOUT_MS;
    let exitCode: number | null | undefined;
    void this.exited.then((c) => (exitCode = c)); // only recorded: the loop below reports it
    while (Date.now() < until) {
      if (this.output.includes(READY_LINE)) return;
      if (exitCode !== undefined) throw new Error(`otelcol peer exited with ${exitCode}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    this.child.kill('SIGKILL');
    throw new Error(`otelcol peer not ready in ${READY_TIMEOUT_MS} ms:\n${this.output}`);
  }

  /** Sends `signal` (SIGTERM: otelcol drains and exits 0) and waits for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
