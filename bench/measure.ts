/**
 * Runs a load phase against running daemons and measures it from outside: the sink's count and
 * /proc samples of the daemons and the generator taken at the edges of the steady window, plus
 * the daemons' own self-metrics as a cross-check.
 */
import type { BenchDaemon } from './daemon.js';
import type { LoadGen } from './ipc.js';
import type { PhaseResult, PhaseSpec } from './phase.js';
import { cpuBetween, sampleProc, type ProcSample } from './proc-stats.js';
import type { SinkCounts } from './sink.js';

/** Everything one phase measured. Rates are spans per second over the steady window. */
export interface Measured {
  phase: PhaseResult;
  wallSeconds: number;
  /** Spans the sink counted inside the window (0 without a sink). */
  sinkWindowSpans: number;
  sinkRate: number;
  ackRate: number;
  daemonCpuSeconds: number;
  daemonCoreShare: number;
  /** VmRSS / VmHWM summed over the daemons at the end of the window. */
  daemonRssBytes: number;
  daemonHwmBytes: number;
  generatorCoreShare: number;
  /** The daemons' own otelcol_process_cpu_seconds over the window, for comparison with /proc. */
  selfReportedCpuSeconds: number;
  selfReportedRssBytes: number;
}

interface Edge {
  daemons: ProcSample[];
  generator: ProcSample;
  sink: SinkCounts;
  self: Promise<Array<Map<string, number>>>;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** Runs `spec` and measures it; `onEdge` sees each window edge (the file scenario samples the file size there). */
export async function measuredPhase(gen: LoadGen, daemons: BenchDaemon[], spec: PhaseSpec, onEdge?: (mark: 'start' | 'end') => void): Promise<Measured> {
  const edges: Partial<Record<'start' | 'end', Edge>> = {};
  const { result } = await gen.phase(spec, (mark, sink) => {
    edges[mark] = {
      daemons: daemons.map((d) => sampleProc(d.pid)),
      generator: sampleProc(gen.pid),
      sink,
      self: Promise.all(daemons.map((d) => d.scrape())),
    };
    onEdge?.(mark);
  });
  const a = edges.start;
  const b = edges.end;
  if (!a || !b) throw new Error('the steady window never started or ended');
  const wallSeconds = (b.generator.atMs - a.generator.atMs) / 1000;
  const daemonCpuSeconds = sum(b.daemons.map((s, i) => s.cpuSeconds - a.daemons[i]!.cpuSeconds));
  const [selfA, selfB] = await Promise.all([a.self, b.self]);
  const selfCpu = (ms: Array<Map<string, number>>): number => sum(ms.map((m) => m.get('otelcol_process_cpu_seconds') ?? 0));
  const sinkWindowSpans = b.sink.spans - a.sink.spans;
  return {
    phase: result,
    wallSeconds,
    sinkWindowSpans,
    sinkRate: sinkWindowSpans / wallSeconds,
    ackRate: result.windowAckedSpans / result.windowSeconds,
    daemonCpuSeconds,
    daemonCoreShare: daemonCpuSeconds / wallSeconds,
    daemonRssBytes: sum(b.daemons.map((s) => s.rssBytes)),
    daemonHwmBytes: sum(b.daemons.map((s) => s.hwmBytes)),
    generatorCoreShare: cpuBetween(a.generator, b.generator).coreShare,
    selfReportedCpuSeconds: selfCpu(selfB) - selfCpu(selfA),
    selfReportedRssBytes: sum(selfB.map((m) => m.get('otelcol_process_memory_rss') ?? 0)),
  };
}

/**
 * Polls the sink until it has counted `spans` (everything acknowledged reached it); resolves with the
 * milliseconds that took from `sinceMs` (performance.now() time), or -1 after `timeoutMs`.
 */
export async function waitForSink(gen: LoadGen, spans: number, sinceMs: number, timeoutMs: number): Promise<{ ms: number; sinkSpans: number }> {
  const until = performance.now() + timeoutMs;
  let counted = 0;
  while (performance.now() < until) {
    counted = (await gen.sink()).spans;
    if (counted >= spans) return { ms: performance.now() - sinceMs, sinkSpans: counted };
    await new Promise((r) => setTimeout(r, 25));
  }
  return { ms: -1, sinkSpans: counted };
}

/**
 * The self-metric holding a daemon's consumer lag on the Kafka stage log: records between the last
 * one fetched and the high watermark, per partition (summed here).
 */
export const CONSUMER_LAG_METRIC = 'vigil_kafka_consumer_lag';

/**
 * Polls the daemons' self-metrics until their consumer lag sums to zero; resolves with the ms that
 * took from `sinceMs`, -1 after `timeoutMs`, or null when no daemon exports the gauge.
 */
export async function waitForLagZero(daemons: BenchDaemon[], sinceMs: number, timeoutMs: number): Promise<number | null> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const lags = (await Promise.all(daemons.map((d) => d.scrape()))).map((m) => m.get(CONSUMER_LAG_METRIC));
    if (lags.every((l) => l === undefined)) return null;
    if (lags.every((l) => l === 0 || l === undefined)) return performance.now() - sinceMs;
    await new Promise((r) => setTimeout(r, 100));
  }
  return -1;
}

/** Peak resident set (VmHWM) summed over the daemons, read now. */
export function peakRss(daemons: BenchDaemon[]): number {
  return sum(daemons.map((d) => sampleProc(d.pid).hwmBytes));
}
