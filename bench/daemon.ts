/**
 * The daemon under test as a child process: the real vigil (`node dist/cmd/vigil.js --config FILE`,
 * ready when its health check answers) or the real otelcol peer (`otelcol-vigil-peer --config FILE`,
 * ready when it logs that everything started). Writes the YAML, scrapes the self-metrics, stops it.
 * Every daemon started is killed if the benchmark exits early.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Path of the compiled CLI; VIGIL_BENCH_DAEMON points the benchmark at another script (its own tests use a stand-in). */
export const VIGIL = process.env.VIGIL_BENCH_DAEMON ?? fileURLToPath(new URL('../cmd/vigil.js', import.meta.url));

/**
 * The Node flags on `script`'s `#!/usr/bin/env -S node …` line: how the `vigil` command runs,
 * so daemons started as `node <flags> script` here run the same way.
 */
export function shebangNodeFlags(script: string): string[] {
  const first = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!.*\bnode((?:\s+--\S+)*)\s*$/.exec(first);
  return m?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
}

const live = new Set<ChildProcess>();

/** Kills every daemon still running (exit and signal handlers call this). */
export function killAllDaemons(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}

/** `n` distinct free ports on 127.0.0.1, all held open at once so none repeats. */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      ports.push(await new Promise<number>((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
      }));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

/** Sums of each metric family in a Prometheus text exposition, keyed by metric name (labels summed over). */
export function parsePrometheus(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const v = Number(m[3]);
    if (Number.isFinite(v)) out.set(m[1]!, (out.get(m[1]!) ?? 0) + v);
  }
  return out;
}

/** Where a daemon listens and how it is started. */
export interface DaemonOptions {
  yaml: string;
  /** vigil's health_check port (unused for otelcol, whose readiness is read from its log). */
  healthPort: number;
  metricsPort: number;
  /** Extra node flags, e.g. --cpu-prof (vigil only). */
  nodeArgs?: string[];
  /** The otelcol binary to run instead of vigil. */
  otelcol?: string;
}

/** What otelcol logs (at info) once every component has started. */
const OTELCOL_READY = 'Everything is ready';

/** A running daemon. */
export class BenchDaemon {
  readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(readonly child: ChildProcess, readonly options: DaemonOptions, readonly logFile: string, readonly configFile: string) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      live.delete(child);
      this.exitCode = code ?? (signal ? -1 : null);
      resolve(this.exitCode);
    }));
  }

  /** Starts the daemon and waits (up to 20 s) for its health check to answer 200. */
  static async start(options: DaemonOptions): Promise<BenchDaemon> {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
    const configFile = join(dir, 'config.yaml');
    const logFile = join(dir, 'daemon.log');
    writeFileSync(configFile, options.yaml);
    const fd = openSync(logFile, 'w');
    const child = options.otelcol
      ? spawn(options.otelcol, ['--config', configFile], { stdio: ['ignore', fd, fd] })
      : spawn(process.execPath, [...shebangNodeFlags(VIGIL), ...(options.nodeArgs ?? []), VIGIL, '--config', configFile], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    live.add(child);
    const daemon = new BenchDaemon(child, options, logFile, configFile);
    await daemon.waitHealthy(20_000);
    return daemon;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The last part of what the daemon printed, for error messages. */
  tail(chars = 2000): string {
    try {
      return readFileSync(this.logFile, 'utf8').slice(-chars);
    } catch {
      return '';
    }
  }

  /** Which system this is, for messages. */
  get name(): string {
    return this.options.otelcol ? 'otelcol' : 'vigil';
  }

  /** Polls the health check until 200 (otelcol: its log until it says it is ready); fails with the daemon's output if it exits or times out. */
  async waitHealthy(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.exitCode !== undefined) throw new Error(`${this.name} exited with ${this.exitCode}:\n${this.tail()}`);
      if (this.options.otelcol) {
        if (this.tail(1 << 20).includes(OTELCOL_READY)) return;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      try {
        const res = await fetch(`http://127.0.0.1:${this.options.healthPort}/`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    this.child.kill('SIGKILL');
    throw new Error(`${this.name} did not become healthy in ${timeoutMs} ms:\n${this.tail()}`);
  }

  /** The self-metrics, summed per name; empty if the endpoint does not answer within 2 s. */
  async scrape(): Promise<Map<string, number>> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.options.metricsPort}/metrics`, { signal: AbortSignal.timeout(2000) });
      return parsePrometheus(await res.text());
    } catch {
      return new Map();
    }
  }

  /** SIGTERM (drain), SIGKILL after `graceMs`; resolves with the exit code (-1 when killed by a signal). */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
