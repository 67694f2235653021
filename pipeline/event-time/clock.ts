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
  /** How often idleness is checked and wall-clock timers are due. Default 1 s. */
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
  private readonly wallTimers = new TimerHeap<TimerFn>();
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
    const tickMs = options.tickMs ?? DEFAULT_TICK_MS;
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

  /** Fires `fn` after `ms` of wall time (checked every tick; for idle partitions and housekeeping). */
  after(ms: number, fn: TimerFn): Timer {
    return this.wallTimers.push(this.now() + ms, fn);
  }

  /** Checks idleness and wall-clock timers now (the ticker calls this; tests may too). */
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
    this.wallTimers.clear();
    await this.firing;
  }

  private advanceTo(mark: number): void {
    if (mark > this.mark) this.mark = mark;
  }

  /** Runs every due timer, event-time and wall-clock, one at a time; a failing timer is reported and skipped. */
  private fireDue(): Promise<void> {
    this.firing = this.firing.then(async () => {
      for (;;) {
        if (this.stopped) return;
        const fn = this.eventTimers.popDue(this.mark) ?? this.wallTimers.popDue(this.now());
        if (!fn) return;
        try {
          await fn();
        } catch (err) {
          this.onError(err);
        }
      }
    });
    return this.firing;
  }
}
