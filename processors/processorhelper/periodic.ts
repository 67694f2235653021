/** Periodic housekeeping for a partition's worker (its checkpoints), on the partition's clock. */
import type { PartitionClock, Timer } from '../../pipeline/event-time/clock.js';

/**
 * Runs `fn` every `ms` of wall time, serialised with the clock's timers. The next run is scheduled
 * once the previous one settled, so runs never overlap; `cancel` stops it, also while a run is in
 * progress (none is scheduled after it).
 */
export function every(clock: PartitionClock, ms: number, fn: () => Promise<void>): Timer {
  let cancelled = false;
  let timer: Timer | undefined;
  const schedule = (): void => {
    timer = clock.after(ms, async () => {
      try {
        await fn();
      } finally {
        if (!cancelled) schedule(); // a failing run is reported by the clock; the next one still comes
      }
    });
  };
  schedule();
  return { cancel: () => { cancelled = true; timer?.cancel(); } };
}
