/**
 * The benchmark's scenarios: forwarding per transport (saturation, latency at half load, the
 * Collector's fixed 10 000 spans/s case), the file pipeline, the decode-only ceiling, and the
 * Kafka-queue figures of issue 3. Each starts fresh daemons and stops them before returning.
 */
import { measureDecode } from '../pdata/index.js';
import { messageOf } from '../pipeline/errors.js';
import { dropTopics } from '../test/kafka.js';
import { compareCodecs, medianComparison, type CodecComparison } from './codec-compare.js';
import { BenchDaemon, freePorts } from './daemon.js';
import { daemonYaml, type DaemonPorts, type ExportSpec, type QueueSpec } from './daemon-config.js';
import { countFileSpans, fileSize } from './file-count.js';
import type { LoadGen } from './ipc.js';
import { measuredPhase, peakRss, waitForLagZero, waitForSink, type Measured } from './measure.js';
import type { PhaseSpec } from './phase.js';
import type { Transport } from './transports.js';

/** Settings shared by every scenario. */
export interface BenchContext {
  gen: LoadGen;
  warmupMs: number;
  durationMs: number;
  /** Length of the Kafka burst at 1.5× the sustained rate. */
  burstMs: number;
  concurrency: number;
  queue: QueueSpec;
  nodeArgs: string[];
  log: (line: string) => void;
}

/** Forwarding results for one transport. */
export interface ForwardingResult {
  transport: Transport;
  daemons: number;
  saturation: Measured;
  halfRate: Measured;
  /** Spans/s offered for the latency phase. */
  halfRateOffered: number;
  /** Null on Kafka, where the 10 000 spans/s case is not asked for. */
  fixed10k: Measured | null;
  peakRssBytes: number;
  /** Spans acknowledged over the daemon's life, and how many of them the sink counted after draining. */
  ackedTotal: number;
  sinkTotal: number;
  drainMs: number;
  exitCode: number | null;
  /**
   * Kafka: after the burst, ms until the sink had every acknowledged span (`lagMs`) and until the
   * daemons' consumer-lag gauge read zero (`gaugeLagMs`; null when the daemons export no such gauge);
   * -1 when not within the timeout.
   */
  burst?: { offered: number; durationMs: number; measured: Measured; lagMs: number; gaugeLagMs: number | null; ackedTotal: number; sinkTotal: number };
  /** Kafka: the highest fixed offered rate the sink kept pace with, and every rate tried on the way. */
  sustained?: { rate: number; steps: SustainedStep[] };
}

/** One fixed-rate step of the sustained-rate search. */
export interface SustainedStep {
  offered: number;
  ackRate: number;
  sinkRate: number;
  kept: boolean;
}

/** The file pipeline's result. */
export interface FileResult {
  saturation: Measured;
  spansPerSec: number;
  fileSpans: number;
  fileBytes: number;
  ackedTotal: number;
  exitCode: number | null;
}

const FIXED_RATE = 10_000;
/** A step keeps pace when the generator got this share of its offered rate acknowledged and the sink counted it too. */
const KEEP_PACE = 0.97;
const SEARCH_STEPS = 5;
const DRAIN_TIMEOUT_MS = 30_000;
const LAG_TIMEOUT_MS = 60_000;

interface Running {
  daemons: BenchDaemon[];
  ports: DaemonPorts[];
  queue: QueueSpec;
  log: (line: string) => void;
  topicsDropped?: boolean;
}

async function startDaemons(ctx: BenchContext, count: number, exporter: ExportSpec, queue: QueueSpec): Promise<Running> {
  const ports: DaemonPorts[] = [];
  const daemons: BenchDaemon[] = [];
  for (let i = 0; i < count; i++) {
    const [grpc, http, health, metrics] = (await freePorts(4)) as [number, number, number, number];
    const p = { grpc, http, health, metrics };
    ports.push(p);
    daemons.push(await BenchDaemon.start({ yaml: daemonYaml(p, exporter, queue), healthPort: health, metricsPort: metrics, nodeArgs: ctx.nodeArgs }));
  }
  return { daemons, ports, queue, log: ctx.log };
}

/** Stops the group's daemons, then deletes its Kafka topics (once; callers may stop twice). */
async function stopAll(r: Running): Promise<number | null> {
  const codes = await Promise.all(r.daemons.map((d) => d.stop()));
  const q = r.queue;
  if (q.type === 'kafka' && !r.topicsDropped) {
    r.topicsDropped = true;
    await dropTopics(q.brokers, q.topicPrefix).catch((err: unknown) => r.log(`could not delete the topics ${q.topicPrefix}.*: ${messageOf(err)}`));
  }
  return codes.find((c) => c !== 0) ?? codes[0] ?? null;
}

function spec(ctx: BenchContext, transport: Transport, r: Running, mode: PhaseSpec['mode'], rate?: number): PhaseSpec {
  const targets = r.ports.map((p) => `127.0.0.1:${transport === 'grpc' ? p.grpc : p.http}`);
  return { transport, targets, mode, concurrency: ctx.concurrency, ...(rate ? { rateSpansPerSec: rate } : {}), warmupMs: ctx.warmupMs, durationMs: ctx.durationMs };
}

/**
 * A fresh queue spec per daemon group: Kafka topics never carry a previous run's data, and the
 * consumer group is this group's alone (no rebalances with anyone else's daemons).
 */
function freshQueue(ctx: BenchContext): QueueSpec {
  if (ctx.queue.type === 'memory') return ctx.queue;
  const run = `${process.pid}-${Date.now().toString(36)}`;
  return { ...ctx.queue, topicPrefix: `${ctx.queue.topicPrefix}-${run}`, groupId: `${ctx.queue.groupId}-${run}` };
}

/** Saturation, then latency at half the measured rate, on one daemon group; then 10 000 spans/s on a fresh one. */
export async function forwarding(ctx: BenchContext, transport: Transport, daemonCount = 1): Promise<ForwardingResult> {
  const sink: ExportSpec = { kind: 'sink', port: ctx.gen.sinkPort };
  const r = await startDaemons(ctx, daemonCount, sink, freshQueue(ctx));
  try {
    await ctx.gen.resetSink();
    ctx.log(`${transport}: saturation, ${ctx.concurrency} streams`);
    const saturation = await measuredPhase(ctx.gen, r.daemons, spec(ctx, transport, r, 'saturation'));
    let acked = saturation.phase.ackedSpans;
    await waitForSink(ctx.gen, acked, performance.now(), DRAIN_TIMEOUT_MS);
    // On Kafka the receivers can acknowledge faster than the consumers forward (Kafka holds the
    // difference), so closed-loop saturation starves the consumers and says little about what the
    // pipeline sustains. There the rate that counts is searched for at fixed offered rates.
    let sustained: Awaited<ReturnType<typeof sustainedRate>> | undefined;
    if (ctx.queue.type === 'kafka') {
      sustained = await sustainedRate(ctx, transport, r, saturation, acked);
      acked += sustained.ackedSpans;
    }
    // Nothing kept pace (a target far out of reach): the half-load and burst phases run off the
    // most any step forwarded, so they still say something.
    const reference = sustained ? sustained.rate || Math.max(...sustained.steps.map((s) => s.sinkRate), 1024) : saturation.sinkRate;
    const halfRateOffered = Math.max(1024, Math.round(reference / 2));
    ctx.log(`${transport}: ${Math.round(reference)} spans/s; latency at ${halfRateOffered} spans/s`);
    const halfRate = await measuredPhase(ctx.gen, r.daemons, spec(ctx, transport, r, 'rate', halfRateOffered));
    acked += halfRate.phase.ackedSpans;
    const drain = await waitForSink(ctx.gen, acked, performance.now(), DRAIN_TIMEOUT_MS);
    const result: ForwardingResult = {
      transport, daemons: daemonCount, saturation, halfRate, halfRateOffered, fixed10k: null,
      peakRssBytes: peakRss(r.daemons), ackedTotal: acked, sinkTotal: drain.sinkSpans, drainMs: drain.ms, exitCode: null,
    };
    if (sustained) {
      result.sustained = { rate: sustained.rate, steps: sustained.steps };
      result.burst = await burst(ctx, transport, r, reference);
    }
    result.exitCode = await stopAll(r);
    if (ctx.queue.type === 'memory') result.fixed10k = await fixedRate(ctx, transport, sink);
    return result;
  } finally {
    await stopAll(r);
  }
}

/**
 * Binary search for the highest fixed offered rate the pipeline keeps pace with: between half the
 * closed-loop sink rate and the closed-loop acknowledged rate (nothing can be sustained above
 * what the receivers take). Each step drains fully before the next, so none inherits a backlog.
 */
async function sustainedRate(ctx: BenchContext, transport: Transport, r: Running, saturation: Measured, ackedBefore: number): Promise<{ rate: number; steps: SustainedStep[]; ackedSpans: number }> {
  let lo = saturation.sinkRate / 2;
  let hi = saturation.ackRate;
  let rate = 0;
  let ackedSpans = 0;
  const steps: SustainedStep[] = [];
  for (let i = 0; i < SEARCH_STEPS && hi - lo > 1024; i++) {
    const offered = Math.round((lo + hi) / 2);
    const m = await measuredPhase(ctx.gen, r.daemons, spec(ctx, transport, r, 'rate', offered));
    ackedSpans += m.phase.ackedSpans;
    await waitForSink(ctx.gen, ackedBefore + ackedSpans, performance.now(), DRAIN_TIMEOUT_MS);
    const kept = m.ackRate >= KEEP_PACE * offered && m.sinkRate >= KEEP_PACE * offered;
    steps.push({ offered, ackRate: m.ackRate, sinkRate: m.sinkRate, kept });
    ctx.log(`${transport}: offered ${offered} spans/s → acked ${Math.round(m.ackRate)}, forwarded ${Math.round(m.sinkRate)}: ${kept ? 'kept pace' : 'fell behind'}`);
    if (kept) {
      lo = offered;
      // The offered rate, not the sink's: a window can also count the warm-up's tail, and
      // forwarding faster than offered says nothing about what is sustained.
      rate = Math.max(rate, offered);
    } else {
      hi = offered;
    }
  }
  return { rate, steps, ackedSpans };
}

async function fixedRate(ctx: BenchContext, transport: Transport, sink: ExportSpec): Promise<Measured> {
  const r = await startDaemons(ctx, 1, sink, freshQueue(ctx));
  try {
    ctx.log(`${transport}: fixed ${FIXED_RATE} spans/s on a fresh daemon`);
    return await measuredPhase(ctx.gen, r.daemons, spec(ctx, transport, r, 'rate', FIXED_RATE));
  } finally {
    await stopAll(r);
  }
}

/**
 * Issue 3's burst: 1.5× the sustained rate for `ctx.burstMs` (10 s), then how long until the
 * consumers caught up: the sink has every acknowledged span, and the consumer-lag gauge reads zero.
 */
async function burst(ctx: BenchContext, transport: Transport, r: Running, sustained: number): Promise<NonNullable<ForwardingResult['burst']>> {
  await ctx.gen.resetSink();
  const offered = Math.round(sustained * 1.5);
  ctx.log(`${transport}: burst at ${offered} spans/s for ${ctx.burstMs / 1000} s`);
  let endAt = 0;
  const measured = await measuredPhase(ctx.gen, r.daemons, { ...spec(ctx, transport, r, 'rate', offered), warmupMs: 0, durationMs: ctx.burstMs },
    (mark) => { if (mark === 'end') endAt = performance.now(); });
  const [lag, gaugeLagMs] = await Promise.all([
    waitForSink(ctx.gen, measured.phase.ackedSpans, endAt, LAG_TIMEOUT_MS),
    waitForLagZero(r.daemons, endAt, LAG_TIMEOUT_MS),
  ]);
  return { offered, durationMs: ctx.burstMs, measured, lagMs: lag.ms, gaugeLagMs, ackedTotal: measured.phase.ackedSpans, sinkTotal: lag.sinkSpans };
}

/** otlp → batch → file at saturation over gRPC; spans/s from the file's growth, calibrated by counting the flushed file. */
export async function filePipeline(ctx: BenchContext, dir: string): Promise<FileResult> {
  const path = `${dir}/bench-${Date.now().toString(36)}.jsonl`;
  const r = await startDaemons(ctx, 1, { kind: 'file', path }, { type: 'memory' });
  const sizes: number[] = [];
  try {
    ctx.log('file: saturation over grpc');
    const saturation = await measuredPhase(ctx.gen, r.daemons, spec(ctx, 'grpc', r, 'saturation'), () => sizes.push(fileSize(path)));
    const exitCode = await stopAll(r);
    const { spans, bytes } = await countFileSpans(path);
    const bytesPerSpan = spans > 0 ? bytes / spans : 0;
    const windowSpans = bytesPerSpan > 0 ? (sizes[1]! - sizes[0]!) / bytesPerSpan : 0;
    return { saturation, spansPerSec: windowSpans / saturation.wallSeconds, fileSpans: spans, fileBytes: bytes, ackedTotal: saturation.phase.ackedSpans, exitCode };
  } finally {
    await stopAll(r);
  }
}

/** The decode-only figures: vigil's codec, and vigil's decoder against protobufjs on the same request. */
export type DecodeCeiling = ReturnType<typeof measureDecode> & { comparison: CodecComparison };

/** The codec alone on this core, for the same 512-span request: the median of three short runs, as one run is noisy. */
export function decodeCeiling(): DecodeCeiling {
  const runs = [measureDecode(), measureDecode(), measureDecode()];
  const median = (pick: (r: ReturnType<typeof measureDecode>) => number): number => runs.map(pick).sort((a, b) => a - b)[1]!;
  const comparison = medianComparison([compareCodecs(), compareCodecs(), compareCodecs()]);
  return { decodeSpansPerSec: median((r) => r.decodeSpansPerSec), toJsonSpansPerSec: median((r) => r.toJsonSpansPerSec), splitSpansPerSec: median((r) => r.splitSpansPerSec), comparison };
}
