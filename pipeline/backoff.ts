/**
 * The one retry schedule of vigil: exponential backoff with jitter, the algorithm of otelcol's
 * retry_on_failure (cenkalti/backoff). Exporters retry sends with it, the stage logs redeliver
 * with it, the Kafka consumer retries its handler with it.
 */

/** A schedule: the n-th retry waits about `initialMs · multiplier^(n−1)`, at most `maxMs`, jittered by ±`jitter`. */
export interface BackoffSettings {
  readonly initialMs: number;
  readonly multiplier: number;
  readonly maxMs: number;
  /** The randomization factor f: a delay d is drawn from [d·(1−f), d·(1+f)]. */
  readonly jitter: number;
  /** Give up once waiting would pass this much time since the first attempt; 0 or absent: never. */
  readonly maxElapsedMs?: number;
}

/**
 * The schedule whose delays fall in [d·(1−jitter), d] for d = initialMs·multiplier^(n−1), at most
 * maxMs: jittered below d only, for waits that must not exceed their nominal delay.
 */
export function jitteredBelow(s: BackoffSettings): BackoffSettings {
  const centre = 1 - s.jitter / 2;
  return { ...s, initialMs: s.initialMs * centre, maxMs: s.maxMs * centre, jitter: s.jitter / 2 / centre };
}

/** The jittered delay before retry `attempt` (1 for the first retry), in whole milliseconds. */
export function backoffDelay(s: BackoffSettings, attempt: number, random: () => number = Math.random): number {
  const interval = Math.min(s.initialMs * s.multiplier ** (Math.max(1, attempt) - 1), s.maxMs);
  const delta = s.jitter * interval;
  return Math.max(0, Math.round(interval - delta + random() * 2 * delta));
}

/** One retry schedule from its first attempt on. Clock and randomness are injectable so tests need no real time. */
export class Backoff {
  private retries = 0;
  private readonly startedAt: number;

  constructor(
    private readonly settings: BackoffSettings,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.startedAt = now();
  }

  /** The delay before the next retry; each call moves one step along the schedule. */
  nextDelay(): number {
    return backoffDelay(this.settings, ++this.retries, this.random);
  }

  /** True when waiting `delay` more would pass `maxElapsedMs`. */
  exceeds(delay: number): boolean {
    const max = this.settings.maxElapsedMs ?? 0;
    return max > 0 && this.now() - this.startedAt + delay > max;
  }

  /** Milliseconds since the first attempt. */
  elapsed(): number {
    return this.now() - this.startedAt;
  }
}
