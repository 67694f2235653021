/** Exponential backoff with jitter, the algorithm otelcol's retry_on_failure uses (cenkalti/backoff). */
import type { RetryConfig } from './config.js';

/** One batch's retry schedule. Clock and randomness are injectable so tests need no real time. */
export class Backoff {
  private interval: number;
  private readonly startedAt: number;

  constructor(
    private readonly config: RetryConfig,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.interval = config.initial_interval;
    this.startedAt = now();
  }

  /** The next jittered delay in [i·(1−f), i·(1+f)]; the interval then grows by `multiplier` up to `max_interval`. */
  nextDelay(): number {
    const f = this.config.randomization_factor;
    const delta = f * this.interval;
    const delay = this.interval - delta + this.random() * 2 * delta;
    this.interval = Math.min(this.interval * this.config.multiplier, this.config.max_interval);
    return Math.max(0, Math.round(delay));
  }

  /** True when waiting `delay` more would pass `max_elapsed_time` (0: never). */
  exceeds(delay: number): boolean {
    const max = this.config.max_elapsed_time;
    return max > 0 && this.now() - this.startedAt + delay > max;
  }

  /** Milliseconds since the first attempt. */
  elapsed(): number {
    return this.now() - this.startedAt;
  }
}
