/**
 * One partition's tail sampling. Every span of a trace reaches this worker (the stage log is keyed
 * by trace id), whichever daemon received it. A trace's spans are kept, and the records they came
 * in held (`delivery.hold()`), until the trace is decided: the partition's event-time watermark
 * passing first-span time + decision_wait (or + decision_wait_after_root_received once the root
 * span is in). A sampled trace is emitted whole, and only once it was accepted downstream are its
 * records released: the commit point never passes a trace that is neither decided and exported
 * nor dropped, so `kill -9` loses no trace — its records are read again and it is decided again.
 * With a durable state store the decisions are checkpointed too (decision-checkpoint.ts), and a
 * decided trace's records are released only once its decision is saved.
 */
import type { Delivery, Hold } from '../../pipeline/delivery.js';
import { messageOf, PermanentError } from '../../pipeline/errors.js';
import type { Timer } from '../../pipeline/event-time/clock.js';
import type { Revocation } from '../../pipeline/stage-log.js';
import { maxEventTime, type Payload } from '../../pdata/index.js';
import { splitTraces, writeRuns, type SpanRun } from '../../pdata/trace-index.js';
import { checkpointEvery, type PartitionContext, type PartitionWorker } from '../processorhelper/index.js';
import type { Config } from './config.js';
import { DecisionCheckpoint } from './decision-checkpoint.js';
import { decide, type NamedPolicy } from './decide.js';
import type { EarlyReason, TailSamplingMetrics } from './metrics.js';
import { ArrivalOrder, DecisionMemory, traceIdOf, type Budget, type PendingTrace } from './pending.js';
import type { Decision, TraceData } from './policies.js';
import { hasRootSpan, resourcesOf } from './trace-view.js';
import { spanIngestDecision } from './span-ingest.js';

/** What every partition worker of one processor instance shares. */
export interface Shared {
  readonly config: Config;
  readonly policies: readonly NamedPolicy[];
  readonly metrics: TailSamplingMetrics;
  readonly budget: Budget;
  /** The open workers, for deciding the oldest traces of the instance when it holds too much. */
  readonly workers: Set<TailSamplingWorker>;
}

/** How far ahead of the wall clock a span's time may move the partition's event time. */
export const FUTURE_TOLERANCE_MS = 60_000;

/**
 * A record's event time (epoch ms): its latest span end, but never more than a minute ahead of the
 * wall clock, so that one client with a clock far ahead cannot decide every held trace at once.
 */
export function eventTimeOf(payload: Payload): number | undefined {
  // maxEventTime reads the record's trace index, made once per record (pdata/trace-index.ts).
  const nanos = maxEventTime(payload);
  return nanos > 0n ? Math.min(Number(nanos / 1_000_000n), Date.now() + FUTURE_TOLERANCE_MS) : undefined;
}

/** Decision timers fire on 100 ms boundaries of event time, so traces that arrive together are emitted together. */
const BUCKET_MS = 100;
const RETRY_EMIT_MS = 1_000;

/** A sampled batch waiting to be accepted downstream: its spans are written into a request when it is sent. */
interface Outgoing {
  readonly runs: SpanRun[];
  readonly holds: Hold[];
}

/** The tail sampling of one partition. */
export class TailSamplingWorker implements PartitionWorker {
  private readonly pending = new Map<string, PendingTrace>();
  /** The pending traces by arrival (stamped with their seq), for `oldest`. */
  private readonly arrivals = new ArrivalOrder();
  private readonly seqOf = (key: string): number | undefined => this.pending.get(key)?.seq;
  private readonly buckets = new Map<number, { keys: Set<string>; timer: Timer }>();
  private readonly decided: DecisionMemory;
  private readonly checkpoint: DecisionCheckpoint;
  private checkpointTimer: Timer | undefined;
  /** The latest event time of this partition's records, in the order they were delivered. */
  private seen = Number.NEGATIVE_INFINITY;
  private closed = false;
  /** Sends started by decision timers, not awaited by them (see `fire`); revoke waits for them. */
  private readonly timerSends = new Set<Promise<void>>();

  constructor(private readonly ctx: PartitionContext, private readonly s: Shared) {
    const c = s.config;
    this.decided = new DecisionMemory(c.num_traces + c.decision_cache.sampled_cache_size + c.decision_cache.non_sampled_cache_size);
    this.checkpoint = new DecisionCheckpoint(ctx.state, ctx.logger);
    s.workers.add(this);
  }

  /** Opens a partition: reloads its checkpointed decisions (empty when the store is down) and schedules checkpoints. */
  static async open(ctx: PartitionContext, s: Shared): Promise<TailSamplingWorker> {
    const w = new TailSamplingWorker(ctx, s);
    try {
      const n = await w.checkpoint.load(w.decided);
      if (n > 0) ctx.logger.info({ decisions: n, partition: ctx.partition }, 'tail_sampling reloaded the partition\'s decisions');
    } catch (err) {
      ctx.logger.warn({ err: messageOf(err), partition: ctx.partition }, 'tail_sampling could not reload decisions; late spans of traces decided before are decided anew');
    }
    w.checkpointTimer = checkpointEvery(ctx, s.config.checkpoint_interval, async () => { await w.checkpoint.save(); });
    return w;
  }

  async consume(payload: Payload, delivery: Delivery): Promise<void> {
    if (payload.itemCount === 0) return;
    // Deliveries may overlap; this method does all its work before its one await, in the log's
    // order, and the event time is the log's too: traces due by this record are decided before its
    // spans join, whatever the timers' progress, so a replay decides exactly as live traffic did.
    const arrival = this.eventNow(payload);
    const out = this.decideDue(arrival);
    const now = Date.now();
    for (const { id, run } of splitTraces(payload)) {
      const decided = this.pending.has(id) ? undefined : this.decided.get(id);
      if (!decided) {
        this.add(id, run, delivery.hold(), arrival, out);
        continue;
      }
      // A late span follows its trace's decision: forwarded with the next batch, or dropped.
      this.s.metrics.cachedRelease(run.spans.length, decided.decision === 'sampled');
      this.s.metrics.lateSpan(Math.floor((now - decided.atWall) / 1000));
      if (decided.decision === 'sampled') {
        out.runs.push(run);
        out.holds.push(delivery.hold());
      }
    }
    this.decideEarly(out);
    await this.send(out);
  }

  async revoke(why: Revocation): Promise<void> {
    this.closed = true;
    this.s.workers.delete(this);
    this.checkpointTimer?.cancel();
    for (const b of this.buckets.values()) b.timer.cancel();
    this.buckets.clear();
    await Promise.all(this.timerSends);
    const all = [...this.pending.values()];
    if (why.redelivered) {
      // Kafka: the next owner reads these records again and decides their traces; it learns the
      // decisions made here from the checkpoint.
      for (const t of all) this.forget(t);
    } else if (this.s.config.drop_pending_traces_on_shutdown) {
      for (const t of all) { this.forget(t); for (const h of t.holds) h.release(); }
    } else {
      // Memory log: nothing would deliver these records again, so decide what is held now.
      const out: Outgoing = { runs: [], holds: [] };
      this.s.metrics.decidedEarly('shutdown', all.length);
      for (const t of all) this.decideOne(t, out);
      if (!(await this.trySend(out))) this.ctx.logger.error({ traces: all.length }, 'tail_sampling could not emit sampled traces at shutdown; their records stay unacknowledged');
    }
    if (!(await this.checkpoint.save()) && !why.redelivered) this.checkpoint.releaseAll();
  }

  /** The partition's event time with this record: the latest seen in offset order, or the watermark when an idle partition's is ahead. */
  private eventNow(payload: Payload): number {
    const own = eventTimeOf(payload) ?? Number.NEGATIVE_INFINITY;
    this.seen = Math.max(this.seen, own, this.ctx.clock.watermark());
    if (!Number.isFinite(this.seen)) this.seen = Date.now();
    return this.seen;
  }

  /** Decides every trace whose decision time is at or before `eventMs`; returns the sampled ones to send. */
  private decideDue(eventMs: number): Outgoing {
    const out: Outgoing = { runs: [], holds: [] };
    const started = performance.now();
    let ran = false;
    for (const [at, bucket] of this.buckets) {
      if (at > eventMs) continue;
      ran = true;
      bucket.timer.cancel();
      this.buckets.delete(at);
      for (const key of bucket.keys) {
        const t = this.pending.get(key);
        if (t) this.decideOne(t, out);
      }
    }
    if (ran) this.s.metrics.timerRun(performance.now() - started);
    return out;
  }

  /** Adds one trace's spans of a record. */
  private add(key: string, run: SpanRun, hold: Hold, arrival: number, out: Outgoing): void {
    const c = this.s.config;
    let t = this.pending.get(key);
    if (!t) {
      t = { key, runs: [], holds: [], spanCount: 0, sizeBytes: 0, arrivalMs: arrival, arrivalWall: Date.now(), seq: this.s.budget.nextSeq(), deadlineMs: arrival + c.decision_wait };
      this.pending.set(key, t);
      this.arrivals.push(key, t.seq, this.seqOf);
      this.s.budget.traces++;
      this.s.metrics.newTrace();
      this.s.metrics.heldTraces(1);
      this.schedule(t);
    }
    t.runs.push(run);
    t.holds.push(hold);
    t.spanCount += run.spans.length;
    t.sizeBytes += run.sizeBytes;
    this.s.budget.bytes += run.sizeBytes;
    if (c.decision_wait_after_root_received > 0 && arrival + c.decision_wait_after_root_received < t.deadlineMs && hasRootSpan(run)) {
      this.unschedule(t);
      t.deadlineMs = arrival + c.decision_wait_after_root_received;
      this.schedule(t);
    }
    if (c.maximum_trace_size_bytes > 0 && t.sizeBytes > c.maximum_trace_size_bytes) {
      this.s.metrics.droppedTooLarge();
      this.settle(t, 'not_sampled', out);
      return;
    }
    if (c.sampling_strategy === 'span-ingest') {
      const d = spanIngestDecision(this.s, t, run);
      if (d !== undefined) this.settle(t, d, out);
    }
  }

  /**
   * While the instance holds too much, decides the oldest undecided trace of any of its partitions
   * (the one that waited longest); sampled ones leave with this record's batch.
   */
  private decideEarly(out: Outgoing): void {
    let count = 0;
    let reason: EarlyReason = 'num_traces';
    while (this.s.budget.full) {
      let oldest: { worker: TailSamplingWorker; trace: PendingTrace } | undefined;
      for (const worker of this.s.workers) {
        const trace = worker.oldest();
        if (trace && (!oldest || trace.seq < oldest.trace.seq)) oldest = { worker, trace };
      }
      if (!oldest) break;
      reason = this.s.budget.reason;
      oldest.worker.decideOne(oldest.trace, out);
      count++;
    }
    if (count > 0) this.s.metrics.decidedEarly(reason, count);
  }

  /** This partition's oldest undecided trace. */
  oldest(): PendingTrace | undefined {
    const key = this.arrivals.first(this.seqOf);
    return key === undefined ? undefined : this.pending.get(key);
  }

  private schedule(t: PendingTrace): void {
    const at = Math.ceil(t.deadlineMs / BUCKET_MS) * BUCKET_MS;
    let bucket = this.buckets.get(at);
    if (!bucket) {
      const keys = new Set<string>();
      bucket = { keys, timer: this.ctx.clock.at(at, () => this.fire(at)) };
      this.buckets.set(at, bucket);
    }
    bucket.keys.add(t.key);
  }

  private unschedule(t: PendingTrace): void {
    const at = Math.ceil(t.deadlineMs / BUCKET_MS) * BUCKET_MS;
    this.buckets.get(at)?.keys.delete(t.key);
  }

  /** The decision timer of one bucket: decides its traces, emits the sampled ones together. */
  private async fire(at: number): Promise<void> {
    const bucket = this.buckets.get(at);
    this.buckets.delete(at);
    if (!bucket || this.closed) return;
    const started = performance.now();
    const out: Outgoing = { runs: [], holds: [] };
    for (const key of bucket.keys) {
      const t = this.pending.get(key);
      if (t) this.decideOne(t, out);
    }
    this.s.metrics.timerRun(performance.now() - started);
    // The clock runs its timers one at a time, and a send resolves only once downstream took the
    // batch (`batch` waits up to its timeout): awaited here, a quiet partition's decisions would
    // follow at a few buckets a second instead of its watermark (measured: 12 s to emit the last
    // 5 s of decisions after the load stopped). The records stay held until the send settles.
    const sent = this.send(out);
    this.timerSends.add(sent);
    void sent.finally(() => this.timerSends.delete(sent));
  }

  /** Runs the policies over one trace and settles it. */
  decideOne(t: PendingTrace, out: Outgoing): void {
    if (this.s.config.sampling_strategy === 'span-ingest') {
      // Whatever no policy sampled while its spans arrived is not sampled (otelcol's span-ingest).
      this.s.metrics.decided('not_sampled');
      this.settle(t, 'not_sampled', out);
      return;
    }
    let resources: ReturnType<typeof resourcesOf> | undefined;
    const data: TraceData = {
      traceId: traceIdOf(t), spanCount: t.spanCount, sizeBytes: t.sizeBytes, nowMs: Date.now(),
      resources: () => (resources ??= resourcesOf(t.runs)),
    };
    const outcome = decide(this.s.policies, data, this.s.config.sample_on_first_match);
    for (const a of outcome.answers) this.s.metrics.policyAnswer(a.policy, a.decision);
    this.s.metrics.decided(outcome.decision);
    this.settle(t, outcome.decision, out);
  }

  /** Records the decision; a sampled trace joins the outgoing batch, the others' records are released. */
  private settle(t: PendingTrace, d: Decision, out: Outgoing): void {
    this.forget(t);
    const remembered = { decision: d, atWall: Date.now() };
    this.checkpoint.noteDecided(t.key, remembered, this.decided.set(t.key, remembered));
    if (d === 'sampled') {
      out.runs.push(...t.runs);
      out.holds.push(...t.holds);
    } else {
      this.checkpoint.releaseAfterCheckpoint(t.holds);
    }
  }

  /** Removes a trace from what this worker holds. */
  private forget(t: PendingTrace): void {
    if (!this.pending.delete(t.key)) return;
    this.unschedule(t);
    this.s.budget.traces--;
    this.s.budget.bytes -= t.sizeBytes;
    this.s.metrics.heldTraces(-1);
  }

  /** Emits a sampled batch and releases its records; retried in the background until accepted. */
  private async send(out: Outgoing): Promise<void> {
    if (out.runs.length === 0) return;
    if (!(await this.trySend(out)) && !this.closed) this.retryLater(out);
  }

  private retryLater(out: Outgoing): void {
    this.ctx.clock.after(RETRY_EMIT_MS, async () => {
      if (this.closed) return;
      if (!(await this.trySend(out))) this.retryLater(out);
    });
  }

  private async trySend(out: Outgoing): Promise<boolean> {
    if (out.runs.length === 0) return true;
    try {
      await this.ctx.emit(writeRuns(out.runs));
    } catch (err) {
      if (err instanceof PermanentError) {
        // Downstream will never take it: the stage log would drop such a record too.
        this.ctx.logger.error({ err: messageOf(err), spans: out.runs.reduce((n, r) => n + r.spans.length, 0) }, 'sampled traces refused permanently downstream; dropped');
        for (const h of out.holds) h.release();
        return true;
      }
      this.ctx.logger.warn({ err: messageOf(err) }, 'tail_sampling could not emit sampled traces; retrying');
      return false;
    }
    this.checkpoint.releaseAfterCheckpoint(out.holds);
    return true;
  }
}
