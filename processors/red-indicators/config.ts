/** Config of the `red_indicators` processor. */
import { z } from 'zod';
import { duration } from '../../config/types.js';

/** Tumbling window length in event time (the default: one minute). */
export const DEFAULT_WINDOW_MS = 60_000;
/** How often state (open windows, last cumulative values) is checkpointed. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 1_000;
/** Wall time without data after which a partition's watermark follows the wall clock. */
export const DEFAULT_IDLE_TIMEOUT_MS = 5_000;
/** A cumulative series not seen for this long (event time) is forgotten. */
export const DEFAULT_SERIES_EXPIRATION_MS = 3_600_000;
/** span_metrics' default metric names. */
export const DEFAULT_CALLS_METRIC = 'traces.span.metrics.calls';
export const DEFAULT_DURATION_METRIC = 'traces.span.metrics.duration';

/** The red_indicators config schema; unknown keys are rejected. */
export const configSchema = z.strictObject({
  window: duration().default(DEFAULT_WINDOW_MS).refine((ms) => ms > 0, 'the window must be longer than 0'),
  dimensions: z.array(z.string().min(1)).nullish().transform((v) => v ?? [])
    .refine((d) => new Set(d).size === d.length, 'duplicate dimension')
    .refine((d) => !d.includes('service.name') && !d.includes('span.name'), 'service.name and span.name are always dimensions'),
  pass_through: z.boolean().default(true),
  // Opt-in: a service-level series per service (+ dimensions) beside the per-operation ones.
  service_rollup: z.boolean().default(false),
  calls_metric: z.string().min(1).default(DEFAULT_CALLS_METRIC),
  duration_metric: z.string().min(1).default(DEFAULT_DURATION_METRIC),
  allowed_lateness: duration().default(0),
  idle_timeout: duration().default(DEFAULT_IDLE_TIMEOUT_MS),
  checkpoint_interval: duration().default(DEFAULT_CHECKPOINT_INTERVAL_MS),
  series_expiration: duration().default(DEFAULT_SERIES_EXPIRATION_MS),
});

/** The parsed config: durations in milliseconds. */
export type Config = z.infer<typeof configSchema>;
