/** Logs a recurring warning once per burst instead of once per item (STYLE.md "Errors and outcomes"). */
import type { Logger } from 'pino';

/** How long after one warning the same warning is only counted. */
export const BURST_WINDOW_MS = 10_000;

/** A warning that is logged at most once per window; the next one says how many were suppressed. */
export class BurstLog {
  private last = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(private readonly logger: Logger, private readonly now: () => number = Date.now) {}

  /** Logs `msg` with `fields` unless one was logged less than a window ago. */
  warn(fields: Record<string, unknown>, msg: string): void {
    const t = this.now();
    if (t - this.last < BURST_WINDOW_MS) {
      this.suppressed++;
      return;
    }
    this.logger.warn(this.suppressed > 0 ? { ...fields, suppressed: this.suppressed } : fields, msg);
    this.last = t;
    this.suppressed = 0;
  }
}
