/**
 * The steady file scenario (issue 14): `otlp → batch → file` at a fixed offered rate for a long
 * window, with the spans written to the file counted every second. Saturation hides stalls (the
 * generator just waits); a fixed rate shows them as seconds in which delivery falls behind. The
 * same scenario runs on the otelcol peer right after, so a dip both show is the method, not vigil.
 */
import { BenchDaemon, freePorts } from './daemon.js';
import { daemonYaml, otelcolYaml } from './daemon-config.js';
import { countFileSpans, fileSize } from './file-count.js';
import type { LoadGen } from './ipc.js';
import { measuredPhase, type Measured } from './measure.js';
import { sampleProc } from './proc-stats.js';

/** What the steady scenario needs from the run's settings. */
export interface SteadyContext {
  gen: LoadGen;
  warmupMs: number;
  /** The steady window: 2 minutes for the figure in the README, shorter while developing. */
  durationMs: number;
  rate: number;
  nodeArgs: string[];
  log: (line: string) => void;
}

/** One second of the window: spans written to the file, and the daemon's CPU in it. */
export interface SteadySecond {
  spans: number;
  cpuSeconds: number;
}

/**
 * The batch processor of this scenario. With otelcol's default 8192-span batches a 20,000 spans/s
 * stream is written 2.4 times a second, so a one-second sample holds 2 or 3 batches (16,384 or
 * 24,576 spans) and a batch split by a sample edge reads as a 12,000-span second without any stall
 * (measured 2026-11-26, vigil and otelcol alike). 2048-span batches put ~10 writes in every second,
 * so the sample's quantum is 10 % of the rate and the 20 % floor speaks about stalls only.
 */
export const STEADY_BATCH = '{ send_batch_size: 2048, send_batch_max_size: 2048, timeout: 200ms }';

/** The steady scenario's result; delivery figures are spans written per second. */
export interface FileSteadyResult {
  system: 'vigil' | 'otelcol';
  offered: number;
  durationMs: number;
  seconds: SteadySecond[];
  min: number;
  median: number;
  max: number;
  measured: Measured;
  /** Daemon CPU seconds per million spans written over the window. */
  cpuPerMillion: number;
  fileSpans: number;
  ackedTotal: number;
  exitCode: number | null;
}

/** Median of a list (the lower middle for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? 0;
}

/**
 * Per-second spans from file sizes sampled about a second apart, scaled to exactly one second, and
 * converted with the file's bytes per span.
 */
export function perSecond(samples: ReadonlyArray<{ atMs: number; bytes: number; cpuSeconds: number }>, bytesPerSpan: number): SteadySecond[] {
  const out: SteadySecond[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const secs = (b.atMs - a.atMs) / 1000;
    if (secs <= 0 || bytesPerSpan <= 0) continue;
    out.push({ spans: (b.bytes - a.bytes) / bytesPerSpan / secs, cpuSeconds: (b.cpuSeconds - a.cpuSeconds) / secs });
  }
  return out;
}

/**
 * Runs the file pipeline at `ctx.rate` over gRPC and samples the file every second of the window;
 * on vigil, or on the otelcol binary `otelcol` with the same receivers, batch and exporter.
 */
export async function fileSteady(ctx: SteadyContext, dir: string, otelcol?: string): Promise<FileSteadyResult> {
  const system = otelcol ? 'otelcol' : 'vigil';
  const path = `${dir}/bench-steady-${system}-${Date.now().toString(36)}.jsonl`;
  const [grpc, http, health, metrics] = (await freePorts(4)) as [number, number, number, number];
  const ports = { grpc, http, health, metrics };
  const exporter = { kind: 'file', path } as const;
  const daemon = await BenchDaemon.start(otelcol
    ? { yaml: otelcolYaml(ports, exporter, STEADY_BATCH), healthPort: health, metricsPort: metrics, otelcol }
    : { yaml: daemonYaml(ports, exporter, { type: 'memory' }, STEADY_BATCH), healthPort: health, metricsPort: metrics, nodeArgs: ctx.nodeArgs });
  const samples: Array<{ atMs: number; bytes: number; cpuSeconds: number }> = [];
  const sample = (): void => { samples.push({ atMs: performance.now(), bytes: fileSize(path), cpuSeconds: sampleProc(daemon.pid).cpuSeconds }); };
  let timer: NodeJS.Timeout | undefined;
  try {
    ctx.log(`file-steady (${system}): ${ctx.rate} spans/s over grpc for ${ctx.durationMs / 1000} s`);
    const spec = { transport: 'grpc' as const, targets: [`127.0.0.1:${grpc}`], mode: 'rate' as const, concurrency: 8, rateSpansPerSec: ctx.rate, warmupMs: ctx.warmupMs, durationMs: ctx.durationMs };
    const measured = await measuredPhase(ctx.gen, [daemon], spec, (mark) => {
      sample();
      if (mark === 'start') timer = setInterval(sample, 1000);
      else clearInterval(timer);
    });
    const exitCode = await daemon.stop();
    const { spans, bytes } = await countFileSpans(path);
    const seconds = perSecond(samples, spans > 0 ? bytes / spans : 0);
    const rates = seconds.map((s) => s.spans);
    const windowSpans = rates.reduce((a, b) => a + b, 0);
    const cpu = seconds.reduce((a, s) => a + s.cpuSeconds, 0);
    return {
      system, offered: ctx.rate, durationMs: ctx.durationMs, seconds, min: Math.min(...rates), median: median(rates), max: Math.max(...rates), measured,
      cpuPerMillion: windowSpans > 0 ? (cpu / windowSpans) * 1e6 : Infinity, fileSpans: spans, ackedTotal: measured.phase.ackedSpans, exitCode,
    };
  } finally {
    clearInterval(timer);
    await daemon.stop();
  }
}
