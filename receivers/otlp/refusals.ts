/** Logging of refused exports: every refusal at debug, a warning only once per burst. */
import type { Logger } from 'pino';
import { messageOf } from '../../pipeline/errors.js';

/** A burst ends after this long without refusals; the next refusal warns again. */
export const BURST_QUIET_MS = 10_000;

/** Counts refusals and warns at the first of each burst, with how many the previous burst had. */
export class RefusalLog {
  private lastAt = -Infinity;
  private inBurst = 0;

  constructor(private readonly logger: Logger, private readonly now: () => number = Date.now) {}

  /** Records one refused request of `items` items (undefined: refused before it was decoded). */
  note(err: unknown, signal: string, transport: string, items: number | undefined): void {
    const now = this.now();
    this.logger.debug({ err, signal, transport, items }, 'export refused');
    if (now - this.lastAt >= BURST_QUIET_MS) {
      this.logger.warn(
        { signal, transport, reason: messageOf(err), previousBurst: this.inBurst },
        `refusing exports; further refusals are logged at debug until ${BURST_QUIET_MS / 1000}s pass without one`,
      );
      this.inBurst = 0;
    }
    this.inBurst++;
    this.lastAt = now;
  }
}
