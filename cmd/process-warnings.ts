/**
 * Node's process warnings, into the daemon's JSON log instead of raw text on stderr (a line a log
 * pipeline cannot parse). Each thread routes its own: a worker thread's process emits its own.
 */
import type { Logger } from 'pino';

/**
 * kafkajs schedules its request queue's throttle check at `throttledUntil - now` even when nothing is
 * throttled, a negative delay that Node clamps to 1 ms; Node 24 warns about it once per process.
 * Harmless, and nothing a user can act on: debug.
 */
const KNOWN_HARMLESS = new Set(['TimeoutNegativeWarning']);

/** Replaces Node's printer of process warnings with `logger`. */
export function logProcessWarnings(logger: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    const fields = { warning: w.name, ...('code' in w && typeof w.code === 'string' ? { code: w.code } : {}) };
    if (KNOWN_HARMLESS.has(w.name)) logger.debug(fields, w.message);
    else logger.warn(fields, w.message);
  });
}
