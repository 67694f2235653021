/**
 * Event time for one stage-log partition: a watermark that follows the data's own timestamps and
 * timers that fire when it passes them, so windows, `decision_wait`, baselines and `for:`
 * durations give the same answers live, on replay and on backfill — a week of old data replays
 * in seconds, not in a week. Wall-clock timers exist too, and an idle partition's watermark moves
 * on with the wall clock, so that the last window closes even when traffic stops.
 *
 * Watermark = the latest event time seen − `allowedLatenessMs`: data older than the watermark is
 * late. It never moves back. A partition with no records for `idleTimeoutMs` of wall time is idle:
 * its watermark then advances by the wall time that passes, as if its data kept arriving on time.
 */
import { TimerHeap } from './timer-heap.js';

/** Settings of a partition clock. */
export interface ClockOptions {
  /** How far behind the latest event time the watermark trails. Default 0. */
  readonly allowedLatenessMs?: number;
  /** Wall time without records after which the watermark follows the wall clock. Default 5 s. */
  readonly idleTimeoutMs?: number;
  /** How often idleness is checked. Default min(1 s, idleTimeoutMs / 2); 0 turns the ticker off (tests call tick). */
  readonly tickMs?: number;
  /** The wall clock (tests); default Date.now. */
  readonly now?: () => number;
}

/** A timer callback; the clock awaits it before firing the next one. */
export type TimerFn = () => void | Promise<void>;

/** A scheduled timer; cancelling twice or after it fired is harmless. */
export interface Timer {
  cancel(): void;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 5_000;
const DEFAULT_TICK_MS = 1_000;

/** The event-time clock of one partition. */
export class PartitionClock {
  private maxEventMs = Number.NEGATIVE_INFINITY;
  private mark = Number.NEGATIVE_INFINITY;
  private lastRecordWall: number;
  private lastTickWall: number;
  private readonly eventTimers = new TimerHeap<TimerFn>();
  private readonly wallTimers = new Set<NodeJS.Timeout>();
  private readonly lateness: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  private ticker: NodeJS.Timeout | undefined;
  /** Firing is serialised: one chain, so timers run in time order and never overlap. */
  private firing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(options: ClockOptions = {}, private readonly onError: (err: unknown) => void = () => {}) {
    this.lateness = options.allowedLatenessMs ?? 0;
    this.idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
    this.lastRecordWall = this.lastTickWall = this.now();
    const tickMs = options.tickMs ?? Math.min(DEFAULT_TICK_MS, Math.max(1, this.idleMs / 2));
    if (tickMs > 0) {
      this.ticker = setInterval(() => void this.tick(), tickMs);
      this.ticker.unref();
    }
  }

  /** The watermark in epoch ms (−Infinity before the first record). */
  watermark(): number {
    return this.mark;
  }

  /** True when `eventMs` is behind the watermark (late data). */
  isLate(eventMs: number): boolean {
    return eventMs < this.mark;
  }

  /**
   * A record with this event time (epoch ms) arrived: the watermark moves on, and the timers it
   * passed fire (awaited, in time order) before this resolves.
   */
  observe(eventMs: number | undefined): Promise<void> {
    this.lastRecordWall = this.now();
    if (eventMs !== undefined && eventMs > this.maxEventMs) {
      this.maxEventMs = eventMs;
      this.advanceTo(eventMs - this.lateness);
    }
    return this.fireDue();
  }

  /** Fires `fn` once the watermark reaches `eventMs`. */
  at(eventMs: number, fn: TimerFn): Timer {
    return this.eventTimers.push(eventMs, fn);
  }

  /** Fires `fn` after `ms` of wall time (housekeeping: checkpoints, retries), serialised with the event-time timers. */
  after(ms: number, fn: TimerFn): Timer {
    const timer = setTimeout(() => {
      this.wallTimers.delete(timer);
      void this.run(fn);
    }, ms);
    timer.unref();
    this.wallTimers.add(timer);
    return { cancel: () => { clearTimeout(timer); this.wallTimers.delete(timer); } };
  }

  /** Checks idleness now (the ticker calls this; tests may too). */
  tick(): Promise<void> {
    const wall = this.now();
    const elapsed = wall - this.lastTickWall;
    this.lastTickWall = wall;
    if (wall - this.lastRecordWall >= this.idleMs && this.mark > Number.NEGATIVE_INFINITY) this.advanceTo(this.mark + elapsed);
    return this.fireDue();
  }

  /** Stops the ticker and drops every timer (the partition was revoked). Waits for a timer that is running. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.ticker);
    this.eventTimers.clear();
    for (const t of this.wallTimers) clearTimeout(t);
    this.wallTimers.clear();
    await this.firing;
  }

  private advanceTo(mark: number): void {
    if (mark > this.mark) this.mark = mark;
  }

  /** Runs every due event-time timer, in time order, one at a time; a failing timer is reported and skipped. */
  private fireDue(): Promise<void> {
    this.firing = this.firing.then(async () => {
      for (let fn = this.eventTimers.popDue(this.mark); fn && !this.stopped; fn = this.eventTimers.popDue(this.mark)) await this.call(fn);
    });
    return this.firing;
  }

  /** Runs one wall-clock timer in the same chain as the event-time ones. */
  private run(fn: TimerFn): Promise<void> {
    this.firing = this.firing.then(() => (this.stopped ? undefined : this.call(fn)));
    return this.firing;
  }

  private async call(fn: TimerFn): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.onError(err);
    }
  }
}
