/**
 * red_indicators: per service.name + span.name (+ configured dimensions) and per event-time
 * window, the RED indicators of span_metrics' calls and duration metrics — calls, throughput,
 * error rate and latency quantiles — emitted as gauges when the partition's watermark passes the
 * window's end. Cumulative input becomes per-window increases (cumulative.ts), delta input is
 * summed. The pipeline is keyed by service.name, so one instance sees every series of a service,
 * and with `service_rollup` the service-level windows are summed from its operations' (rollup.ts).
 *
 * Delivery: with a durable state store a record is held until a checkpoint holds its effect
 * (windows and last cumulative points); otherwise until every window it fed was emitted.
 * Replayed records at or below the checkpointed offset are skipped.
 */
import type { Consumer, CreateSettings, Processor } from '../../pipeline/component.js';
import type { Delivery, Hold } from '../../pipeline/delivery.js';
import { messageOf } from '../../pipeline/errors.js';
import type { Timer } from '../../pipeline/event-time/clock.js';
import type { Revocation } from '../../pipeline/stage-log.js';
import type { Payload, Signal } from '../../pdata/index.js';
import { createStatefulProcessor, every, type PartitionContext, type PartitionWorker } from '../processorhelper/index.js';
import type { Config } from './config.js';
import type { LastPoint } from './cumulative.js';
import { Aggregator } from './aggregate.js';
import { windowsPayload } from './emit.js';
import { serviceRollups } from './rollup.js';
import { decodeState, encode, OFFSET_FIELD, type OpenWindow } from './state.js';

const RETRY_EMIT_MS = 1_000;

/** A red_indicators processor for one metrics pipeline. */
export function createRedIndicators(settings: CreateSettings, config: Config, signal: Signal, next: Consumer): Processor {
  return createStatefulProcessor({
    settings, signal, next,
    clock: { allowedLatenessMs: config.allowed_lateness, idleTimeoutMs: config.idle_timeout },
    open: (ctx) => RedWorker.open(ctx, config),
  });
}

class RedWorker implements PartitionWorker {
  private readonly agg: Aggregator;
  /** Non-durable store: the holds of the records that fed each window. */
  private readonly holds = new Map<string, Hold[]>();
  /** Durable store: the holds released by the next checkpoint. */
  private pending: Hold[] = [];
  private readonly closing = new Map<number, Timer>();
  private applied: bigint | undefined;
  private checkpointTimer: Timer | undefined;
  private failing = false;
  private warned = false;

  private constructor(private readonly ctx: PartitionContext, private readonly config: Config) {
    this.agg = new Aggregator(config, ctx.clock, (what) => ctx.logger.warn(what));
  }

  /** Reloads the partition's checkpoint (or starts empty when the store is down) and schedules its timers. */
  static async open(ctx: PartitionContext, config: Config): Promise<RedWorker> {
    const w = new RedWorker(ctx, config);
    try {
      const loaded = decodeState(await ctx.state.load());
      w.agg.restore(loaded.windows, loaded.series);
      w.applied = loaded.applied;
      if (loaded.windows.size + loaded.series.size > 0) {
        ctx.logger.info({ windows: loaded.windows.size, series: loaded.series.size, offset: loaded.applied?.toString() }, 'red_indicators state reloaded');
      }
    } catch (err) {
      ctx.logger.warn({ err: messageOf(err) }, 'red_indicators state not reloaded; starting empty');
    }
    for (const win of w.agg.windows.values()) w.scheduleClose(win.startMs + config.window);
    w.checkpointTimer = every(w.ctx.clock, config.checkpoint_interval, () => w.checkpoint());
    return w;
  }

  async consume(payload: Payload, delivery: Delivery): Promise<void> {
    if (delivery.durable && this.applied !== undefined && delivery.offset <= this.applied) return;
    // Passed on first: if downstream refuses, the record comes again and nothing was counted yet.
    if (this.config.pass_through) await this.ctx.emit(payload);
    const { touched, changed } = this.agg.add(payload);
    for (const key of touched) {
      const win = this.agg.windows.get(key);
      if (win) this.scheduleClose(win.startMs + this.config.window);
    }
    if (this.ctx.state.durable) {
      if (changed) this.pending.push(delivery.hold());
    } else {
      for (const key of touched) {
        const list = this.holds.get(key) ?? [];
        list.push(delivery.hold());
        this.holds.set(key, list);
      }
    }
    if (delivery.durable) this.applied = delivery.offset;
  }

  async revoke(why: Revocation): Promise<void> {
    this.checkpointTimer?.cancel();
    if (!why.redelivered) await this.emit([...this.agg.windows.keys()]); // nothing would deliver these records again
    if (this.ctx.state.durable || !why.redelivered) await this.checkpoint();
  }

  private scheduleClose(endMs: number): void {
    if (this.closing.has(endMs)) return;
    this.closing.set(endMs, this.ctx.clock.at(endMs, async () => {
      this.closing.delete(endMs);
      this.agg.expireSeries(endMs - this.config.series_expiration);
      await this.close(endMs);
    }));
  }

  private async close(endMs: number): Promise<void> {
    if (!(await this.emit(this.agg.endingAt(endMs)))) this.ctx.clock.after(RETRY_EMIT_MS, () => this.close(endMs));
  }

  /** Emits these windows as one request; once accepted they leave the state and their records are released. */
  private async emit(keys: readonly string[]): Promise<boolean> {
    const wins = keys.map((k) => this.agg.windows.get(k)).filter((w): w is OpenWindow => w !== undefined);
    const rollups = this.config.service_rollup ? serviceRollups(wins, (msg) => { this.warnOnce(msg); }) : [];
    const out = windowsPayload([...wins, ...rollups], this.config.window);
    if (out) {
      try {
        await this.ctx.emit(out);
      } catch (err) {
        this.ctx.logger.warn({ err: messageOf(err), windows: wins.length }, 'red_indicators could not emit; retrying');
        return false;
      }
    }
    for (const key of keys) {
      this.agg.remove(key);
      for (const h of this.holds.get(key) ?? []) h.release();
      this.holds.delete(key);
    }
    return true;
  }

  private warnOnce(msg: string): void {
    if (!this.warned) this.ctx.logger.warn(msg);
    this.warned = true;
  }

  /** Saves changed windows and series with the applied offset; with a durable store, their records are released. */
  private async checkpoint(): Promise<void> {
    const { dirty, removed } = this.agg.takeChanges();
    const put = new Map<string, string>();
    for (const field of dirty) {
      const v: OpenWindow | LastPoint | undefined = this.agg.windows.get(field) ?? this.agg.series.get(field);
      if (v) put.set(field, encode(v));
    }
    if (this.applied !== undefined) put.set(OFFSET_FIELD, this.applied.toString());
    const released = this.pending;
    this.pending = [];
    try {
      await this.ctx.state.save(put, removed);
    } catch (err) {
      this.agg.restoreChanges(dirty, removed);
      this.pending.unshift(...released);
      if (!this.failing) this.ctx.logger.warn({ err: messageOf(err) }, 'red_indicators checkpoint failed; holding its records until it succeeds');
      this.failing = true;
      return;
    }
    this.failing = false;
    for (const h of released) h.release();
  }
}
