/** Config of the debug exporter: otelcol's debugexporter keys and defaults. */
import { z } from 'zod';
import { integer } from '../../config/types.js';

/** otelcol's defaults. */
export const DEFAULT_VERBOSITY = 'basic';
export const DEFAULT_SAMPLING_INITIAL = 2;
export const DEFAULT_SAMPLING_THEREAFTER = 1;

/** The config schema: unknown keys rejected, defaults filled in. */
export const configSchema = z.strictObject({
  verbosity: z.enum(['basic', 'normal', 'detailed'], { error: 'expected one of "basic", "normal", "detailed"' })
    .default(DEFAULT_VERBOSITY),
  /** Batches logged per second before sampling starts. */
  sampling_initial: integer(1).default(DEFAULT_SAMPLING_INITIAL),
  /** After that, one batch in this many is logged (per second). */
  sampling_thereafter: integer(1).default(DEFAULT_SAMPLING_THEREAFTER),
  /** Accepted for otelcol compatibility: vigil always writes through its own logger. */
  use_internal_logger: z.boolean().default(true),
});

/** The parsed debug exporter config. */
export type Config = z.infer<typeof configSchema>;
