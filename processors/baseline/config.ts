/**
 * Config of the baseline processor. Every key is documented in README.md; the rule defaults are the
 * product design's: latency +50 %, throughput −30 %, error rate +10 percentage points.
 */
import { z } from 'zod';
import { describe, duration, integer } from '../../config/types.js';

/** The RED metrics of red_indicators the default rules watch. */
export const LATENCY_METRIC = 'vigil.red.latency.p95';
export const THROUGHPUT_METRIC = 'vigil.red.throughput';
export const ERROR_RATE_METRIC = 'vigil.red.error_rate';
/** The metric whose point (same attributes, same time) gives a point's volume. */
export const DEFAULT_VOLUME_METRIC = 'vigil.red.calls';
/** Calls a window needs before a rule may hold on it ("three requests at night page nobody"). */
export const DEFAULT_MIN_CALLS = 20;
/** How long (event time) a rule must hold before the event: two consecutive 1-minute windows. */
export const DEFAULT_FOR_MS = 60_000;
/** While a rule keeps holding, the event is raised again this often (event time). */
export const DEFAULT_REPEAT_MS = 3_600_000;

const positive = (what: string) => z.number({ error: (iss) => `expected ${what}, got ${describe(iss.input)}` })
  .positive({ error: `${what} must be above 0` });

const ruleSchema = z.strictObject({
  name: z.string().min(1),
  metrics: z.array(z.string().min(1)).min(1, { error: 'a rule needs at least one metric' }),
  direction: z.enum(['up', 'down'], { error: (iss) => `expected up or down, got ${describe(iss.input)}` }),
  relative: positive('a fraction of the expected value (0.5 = 50 %)').optional(),
  absolute: positive('an amount in the metric\'s unit').optional(),
  min_calls: integer(0).default(DEFAULT_MIN_CALLS),
  for: duration().default(DEFAULT_FOR_MS),
}).refine((r) => (r.relative === undefined) !== (r.absolute === undefined), { error: 'give exactly one of relative and absolute' });

/** A degradation rule as parsed. */
export type Rule = z.infer<typeof ruleSchema>;

/** The product design's rules. */
export const DEFAULT_RULES: Rule[] = [
  { name: 'latency', metrics: [LATENCY_METRIC], direction: 'up', relative: 0.5, min_calls: DEFAULT_MIN_CALLS, for: DEFAULT_FOR_MS },
  { name: 'throughput', metrics: [THROUGHPUT_METRIC], direction: 'down', relative: 0.3, min_calls: DEFAULT_MIN_CALLS, for: DEFAULT_FOR_MS },
  { name: 'error_rate', metrics: [ERROR_RATE_METRIC], direction: 'up', absolute: 10, min_calls: DEFAULT_MIN_CALLS, for: DEFAULT_FOR_MS },
];

const trailing = { window: 24 * 3_600_000, bucket: 5 * 60_000, min_buckets: 12 };
const seasonal = { enabled: true, period: 7 * 24 * 3_600_000, slot: 3_600_000, periods: 4, min_periods: 2 };

/** The baseline processor's config schema; unknown keys are rejected. */
export const configSchema = z.strictObject({
  rules: z.array(ruleSchema).default(DEFAULT_RULES)
    .refine((rs) => new Set(rs.map((r) => r.name)).size === rs.length, { error: 'rule names must be unique' }),
  /** Further metrics to keep a baseline of (expected/lower/upper emitted), without a rule. */
  metrics: z.array(z.string().min(1)).default([]),
  volume_metric: z.string().min(1).default(DEFAULT_VOLUME_METRIC),
  trailing: z.strictObject({
    window: duration().default(trailing.window),
    bucket: duration().default(trailing.bucket),
    min_buckets: integer(1).default(trailing.min_buckets),
  }).default(trailing),
  seasonal: z.strictObject({
    enabled: z.boolean().default(seasonal.enabled),
    period: duration().default(seasonal.period),
    slot: duration().default(seasonal.slot),
    periods: integer(1, 52).default(seasonal.periods),
    min_periods: integer(1, 52).default(seasonal.min_periods),
  }).default(seasonal),
  /** The band is expected ± this many robust standard deviations (1.4826 × MAD). */
  band_sigmas: positive('a number of standard deviations').default(3),
  repeat_interval: duration().default(DEFAULT_REPEAT_MS),
  pass_through: z.boolean().default(true),
  events: z.boolean().default(true),
  partition_by: z.string().min(1).default('service.name'),
  checkpoint_interval: duration().default(5_000),
  max_series: integer(1).default(100_000),
}).superRefine((c, ctx) => {
  const t = c.trailing;
  if (t.bucket <= 0 || t.window < t.bucket) ctx.addIssue({ code: 'custom', path: ['trailing', 'bucket'], message: 'the bucket must be above 0 and at most the trailing window' });
  const s = c.seasonal;
  if (!s.enabled) return;
  if (s.slot < t.bucket || s.slot > t.window || s.slot % t.bucket !== 0) ctx.addIssue({ code: 'custom', path: ['seasonal', 'slot'], message: 'the slot must be a whole number of buckets and at most the trailing window' });
  if (s.period % s.slot !== 0) ctx.addIssue({ code: 'custom', path: ['seasonal', 'period'], message: 'the period must be a whole number of slots' });
  if (s.min_periods > s.periods) ctx.addIssue({ code: 'custom', path: ['seasonal', 'min_periods'], message: 'min_periods must be at most periods' });
});

/** The parsed config: durations in milliseconds. */
export type Config = z.infer<typeof configSchema>;
