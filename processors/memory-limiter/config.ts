/**
 * Config of the memory_limiter processor: the OpenTelemetry Collector's memorylimiterprocessor
 * keys. Limits are given either in MiB (`limit_mib`, `spike_limit_mib`) or as a percentage of the
 * memory available to the process (`limit_percentage`, `spike_limit_percentage`), never both.
 */
import { z } from 'zod';
import { duration, integer } from '../../config/types.js';

/** The spike allowance when none is given, as a fraction of the limit (otelcol's 20 %). */
export const DEFAULT_SPIKE_FRACTION = 0.2;
/** otelcol's defaults for how often a GC may be forced. */
export const DEFAULT_MIN_GC_INTERVAL_SOFT_MS = 10_000;
export const DEFAULT_MIN_GC_INTERVAL_HARD_MS = 0;

const percentage = () => integer(0, 100);

/** The memory_limiter's config schema; unknown keys are rejected. */
export const configSchema = z.strictObject({
  check_interval: duration().optional(),
  limit_mib: integer(0).default(0),
  spike_limit_mib: integer(0).optional(),
  limit_percentage: percentage().default(0),
  spike_limit_percentage: percentage().optional(),
  min_gc_interval_when_soft_limited: duration().default(DEFAULT_MIN_GC_INTERVAL_SOFT_MS),
  min_gc_interval_when_hard_limited: duration().default(DEFAULT_MIN_GC_INTERVAL_HARD_MS),
}).superRefine((c, ctx) => {
  if (c.check_interval === undefined || c.check_interval <= 0) {
    ctx.addIssue({ code: 'custom', path: ['check_interval'], message: 'must be set to a duration greater than 0, like "1s"' });
  }
  const mib = c.limit_mib > 0;
  const pct = c.limit_percentage > 0;
  if (mib === pct) {
    ctx.addIssue({
      code: 'custom',
      path: [mib ? 'limit_percentage' : 'limit_mib'],
      message: mib
        ? 'limit_mib and limit_percentage are exclusive: set only one of them'
        : 'one of limit_mib or limit_percentage must be set to more than 0',
    });
  }
  if (mib && c.spike_limit_percentage !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['spike_limit_percentage'], message: 'goes with limit_percentage; with limit_mib use spike_limit_mib' });
  }
  if (pct && c.spike_limit_mib !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['spike_limit_mib'], message: 'goes with limit_mib; with limit_percentage use spike_limit_percentage' });
  }
  if (mib && c.spike_limit_mib !== undefined && c.spike_limit_mib >= c.limit_mib) {
    ctx.addIssue({ code: 'custom', path: ['spike_limit_mib'], message: `must be less than limit_mib (${c.limit_mib})` });
  }
  if (pct && c.spike_limit_percentage !== undefined && c.spike_limit_percentage >= c.limit_percentage) {
    ctx.addIssue({ code: 'custom', path: ['spike_limit_percentage'], message: `must be less than limit_percentage (${c.limit_percentage})` });
  }
});

/** The parsed config: durations in milliseconds. */
export type Config = z.infer<typeof configSchema>;

/** The limits in bytes, resolved against the memory available to the process. */
export interface Limits {
  hardBytes: number;
  softBytes: number;
}

const MIB = 1024 * 1024;

/** Resolves a validated config to byte limits; `totalBytes` is the memory available to the process. */
export function limitsOf(config: Config, totalBytes: number): Limits {
  let hard: number;
  let spike: number;
  if (config.limit_mib > 0) {
    hard = config.limit_mib * MIB;
    spike = config.spike_limit_mib !== undefined ? config.spike_limit_mib * MIB : hard * DEFAULT_SPIKE_FRACTION;
  } else {
    hard = (totalBytes * config.limit_percentage) / 100;
    spike = config.spike_limit_percentage !== undefined
      ? (totalBytes * config.spike_limit_percentage) / 100
      : hard * DEFAULT_SPIKE_FRACTION;
  }
  return { hardBytes: Math.floor(hard), softBytes: Math.floor(hard - spike) };
}
