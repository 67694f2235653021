/**
 * `alert-latency` (issue 12): how long after the breaching data point is sent a person hears of it.
 * The real daemon runs `otlp → alert_rules → events → webhook`, the webhook pointed at a sink in
 * this process. A generator sends one OTLP/HTTP request every `tickMs` with a gauge point per
 * series, stamped with the wall clock (event time = when it was measured, as an SDK stamps it).
 * Series i starts breaching (`bench_value > 100`) at its own moment, `staggerMs` after the previous,
 * so the breaches fall at every phase of the evaluation interval. Latency of series i = the
 * webhook's firing request for it reaching the sink − the start of the request that carried its
 * first breaching point. It can be no less than `for`: the rule sees the breach at the next
 * evaluation (group interval boundary in event time), pends, and fires at the first evaluation
 * `for` later; that evaluation runs once the watermark passes the boundary, i.e. when the next
 * request arrives (within `tickMs`). So latency ≈ `for` + (0…interval) + up to `tickMs` + the
 * daemon's own processing and delivery.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsBuilder } from '../pdata/index.js';
import { BenchDaemon, freePorts } from './daemon.js';

/** What an alert-latency run is asked for. */
export interface AlertLatencyOptions {
  /** Distinct series, each breaching once: one alert each. */
  readonly alerts: number;
  readonly forS: number;
  /** The rule group's evaluation interval. */
  readonly intervalS: number;
  /** How often the generator sends (every series' point each time). */
  readonly tickMs: number;
  /** Time between two series' breaches. */
  readonly staggerMs: number;
  readonly nodeArgs: string[];
  readonly log: (line: string) => void;
}

/** The default run: 100 alerts, `for: 10s`, evaluated every second, points every 250 ms, breaches 300 ms apart. */
export const ALERT_LATENCY_DEFAULTS = { alerts: 100, forS: 10, intervalS: 1, tickMs: 250, staggerMs: 300 } as const;

/** The result of an alert-latency run; times in ms. */
export interface AlertLatencyResult {
  readonly alerts: number;
  readonly notified: number;
  readonly forS: number;
  readonly intervalS: number;
  readonly tickMs: number;
  readonly staggerMs: number;
  /** Send of the first breaching point → webhook request at the sink, per notified alert, sorted. */
  readonly latenciesMs: number[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Latency minus `for`: what the pipeline and the interval add. */
  readonly p99OverForMs: number;
  /** The generator's requests: send → OTLP response, p99. */
  readonly ackP99Ms: number;
  /** Webhook requests at the sink that were not a first firing (duplicates or resolves): should be 0. */
  readonly otherRequests: number;
  readonly exitCode: number | null;
}

const WARMUP_MS = 3_000;
/** After the last breach, how long to wait for its notification beyond `for` + interval. */
const GRACE_MS = 20_000;

/** Exact nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The daemon's config: one rule, the webhook at the sink. */
export function latencyYaml(o: AlertLatencyOptions, ports: { http: number; health: number; metrics: number; sink: number }): string {
  return `receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${ports.http} } } }
connectors:
  events:
processors:
  alert_rules:
    forward_metrics: false
    groups:
      - name: latency
        interval: ${o.intervalS}s
        rules:
          - alert: BenchBreach
            expr: bench_value > 100
            for: ${o.forS}s
            labels: { severity: critical }
exporters:
  webhook: { endpoint: http://127.0.0.1:${ports.sink}/hook }
extensions:
  health_check: { endpoint: 127.0.0.1:${ports.health} }
service:
  extensions: [health_check]
  queue: { type: memory }
  telemetry:
    logs: { level: warn }
    metrics: { address: 127.0.0.1:${ports.metrics} }
  pipelines:
    metrics: { receivers: [otlp], processors: [alert_rules], exporters: [events] }
    logs/notify: { receivers: [events], exporters: [webhook] }
`;
}

/** The webhook sink: the arrival time of each series' first firing notification. */
class Sink {
  readonly firstFiring = new Map<string, number>();
  other = 0;
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = performance.now();
        res.writeHead(200).end();
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts?: Array<{ status?: string; labels?: Record<string, string> }> };
          for (const a of body.alerts ?? []) {
            const series = a.labels?.series;
            if (a.status === 'firing' && series !== undefined && !this.firstFiring.has(series)) this.firstFiring.set(series, at);
            else this.other++;
          }
        } catch {
          this.other++;
        }
      });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** One request: every series' point at `nowMs`, breaching (500) once its breach time has come. */
function request(o: AlertLatencyOptions, nowMs: number, breached: (i: number) => boolean): Uint8Array<ArrayBuffer> {
  const b = new MetricsBuilder();
  const scope = b.scope({ 'service.name': 'bench-alerts' }, { name: 'bench' });
  for (let i = 0; i < o.alerts; i++) {
    scope.gauge({ name: 'bench.value' }, { attributes: { series: `s${i}` }, timeUnixNano: BigInt(nowMs) * 1_000_000n, value: breached(i) ? 500 : 1 });
  }
  return new Uint8Array(b.build()!.bytes);
}

/** Runs the scenario against a fresh daemon; see the file comment. */
export async function alertLatency(o: AlertLatencyOptions): Promise<AlertLatencyResult> {
  const sink = new Sink();
  const [http, health, metrics] = (await freePorts(3)) as [number, number, number];
  const ports = { http, health, metrics, sink: await sink.listen() };
  const daemon = await BenchDaemon.start({ yaml: latencyYaml(o, ports), healthPort: health, metricsPort: metrics, nodeArgs: o.nodeArgs });
  const sentAt = new Map<string, number>();
  const acks: number[] = [];
  let exitCode: number | null;
  try {
    const began = performance.now();
    const breachAt = (i: number): number => began + WARMUP_MS + i * o.staggerMs;
    const lastBreach = breachAt(o.alerts - 1);
    const until = lastBreach + (o.forS + o.intervalS) * 1000 + GRACE_MS;
    o.log(`alert-latency: ${o.alerts} series breaching ${o.staggerMs} ms apart, for ${o.forS}s, interval ${o.intervalS}s`);
    for (let tick = 0; ; tick++) {
      const start = performance.now();
      if (sink.firstFiring.size >= o.alerts || start > until) break;
      const breached = (i: number): boolean => start >= breachAt(i);
      const body = request(o, Date.now(), breached);
      for (let i = 0; i < o.alerts; i++) if (breached(i) && !sentAt.has(`s${i}`)) sentAt.set(`s${i}`, start);
      const res = await fetch(`http://127.0.0.1:${http}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`the daemon answered ${res.status} to a metrics request`);
      acks.push(performance.now() - start);
      // Paced on the schedule, not on the previous request's end: a slow answer does not stretch the ticks.
      const next = began + (tick + 1) * o.tickMs;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
  } finally {
    exitCode = await daemon.stop();
    await sink.close();
  }
  if (sink.firstFiring.size === 0) throw new Error(`no notification reached the webhook sink:\n${daemon.tail()}`);
  const latencies = [...sink.firstFiring].map(([s, at]) => at - (sentAt.get(s) ?? NaN)).filter(Number.isFinite).sort((a, b) => a - b);
  const p99 = percentile(latencies, 99);
  return {
    alerts: o.alerts, notified: sink.firstFiring.size, forS: o.forS, intervalS: o.intervalS, tickMs: o.tickMs, staggerMs: o.staggerMs,
    latenciesMs: latencies, p50Ms: percentile(latencies, 50), p99Ms: p99, minMs: latencies[0] ?? NaN, maxMs: latencies[latencies.length - 1] ?? NaN,
    p99OverForMs: p99 - o.forS * 1000, ackP99Ms: percentile([...acks].sort((a, b) => a - b), 99), otherRequests: sink.other, exitCode,
  };
}
