/**
 * Config of the probabilistic_sampler processor: the OpenTelemetry Collector's
 * probabilisticsamplerprocessor keys and defaults. The keys vigil cannot honour yet
 * (attribute_source: record, from_attribute, sampling_priority) are refused with a clear message
 * rather than silently ignored.
 */
import { z } from 'zod';
import { describe, integer } from '../../config/types.js';

/** otelcol's default: a threshold is encoded with 4 hex digits. */
export const DEFAULT_SAMPLING_PRECISION = 4;
/** The smallest non-zero probability OpenTelemetry's 56-bit thresholds can express. */
export const MIN_SAMPLING_PROBABILITY = 2 ** -56;

/** The sampling modes otelcol knows. */
export const MODES = ['hash_seed', 'equalizing', 'proportional'] as const;
export type Mode = (typeof MODES)[number];

const notSupported = (what: string) => `not supported: ${what}`;

/** The probabilistic_sampler's config schema; unknown keys are rejected. */
export const configSchema = z.strictObject({
  // otelcol reads this into a float32: values above 100 mean 100 %.
  sampling_percentage: z.number({ error: (iss) => `expected a percentage, got ${describe(iss.input)}` })
    .min(0, { error: 'must be at least 0' })
    .refine((p) => p === 0 || Math.fround(p) / 100 >= MIN_SAMPLING_PROBABILITY, { error: 'is too small: use 0 to drop everything' })
    .default(0),
  hash_seed: integer(0, 2 ** 32 - 1).default(0),
  mode: z.enum(MODES, { error: (iss) => `expected one of "hash_seed", "equalizing", "proportional", got ${describe(iss.input)}` }).optional(),
  fail_closed: z.boolean().default(true),
  sampling_precision: integer(1, 14).default(DEFAULT_SAMPLING_PRECISION),
  attribute_source: z.literal('traceID', {
    error: notSupported('only "traceID" (log records are sampled by their trace id)'),
  }).default('traceID'),
  from_attribute: z.literal('', { error: notSupported('from_attribute (sampling log records by an attribute); remove it') }).default(''),
  sampling_priority: z.literal('', { error: notSupported('sampling_priority; remove it') }).default(''),
});

/** The parsed config. */
export type Config = z.infer<typeof configSchema>;

/** The mode otelcol would run: an explicit `mode`, else hash_seed when a seed is set, else proportional. */
export function effectiveMode(config: Config): Mode {
  return config.mode ?? (config.hash_seed !== 0 ? 'hash_seed' : 'proportional');
}
