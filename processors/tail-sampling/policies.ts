/**
 * The sampling policies: each config entry becomes an evaluator `(trace) → decision`, with the
 * semantics of otelcol-contrib v0.155's internal/sampling (facts read from its source: inverted
 * matches answer plain sampled / not sampled; `and` and `drop` stop at the first not-sampled;
 * `not` swaps sampled and not sampled; `composite` gives each sub-policy its share of a per-second
 * span budget).
 */
import { uint64BigInt } from '../../pdata/wire.js';
import { compileRegex } from './regex.js';
import { ProbabilisticHash } from './hash.js';
import { TokenBucket } from './rate-limiter.js';
import { parseTraceState } from './trace-state.js';
import { anyResourceOrSpan, anySpan, everyResourceAndSpan, typedBool, typedInt, typedStr } from './match.js';
import type { AndSubPolicy, CompositeSubPolicy, LeafPolicy, Policy } from './policy-config.js';
import type { ResourceFacts, Typed } from './trace-view.js';

/** A policy's answer for one trace (otelcol's samplingpolicy.Decision, less the values its policies no longer return). */
export type Decision = 'sampled' | 'not_sampled' | 'dropped';

/** What a policy sees of one trace. */
export interface TraceData {
  readonly traceId: Uint8Array;
  readonly spanCount: number;
  /** The protobuf size of the held spans (bytes_limiting). */
  readonly sizeBytes: number;
  /** Decoded on first use: most decisions need no span detail (probabilistic, span_count). */
  resources(): ResourceFacts[];
  /** The wall clock (rate limits). */
  readonly nowMs: number;
}

/** Decides one trace for one policy. */
export type Evaluator = (trace: TraceData) => Decision;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const STATUS: Record<string, number> = { UNSET: 0, OK: 1, ERROR: 2 };
const DEFAULT_REGEX_CACHE = 128;

/**
 * Whole milliseconds from a to b (uint64 nanoseconds as 32-bit halves), truncated toward zero as
 * Go's int64 division: in doubles while the difference is below 2^53 ns (104 days), where the
 * quotient of an integer by 10^6 truncates exactly; beyond, in BigInt.
 */
export function millisBetween(aHi: number, aLo: number, bHi: number, bLo: number): number {
  const diff = (bHi - aHi) * 4294967296 + (bLo - aLo);
  if (Math.abs(diff) < 2 ** 53) return Math.trunc(diff / 1e6);
  return Number((uint64BigInt(bLo, bHi) - uint64BigInt(aLo, aHi)) / 1_000_000n);
}

function latency(thresholdMs: number, upperMs: number): Evaluator {
  return (trace) => {
    // otelcol widens [min start, max end] span by span and asks at each span; with an upper bound
    // the answer can depend on the order, so the order is kept. A zero time is "not set yet", as there.
    let minHi = 0;
    let minLo = 0;
    let maxHi = 0;
    let maxLo = 0;
    return anySpan(trace.resources(), (s) => {
      if ((minHi === 0 && minLo === 0) || s.startHi < minHi || (s.startHi === minHi && s.startLo < minLo)) { minHi = s.startHi; minLo = s.startLo; }
      if ((maxHi === 0 && maxLo === 0) || s.endHi > maxHi || (s.endHi === maxHi && s.endLo > maxLo)) { maxHi = s.endHi; maxLo = s.endLo; }
      const ms = millisBetween(minHi, minLo, maxHi, maxLo);
      return upperMs === 0 ? ms >= thresholdMs : thresholdMs < ms && ms <= upperMs;
    });
  };
}

function numericAttribute(c: LeafPolicy['numeric_attribute']): Evaluator {
  const min = c.min_value !== 0 ? BigInt(c.min_value) : INT64_MIN;
  const max = c.max_value !== 0 ? BigInt(c.max_value) : INT64_MAX;
  const inRange = (attrs: ReadonlyMap<string, Typed>): boolean => {
    const v = attrs.get(c.key);
    if (v === undefined) return false;
    const n = typedInt(v);
    return n >= min && n <= max;
  };
  if (c.invert_match) return (t) => everyResourceAndSpan(t.resources(), (r) => !inRange(r.attributes), (s) => !inRange(s.attributes));
  return (t) => anyResourceOrSpan(t.resources(), (r) => inRange(r.attributes), (s) => inRange(s.attributes));
}

function stringAttribute(c: LeafPolicy['string_attribute']): Evaluator {
  let matches: (s: string) => boolean;
  if (c.enabled_regex_matching) {
    const regexes = c.values.map((v) => compileRegex(v).regex).filter((r): r is RegExp => r !== undefined);
    const size = c.cache_max_size > 0 ? c.cache_max_size : DEFAULT_REGEX_CACHE;
    const cache = new Map<string, boolean>();
    matches = (s) => {
      const hit = cache.get(s);
      if (hit !== undefined) { cache.delete(s); cache.set(s, hit); return hit; }
      const m = regexes.some((r) => r.test(s));
      cache.set(s, m);
      if (cache.size > size) cache.delete(cache.keys().next().value!);
      return m;
    };
  } else {
    const values = new Set(c.values.filter((v) => v !== ''));
    matches = (s) => values.has(s);
  }
  const onResource = (attrs: ReadonlyMap<string, Typed>): boolean => {
    const v = attrs.get(c.key);
    return v !== undefined && matches(typedStr(v));
  };
  // On spans otelcol skips empty strings before matching; on resources it does not.
  const onSpan = (attrs: ReadonlyMap<string, Typed>): boolean => {
    const v = attrs.get(c.key);
    if (v === undefined) return false;
    const s = typedStr(v);
    return s !== '' && matches(s);
  };
  if (c.invert_match) return (t) => everyResourceAndSpan(t.resources(), (r) => !onResource(r.attributes), (s) => !onSpan(s.attributes));
  return (t) => anyResourceOrSpan(t.resources(), (r) => onResource(r.attributes), (s) => onSpan(s.attributes));
}

function booleanAttribute(c: LeafPolicy['boolean_attribute']): Evaluator {
  const differs = (attrs: ReadonlyMap<string, Typed>): boolean => {
    const v = attrs.get(c.key);
    return v === undefined || typedBool(v) !== c.value;
  };
  const equals = (attrs: ReadonlyMap<string, Typed>): boolean => {
    const v = attrs.get(c.key);
    return v !== undefined && typedBool(v) === c.value;
  };
  if (c.invert_match) return (t) => everyResourceAndSpan(t.resources(), (r) => differs(r.attributes), (s) => differs(s.attributes));
  return (t) => anyResourceOrSpan(t.resources(), (r) => equals(r.attributes), (s) => equals(s.attributes));
}

function traceState(c: LeafPolicy['trace_state']): Evaluator {
  const values = new Set(c.values.filter((v) => v !== '' && c.key.length + v.length < 256));
  return (t) => anySpan(t.resources(), (s) => {
    const members = parseTraceState(s.traceState);
    return members !== undefined && values.has(members.get(c.key) ?? '');
  });
}

function limiter(perSecond: number, burst: number, cost: (t: TraceData) => number): Evaluator {
  let bucket: TokenBucket | undefined;
  return (t) => {
    bucket ??= new TokenBucket(perSecond, burst > 0 ? burst : perSecond * 2, t.nowMs);
    return bucket.allowN(t.nowMs, cost(t)) ? 'sampled' : 'not_sampled';
  };
}

const fromBool = (b: boolean): Decision => (b ? 'sampled' : 'not_sampled');

/** A leaf policy's evaluator (otelcol's getSharedPolicyEvaluator). */
function leaf(p: LeafPolicy): Evaluator {
  switch (p.type) {
    case 'always_sample': return () => 'sampled';
    case 'latency': return latency(p.latency.threshold_ms, p.latency.upper_threshold_ms);
    case 'numeric_attribute': return numericAttribute(p.numeric_attribute);
    case 'probabilistic': {
      const h = new ProbabilisticHash(p.probabilistic.hash_salt, p.probabilistic.sampling_percentage);
      return (t) => fromBool(h.sampled(t.traceId));
    }
    case 'status_code': {
      const codes = new Set(p.status_code.status_codes.map((c) => STATUS[c]!));
      return (t) => anySpan(t.resources(), (s) => codes.has(s.statusCode));
    }
    case 'string_attribute': return stringAttribute(p.string_attribute);
    case 'rate_limiting': return limiter(p.rate_limiting.spans_per_second, p.rate_limiting.burst_capacity, (t) => t.spanCount);
    case 'bytes_limiting': return limiter(p.bytes_limiting.bytes_per_second, p.bytes_limiting.burst_capacity, (t) => t.sizeBytes);
    case 'span_count': {
      const { min_spans: min, max_spans: max } = p.span_count;
      return (t) => fromBool(max === 0 ? t.spanCount >= min : t.spanCount >= min && t.spanCount <= max);
    }
    case 'trace_state': return traceState(p.trace_state);
    case 'boolean_attribute': return booleanAttribute(p.boolean_attribute);
    case 'trace_flags': return (t) => anySpan(t.resources(), (s) => (s.flags & 0x01) !== 0);
    default: throw new Error(`bug: policy type ${p.type} passed validation`);
  }
}

function not(sub: Evaluator): Evaluator {
  return (t) => {
    const d = sub(t);
    return d === 'sampled' ? 'not_sampled' : d === 'not_sampled' ? 'sampled' : d;
  };
}

/** `and` (all sampled → sampled) or `drop` (all sampled → dropped), stopping at the first not sampled. */
function all(subs: readonly Evaluator[], whenAll: Decision): Evaluator {
  return (t) => {
    for (const sub of subs) if (sub(t) === 'not_sampled') return 'not_sampled';
    return whenAll;
  };
}

function andSub(p: AndSubPolicy): Evaluator {
  return p.type === 'not' ? not(leaf(p.not.not_sub_policy)) : leaf(p);
}

function compositeSub(p: CompositeSubPolicy): Evaluator {
  return p.type === 'and' ? all(p.and.and_sub_policy.map(andSub), 'sampled') : leaf(p);
}

function composite(c: Policy['composite']): Evaluator {
  const max = c.max_total_spans_per_second;
  const share = max / Math.max(1, c.composite_sub_policy.length);
  const allocation = new Map<string, number>();
  for (const a of c.rate_allocation) allocation.set(a.policy, a.percent > 0 ? (a.percent / 100) * max : share);
  // A sub-policy without a rate_allocation entry gets 0 spans a second, as in otelcol.
  const subs = c.composite_sub_policy.map((p) => ({ evaluate: compositeSub(p), allocated: Math.trunc(allocation.get(p.name) ?? 0), spent: 0 }));
  let second = Number.NaN;
  return (t) => {
    const now = Math.floor(t.nowMs / 1000);
    if (now !== second) {
      second = now;
      for (const s of subs) s.spent = 0;
    }
    for (const s of subs) {
      if (s.evaluate(t) !== 'sampled') continue;
      const spent = s.spent + t.spanCount;
      if (spent <= s.allocated && spent <= max) {
        s.spent = spent;
        return 'sampled';
      }
      return 'not_sampled';
    }
    return 'not_sampled';
  };
}

/** A top-level policy's evaluator (otelcol's getPolicyEvaluator). */
export function evaluatorOf(p: Policy): Evaluator {
  switch (p.type) {
    case 'composite': return composite(p.composite);
    case 'and': return all(p.and.and_sub_policy.map(andSub), 'sampled');
    case 'drop': return all(p.drop.drop_sub_policy.map(andSub), 'dropped');
    case 'not': return not(leaf(p.not.not_sub_policy));
    default: return leaf(p);
  }
}
