/**
 * Config of the span_metrics connector: every key of otelcol-contrib v0.155's spanmetricsconnector
 * `config.go`, with its defaults and its validation rules, so an otelcol config loads unchanged.
 */
import { z } from 'zod';
import { describe, duration, integer } from '../../config/types.js';
import { compileGlob } from './glob.js';

/** otelcol's default namespace: metrics are `traces.span.metrics.calls` and `.duration`. */
export const DEFAULT_NAMESPACE = 'traces.span.metrics';
/** otelcol's default flush interval (60 s), in milliseconds. */
export const DEFAULT_FLUSH_INTERVAL_MS = 60_000;
/** otelcol's default LRU size for resources. */
export const DEFAULT_RESOURCE_METRICS_CACHE_SIZE = 1000;
/** otelcol's default LRU size for the start timestamps of delta series. */
export const DEFAULT_TIMESTAMP_CACHE_SIZE = 1000;
/** otelcol's default exemplars kept per data point. */
export const DEFAULT_MAX_PER_DATA_POINT = 5;
/** go-expohisto's default (and OpenTelemetry's) maximum buckets per range. */
export const DEFAULT_EXPONENTIAL_MAX_SIZE = 160;
/** The dimensions every metric has; a configured dimension may not repeat them. */
export const RESERVED_DIMENSIONS = ['service.name', 'span.kind', 'status.code', 'span.name', 'collector.instance.id'] as const;

/** otelcol's spelling of delta temporality (anything else is cumulative). */
export const DELTA = 'AGGREGATION_TEMPORALITY_DELTA';
/** otelcol's spelling of cumulative temporality, the default. */
export const CUMULATIVE = 'AGGREGATION_TEMPORALITY_CUMULATIVE';

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const DURATION_PART = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;

/** A Go duration ("2ms", "1.5s", "1m30s") in whole nanoseconds, as Go's time.ParseDuration reads it; undefined when malformed. */
export function parseDurationNs(text: string): number | undefined {
  if (text === '0') return 0;
  let rest = text;
  if (rest === '') return undefined;
  let total = 0;
  while (rest.length > 0) {
    const m = DURATION_PART.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_NS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

/** A histogram bucket bound as a duration, parsed to nanoseconds (the unit is applied later, as in otelcol). */
const bucketDuration = z.string({ error: (iss) => `expected a duration like "10ms", got ${describe(iss.input)}` })
  .transform((text, ctx) => {
    const ns = parseDurationNs(text);
    if (ns === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like "10ms", got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return ns;
  });

/** A YAML scalar read as a string (mapstructure's weak typing turns `default: 200` into "200"). */
const scalarString = z.union([z.string(), z.number(), z.boolean()], {
  error: (iss) => `expected a string, got ${describe(iss.input)}`,
}).transform((v) => String(v));

/** One dimension: `name` (with an optional `default`) or `glob`, exactly one of them. */
const dimension = z.strictObject({
  name: z.string().default(''),
  default: scalarString.nullish().transform((v) => v ?? undefined),
  glob: z.string().default(''),
});

/** A configured dimension, parsed. */
export type Dimension = z.infer<typeof dimension>;

/** Checks a dimension list the way otelcol's validateDimensions does; the first problem, or undefined. */
export function dimensionsProblem(dims: readonly Dimension[]): string | undefined {
  const names = new Set<string>(RESERVED_DIMENSIONS);
  const globs: Array<[string, RegExp]> = [];
  for (const d of dims) {
    if (d.name !== '' && d.glob !== '') return `dimension entry must set only one of \`name\` or \`glob\`, got both: name=${JSON.stringify(d.name)} glob=${JSON.stringify(d.glob)}`;
    if (d.name === '' && d.glob === '') return 'dimension entry must set one of `name` or `glob`';
    if (d.name !== '') {
      if (names.has(d.name)) return `duplicate dimension name ${JSON.stringify(d.name)}`;
      names.add(d.name);
      continue;
    }
    if (d.default !== undefined) return `\`default\` is not supported on \`glob\` dimension ${JSON.stringify(d.glob)}`;
    const re = compileGlob(d.glob);
    if (re === undefined) return `invalid dimension glob ${JSON.stringify(d.glob)}`;
    globs.push([d.glob, re]);
  }
  for (const name of names) {
    for (const [text, re] of globs) {
      if (re.test(name)) return `duplicate dimension name ${JSON.stringify(name)} conflicting with glob ${JSON.stringify(text)}`;
    }
  }
  return undefined;
}

const dimensions = z.array(dimension).nullish().transform((v) => v ?? []).superRefine((dims, ctx) => {
  const problem = dimensionsProblem(dims);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** configoptional's `enabled: false` turns an optional section off; null leaves it absent. */
const optionalEnabled = z.boolean().default(true);

const explicit = z.strictObject({
  enabled: optionalEnabled,
  buckets: z.array(bucketDuration).nullish().transform((v) => v ?? undefined),
});

const exponential = z.strictObject({
  enabled: optionalEnabled,
  // int32, as in otelcol; 0 or less means the default (160), and go-expohisto clamps the rest to [2, 16384].
  max_size: integer(-(2 ** 31), 2 ** 31 - 1).default(0),
});

const unit = z.string({ error: (iss) => `expected "ms" or "s", got ${describe(iss.input)}` })
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['ms', 's'], { error: (iss) => `unknown Unit ${JSON.stringify(iss.input)}, allowed units are "ms" and "s"` }));

const histogram = z.strictObject({
  disable: z.boolean().default(false),
  unit: unit.default('ms'),
  exponential: exponential.nullish().transform((v) => (v?.enabled ? v : undefined)),
  explicit: explicit.nullish().transform((v) => (v?.enabled ? v : undefined)),
  dimensions,
}).refine((h) => !(h.explicit && h.exponential), { error: 'use either `explicit` or `exponential` buckets histogram' });

const exemplars = z.strictObject({
  enabled: z.boolean().default(false),
  max_per_data_point: z.number().int({ error: 'expected a whole number' }).default(DEFAULT_MAX_PER_DATA_POINT),
}).refine((e) => !e.enabled || e.max_per_data_point >= 0, { error: 'invalid max_per_data_point: the value should be positive', path: ['max_per_data_point'] });

const events = z.strictObject({
  enabled: z.boolean().default(false),
  dimensions,
}).refine((e) => !e.enabled || e.dimensions.length > 0, { error: 'no dimensions configured for events', path: ['dimensions'] });

const temporality = z.string({ error: (iss) => `expected ${CUMULATIVE} or ${DELTA}, got ${describe(iss.input)}` })
  // otelcol treats anything but the delta spelling as cumulative; so do we.
  .transform((s) => (s === DELTA ? 'delta' : 'cumulative'))
  .pipe(z.enum(['delta', 'cumulative']));

const nonNegativeDuration = duration();

/** How often the Kafka queue's per-partition aggregates are checkpointed, by default. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 5_000;

/** The span_metrics connector's config schema; unknown keys are rejected. Durations are in milliseconds. */
export const configSchema = z.strictObject({
  dimensions,
  calls_dimensions: dimensions,
  exclude_dimensions: z.array(z.string()).nullish().transform((v) => v ?? []),
  /** Deprecated in otelcol (v0.130), accepted and unused there too: aggregation_cardinality_limit replaced it. */
  dimensions_cache_size: integer(0).default(0),
  resource_metrics_cache_size: integer(1).default(DEFAULT_RESOURCE_METRICS_CACHE_SIZE),
  resource_metrics_key_attributes: z.array(z.string()).nullish().transform((v) => v ?? []),
  aggregation_temporality: temporality.default('cumulative'),
  histogram: histogram.prefault({}),
  metrics_flush_interval: nonNegativeDuration.default(DEFAULT_FLUSH_INTERVAL_MS),
  metrics_expiration: nonNegativeDuration.default(0),
  series_expiration: nonNegativeDuration.default(0),
  metric_timestamp_cache_size: integer(0, 2 ** 31 - 1).default(DEFAULT_TIMESTAMP_CACHE_SIZE),
  namespace: z.string().default(DEFAULT_NAMESPACE),
  exemplars: exemplars.prefault({}),
  events: events.prefault({}),
  include_instrumentation_scope: z.array(z.string()).nullish().transform((v) => v ?? []),
  aggregation_cardinality_limit: integer(0).default(0),
  add_resource_attributes: z.boolean().default(false),
  enable_metrics_sampling_method: z.boolean().default(false),
  /**
   * vigil's own (otelcol has no such key): on the Kafka queue, how often each partition's aggregate
   * is checkpointed. The log's commit waits for the checkpoint, so it bounds what a crash replays.
   */
  checkpoint_interval: duration().refine((ms) => ms > 0, { error: 'must be more than 0' }).default(DEFAULT_CHECKPOINT_INTERVAL_MS),
}).refine((c) => c.aggregation_temporality !== 'delta' || c.metric_timestamp_cache_size > 0, {
  error: 'invalid delta timestamp cache size: the maximum number of the items in the cache should be positive',
  path: ['metric_timestamp_cache_size'],
});

/** The parsed config: durations in milliseconds, bucket bounds in nanoseconds, temporality 'delta' | 'cumulative'. */
export type Config = z.infer<typeof configSchema>;
