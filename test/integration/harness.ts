/**
 * What the Kafka integration suites share: the daemon's YAML (otlp → batch → file on a Kafka stage
 * log), starting daemons whose output is printed when the test fails, reading back which spans
 * reached the output files, and bounded waits. Black-box only: config in, OTLP in, files,
 * health and self-metrics out.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Test } from 'tap';
import { parsePrometheus } from '../../bench/daemon.js';
import { Daemon, freePort } from '../daemon.js';
import { waitUntil } from '../wait.js';

/** Where one daemon listens. */
export interface Ports {
  grpc: number;
  http: number;
  health: number;
  metrics: number;
}

/** Four distinct free ports. */
export async function daemonPorts(): Promise<Ports> {
  const seen = new Set<number>();
  while (seen.size < 4) seen.add(await freePort());
  const [grpc, http, health, metrics] = [...seen] as [number, number, number, number];
  return { grpc, http, health, metrics };
}

/** A name no other test run uses (topic prefixes, group ids). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/** One daemon's settings. */
export interface DaemonSpec {
  ports: Ports;
  brokers: string[];
  topicPrefix: string;
  groupId: string;
  /** The file exporter's path (append: true, so a restarted daemon keeps what its predecessor wrote). */
  file: string;
  partitions?: number;
  sessionTimeout?: string;
}

/**
 * `VIGIL_IT_QUEUE=memory` runs the suites on the embedded queue instead: a negative control that
 * shows the suites can fail (the memory queue loses what a crash interrupts, and two daemons do not
 * share traces), and a way to check the harness while the Kafka log is absent.
 */
const QUEUE = process.env.VIGIL_IT_QUEUE === 'memory' ? 'memory' : 'kafka';

/** otlp (gRPC + HTTP) → batch → file, on a Kafka stage log, with health check and self-metrics. */
export function daemonYaml(s: DaemonSpec): string {
  const queue = QUEUE === 'memory'
    ? '  queue: { type: memory, memory: { partitions: 4 } }'
    : `  queue:
    type: kafka
    kafka:
      brokers: [${s.brokers.map((b) => JSON.stringify(b)).join(', ')}]
      topic_prefix: ${JSON.stringify(s.topicPrefix)}
      group_id: ${JSON.stringify(s.groupId)}
      partitions: ${s.partitions ?? 4}
      session_timeout: ${s.sessionTimeout ?? '6s'}`;
  return `receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${s.ports.grpc} }
      http: { endpoint: 127.0.0.1:${s.ports.http} }
processors:
  batch: { timeout: 100ms }
exporters:
  file: { path: ${JSON.stringify(s.file)}, append: true }
extensions:
  health_check: { endpoint: 127.0.0.1:${s.ports.health} }
service:
  extensions: [health_check]
  shutdown_timeout: 15s
${queue}
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:${s.ports.metrics} }
  pipelines:
    traces: { receivers: [otlp], processors: [batch], exporters: [file] }
`;
}

/** The last part of what a daemon printed. */
export function daemonTail(d: Daemon, lines = 40): string {
  const tail = (s: string): string => s.split('\n').slice(-lines).join('\n');
  return `--- stderr (tail) ---\n${tail(d.stderr)}\n--- stdout (tail) ---\n${tail(d.stdout)}`;
}

/**
 * Starts a daemon for `spec`, waits for its health check, and registers with `t`: SIGKILL at the
 * end, and its output tail on stderr when the test failed.
 */
export async function startDaemon(t: Test, label: string, spec: DaemonSpec): Promise<Daemon> {
  return startDaemonWith(t, label, daemonYaml(spec), spec.ports.health);
}

/** startDaemon for any YAML (with a health_check on `healthPort`), and optionally another build of the command. */
export async function startDaemonWith(t: Test, label: string, yaml: string, healthPort: number, entry?: string): Promise<Daemon> {
  let daemon: Daemon;
  try {
    daemon = await Daemon.start(yaml, healthPort, [], {}, entry);
  } catch (err) {
    throw new Error(`${label} did not start: ${err instanceof Error ? err.message.slice(-6000) : String(err)}`, { cause: err });
  }
  // Should the test process die without its teardown (a tap timeout), the daemon must not outlive it.
  const killOnExit = (): void => void daemon.child.kill('SIGKILL');
  process.once('exit', killOnExit);
  t.teardown(async () => {
    if (!t.passing()) process.stderr.write(`\n===== ${t.name}: ${label} (pid ${daemon.pid}) =====\n${daemonTail(daemon)}\n`);
    await daemon.stop('SIGKILL');
    process.removeListener('exit', killOnExit);
  });
  return daemon;
}

/** Ends a daemon with `signal`; SIGKILL when it has not exited after `timeoutMs`. Resolves with its exit code, 'hung' if it had to be killed. */
export async function stopDaemon(daemon: Daemon, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 25_000): Promise<number | null | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => { timer = setTimeout(() => resolve('hung'), timeoutMs); });
  const outcome = await Promise.race([daemon.stop(signal), hung]);
  clearTimeout(timer);
  if (outcome === 'hung') await daemon.stop('SIGKILL');
  return outcome;
}

/** A span as it reached the output files. */
export interface Written {
  traceId: string;
  /** How many times it was written (more than 1: redelivered). */
  copies: number;
  /** The files it is in. */
  files: Set<string>;
}

interface JsonRequest {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ traceId?: string; spanId?: string }> }> }>;
}

function parseRequests(line: string): { requests: JsonRequest[]; torn: number } {
  try {
    return { requests: [JSON.parse(line) as JsonRequest], torn: 0 };
  } catch {
    // A kill -9 can leave half a line, and an appending successor continues on it: split where requests begin.
    const requests: JsonRequest[] = [];
    let torn = 0;
    for (const piece of line.split(/(?=\{"resourceSpans")/)) {
      try {
        requests.push(JSON.parse(piece) as JsonRequest);
      } catch {
        torn++;
      }
    }
    return { requests, torn };
  }
}

/** Every span in the file exporters' OTLP/JSON output files, keyed by span id; `torn` counts unreadable fragments. */
export function readSpans(files: string[]): { spans: Map<string, Written>; torn: number } {
  const spans = new Map<string, Written>();
  let torn = 0;
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line === '') continue;
      const parsed = parseRequests(line);
      torn += parsed.torn;
      for (const req of parsed.requests) {
        for (const rs of req.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) {
          if (!s.spanId) continue;
          const w = spans.get(s.spanId) ?? { traceId: s.traceId ?? '', copies: 0, files: new Set<string>() };
          w.copies++;
          w.files.add(file);
          spans.set(s.spanId, w);
        }
      }
    }
  }
  return { spans, torn };
}

/** Span ids in `acked` that are not in `written`. */
export function missing(acked: Iterable<string>, written: Map<string, Written>): string[] {
  const out: string[] = [];
  for (const id of acked) if (!written.has(id)) out.push(id);
  return out;
}

/** Copies beyond the first, summed over all spans: what redelivery wrote twice. */
export function duplicates(written: Map<string, Written>): number {
  let n = 0;
  for (const w of written.values()) n += w.copies - 1;
  return n;
}

/**
 * Waits (at most `timeoutMs`) until every acknowledged span is in one of `files`; resolves with what
 * is still missing, the files' contents and how long it took.
 */
export async function waitDelivered(acked: Iterable<string>, files: string[], timeoutMs: number): Promise<{ lost: string[]; spans: Map<string, Written>; torn: number; ms: number }> {
  const ids = [...acked];
  const start = Date.now();
  let read = readSpans(files);
  await waitUntil(() => {
    read = readSpans(files);
    return missing(ids, read.spans).length === 0;
  }, timeoutMs, 250);
  return { lost: missing(ids, read.spans), spans: read.spans, torn: read.torn, ms: Date.now() - start };
}

/** The health check's status code, 0 when it does not answer within a second. */
export async function healthStatus(port: number): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** The daemon's self-metrics summed per name; empty when the endpoint does not answer. */
export async function selfMetrics(port: number): Promise<Map<string, number>> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) });
    return parsePrometheus(await res.text());
  } catch {
    return new Map();
  }
}
