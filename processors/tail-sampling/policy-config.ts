/**
 * The policy part of the tail_sampling config: otelcol-contrib v0.155's policy keys, nested the way
 * its config.go nests them (a top-level policy may be composite/and/not/drop; a composite
 * sub-policy may be `and`; an and/drop sub-policy may be `not`; a not sub-policy is a leaf). Every
 * policy block is accepted on every policy, as otelcol does, and only the one named by `type` is
 * used. Checks otelcol makes when it starts (status codes, regexes, names) are made here, so
 * `vigil validate` reports them with their position.
 */
import { z } from 'zod';
import { describe } from '../../config/types.js';
import { compileRegex } from './regex.js';

/** The policy types every level accepts (otelcol's getSharedPolicyEvaluator). */
export const LEAF_TYPES = [
  'always_sample', 'latency', 'numeric_attribute', 'probabilistic', 'status_code', 'string_attribute',
  'rate_limiting', 'bytes_limiting', 'span_count', 'trace_state', 'boolean_attribute', 'trace_flags',
] as const;
/** The policy types of a top-level policy. */
export const TOP_TYPES = [...LEAF_TYPES, 'composite', 'and', 'not', 'drop'] as const;

const int64 = (what: string) => z.number({ error: (iss) => `expected ${what}, got ${describe(iss.input)}` })
  .int({ error: (iss) => `expected ${what}, got ${describe(iss.input)}` });
const nonNegative = (what: string) => int64(what).min(0, { error: 'must be at least 0' });
const str = z.string({ error: (iss) => `expected a string, got ${describe(iss.input)}` });
const bool = z.boolean({ error: (iss) => `expected true or false, got ${describe(iss.input)}` });
const strings = z.array(str, { error: (iss) => `expected a list of strings, got ${describe(iss.input)}` });

const latency = z.strictObject({
  threshold_ms: int64('milliseconds').default(0),
  upper_threshold_ms: int64('milliseconds').default(0),
});
const numericAttribute = z.strictObject({
  key: str.default(''),
  min_value: int64('a whole number').default(0),
  max_value: int64('a whole number').default(0),
  invert_match: bool.default(false),
});
const probabilistic = z.strictObject({
  hash_salt: str.default(''),
  sampling_percentage: z.number({ error: (iss) => `expected a percentage, got ${describe(iss.input)}` }).default(0),
});
const STATUS_CODES = ['OK', 'ERROR', 'UNSET'] as const;
const statusCode = z.strictObject({
  status_codes: z.array(z.enum(STATUS_CODES, { error: (iss) => `unknown status code ${describe(iss.input)}, supported: OK, ERROR, UNSET` })).default([]),
});
const stringAttribute = z.strictObject({
  key: str.default(''),
  values: strings.default([]),
  enabled_regex_matching: bool.default(false),
  cache_max_size: int64('a whole number').default(0),
  invert_match: bool.default(false),
});
const rateLimiting = z.strictObject({
  spans_per_second: nonNegative('spans per second').default(0),
  burst_capacity: nonNegative('a whole number').default(0),
});
const bytesLimiting = z.strictObject({
  bytes_per_second: nonNegative('bytes per second').default(0),
  burst_capacity: nonNegative('a whole number').default(0),
});
const spanCount = z.strictObject({
  min_spans: int64('a whole number').default(0),
  max_spans: int64('a whole number').default(0),
});
const traceState = z.strictObject({ key: str.default(''), values: strings.default([]) });
const booleanAttribute = z.strictObject({ key: str.default(''), value: bool.default(false), invert_match: bool.default(false) });
// Accepted so that a config carrying the block loads; a policy of type ottl_condition is refused below.
const ottlCondition = z.strictObject({ error_mode: str.optional(), span: strings.optional(), spanevent: strings.optional() });

/** The blocks every policy level has (otelcol's sharedPolicyCfg). */
const shared = {
  name: str.default(''),
  type: str.default(''),
  latency: latency.prefault({}),
  numeric_attribute: numericAttribute.prefault({}),
  probabilistic: probabilistic.prefault({}),
  status_code: statusCode.prefault({}),
  string_attribute: stringAttribute.prefault({}),
  rate_limiting: rateLimiting.prefault({}),
  bytes_limiting: bytesLimiting.prefault({}),
  span_count: spanCount.prefault({}),
  trace_state: traceState.prefault({}),
  boolean_attribute: booleanAttribute.prefault({}),
  ottl_condition: ottlCondition.optional(),
};

type Ctx = z.core.$RefinementCtx;

type Path = Array<string | number>;

/** The checks otelcol makes when it builds a leaf policy's evaluator; `at` is the policy's path. */
function checkLeaf(p: LeafPolicy, allowed: readonly string[], ctx: Ctx, at: Path): boolean {
  const issue = (path: Path, message: string): void => ctx.addIssue({ code: 'custom', path: [...at, ...path], message });
  if (p.type === 'ottl_condition') {
    issue(['type'], 'not supported: ottl_condition policies need an OTTL engine, which vigil does not have; express the condition with the other policy types (string_attribute, numeric_attribute, status_code, and, not ...)');
    return false;
  }
  if (!allowed.includes(p.type)) {
    issue(['type'], `unknown sampling policy type ${describe(p.type)}; expected one of ${allowed.join(', ')}`);
    return false;
  }
  if (p.type === 'status_code' && p.status_code.status_codes.length === 0) issue(['status_code', 'status_codes'], 'expected at least one status code to filter on');
  if (p.type === 'numeric_attribute' && p.numeric_attribute.min_value === 0 && p.numeric_attribute.max_value === 0) {
    issue(['numeric_attribute'], 'at least one of min_value or max_value must be set (non-zero)');
  }
  if (p.type === 'string_attribute' && p.string_attribute.enabled_regex_matching) {
    p.string_attribute.values.forEach((v, i) => {
      const err = compileRegex(v).error;
      if (err) issue(['string_attribute', 'values', i], `invalid regex ${JSON.stringify(v)}: ${err}`);
    });
  }
  return true;
}

/** An and/drop sub-policy: a leaf or a `not`. */
function checkAndSub(p: AndSubPolicy, ctx: Ctx, at: Path): void {
  if (checkLeaf(p, [...LEAF_TYPES, 'not'], ctx, at) && p.type === 'not') checkLeaf(p.not.not_sub_policy, LEAF_TYPES, ctx, [...at, 'not', 'not_sub_policy']);
}

/** A top-level policy and the sub-policies its type uses (the others are ignored, as by otelcol). */
function checkPolicy(p: Policy, ctx: Ctx): void {
  if (p.name === '') ctx.addIssue({ code: 'custom', path: ['name'], message: 'policy name cannot be empty' });
  if (!checkLeaf(p, TOP_TYPES, ctx, [])) return;
  if (p.type === 'not') checkLeaf(p.not.not_sub_policy, LEAF_TYPES, ctx, ['not', 'not_sub_policy']);
  if (p.type === 'and') p.and.and_sub_policy.forEach((s, i) => checkAndSub(s, ctx, ['and', 'and_sub_policy', i]));
  if (p.type === 'drop') p.drop.drop_sub_policy.forEach((s, i) => checkAndSub(s, ctx, ['drop', 'drop_sub_policy', i]));
  if (p.type === 'composite') {
    p.composite.composite_sub_policy.forEach((s, i) => {
      const at = ['composite', 'composite_sub_policy', i];
      if (checkLeaf(s, [...LEAF_TYPES, 'and'], ctx, at) && s.type === 'and') s.and.and_sub_policy.forEach((a, j) => checkAndSub(a, ctx, [...at, 'and', 'and_sub_policy', j]));
    });
  }
}

const notSub = z.strictObject(shared);
const andSub = z.strictObject({ ...shared, not: z.strictObject({ not_sub_policy: notSub.prefault({}) }).prefault({}) });
const andBlock = z.strictObject({ and_sub_policy: z.array(andSub).default([]) });
const compositeSub = z.strictObject({ ...shared, and: andBlock.prefault({}) });
const composite = z.strictObject({
  max_total_spans_per_second: int64('spans per second').default(0),
  policy_order: strings.default([]),
  composite_sub_policy: z.array(compositeSub).default([]),
  rate_allocation: z.array(z.strictObject({ policy: str.default(''), percent: int64('a percentage').default(0) })).default([]),
});

/** One entry of `policies`. */
export const policySchema = z.strictObject({
  ...shared,
  composite: composite.prefault({}),
  and: andBlock.prefault({}),
  not: z.strictObject({ not_sub_policy: notSub.prefault({}) }).prefault({}),
  drop: z.strictObject({ drop_sub_policy: z.array(andSub).default([]) }).prefault({}),
}).superRefine(checkPolicy);

/** The fields of a leaf policy (what every level has). */
export type LeafPolicy = z.infer<typeof notSub>;
/** A sub-policy of `and` or `drop`. */
export type AndSubPolicy = z.infer<typeof andSub>;
/** A sub-policy of `composite`. */
export type CompositeSubPolicy = z.infer<typeof compositeSub>;
/** A top-level policy. */
export type Policy = z.infer<typeof policySchema>;
