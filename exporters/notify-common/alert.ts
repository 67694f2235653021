/**
 * The alert contract (docs/alerts-contract.md): what a `vigil.alert` OTLP log record carries, and the
 * reader that turns such a record into an Alert. The rule engine writes these records (see
 * ./alert-builder), the notification exporters read them; this file is the one definition of both.
 */
import { forEachLogRecord, type AttributeValue, type Attributes, type LogRecordView } from '../../pdata/index.js';
import type { Payload } from '../../pdata/payload.js';
import { fingerprintOf } from './fingerprint.js';

/** The event name of an alert record (LogRecord field 12). */
export const ALERT_EVENT_NAME = 'vigil.alert';
/** The version of the record contract this code writes and reads (attribute `alert.schema_version`). */
export const ALERT_SCHEMA_VERSION = 1;

/** Attribute keys of an alert record. */
export const ATTR = {
  schemaVersion: 'alert.schema_version',
  alertname: 'alertname',
  state: 'state',
  severity: 'severity',
  fingerprint: 'fingerprint',
  labels: 'labels',
  annotations: 'annotations',
  startsAt: 'starts_at',
  endsAt: 'ends_at',
  generatorUrl: 'generator_url',
  value: 'value',
  evidence: 'evidence',
  /** Written by the alert_routing processor: the exporter ids that notify this record (empty: nobody). */
  receivers: 'vigil.alert.receivers',
  /** Written by alert_routing on a muted alert: `silenced` or `inhibited`. */
  muted: 'vigil.alert.muted',
  /** Written by alert_routing on a muted alert: the silence ids, or the inhibiting alert's fingerprint. */
  mutedBy: 'vigil.alert.muted_by',
} as const;

/** Alert states. */
export type AlertState = 'firing' | 'resolved';
/** Severities, PagerDuty's four; the rule language's high/medium/low are read as error/warning/info. */
export type Severity = 'critical' | 'error' | 'warning' | 'info';

const SEVERITY_ALIASES: Record<string, Severity> = {
  critical: 'critical', error: 'error', high: 'error', warning: 'warning', medium: 'warning', info: 'info', low: 'info',
};

/** One alert state change, as the exporters see it. Times are epoch milliseconds. */
export interface Alert {
  readonly alertname: string;
  readonly state: AlertState;
  readonly severity: Severity;
  /** Identity of the alert (its label set), stable across firing and resolve: 16 hex digits unless the producer set its own. */
  readonly fingerprint: string;
  /** Every label, `alertname` included (as Alertmanager keeps it). */
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAtMs: number;
  /** Set on resolve; absent while firing. */
  readonly endsAtMs?: number;
  readonly generatorUrl?: string;
  /** The value that crossed the threshold, when the rule had one. */
  readonly value?: number;
  /** Trace ids (32 lowercase hex) of exemplars that show the problem. */
  readonly traceIds: readonly string[];
  /** The record's timestamp: when the state changed, in event time. */
  readonly timeUnixNano: bigint;
  /** Set when a routing processor routed the record: the exporter ids that notify it (empty: nobody). */
  readonly receivers?: readonly string[];
}

/** What `readAlerts` found in a payload. */
export interface ReadResult {
  readonly alerts: Alert[];
  /** `vigil.alert` records that break the contract, with the reason; other records are not counted. */
  readonly invalid: Array<{ index: number; reason: string }>;
}

/** The key that names one notification: an alert episode (fingerprint + start) in one state. */
export function notificationKey(a: Alert): string {
  return `${a.fingerprint}:${a.startsAtMs}:${a.state}`;
}

/** Every `vigil.alert` record of a logs payload as an Alert; records of other events are skipped. */
export function readAlerts(payload: Payload): ReadResult {
  const out: ReadResult = { alerts: [], invalid: [] };
  let index = 0;
  forEachLogRecord(payload, (r) => {
    if (r.eventName === ALERT_EVENT_NAME) {
      const read = readAlert(r);
      if (typeof read === 'string') out.invalid.push({ index, reason: read });
      else out.alerts.push(read);
    }
    index++;
  });
  return out;
}

/** One record as an Alert, or why it is not one. */
export function readAlert(r: LogRecordView): Alert | string {
  return readAlertAttributes(r.attributes, r.timeUnixNano, r.traceId);
}

/** An alert from its attributes (a record's, or one of a group's `alerts`), or why it is not one. */
export function readAlertAttributes(a: Attributes, timeUnixNano: bigint, recordTraceId = ''): Alert | string {
  const version = a[ATTR.schemaVersion];
  if (typeof version === 'number' && version > ALERT_SCHEMA_VERSION) return `alert.schema_version ${version} is newer than ${ALERT_SCHEMA_VERSION}`;
  const state = a[ATTR.state];
  if (state !== 'firing' && state !== 'resolved') return `state must be "firing" or "resolved", got ${JSON.stringify(show(state))}`;
  const labels = stringMap(a[ATTR.labels]);
  if (labels === undefined) return 'labels must be a map of strings';
  const annotations = stringMap(a[ATTR.annotations] ?? {});
  if (annotations === undefined) return 'annotations must be a map of strings';
  const alertname = text(a[ATTR.alertname]) ?? labels.alertname;
  if (!alertname) return 'alertname is missing';
  labels.alertname = alertname;
  const severity = severityOf(text(a[ATTR.severity]) ?? labels.severity);
  if (!severity) return `severity must be one of ${Object.keys(SEVERITY_ALIASES).join(', ')}, got ${JSON.stringify(show(a[ATTR.severity] ?? labels.severity))}`;
  const eventMs = Number(timeUnixNano / 1_000_000n);
  const startsAtMs = time(a[ATTR.startsAt]) ?? (state === 'firing' ? eventMs : undefined);
  if (startsAtMs === undefined || Number.isNaN(startsAtMs)) return 'starts_at must be an RFC 3339 time (required on resolve)';
  const endsAt = time(a[ATTR.endsAt]);
  if (Number.isNaN(endsAt)) return 'ends_at must be an RFC 3339 time';
  return {
    alertname, state, severity, labels, annotations, startsAtMs, timeUnixNano,
    fingerprint: text(a[ATTR.fingerprint]) ?? fingerprintOf(labels),
    traceIds: traceIdsOf(a, recordTraceId),
    ...(state === 'resolved' ? { endsAtMs: endsAt ?? eventMs } : {}),
    ...optional('generatorUrl', text(a[ATTR.generatorUrl])),
    ...optional('value', numberOf(a[ATTR.value])),
    ...optional('receivers', stringList(a[ATTR.receivers])),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}

function numberOf(v: AttributeValue | undefined): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
}

function text(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function show(v: AttributeValue | undefined): unknown {
  return typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? '<bytes>' : v ?? null;
}

/** A severity name (any case, aliases included) as a Severity. */
export function severityOf(v: string | undefined): Severity | undefined {
  return v === undefined ? 'warning' : SEVERITY_ALIASES[v.toLowerCase()];
}

/** RFC 3339 text as epoch ms; undefined when absent, NaN when unreadable. */
function time(v: AttributeValue | undefined): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'string' ? Date.parse(v) : Number.NaN;
}

function stringMap(v: AttributeValue | undefined): Record<string, string> | undefined {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') out[k] = x;
    else if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') out[k] = String(x);
    else return undefined;
  }
  return out;
}

/** A list of strings (the routing processor's receivers); anything else reads as absent. */
function stringList(v: AttributeValue | undefined): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** `evidence.trace_ids`, else the record's own trace id. */
function traceIdsOf(a: Attributes, recordTraceId: string): string[] {
  const evidence = a[ATTR.evidence];
  const ids = evidence && typeof evidence === 'object' && !Array.isArray(evidence) && !(evidence instanceof Uint8Array)
    ? evidence.trace_ids : undefined;
  const list = Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string' && /^[0-9a-f]{32}$/.test(x)) : [];
  if (list.length === 0 && recordTraceId) list.push(recordTraceId);
  return list;
}
