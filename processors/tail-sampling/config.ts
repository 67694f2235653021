/**
 * Config of the tail_sampling processor: every key of otelcol-contrib v0.155's
 * tailsamplingprocessor config.go, with its defaults, plus vigil's `max_held_size_mib` (the bytes
 * of undecided traces a partition worker may hold) and `checkpoint_interval` (of the decisions). Keys vigil cannot honour are refused with the
 * reason (tail_storage) rather than ignored. Policies are in ./policy-config.
 */
import { z } from 'zod';
import { describe, duration, integer } from '../../config/types.js';
import { policySchema, type Policy } from './policy-config.js';

/** otelcol's default decision_wait. */
export const DEFAULT_DECISION_WAIT_MS = 30_000;
/** otelcol's default num_traces. */
export const DEFAULT_NUM_TRACES = 50_000;
/** vigil: bytes of undecided traces held per processor before the oldest are decided early; half the memory queue's default 64 MiB, which counts held records too. */
export const DEFAULT_MAX_HELD_SIZE_MIB = 32;

/** vigil: how often a partition's decisions are checkpointed in a durable state store (records of decided traces wait for it). */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 5_000;

const bool = z.boolean({ error: (iss) => `expected true or false, got ${describe(iss.input)}` });

/** The tail_sampling processor's config schema; unknown keys are rejected. */
export const configSchema = z.strictObject({
  decision_wait: duration().default(DEFAULT_DECISION_WAIT_MS),
  decision_wait_after_root_received: duration().default(0),
  num_traces: integer(1).default(DEFAULT_NUM_TRACES),
  block_on_overflow: bool.default(false),
  expected_new_traces_per_sec: integer(0).default(0),
  policies: z.array(policySchema, { error: (iss) => `expected a list of policies, got ${describe(iss.input)}` }).default([]),
  decision_cache: z.strictObject({
    sampled_cache_size: integer(0).default(0),
    non_sampled_cache_size: integer(0).default(0),
  }).prefault({}),
  tail_storage: z.null({ error: 'not supported: vigil has no tail storage extensions; undecided traces stay in the stage log (Kafka) and in memory. Remove tail_storage' }).optional(),
  sample_on_first_match: bool.default(false),
  sampling_strategy: z.enum(['trace-complete', 'span-ingest'], {
    error: (iss) => `invalid sampling_strategy ${describe(iss.input)}, expected one of "trace-complete" or "span-ingest"`,
  }).default('trace-complete'),
  drop_pending_traces_on_shutdown: bool.default(false),
  maximum_trace_size_bytes: integer(0).default(0),
  checkpoint_interval: duration().refine((ms) => ms > 0, { error: 'must be more than 0' }).default(DEFAULT_CHECKPOINT_INTERVAL_MS),
  max_held_size_mib: z.number({ error: (iss) => `expected a size in MiB, got ${describe(iss.input)}` }).positive({ error: 'must be more than 0' }).default(DEFAULT_MAX_HELD_SIZE_MIB),
}).superRefine((c, ctx) => {
  const seen = new Set<string>();
  c.policies.forEach((p, i) => {
    if (p.name !== '' && seen.has(p.name)) ctx.addIssue({ code: 'custom', path: ['policies', i, 'name'], message: `duplicate policy name ${JSON.stringify(p.name)}` });
    seen.add(p.name);
    if (c.sampling_strategy === 'span-ingest' && isStateful(p)) {
      ctx.addIssue({ code: 'custom', path: ['policies', i, 'type'], message: `sampling_strategy "span-ingest" requires all policies to be stateless, but policy ${JSON.stringify(p.name)} is stateful` });
    }
  });
});

/** The parsed config: durations in milliseconds. */
export type Config = z.infer<typeof configSchema>;

/** otelcol's IsStateful: policies whose answer depends on more than the spans at hand. */
function isStateful(p: { type: string; latency: { upper_threshold_ms: number }; span_count: { max_spans: number } } & Partial<Pick<Policy, 'and' | 'composite' | 'drop' | 'not'>>): boolean {
  switch (p.type) {
    case 'rate_limiting': case 'bytes_limiting': return true;
    case 'span_count': return p.span_count.max_spans > 0;
    case 'latency': return p.latency.upper_threshold_ms > 0;
    case 'composite': return (p.composite?.composite_sub_policy ?? []).some(isStateful);
    case 'and': return (p.and?.and_sub_policy ?? []).some(isStateful);
    case 'drop': return (p.drop?.drop_sub_policy ?? []).some(isStateful);
    case 'not': return p.not ? isStateful(p.not.not_sub_policy) : false;
    default: return false;
  }
}
