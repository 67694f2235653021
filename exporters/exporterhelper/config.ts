/**
 * The config blocks every sending exporter shares, with otelcol's exporterhelper keys and defaults:
 * `retry_on_failure`, `sending_queue`, `timeout`.
 */
import { z } from 'zod';
import { duration, integer } from '../../config/types.js';
import type { BackoffSettings } from '../../pipeline/backoff.js';

/** otelcol's exporterhelper defaults. */
export const DEFAULT_INITIAL_INTERVAL_MS = 5_000;
export const DEFAULT_RANDOMIZATION_FACTOR = 0.5;
export const DEFAULT_MULTIPLIER = 1.5;
export const DEFAULT_MAX_INTERVAL_MS = 30_000;
export const DEFAULT_MAX_ELAPSED_TIME_MS = 300_000;
export const DEFAULT_NUM_CONSUMERS = 10;
export const DEFAULT_QUEUE_SIZE = 1000;
/** otelcol's exporterhelper timeout per attempt. */
export const DEFAULT_TIMEOUT_MS = 5_000;

/** `retry_on_failure`: exponential backoff with jitter; `max_elapsed_time: 0` retries forever. */
export const retrySchema = z.strictObject({
  enabled: z.boolean().default(true),
  initial_interval: duration().default(DEFAULT_INITIAL_INTERVAL_MS),
  randomization_factor: z.number().min(0, { error: 'must be at least 0' }).max(1, { error: 'must be at most 1' })
    .default(DEFAULT_RANDOMIZATION_FACTOR),
  multiplier: z.number().min(1, { error: 'must be at least 1' }).default(DEFAULT_MULTIPLIER),
  max_interval: duration().default(DEFAULT_MAX_INTERVAL_MS),
  max_elapsed_time: duration().default(DEFAULT_MAX_ELAPSED_TIME_MS),
}).refine((r) => r.initial_interval > 0 || !r.enabled, { error: 'must be more than 0', path: ['initial_interval'] })
  .refine((r) => r.max_interval >= r.initial_interval, { error: 'must not be less than initial_interval', path: ['max_interval'] });

/**
 * `sending_queue`, counted in batches (export requests). otelcol's persistent `storage` has no
 * equivalent: the stage log before the exporter is vigil's durable queue.
 */
export const queueSchema = z.strictObject({
  enabled: z.boolean().default(true),
  num_consumers: integer(1, 10_000).default(DEFAULT_NUM_CONSUMERS),
  queue_size: integer(1).default(DEFAULT_QUEUE_SIZE),
  sizer: z.literal('requests', { error: 'only "requests" is supported: the queue counts export requests' }).default('requests'),
  /** Accepted for otelcol compatibility: a full queue always refuses (the stage log redelivers). */
  blocking: z.boolean().default(false),
});

/** `timeout` per attempt; 0 means none. */
export const timeoutSchema = (fallbackMs = DEFAULT_TIMEOUT_MS) => duration().default(fallbackMs);

/** The parsed `retry_on_failure` block. */
export type RetryConfig = z.infer<typeof retrySchema>;
/** The parsed `sending_queue` block. */
export type QueueConfig = z.infer<typeof queueSchema>;

/** `retry_on_failure` with every default, for configs that omit it. */
export const defaultRetry = (): RetryConfig => retrySchema.parse({});

/** `retry_on_failure` as the shared backoff schedule (pipeline/backoff). */
export function backoffOf(retry: RetryConfig): BackoffSettings {
  return {
    initialMs: retry.initial_interval,
    multiplier: retry.multiplier,
    maxMs: retry.max_interval,
    jitter: retry.randomization_factor,
    maxElapsedMs: retry.max_elapsed_time,
  };
}
/** `sending_queue` with every default, for configs that omit it. */
export const defaultQueue = (): QueueConfig => queueSchema.parse({});
