/**
 * The analytics chain side by side (issue 10): `chain` (span_metrics + tail_sampling at
 * saturation: sustained spans in, spans kept at the sink, CPU per million spans) and `hold-traces`
 * (peak RSS holding 100 000 undecided traces of 10 spans). One fresh daemon per run, as the other
 * compare paths; the same generated whole traces for both systems (`chain-requests.ts`).
 */
import { dropTopics } from '../test/kafka.js';
import { BenchDaemon, freePorts } from './daemon.js';
import { otelcolChainYaml, vigilChainYaml, type ChainKind } from './chain-config.js';
import { CHAIN_SPANS_PER_TRACE } from './chain-requests.js';
import type { LoadGen } from './ipc.js';
import type { QueueSpec } from './daemon-config.js';
import { measuredPhase, peakRss, type Measured } from './measure.js';
import type { BenchContext } from './scenarios.js';

/** What one chain or hold run measured (merged into the compare table by compare.ts). */
export interface ChainMeasure {
  measured: Measured;
  /** Spans in per second that the daemon also processed: the acknowledged rate, unless the kept spans at the sink show it fell behind. */
  sustainedPerSec: number;
  /** Spans per second the sink counted in the window: what the sampler kept. */
  keptPerSec: number;
  /** Spans at the sink over spans acknowledged, once everything was decided (~0.28 by construction). */
  keptShare: number;
  /** After the load stopped, seconds until the sink had been quiet for 2 s (decision_wait included). */
  drainSeconds: number;
  /** Span-metrics export requests the sink received. */
  metricsRequests: number;
  peakRssBytes: number;
}

/** The chain's warm-up: longer than decision_wait, so the window's kept spans are in steady state. */
const CHAIN_WARMUP_MS = 8_000;
export const DECISION_WAIT_MS = 5_000;
const QUIET_MS = 2_000;
const DRAIN_TIMEOUT_MS = 90_000;
const KAFKA_PARTITIONS = 8;
/** hold-traces: 100 000 traces of 10 spans, filled as fast as the daemon takes them, within this time. */
export const HOLD_TRACES = 100_000;
const HOLD_FILL_LIMIT_MS = 240_000;
const HOLD_SETTLE_MS = 3_000;

async function startChain(ctx: BenchContext, otelcol: string | undefined, kind: ChainKind, queue?: QueueSpec): Promise<{ daemon: BenchDaemon; grpc: number }> {
  const [grpc, http, health, metrics] = (await freePorts(4)) as [number, number, number, number];
  const ports = { grpc, http, health, metrics };
  const yaml = otelcol ? otelcolChainYaml(ports, ctx.gen.sinkPort, kind) : vigilChainYaml(ports, ctx.gen.sinkPort, kind, queue);
  const daemon = await BenchDaemon.start({ yaml, healthPort: health, metricsPort: metrics, ...(otelcol ? { otelcol } : { nodeArgs: ctx.nodeArgs }) });
  return { daemon, grpc };
}

/**
 * The chain at saturation over gRPC, or at a fixed offered rate (`compare-chain-rate.ts`).
 * Closed-loop acknowledgements alone could flatter a daemon that buffers (vigil's stage log holds a
 * gigabyte): the kept spans reaching the sink in the window, over the share kept overall, say how
 * many spans the sampler really got through, and the smaller of the two rates counts.
 */
export async function chainRun(ctx: BenchContext, otelcol: string | undefined, brokers?: string[], rateSpansPerSec?: number): Promise<ChainMeasure> {
  // On Kafka (vigil only): fresh topics and consumer group per run, deleted afterwards.
  const run = `vigil-chain-${process.pid}-${Date.now().toString(36)}`;
  const queue: QueueSpec | undefined = brokers ? { type: 'kafka', brokers, topicPrefix: run, groupId: run, partitions: KAFKA_PARTITIONS } : undefined;
  const { daemon, grpc } = await startChain(ctx, otelcol, 'chain', queue);
  try {
    await ctx.gen.resetSink();
    const measured = await measuredPhase(ctx.gen, [daemon], {
      transport: 'grpc', targets: [`127.0.0.1:${grpc}`], concurrency: ctx.concurrency,
      warmupMs: Math.max(ctx.warmupMs, CHAIN_WARMUP_MS), durationMs: ctx.durationMs, requests: 'chain',
      ...(rateSpansPerSec ? { mode: 'rate', rateSpansPerSec } : { mode: 'saturation' }),
    });
    const drain = await waitQuiet(ctx.gen, performance.now(), DECISION_WAIT_MS + 1000);
    const peakRssBytes = peakRss([daemon]);
    const keptShare = measured.phase.ackedSpans > 0 ? drain.spans / measured.phase.ackedSpans : 0;
    if (drain.metricsRequests === 0) throw new Error(`${daemon.name}: no span metrics reached the sink`);
    if (keptShare === 0) throw new Error(`${daemon.name}: no sampled span reached the sink`);
    const keptPerSec = measured.sinkRate;
    return {
      measured, keptPerSec, keptShare, peakRssBytes,
      sustainedPerSec: Math.min(measured.ackRate, keptPerSec / keptShare),
      drainSeconds: drain.ms / 1000, metricsRequests: drain.metricsRequests,
    };
  } finally {
    await daemon.stop();
    if (brokers) await dropTopics(brokers, run).catch(() => {});
  }
}

/**
 * Fills the daemon with 100 000 traces of 10 spans, none decided (decision_wait 10 min), then
 * reads its peak RSS after a short settle. A span at the sink during the fill means a trace was
 * decided early, and the run fails rather than report a smaller memory than holding them takes.
 */
export async function holdRun(ctx: BenchContext, otelcol: string | undefined): Promise<ChainMeasure> {
  const { daemon, grpc } = await startChain(ctx, otelcol, 'hold');
  try {
    await ctx.gen.resetSink();
    const maxSpans = HOLD_TRACES * CHAIN_SPANS_PER_TRACE;
    const measured = await measuredPhase(ctx.gen, [daemon], {
      transport: 'grpc', targets: [`127.0.0.1:${grpc}`], mode: 'saturation', concurrency: ctx.concurrency,
      warmupMs: 0, durationMs: HOLD_FILL_LIMIT_MS, requests: 'chain', maxSpans,
    });
    if (measured.phase.ackedSpans < maxSpans) {
      throw new Error(`${daemon.name} took ${measured.phase.ackedSpans} of ${maxSpans} spans in ${HOLD_FILL_LIMIT_MS / 1000} s (${measured.phase.refusedRequests} requests refused)`);
    }
    await new Promise((r) => setTimeout(r, HOLD_SETTLE_MS));
    const peakRssBytes = peakRss([daemon]);
    const sink = await ctx.gen.sink();
    if (sink.spans > 0) throw new Error(`${daemon.name} decided traces during the fill: ${sink.spans} spans reached the sink`);
    // The fill ends when the last span is in, before the phase's time limit: its rate is over the fill's wall time.
    return {
      measured, peakRssBytes, sustainedPerSec: measured.phase.windowAckedSpans / measured.wallSeconds, keptPerSec: 0, keptShare: 0, drainSeconds: 0, metricsRequests: sink.metricsRequests,
    };
  } finally {
    await daemon.stop();
  }
}

/**
 * Polls the sink until its span count has not moved for 2 s, and at least `minMs` passed since
 * `sinceMs` (every trace's decision_wait over); the ms that took and the totals.
 */
async function waitQuiet(gen: LoadGen, sinceMs: number, minMs: number): Promise<{ ms: number; spans: number; metricsRequests: number }> {
  let last = await gen.sink();
  let lastChange = performance.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const now = performance.now();
    const s = await gen.sink();
    if (s.spans !== last.spans) lastChange = now;
    last = s;
    const quiet = now - lastChange >= QUIET_MS && now - sinceMs >= minMs;
    if (quiet || now - sinceMs > DRAIN_TIMEOUT_MS) return { ms: lastChange - sinceMs, spans: s.spans, metricsRequests: s.metricsRequests };
  }
}
