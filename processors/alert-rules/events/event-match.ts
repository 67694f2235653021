/**
 * Which events raise an `on_events` alert, and the alert they raise: the event name must be listed,
 * its severity at or above `min_severity`; the alert's labels are the event's series identity
 * (service, metric, detector, the point's attributes, as Prometheus label names).
 */
import { alertRecord } from '../../../exporters/notify-common/alert-builder.js';
import { severityOf, type Severity } from '../../../exporters/notify-common/alert.js';
import { fingerprintOf } from '../../../exporters/notify-common/fingerprint.js';
import type { AttributeValue, LogRecordInput, LogRecordView } from '../../../pdata/index.js';
import { Template } from '../rules/template.js';
import type { ShortAlert } from '../short-form/schema.js';
import type { AlertEvent } from '../stream/evaluator.js';
import { sanitizeLabelName } from '../stream/otlp-names.js';

/** The rule group event alerts are reported under (`rule.group`). */
export const ON_EVENTS_GROUP = 'vigil.on_events';

/** An alert event raised by an event, with its evidence. */
export interface EventAlert extends AlertEvent {
  readonly fingerprint: string;
  readonly traceIds: readonly string[];
}

const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2, critical: 3 };
/** Event attributes that describe the verdict, not the series: not labels. */
const NOT_LABELS = new Set(['vigil.event.version', 'metric.name', 'value', 'expected', 'lower', 'upper', 'score', 'threshold', 'severity', 'detector', 'rule', 'evidence.trace_ids', 'state']);

const text = (v: AttributeValue | undefined): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : undefined;
const num = (v: AttributeValue | undefined): number => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : Number.NaN);

/** The event's severity: its `severity` attribute, else its severity text. */
function eventSeverity(r: LogRecordView): Severity {
  return severityOf(text(r.attributes.severity) ?? (r.severityText || undefined)) ?? 'warning';
}

/** The series identity of an event as alert labels. */
function labelsOf(alert: ShortAlert, r: LogRecordView, severity: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.attributes)) {
    const s = text(v);
    if (s !== undefined && !NOT_LABELS.has(k)) labels[sanitizeLabelName(k)] = s;
  }
  const service = text(r.resource['service.name']);
  if (service !== undefined) labels.service_name ??= service;
  const metric = text(r.attributes['metric.name']);
  if (metric !== undefined) labels.metric_name = metric;
  const by = text(r.attributes.detector) ?? text(r.attributes.rule);
  if (by !== undefined) labels.detector = by;
  labels.event = r.eventName;
  return { ...labels, ...alert.labels, alertname: alert.name, severity };
}

/** The firing alert `r` raises for `alert`, or undefined when the event does not qualify. */
export function matchEvent(alert: ShortAlert, r: LogRecordView): EventAlert | undefined {
  if (!(alert.on_events as readonly string[] | undefined)?.includes(r.eventName)) return undefined;
  const severity = eventSeverity(r);
  if (alert.min_severity !== undefined && RANK[severity] < RANK[severityOf(alert.min_severity) ?? 'warning']) return undefined;
  const labels = labelsOf(alert, r, alert.severity ?? severity);
  const value = num(r.attributes.value);
  const atMs = Number(r.timeUnixNano / 1_000_000n);
  const ids = r.attributes['evidence.trace_ids'];
  const traceIds = Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
  const expected = num(r.attributes.expected);
  const summary = `${r.eventName} on ${labels.metric_name ?? 'a series'} of ${labels.service_name ?? 'a service'}: ${String(value)}`
    + (Number.isFinite(expected) ? ` (expected ${String(expected)})` : '');
  const annotations: Record<string, string> = { summary };
  for (const [k, v] of Object.entries(alert.annotations)) annotations[k] = new Template(v).render({ labels, value });
  return {
    group: ON_EVENTS_GROUP, rule: alert.name, state: 'firing', labels, annotations, value,
    startsAtMs: atMs, endsAtMs: undefined, atMs, fingerprint: fingerprintOf(labels), traceIds,
  };
}

/** The `vigil.alert` record of an event alert (the contract's attributes, evidence, `rule`, `rule.group`). */
export function eventAlertRecord(e: EventAlert): LogRecordInput {
  const record = alertRecord({
    alertname: e.rule, state: e.state, labels: e.labels, annotations: e.annotations,
    severity: severityOf(e.labels.severity) ?? 'warning', startsAt: e.startsAtMs, time: e.atMs, traceIds: e.traceIds,
    ...(e.endsAtMs !== undefined ? { endsAt: e.endsAtMs } : {}),
    ...(Number.isFinite(e.value) ? { value: e.value } : {}),
  });
  return { ...record, attributes: { ...record.attributes, rule: e.rule, 'rule.group': e.group } };
}
