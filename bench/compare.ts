/**
 * vigil against the real OpenTelemetry Collector on the same machine, in the same run (issue 13):
 * every path runs on a fresh daemon of each system in turn, the order alternating between
 * repetitions so a change in the machine's load hits both alike. Same pipeline YAML sections, same
 * generator, same sink. The figures per path are the median and the spread over the repetitions.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { chainRun, holdRun, type ChainMeasure } from './compare-chain.js';
import { chainLadder, matchedRate, sustainedRate, verdict, type RateStep } from './compare-chain-rate.js';
import { kafkaPath } from './compare-kafka.js';
import { BenchDaemon, freePorts } from './daemon.js';
import { daemonYaml, otelcolYaml, type ExportSpec } from './daemon-config.js';
import { countFileSpans, fileSize } from './file-count.js';
import { measuredPhase, peakRss, waitForSink, type Measured } from './measure.js';
import type { BenchContext } from './scenarios.js';
import type { PhaseSpec } from './phase.js';

/** The two systems compared. */
export type System = 'vigil' | 'otelcol';

/**
 * The paths of issue 13's table (`kafka-20k` only when a broker is given), and issue 10's analytics
 * chain: at saturation (`chain`), at offered rates each system sustains (`chain-rate`, where issue
 * 10's ratios are read), holding traces, and on Kafka (vigil's alone: otelcol has no stage log) at
 * saturation (`chain-kafka`) and at 60,000 spans/s offered, judged as a rung of chain-rate's ladder
 * (`chain-kafka-rate`: everything acknowledged, kept and drained, no backlog). Each but `file` can
 * also be run alone by name (`--only chain,kafka-20k`).
 */
export const COMPARE_PATHS = ['forward-grpc', 'forward-http', 'file', 'steady-10k', 'kafka-20k', 'chain', 'chain-rate', 'hold-traces', 'chain-kafka', 'chain-kafka-rate'] as const;
/** One of them. */
export type ComparePath = typeof COMPARE_PATHS[number];
/** Paths that need a broker. */
const KAFKA_PATHS: readonly ComparePath[] = ['kafka-20k', 'chain-kafka', 'chain-kafka-rate'];
/** The rate `chain-kafka-rate` offers: issue 10's target on the Kafka queue. */
export const KAFKA_CHAIN_RATE = 60_000;
/** What `compare` runs: every path. */
export const DEFAULT_COMPARE_PATHS: readonly ComparePath[] = COMPARE_PATHS;

/** What one run of one path on one system measured. */
export interface PathRun {
  path: ComparePath;
  system: System;
  repetition: number;
  /** Spans/s through the pipeline: counted at the sink, or written to the file. */
  spansPerSec: number;
  /** Daemon CPU-seconds (user + system, every thread) per million spans through it. */
  cpuSecondsPerMillion: number;
  /** Share of one core the daemon used over the window. */
  coreShare: number;
  peakRssBytes: number;
  /** Send → OK of the requests in the window, ms. */
  p99Ms: number;
  refused: number;
  /** chain: spans/s acknowledged, spans/s the sampler kept (at the sink), their share of the spans in, and the seconds to drain after the load. */
  ackedPerSec?: number;
  keptPerSec?: number;
  keptShare?: number;
  drainSeconds?: number;
  /** chain-rate: the highest offered rate both systems sustained, at which CPU, RSS and p99 were read. */
  matchedPerSec?: number;
  /** chain-kafka-rate: the offered rate when the run did everything asked at it (chain-rate's verdict), else 0. */
  offeredSustained?: number;
}

const STEADY_RATE = 10_000;
const DRAIN_TIMEOUT_MS = 30_000;

/**
 * Runs every path `repetitions` times on both systems; `otelcol` is the peer binary. A failed run is
 * reported through `onError` and skipped, so one bad start does not lose the rest.
 */
export async function compareWithOtelcol(ctx: BenchContext, otelcol: string, repetitions: number, tmp: string, brokers: string[] | undefined, onError: (message: string) => void,
  only: readonly ComparePath[] = DEFAULT_COMPARE_PATHS): Promise<PathRun[]> {
  const runs: PathRun[] = [];
  const paths = only.filter((p) => !KAFKA_PATHS.includes(p) || brokers);
  for (let rep = 1; rep <= repetitions; rep++) {
    const order: System[] = rep % 2 === 1 ? ['vigil', 'otelcol'] : ['otelcol', 'vigil'];
    for (const path of paths) {
      if (path === 'chain-rate') {
        runs.push(...await chainRateRuns(ctx, otelcol, order, rep));
        continue;
      }
      for (const system of order) {
        if ((path === 'chain-kafka' || path === 'chain-kafka-rate') && system === 'otelcol') continue;
        const peer = system === 'otelcol' ? otelcol : undefined;
        try {
          if (path === 'kafka-20k') {
            ctx.log(`compare #${rep} ${path}: ${system}`);
            const k = await kafkaPath(ctx, brokers!, peer);
            runs.push(result(path, system, rep, k.measured, k.measured.sinkWindowSpans, k.peakRssBytes));
            continue;
          }
          if (path === 'chain-kafka-rate') {
            ctx.log(`compare #${rep} ${path}: ${system} at ${KAFKA_CHAIN_RATE} spans/s`);
            const measure = await chainRun(ctx, undefined, brokers, KAFKA_CHAIN_RATE);
            const why = verdict(KAFKA_CHAIN_RATE, measure);
            ctx.log(`compare #${rep} ${path}: ${why.length === 0 ? 'sustained' : `not sustained (${why.join('; ')})`}`);
            runs.push({ ...chainResult(path, system, rep, measure), offeredSustained: why.length === 0 ? KAFKA_CHAIN_RATE : 0 });
            continue;
          }
          if (path === 'chain' || path === 'hold-traces' || path === 'chain-kafka') {
            ctx.log(`compare #${rep} ${path}: ${system}`);
            const measure = path === 'hold-traces' ? await holdRun(ctx, peer) : await chainRun(ctx, peer, path === 'chain-kafka' ? brokers : undefined);
            runs.push(chainResult(path, system, rep, measure));
            continue;
          }
          runs.push(await runPath(ctx, peer, path, rep, tmp));
        } catch (err) {
          onError(`compare ${path} ${system} #${rep}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
  }
  return runs;
}

async function runPath(ctx: BenchContext, otelcol: string | undefined, path: ComparePath, repetition: number, tmp: string): Promise<PathRun> {
  const system: System = otelcol ? 'otelcol' : 'vigil';
  const [grpc, http, health, metrics] = (await freePorts(4)) as [number, number, number, number];
  const ports = { grpc, http, health, metrics };
  const file = join(tmp, `vigil-compare-${system}-${Date.now().toString(36)}.json`);
  const exporter: ExportSpec = path === 'file' ? { kind: 'file', path: file } : { kind: 'sink', port: ctx.gen.sinkPort };
  const yaml = otelcol ? otelcolYaml(ports, exporter) : daemonYaml(ports, exporter, { type: 'memory' });
  const daemon = await BenchDaemon.start({ yaml, healthPort: health, metricsPort: metrics, ...(otelcol ? { otelcol } : { nodeArgs: ctx.nodeArgs }) });
  try {
    await ctx.gen.resetSink();
    const transport = path === 'forward-http' ? 'http' : 'grpc';
    const spec: PhaseSpec = {
      transport, targets: [`127.0.0.1:${transport === 'grpc' ? grpc : http}`], concurrency: ctx.concurrency,
      warmupMs: ctx.warmupMs, durationMs: ctx.durationMs,
      ...(path === 'steady-10k' ? { mode: 'rate', rateSpansPerSec: STEADY_RATE } : { mode: 'saturation' }),
    };
    ctx.log(`compare #${repetition} ${path}: ${system}`);
    const sizes: number[] = [];
    const m = await measuredPhase(ctx.gen, [daemon], spec, () => sizes.push(fileSize(file)));
    const peak = peakRss([daemon]);
    let spans = m.sinkWindowSpans;
    if (path === 'file') {
      await daemon.stop();
      const counted = await countFileSpans(file);
      spans = counted.spans > 0 ? (sizes[1]! - sizes[0]!) / (counted.bytes / counted.spans) : 0;
    } else {
      // Everything acknowledged must come out, on both systems, or the throughput flatters.
      const drained = await waitForSink(ctx.gen, m.phase.ackedSpans, performance.now(), DRAIN_TIMEOUT_MS);
      if (drained.ms < 0) throw new Error(`${m.phase.ackedSpans} spans acknowledged, ${drained.sinkSpans} reached the sink`);
    }
    return result(path, system, repetition, m, spans, peak);
  } finally {
    await daemon.stop();
    rmSync(file, { force: true });
  }
}

function result(path: ComparePath, system: System, repetition: number, m: Measured, windowSpans: number, peakRssBytes: number): PathRun {
  return {
    path, system, repetition,
    spansPerSec: windowSpans / m.wallSeconds,
    cpuSecondsPerMillion: windowSpans > 0 ? m.daemonCpuSeconds / windowSpans * 1e6 : Number.POSITIVE_INFINITY,
    coreShare: m.daemonCoreShare,
    peakRssBytes,
    p99Ms: m.phase.latency.p99,
    refused: m.phase.refusedRequests,
  };
}

/** Both systems' ladders (`compare-chain-rate.ts`), one after the other in `order`, as one run each. */
async function chainRateRuns(ctx: BenchContext, otelcol: string, order: System[], repetition: number): Promise<PathRun[]> {
  const ladders = new Map<System, RateStep[]>();
  for (const system of order) ladders.set(system, await chainLadder(ctx, system === 'otelcol' ? otelcol : undefined, `compare #${repetition} chain-rate: ${system}`));
  const matched = matchedRate(ladders.get('vigil')!, ladders.get('otelcol')!);
  return order.map((system) => {
    const steps = ladders.get(system)!;
    const at = steps.find((s) => s.sustained && s.rate === matched)?.measure;
    const m = at?.measured;
    return {
      path: 'chain-rate', system, repetition, spansPerSec: sustainedRate(steps), matchedPerSec: matched,
      cpuSecondsPerMillion: m && m.phase.windowAckedSpans > 0 ? m.daemonCpuSeconds / m.phase.windowAckedSpans * 1e6 : Number.NaN,
      coreShare: m?.daemonCoreShare ?? Number.NaN, peakRssBytes: at?.peakRssBytes ?? Number.NaN, p99Ms: m?.phase.latency.p99 ?? Number.NaN, refused: 0,
      ...(at ? { keptPerSec: at.keptPerSec, keptShare: at.keptShare } : {}),
    };
  });
}

function chainResult(path: ComparePath, system: System, repetition: number, c: ChainMeasure): PathRun {
  const m = c.measured;
  // Per span that went in and was processed: the CPU the window took over the spans it sustained.
  const spans = c.sustainedPerSec * m.wallSeconds;
  return {
    path, system, repetition, spansPerSec: c.sustainedPerSec,
    cpuSecondsPerMillion: spans > 0 ? m.daemonCpuSeconds / spans * 1e6 : Number.POSITIVE_INFINITY,
    coreShare: m.daemonCoreShare, peakRssBytes: c.peakRssBytes, p99Ms: m.phase.latency.p99, refused: m.phase.refusedRequests,
    ...(path !== 'hold-traces' ? { ackedPerSec: m.ackRate, keptPerSec: c.keptPerSec, keptShare: c.keptShare, drainSeconds: c.drainSeconds } : {}),
  };
}

/** Median and range of one figure over repetitions. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** The spread of `values` (empty: NaN). */
export function spread(values: number[]): Spread {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { median, min: v[0]!, max: v[v.length - 1]! };
}

/** One row of the ratio table: a figure of a path on both systems, and vigil's median over otelcol's. */
export interface RatioRow {
  path: ComparePath;
  figure: 'spans/s' | 'CPU-s per M spans' | 'peak RSS MiB' | 'p99 ms' | 'CPU % of a core' | 'kept spans/s' | 'kept %' | 'drain s' | 'acked spans/s' | 'rate both sustained' | 'offered rate sustained';
  vigil: Spread;
  otelcol: Spread;
  ratio: number;
}

const FIGURES: Record<ComparePath, RatioRow['figure'][]> = {
  'forward-grpc': ['spans/s', 'CPU-s per M spans', 'peak RSS MiB'],
  'forward-http': ['spans/s', 'CPU-s per M spans', 'peak RSS MiB'],
  file: ['spans/s', 'CPU-s per M spans', 'peak RSS MiB'],
  'steady-10k': ['CPU % of a core', 'CPU-s per M spans', 'peak RSS MiB', 'p99 ms'],
  'kafka-20k': ['spans/s', 'CPU-s per M spans', 'peak RSS MiB', 'p99 ms'],
  // spans/s: sustained spans in; kept: what tail_sampling let through to the sink.
  chain: ['spans/s', 'acked spans/s', 'kept spans/s', 'kept %', 'CPU-s per M spans', 'peak RSS MiB', 'drain s'],
  // spans/s: the highest offered rate sustained; the rest read at the highest rate both sustained.
  'chain-rate': ['spans/s', 'rate both sustained', 'CPU-s per M spans', 'peak RSS MiB', 'p99 ms'],
  // spans/s: how fast the 1 M spans were taken in.
  'hold-traces': ['peak RSS MiB', 'spans/s'],
  'chain-kafka': ['spans/s', 'acked spans/s', 'kept spans/s', 'kept %', 'CPU-s per M spans', 'peak RSS MiB', 'drain s'],
  // offered rate sustained: KAFKA_CHAIN_RATE when chain-rate's verdict passed, else 0.
  'chain-kafka-rate': ['offered rate sustained', 'spans/s', 'acked spans/s', 'kept %', 'CPU-s per M spans', 'peak RSS MiB', 'p99 ms', 'drain s'],
};

function figureOf(run: PathRun, figure: RatioRow['figure']): number {
  switch (figure) {
    case 'spans/s': return run.spansPerSec;
    case 'CPU-s per M spans': return run.cpuSecondsPerMillion;
    case 'peak RSS MiB': return run.peakRssBytes / (1024 * 1024);
    case 'p99 ms': return run.p99Ms;
    case 'CPU % of a core': return run.coreShare * 100;
    case 'kept spans/s': return run.keptPerSec ?? Number.NaN;
    case 'acked spans/s': return run.ackedPerSec ?? Number.NaN;
    case 'kept %': return (run.keptShare ?? Number.NaN) * 100;
    case 'drain s': return run.drainSeconds ?? Number.NaN;
    case 'rate both sustained': return run.matchedPerSec ?? Number.NaN;
    case 'offered rate sustained': return run.offeredSustained ?? Number.NaN;
  }
}

/** The ratio table of `runs`, for the paths that ran. */
export function ratioTable(runs: PathRun[]): RatioRow[] {
  const rows: RatioRow[] = [];
  for (const path of COMPARE_PATHS.filter((p) => runs.some((r) => r.path === p))) {
    for (const figure of FIGURES[path]) {
      const of = (system: System): Spread => spread(runs.filter((r) => r.path === path && r.system === system).map((r) => figureOf(r, figure)));
      const vigil = of('vigil');
      const otelcol = of('otelcol');
      rows.push({ path, figure, vigil, otelcol, ratio: vigil.median / otelcol.median });
    }
  }
  return rows;
}
