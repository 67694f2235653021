/** Config of the example `window_sum` processor. */
import { z } from 'zod';
import { duration } from '../../config/types.js';

/** Tumbling window length in event time. */
export const DEFAULT_WINDOW_MS = 60_000;
/** How often open windows are checkpointed (and the records in them acknowledged). */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 1_000;
/** Wall time without data after which a partition's watermark follows the wall clock. */
export const DEFAULT_IDLE_TIMEOUT_MS = 5_000;

/** The window_sum processor's config schema; unknown keys are rejected. */
export const configSchema = z.strictObject({
  window: duration().default(DEFAULT_WINDOW_MS),
  allowed_lateness: duration().default(0),
  checkpoint_interval: duration().default(DEFAULT_CHECKPOINT_INTERVAL_MS),
  idle_timeout: duration().default(DEFAULT_IDLE_TIMEOUT_MS),
});

/** The parsed config: durations in milliseconds. */
export type Config = z.infer<typeof configSchema>;
