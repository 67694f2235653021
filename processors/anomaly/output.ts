/**
 * What the anomaly processor writes: the `vigil.anomaly.score` gauge per scored point and the
 * `vigil.anomaly` event (an OTLP log record; docs/events.md is the contract).
 */
import type { Attributes } from '../../pdata/any-value.js';
import { windowAttributes, type DataPointView, type LogsBuilder, type MetricsBuilder } from '../../pdata/index.js';
import { contributorAttributes, preferredTraceIds, traceIdsOf, type TopContributor } from '../red-indicators/contribution.js';
import type { Verdict } from './series-model.js';

/** The score gauge. */
export const SCORE_METRIC = 'vigil.anomaly.score';
/** The event name of anomaly events. */
export const EVENT_NAME = 'vigil.anomaly';
/** The version of the event's attribute schema (docs/events.md). */
export const EVENT_SCHEMA_VERSION = 1;
/** The instrumentation scope of both. */
export const SCOPE = { name: 'vigil.processor.anomaly', version: '1' };
/** Exemplar trace ids carried as evidence, at most. */
const MAX_TRACE_IDS = 5;

/** Severity from a score: the band above the threshold it falls in. */
export function severityOf(score: number): { text: 'warning' | 'error' | 'critical'; number: number } {
  if (score >= 0.9) return { text: 'critical', number: 21 };
  if (score >= 0.7) return { text: 'error', number: 17 };
  return { text: 'warning', number: 13 };
}

/** Adds the score point of `p` (same resource, its attributes plus `vigil.detector` and `vigil.metric`) with pdata's builder: the reference score-writer.ts matches byte for byte (the worker uses the writer). */
export function addScore(out: MetricsBuilder, p: DataPointView, v: Verdict, detector: string): void {
  const attributes: Attributes = { ...p.attributes, 'vigil.detector': detector, 'vigil.metric': p.metricName };
  out.scope(p.resource, SCOPE).gauge({ name: SCORE_METRIC, unit: '1' }, { attributes, startTimeUnixNano: p.startTimeUnixNano || undefined, timeUnixNano: p.timeUnixNano, value: v.score });
}

/** The dimension value that contributed most to a service-level point's change. */
export interface Contributor {
  readonly dimension: string;
  readonly top: TopContributor;
}

/** A service window's vector behind an event (service-vectors.ts): its metric name, its features' values and its other points (their spans). */
export interface VectorEvidence {
  readonly metric: string;
  readonly features: Readonly<Record<string, number>>;
  readonly others: readonly DataPointView[];
}

/**
 * Adds the anomaly event of `p`; with a contributor, its attributes, and its spans first in the
 * evidence. With a vector, the event is the window's (`p` its p95 point): `metric.name` the
 * vector's, no `value`, each feature as `vector.<name>`, the slowest spans then the others' spans.
 */
export function addEvent(out: LogsBuilder, p: DataPointView, v: Verdict, threshold: number, c?: Contributor, vector?: VectorEvidence): void {
  const severity = severityOf(v.score);
  const own = vector ? [...new Set([p, ...vector.others].flatMap((q) => traceIdsOf(q)))] : [...new Set(p.exemplars.map((e) => e.traceId).filter((id) => id !== ''))];
  const traceIds = c ? preferredTraceIds(c.top.member.traceIds, traceIdsOf(p), MAX_TRACE_IDS) : own.slice(0, MAX_TRACE_IDS);
  const features: Attributes = {};
  for (const [name, x] of Object.entries(vector?.features ?? {})) features[`vector.${name}`] = x;
  out.scope(p.resource, SCOPE).add({
    eventName: EVENT_NAME,
    timeUnixNano: p.timeUnixNano,
    observedTimeUnixNano: BigInt(Date.now()) * 1_000_000n,
    severityNumber: severity.number,
    severityText: severity.text,
    attributes: {
      ...p.attributes,
      'vigil.event.version': EVENT_SCHEMA_VERSION,
      'metric.name': vector ? vector.metric : p.metricName,
      value: vector ? undefined : p.value,
      expected: v.expected,
      lower: v.lower,
      upper: v.upper,
      score: v.score,
      threshold,
      severity: severity.text,
      detector: v.detector,
      ...windowAttributes(p),
      'evidence.trace_ids': traceIds.length > 0 ? traceIds : undefined,
      ...(c ? contributorAttributes(c.dimension, c.top) : {}),
      ...features,
    },
  });
}
