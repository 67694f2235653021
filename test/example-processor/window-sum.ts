/**
 * window_sum: the example stateful processor of pipeline/README.md. Per metric series, it sums
 * gauge and sum values in tumbling event-time windows and, when the watermark passes a window's
 * end, emits `<metric>.window_sum` and `<metric>.window_count` gauges for it. It uses every part
 * of the stateful API: the pipeline keyed by series, one worker per partition, holds, event-time
 * and wall-clock timers, state checkpointed per partition, and rebalance.
 *
 * Delivery: a record is held until every window it contributed to was emitted, or — with a
 * durable state store (Redis) — until a checkpoint holds those windows. Replayed records at or
 * below the checkpointed offset are skipped, so each record counts once. Emission is at least
 * once: a window emitted just before a crash may be emitted again, with the same values.
 */
import type { Consumer, CreateSettings, Processor } from '../../pipeline/component.js';
import type { Delivery, Hold } from '../../pipeline/delivery.js';
import { messageOf } from '../../pipeline/errors.js';
import type { Timer } from '../../pipeline/event-time/clock.js';
import type { Revocation } from '../../pipeline/stage-log.js';
import { forEachDataPoint, MetricsBuilder, type Payload, type Signal } from '../../pdata/index.js';
import { createStatefulProcessor, every, type PartitionContext, type PartitionWorker } from '../../processors/processorhelper/index.js';
import type { Config } from './config.js';
import { decodeState, encodeWindow, OFFSET_FIELD, windowKey, type OpenWindow } from './windows.js';

/** The instrumentation scope of emitted metrics. */
export const SCOPE = 'vigil.example.window_sum';
const RETRY_EMIT_MS = 1_000;
const MS = 1_000_000n;

/** A window_sum processor for one metrics pipeline. */
export function createWindowSum(settings: CreateSettings, config: Config, signal: Signal, next: Consumer): Processor {
  return createStatefulProcessor({
    settings, signal, next,
    clock: { allowedLatenessMs: config.allowed_lateness, idleTimeoutMs: config.idle_timeout },
    open: (ctx) => WindowSumWorker.open(ctx, config),
  });
}

/** An open window and the holds of the records in it. */
interface Window extends OpenWindow {
  holds: Hold[];
}

class WindowSumWorker implements PartitionWorker {
  private readonly windows = new Map<string, Window>();
  /** One event-time timer per window end: every series' window of that end closes together. */
  private readonly closing = new Map<number, Timer>();
  private dirty = new Set<string>();
  private removed = new Set<string>();
  /** The last offset applied (durable offsets only): replays at or below it are skipped. */
  private applied: bigint | undefined;
  private checkpointTimer: Timer | undefined;
  private failing = false;

  private constructor(private readonly ctx: PartitionContext, private readonly config: Config) {}

  /** Reloads the partition's checkpoint (or starts empty when the store is down) and schedules its timers. */
  static async open(ctx: PartitionContext, config: Config): Promise<WindowSumWorker> {
    const w = new WindowSumWorker(ctx, config);
    try {
      const { windows, applied } = decodeState(await ctx.state.load());
      for (const [key, win] of windows) w.windows.set(key, { ...win, holds: [] });
      w.applied = applied;
      if (windows.size > 0) ctx.logger.info({ windows: windows.size, offset: applied?.toString() }, 'window_sum state reloaded');
    } catch (err) {
      ctx.logger.warn({ err: messageOf(err) }, 'window_sum state not reloaded; starting empty');
    }
    for (const win of w.windows.values()) w.scheduleClose(win.startMs + config.window);
    w.checkpointTimer = every(w.ctx.clock, config.checkpoint_interval, () => w.checkpoint());
    return w;
  }

  consume(payload: Payload, delivery: Delivery): Promise<void> {
    if (delivery.durable && this.applied !== undefined && delivery.offset <= this.applied) return Promise.resolve();
    const window = this.config.window;
    const touched = new Set<Window>();
    forEachDataPoint(payload, (p) => {
      if (p.value === undefined || (p.type !== 'gauge' && p.type !== 'sum')) return;
      const t = Number(p.timeUnixNano / MS);
      const start = t - (t % window);
      if (this.ctx.clock.isLate(start + window)) return; // its window was emitted already
      const key = windowKey(p.seriesId, start);
      let win = this.windows.get(key);
      if (!win) {
        win = { metric: p.metricName, resource: p.resource, attributes: p.attributes, startMs: start, sum: 0, count: 0, holds: [] };
        this.windows.set(key, win);
        this.scheduleClose(start + window);
      }
      win.sum += p.value;
      win.count++;
      this.dirty.add(key);
      touched.add(win);
    });
    for (const win of touched) win.holds.push(delivery.hold());
    if (delivery.durable) this.applied = delivery.offset;
    return Promise.resolve();
  }

  async revoke(why: Revocation): Promise<void> {
    this.checkpointTimer?.cancel();
    if (!why.redelivered) {
      await this.emit([...this.windows.keys()]); // nothing would deliver these records again
    }
    // With a durable store the next owner resumes from the checkpoint; otherwise the held records
    // are read again by it (Kafka) and nothing may be released.
    if (this.ctx.state.durable || !why.redelivered) await this.checkpoint();
  }

  private scheduleClose(endMs: number): void {
    if (this.closing.has(endMs)) return;
    this.closing.set(endMs, this.ctx.clock.at(endMs, async () => {
      this.closing.delete(endMs);
      const due = [...this.windows].filter(([, w]) => w.startMs + this.config.window === endMs).map(([key]) => key);
      if (!(await this.emit(due))) this.ctx.clock.after(RETRY_EMIT_MS, () => this.retryClose(endMs));
    }));
  }

  private async retryClose(endMs: number): Promise<void> {
    const due = [...this.windows].filter(([, w]) => w.startMs + this.config.window === endMs).map(([key]) => key);
    if (!(await this.emit(due))) this.ctx.clock.after(RETRY_EMIT_MS, () => this.retryClose(endMs));
  }

  /** Emits these windows as one request; once accepted they leave the state and their records are released. */
  private async emit(keys: readonly string[]): Promise<boolean> {
    const wins = keys.map((k) => this.windows.get(k)).filter((w): w is Window => w !== undefined);
    if (wins.length === 0) return true;
    const builder = new MetricsBuilder();
    for (const w of wins) {
      const scope = builder.scope(w.resource, { name: SCOPE });
      const point = { attributes: w.attributes, startTimeUnixNano: BigInt(w.startMs) * MS, timeUnixNano: BigInt(w.startMs + this.config.window) * MS };
      scope.gauge({ name: `${w.metric}.window_sum` }, { ...point, value: w.sum });
      scope.gauge({ name: `${w.metric}.window_count` }, { ...point, value: w.count });
    }
    try {
      await this.ctx.emit(builder.build()!);
    } catch (err) {
      this.ctx.logger.warn({ err: messageOf(err), windows: wins.length }, 'window_sum could not emit; retrying');
      return false;
    }
    for (const key of keys) {
      const w = this.windows.get(key);
      if (!w) continue;
      this.windows.delete(key);
      this.dirty.delete(key);
      this.removed.add(key);
      for (const h of w.holds) h.release();
    }
    return true;
  }

  /** Saves changed windows and the applied offset; with a durable store, their records are released. */
  private async checkpoint(): Promise<void> {
    const dirty = this.dirty;
    const removed = this.removed;
    this.dirty = new Set();
    this.removed = new Set();
    const put = new Map<string, string>();
    for (const key of dirty) {
      const w = this.windows.get(key);
      if (w) put.set(key, encodeWindow({ metric: w.metric, resource: w.resource, attributes: w.attributes, startMs: w.startMs, sum: w.sum, count: w.count }));
    }
    if (this.applied !== undefined) put.set(OFFSET_FIELD, this.applied.toString());
    // With a durable store the checkpoint stands in for the records: their holds go once it is saved.
    const released = new Map<Window, Hold[]>();
    if (this.ctx.state.durable) for (const w of this.windows.values()) released.set(w, w.holds.splice(0));
    try {
      await this.ctx.state.save(put, removed);
    } catch (err) {
      for (const key of dirty) this.dirty.add(key);
      for (const key of removed) this.removed.add(key);
      const open = new Set(this.windows.values());
      // A window emitted meanwhile is exported: its records are done; the others wait for the next checkpoint.
      for (const [w, holds] of released) {
        if (open.has(w)) w.holds.unshift(...holds);
        else for (const h of holds) h.release();
      }
      if (!this.failing) this.ctx.logger.warn({ err: messageOf(err) }, 'window_sum checkpoint failed; holding its records until it succeeds');
      this.failing = true;
      return;
    }
    this.failing = false;
    for (const holds of released.values()) for (const h of holds) h.release();
  }
}
