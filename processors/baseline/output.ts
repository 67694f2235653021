/**
 * What the baseline processor writes: per judged point the gauges `vigil.baseline.expected`,
 * `.lower`, `.upper` and `.deviation`, and the `vigil.degradation` event (an OTLP log record;
 * docs/events.md is the contract).
 */
import type { Attributes } from '../../pdata/any-value.js';
import { windowAttributes, type DataPointView, type LogsBuilder, type MetricsBuilder } from '../../pdata/index.js';
import { contributorAttributes, preferredTraceIds, type TopContributor } from '../red-indicators/contribution.js';
import type { Rule } from './config.js';
import { MAX_EVIDENCE, severityOf, type Breach, type Judgement } from './rules.js';
import { deviationRatio, type Estimate } from './stats.js';

/** The emitted gauges. */
export const METRICS = {
  expected: 'vigil.baseline.expected',
  lower: 'vigil.baseline.lower',
  upper: 'vigil.baseline.upper',
  deviation: 'vigil.baseline.deviation',
} as const;
/** The event name of degradation events. */
export const EVENT_NAME = 'vigil.degradation';
/** The version of the event's attribute schema (docs/events.md). */
export const EVENT_SCHEMA_VERSION = 1;
/** The instrumentation scope of both. */
export const SCOPE = { name: 'vigil.processor.baseline', version: '1' };

/** Adds the baseline gauges of `p`: its attributes plus `vigil.metric` (the input metric) and `vigil.baseline` (trailing or seasonal). */
export function addBaseline(out: MetricsBuilder, p: DataPointView, e: Estimate): void {
  const attributes: Attributes = { ...p.attributes, 'vigil.metric': p.metricName, 'vigil.baseline': e.kind };
  const point = { attributes, startTimeUnixNano: p.startTimeUnixNano || undefined, timeUnixNano: p.timeUnixNano };
  const scope = out.scope(p.resource, SCOPE);
  scope.gauge({ name: METRICS.expected, unit: p.unit }, { ...point, value: e.expected });
  scope.gauge({ name: METRICS.lower, unit: p.unit }, { ...point, value: e.lower });
  scope.gauge({ name: METRICS.upper, unit: p.unit }, { ...point, value: e.upper });
  const ratio = deviationRatio(p.value!, e.expected);
  if (ratio !== undefined) scope.gauge({ name: METRICS.deviation, unit: '1' }, { ...point, value: ratio });
}

/** What a degradation event says beyond the point. */
export interface Degradation {
  readonly rule: Rule;
  readonly estimate: Estimate;
  readonly judgement: Judgement;
  readonly breach: Breach;
  readonly calls: number | undefined;
}

/** The dimension value that contributed most to a service-level point's change. */
export interface Contributor {
  readonly dimension: string;
  readonly top: TopContributor;
}

/** Adds the degradation event of `p`; with a contributor, its attributes, and its spans first in the evidence. */
export function addDegradation(out: LogsBuilder, p: DataPointView, d: Degradation, c?: Contributor): void {
  const severity = severityOf(d.judgement.excess);
  const breachIds = d.breach.evidence.map((e) => e.traceId);
  const traceIds = c ? preferredTraceIds(c.top.member.traceIds, breachIds, MAX_EVIDENCE) : breachIds;
  const { rule, estimate: e } = d;
  out.scope(p.resource, SCOPE).add({
    eventName: EVENT_NAME,
    timeUnixNano: p.timeUnixNano,
    observedTimeUnixNano: BigInt(Date.now()) * 1_000_000n,
    severityNumber: severity.number,
    severityText: severity.text,
    attributes: {
      ...p.attributes,
      'vigil.event.version': EVENT_SCHEMA_VERSION,
      'metric.name': p.metricName,
      value: p.value,
      expected: e.expected,
      lower: e.lower,
      upper: e.upper,
      deviation: deviationRatio(p.value!, e.expected),
      baseline: e.kind,
      rule: rule.name,
      'rule.direction': rule.direction,
      'rule.relative': rule.relative,
      'rule.absolute': rule.absolute,
      threshold: rule.direction === 'up' ? e.expected + d.judgement.allowed : e.expected - d.judgement.allowed,
      severity: severity.text,
      calls: d.calls,
      ...windowAttributes(p),
      'degraded.since': new Date(d.breach.since).toISOString(),
      'evidence.trace_ids': traceIds.length > 0 ? traceIds : undefined,
      ...(c ? contributorAttributes(c.dimension, c.top) : {}),
    },
  });
}
