/**
 * How otelcol's policies walk a trace (internal/sampling/util.go): "any resource or span matches"
 * for a match, "every resource and span passes" for an inverted match, and typed attribute reads
 * with pcommon's defaults for a value of another type.
 */
import type { Decision } from './policies.js';
import type { ResourceFacts, SpanFacts, Typed } from './trace-view.js';

/** Sampled when some span passes `check`. */
export function anySpan(resources: readonly ResourceFacts[], check: (s: SpanFacts) => boolean): Decision {
  for (const r of resources) for (const s of r.spans) if (check(s)) return 'sampled';
  return 'not_sampled';
}

/** Sampled when some resource, or some span, passes. */
export function anyResourceOrSpan(resources: readonly ResourceFacts[], onResource: (r: ResourceFacts) => boolean, onSpan: (s: SpanFacts) => boolean): Decision {
  for (const r of resources) {
    if (onResource(r)) return 'sampled';
    for (const s of r.spans) if (onSpan(s)) return 'sampled';
  }
  return 'not_sampled';
}

/** Sampled only when every resource and every span passes (inverted matches). */
export function everyResourceAndSpan(resources: readonly ResourceFacts[], onResource: (r: ResourceFacts) => boolean, onSpan: (s: SpanFacts) => boolean): Decision {
  for (const r of resources) {
    if (!onResource(r)) return 'not_sampled';
    for (const s of r.spans) if (!onSpan(s)) return 'not_sampled';
  }
  return 'sampled';
}

/** pcommon's Value.Int(): 0 unless an int. */
export const typedInt = (v: Typed): bigint => (v.t === 'int' ? v.v : 0n);
/** pcommon's Value.Str(): "" unless a string. */
export const typedStr = (v: Typed): string => (v.t === 'str' ? v.v : '');
/** pcommon's Value.Bool(): false unless a bool. */
export const typedBool = (v: Typed): boolean => (v.t === 'bool' ? v.v : false);
