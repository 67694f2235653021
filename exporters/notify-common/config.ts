/** The delivery keys every notification exporter shares: retries, rate limit, dead-letter TTL, dedup memory. */
import { z } from 'zod';
import { duration, integer } from '../../config/types.js';
import type { BackoffSettings } from '../../pipeline/backoff.js';
import { severityOf, type Severity } from './alert.js';

/** Defaults: a notification is worth retrying for a while, but a page an hour late is worse than a dead letter. */
export const DEFAULT_INITIAL_INTERVAL_MS = 1_000;
export const DEFAULT_MAX_INTERVAL_MS = 60_000;
export const DEFAULT_MULTIPLIER = 2;
export const DEFAULT_RANDOMIZATION_FACTOR = 0.2;
export const DEFAULT_DEAD_LETTER_TTL_MS = 3_600_000;
/** How long a sent notification's key is remembered against duplicates: longer than any redelivery. */
export const DEFAULT_DEDUP_TTL_MS = 7 * 24 * 3_600_000;
export const DEFAULT_TIMEOUT_MS = 10_000;

/** `retry_on_failure`: how a failed send is retried; `dead_letter_ttl` bounds it instead of max_elapsed_time. */
export const notifyRetrySchema = z.strictObject({
  initial_interval: duration().default(DEFAULT_INITIAL_INTERVAL_MS),
  max_interval: duration().default(DEFAULT_MAX_INTERVAL_MS),
  multiplier: z.number().min(1, { error: 'must be at least 1' }).default(DEFAULT_MULTIPLIER),
  randomization_factor: z.number().min(0, { error: 'must be at least 0' }).max(1, { error: 'must be at most 1' })
    .default(DEFAULT_RANDOMIZATION_FACTOR),
}).refine((r) => r.initial_interval > 0, { error: 'must be more than 0', path: ['initial_interval'] })
  .refine((r) => r.max_interval >= r.initial_interval, { error: 'must not be less than initial_interval', path: ['max_interval'] });

/** `rate_limit`: a token bucket per sink; a 429 pauses the whole sink for its Retry-After. */
export const rateLimitSchema = z.strictObject({
  per_second: z.number().positive({ error: 'must be more than 0' }).default(1),
  burst: integer(1).default(10),
});

/** Severity names `severity_filter` accepts: the contract's four and the rule language's high/medium/low. */
export const FILTER_SEVERITIES = ['critical', 'error', 'warning', 'info', 'high', 'medium', 'low'] as const;

/** `severity_filter`: the severities this channel notifies (aliases folded: high = error…); empty = all. */
export const severityFilterSchema = z.array(z.enum(FILTER_SEVERITIES)).default([])
  .transform((list) => [...new Set(list.map((s) => severityOf(s) ?? 'warning'))]);

/** The shared keys, spread into each exporter's schema. */
export const deliveryShape = (defaults: { perSecond?: number } = {}) => ({
  timeout: duration().default(DEFAULT_TIMEOUT_MS),
  retry_on_failure: notifyRetrySchema.prefault({}),
  rate_limit: rateLimitSchema.prefault(defaults.perSecond ? { per_second: defaults.perSecond } : {}),
  /** After this long failing, a notification is dead-lettered (counted, logged) and the record acknowledged. */
  dead_letter_ttl: duration().default(DEFAULT_DEAD_LETTER_TTL_MS),
  /** How long a delivered notification's key is kept, so a redelivered record does not notify twice. */
  dedup_ttl: duration().default(DEFAULT_DEDUP_TTL_MS),
  /** Only alerts of these severities are notified on this channel; the others are counted as `filtered`. */
  severity_filter: severityFilterSchema,
});

/** The parsed shared keys. */
export interface DeliveryConfig {
  timeout: number;
  retry_on_failure: z.infer<typeof notifyRetrySchema>;
  rate_limit: z.infer<typeof rateLimitSchema>;
  dead_letter_ttl: number;
  dedup_ttl: number;
  /** The severities notified (aliases folded); absent or empty: every severity. */
  severity_filter?: readonly Severity[];
}

/** `retry_on_failure` as the shared backoff schedule, bounded by the dead-letter TTL. */
export function backoffOf(c: DeliveryConfig): BackoffSettings {
  const r = c.retry_on_failure;
  return { initialMs: r.initial_interval, maxMs: r.max_interval, multiplier: r.multiplier, jitter: r.randomization_factor, maxElapsedMs: c.dead_letter_ttl };
}

/** An http(s) URL, for endpoints. */
export const httpUrl = () => z.string().refine((u) => {
  try {
    const p = new URL(u);
    return p.protocol === 'http:' || p.protocol === 'https:';
  } catch {
    return false;
  }
}, { error: (iss) => `expected an http:// or https:// URL, got ${JSON.stringify(iss.input)}` });
