/**
 * Issue 11's "100,000 series on one daemon", through a running daemon: the real `vigil` command
 * with `otlp → anomaly (default detectors) → debug` on the embedded queue, fed an hour of 1-minute
 * points of each of 100,000 series as OTLP/HTTP protobuf requests of 500 points (retried on 429 /
 * 503, as an SDK does). Done when the processor's outgoing-items counter (its score points, one per
 * point: `pass_through: false`) reaches every point sent. Reported: the daemon's CPU (from /proc,
 * receive + decode + queue + scoring + export), wall time, its RSS idle and at the peak (VmHWM), and
 * the peak's rise per series.
 */
import { BenchDaemon, freePorts } from './daemon.js';
import { sampleProc } from './proc-stats.js';
import { MetricsBuilder } from '../pdata/index.js';
import { waitUntil } from '../test/wait.js';

/** What the run measured. */
export interface AnomalyDaemonBench {
  series: number;
  pointsEach: number;
  /** Score points the processor emitted (every point of every series when none was refused). */
  scored: number;
  wallSeconds: number;
  cpuSeconds: number;
  perCpuSecond: number;
  idleRssMiB: number;
  peakRssMiB: number;
  /** (peak − idle) RSS per series, KiB: models, queue and request buffers together. */
  kibPerSeries: number;
}

const MINUTE = 60_000;
const PER_REQUEST = 500;
const IN_FLIGHT = 4;
const T0 = Date.UTC(2026, 10, 1);
const MIB = 1024 * 1024;
const OUTGOING = 'otelcol_processor_outgoing_items_total';

const valueOf = (s: number, i: number): number => 100 + 10 * Math.sin(i / 50 + s) + 5 * Math.sin(i * 12.9898 + s * 78.233);

/** Request `r` of tick `i`: points of series r·500 … r·500+499 at minute i. */
function request(series: number, i: number, r: number): Uint8Array {
  const b = new MetricsBuilder();
  const scope = b.scope({ 'service.name': 'bench' }, { name: 'bench' });
  for (let s = r * PER_REQUEST; s < Math.min(series, (r + 1) * PER_REQUEST); s++) {
    scope.gauge({ name: 'queue.depth' }, { attributes: { series: `s${s}` }, timeUnixNano: BigInt(T0 + i * MINUTE) * 1_000_000n, value: valueOf(s, i) });
  }
  return b.build()!.bytes;
}

/**
 * POSTs `body` until the daemon accepts it: 429 and 503 ask to come back, and a connection the
 * server closed as the client reused it (keep-alive's race) is retried, as an SDK retries both.
 */
async function post(url: string, body: Uint8Array): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    let status: number;
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(body) });
      await res.arrayBuffer();
      if (res.ok) return;
      status = res.status;
    } catch (err) {
      if (attempt > 20) throw err;
      status = 0;
    }
    if ((status !== 0 && status !== 429 && status !== 503) || attempt > 600) throw new Error(`the daemon answered ${status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function yaml(p: { http: number; health: number; metrics: number }): string {
  return `receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${p.http} } } }
processors:
  anomaly: { pass_through: false, events: false }
exporters:
  debug: { verbosity: basic }
extensions:
  health_check: { endpoint: 127.0.0.1:${p.health} }
service:
  extensions: [health_check]
  queue: { type: memory }
  telemetry:
    logs: { level: warn }
    metrics: { address: 127.0.0.1:${p.metrics} }
  pipelines:
    metrics: { receivers: [otlp], processors: [anomaly], exporters: [debug] }
`;
}

/** The run; `log` reports progress. */
export async function anomalyDaemon(log: (line: string) => void, o = { series: 100_000, points: 60 }): Promise<AnomalyDaemonBench> {
  const [http, health, metrics] = (await freePorts(3)) as [number, number, number];
  const daemon = await BenchDaemon.start({ yaml: yaml({ http, health, metrics }), healthPort: health, metricsPort: metrics });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const idle = sampleProc(daemon.pid);
    const url = `http://127.0.0.1:${http}/v1/metrics`;
    const requests = Math.ceil(o.series / PER_REQUEST);
    const total = o.series * o.points;
    log(`anomaly-daemon: ${o.series} series × ${o.points} points through a running daemon`);
    // Tick by tick, as live points come: a series' points in time order.
    for (let i = 0; i < o.points; i++) {
      let next = 0;
      await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
        while (next < requests) await post(url, request(o.series, i, next++));
      }));
    }
    let scored = 0;
    await waitUntil(async () => (scored = (await daemon.scrape()).get(OUTGOING) ?? scored) >= total, 600_000, 250);
    const end = sampleProc(daemon.pid);
    const cpuSeconds = end.cpuSeconds - idle.cpuSeconds;
    return {
      series: o.series, pointsEach: o.points, scored,
      wallSeconds: (end.atMs - idle.atMs) / 1000, cpuSeconds, perCpuSecond: scored / cpuSeconds,
      idleRssMiB: idle.rssBytes / MIB, peakRssMiB: end.hwmBytes / MIB, kibPerSeries: (end.hwmBytes - idle.rssBytes) / 1024 / o.series,
    };
  } finally {
    await daemon.stop();
  }
}
