/** Periodic housekeeping for a partition's worker (its checkpoints), on the partition's clock. */
import type { PartitionClock, Timer } from '../../pipeline/event-time/clock.js';
import type { PartitionState } from '../../pipeline/state/partition-state.js';

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

/**
 * A worker's periodic checkpoints: `fn` every `ms` when the partition's store is durable (it
 * outlives the process: Redis), none otherwise. A store that dies with the process gains nothing
 * from a copy of every changed model each interval, and the copies can cost as much CPU as the
 * work itself (anomaly, 100,000 series on one daemon: 42k against 85k points per CPU-second). The
 * checkpoint at revocation is the worker's to keep either way.
 */
export function checkpointEvery(ctx: { readonly clock: PartitionClock; readonly state: PartitionState }, ms: number, fn: () => Promise<void>): Timer | undefined {
  return ctx.state.durable ? every(ctx.clock, ms, fn) : undefined;
}
