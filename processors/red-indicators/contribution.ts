/**
 * Which member of a rollup contributed most to its change: given the points of one service-level
 * series' members (its operations) in the same window, each with its own expected value, the
 * member whose deviation, weighted by its calls, moved the service most in the direction of the
 * change. Pure functions, shared by the baseline and anomaly processors (docs/events.md defines
 * the event attributes they fill from it).
 *
 * The measure, per member i with observed v_i, its own expected e_i and calls n_i:
 * - an intensive metric (latency, error rate): n_i × (v_i − e_i): for a latency quantile, about the
 *   extra time its calls spent over their own normal; for an error rate in %, divided by 100, the
 *   extra errors;
 * - an additive metric (calls, throughput: the service's value is the members' sum): v_i − e_i, the
 *   member's own share of the change (for a drop, the calls it lost);
 * signed so that positive means "in the direction of the change" (a rise for `up`, a fall for `down`).
 * The share is the top member's amount over the sum of the positive amounts.
 */
import { canonicalAttributes, type AttributesInput, type AttributeValue, type Attributes, type DataPointView } from '../../pdata/index.js';

/** The point attribute that marks a rollup series; its value names the dimension aggregated over. */
export const ROLLUP_ATTRIBUTE = 'vigil.rollup';
/** The dimension red_indicators' service rollup aggregates over. */
export const ROLLED_UP_DIMENSION = 'span.name';
/** Metrics whose rollup value is the sum of its members' (the others are weighted by calls). */
export const ADDITIVE_METRICS: ReadonlySet<string> = new Set(['vigil.red.calls', 'vigil.red.throughput']);

/** A member's point in the rollup's window. */
export interface Member {
  /** The member's value of the aggregated dimension (e.g. the operation's span.name). */
  readonly value: AttributeValue;
  readonly observed: number;
  /** Its own expected value (its baseline or model); a member without one is left out. */
  readonly expected: number | undefined;
  /** Its calls in the window (undefined: unknown, weight 1). */
  readonly calls: number | undefined;
  /** Its exemplars' trace ids, most relevant first. */
  readonly traceIds: readonly string[];
}

/** The member that contributed most. */
export interface TopContributor {
  readonly member: Member;
  /** Its contribution in the measure's unit (e.g. call·ms for latency, errors for an error rate in %). */
  readonly amount: number;
  /** amount ÷ the sum of the positive contributions, in (0, 1]. */
  readonly share: number;
}

/** What is being explained: the direction of the change and the metric's kind. */
export interface Change {
  readonly direction: 'up' | 'down';
  readonly metric: string;
  /** The metric's unit: a `%` rate's contribution is divided by 100 (extra errors, not call·points). */
  readonly unit: string;
}

/** A member's contribution to `change` (positive: in its direction). */
export function contributionOf(m: Member, change: Change): number | undefined {
  if (m.expected === undefined || !Number.isFinite(m.expected) || !Number.isFinite(m.observed)) return undefined;
  const delta = change.direction === 'up' ? m.observed - m.expected : m.expected - m.observed;
  const weight = ADDITIVE_METRICS.has(change.metric) ? 1 : (m.calls ?? 1);
  return (weight * delta) / (change.unit === '%' ? 100 : 1);
}

/** The member with the largest positive contribution, or undefined when none moved in the change's direction. */
export function topContributor(members: readonly Member[], change: Change): TopContributor | undefined {
  let best: TopContributor['member'] | undefined;
  let bestAmount = 0;
  let positive = 0;
  for (const m of members) {
    const c = contributionOf(m, change);
    if (c === undefined || c <= 0) continue;
    positive += c;
    if (c > bestAmount) { best = m; bestAmount = c; }
  }
  return best ? { member: best, amount: bestAmount, share: bestAmount / positive } : undefined;
}

/** Evidence trace ids: the top member's first, then the others', each once, at most `max`. */
export function preferredTraceIds(top: readonly string[], others: readonly string[], max: number): string[] {
  return [...new Set([...top, ...others])].slice(0, max);
}

/** A judged point that may be a member of a rollup, with its own expected value and calls. */
export interface Candidate {
  readonly point: DataPointView;
  readonly expected: number | undefined;
  readonly calls: number | undefined;
}

/** A series' identity: what makes it a member of a rollup or not. */
export interface SeriesIdentity {
  readonly metric: string;
  readonly resource: Attributes;
  readonly attributes: Attributes;
}

/**
 * For rollup point `r`: the dimension it aggregates over and a test that gives a series' value of
 * that dimension when the series is one of its members — the same metric and resource, and
 * attributes that are the rollup's (without the marker) plus the dimension. Undefined when `r` is
 * not a rollup point.
 */
export function memberTest(r: DataPointView): { dimension: string; valueOf: (s: SeriesIdentity) => AttributeValue | undefined } | undefined {
  const dimension = r.attributes[ROLLUP_ATTRIBUTE];
  if (typeof dimension !== 'string') return undefined;
  const want = canonicalAttributes(without(r.attributes, ROLLUP_ATTRIBUTE));
  const resource = canonicalAttributes(r.resource);
  const valueOf = (s: SeriesIdentity): AttributeValue | undefined => {
    const value = s.attributes[dimension];
    if (value === undefined || ROLLUP_ATTRIBUTE in s.attributes || s.metric !== r.metricName) return undefined;
    if (canonicalAttributes(without(s.attributes, dimension)) !== want || canonicalAttributes(s.resource) !== resource) return undefined;
    return value;
  };
  return { dimension, valueOf };
}

/** The members of rollup point `r` among `candidates` (points of the same time); undefined when `r` is not a rollup point. */
export function membersOf(r: DataPointView, candidates: readonly Candidate[]): { dimension: string; members: Member[] } | undefined {
  const test = memberTest(r);
  if (!test) return undefined;
  const members: Member[] = [];
  for (const { point: p, expected, calls } of candidates) {
    if (p.value === undefined || p.timeUnixNano !== r.timeUnixNano) continue;
    const value = test.valueOf({ metric: p.metricName, resource: p.resource, attributes: p.attributes });
    if (value !== undefined) members.push({ value, observed: p.value, expected, calls, traceIds: traceIdsOf(p) });
  }
  return { dimension: test.dimension, members };
}

/**
 * Whether `members` are all of the rollup's: their calls add up to its `calls` (unknown: assumed).
 * A service whose window was cut across records (a Kafka record limit) shows only some of its
 * operations here; naming the top of a part would mislead, so the caller names none.
 */
export function coversRollup(members: readonly Member[], calls: number | undefined): boolean {
  if (calls === undefined) return true;
  let sum = 0;
  for (const m of members) {
    if (m.calls === undefined) return false;
    sum += m.calls;
  }
  return Math.abs(sum - calls) <= 1e-6 * Math.max(1, calls);
}

/** A point's exemplar trace ids, highest value (slowest span) first, each once. */
export function traceIdsOf(p: DataPointView): string[] {
  const sorted = p.exemplars.filter((x) => x.traceId !== '').sort((a, b) => b.value - a.value);
  return [...new Set(sorted.map((x) => x.traceId))];
}

function without(a: Attributes, key: string): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(a)) if (k !== key) out[k] = v;
  return out;
}

/** The event attributes naming the top contributor (docs/events.md, "evidence.dimension"). */
export function contributorAttributes(dimension: string, top: TopContributor): AttributesInput {
  return {
    'evidence.dimension': dimension,
    'evidence.dimension.value': top.member.value,
    'evidence.dimension.share': top.share,
    'evidence.dimension.contribution': top.amount,
    'evidence.dimension.observed': top.member.observed,
    'evidence.dimension.expected': top.member.expected,
  };
}
