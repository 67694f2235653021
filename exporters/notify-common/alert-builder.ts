/**
 * The producer side of the alert contract: an alert as a `vigil.alert` log record, through pdata's
 * LogsBuilder. The rule engine (and any test) writes alerts with this, so both sides share one definition.
 */
import { LogsBuilder, type AttributesInput, type LogRecordInput, type ScopeLogsBuilder } from '../../pdata/index.js';
import type { Payload } from '../../pdata/payload.js';
import { ALERT_EVENT_NAME, ALERT_SCHEMA_VERSION, ATTR, type AlertState, type Severity } from './alert.js';
import { fingerprintOf } from './fingerprint.js';

/** The scope alert records are emitted under, unless the producer names its own. */
export const ALERT_SCOPE = { name: 'vigil.alert_rules', version: '0.1.0' };

/** SeverityNumber and text of each severity (OpenTelemetry's log severity scale). */
const SEVERITY_NUMBER: Record<Severity, [number, string]> = {
  critical: [21, 'FATAL'], error: [17, 'ERROR'], warning: [13, 'WARN'], info: [9, 'INFO'],
};

/** An alert state change to write. Times are epoch ms or Dates. */
export interface AlertInput {
  readonly alertname: string;
  readonly state: AlertState;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Default `warning`. */
  readonly severity?: Severity;
  /** Default: Alertmanager's fingerprint of the labels (alertname included). */
  readonly fingerprint?: string;
  readonly startsAt: number | Date;
  /** On resolve; default: the record's time. */
  readonly endsAt?: number | Date;
  /** When the state changed, in event time (the record's timestamp); default: endsAt on resolve, startsAt on firing. */
  readonly time?: number | Date;
  readonly generatorUrl?: string;
  readonly value?: number;
  /** Exemplar trace ids (32 hex digits). */
  readonly traceIds?: readonly string[];
}

const ms = (t: number | Date): number => (typeof t === 'number' ? t : t.getTime());
const iso = (t: number | Date): string => new Date(ms(t)).toISOString();

/** The log record of one alert state change. */
export function alertRecord(a: AlertInput): LogRecordInput {
  const labels = { ...a.labels, alertname: a.alertname };
  const severity = a.severity ?? 'warning';
  const at = a.time ?? (a.state === 'resolved' ? a.endsAt ?? Date.now() : a.startsAt);
  const attributes: Record<string, AttributesInput[string]> = {
    [ATTR.schemaVersion]: ALERT_SCHEMA_VERSION,
    [ATTR.alertname]: a.alertname,
    [ATTR.state]: a.state,
    [ATTR.severity]: severity,
    [ATTR.fingerprint]: a.fingerprint ?? fingerprintOf(labels),
    [ATTR.labels]: labels,
    [ATTR.annotations]: { ...a.annotations },
    [ATTR.startsAt]: iso(a.startsAt),
  };
  if (a.state === 'resolved') attributes[ATTR.endsAt] = iso(a.endsAt ?? at);
  if (a.generatorUrl) attributes[ATTR.generatorUrl] = a.generatorUrl;
  if (a.value !== undefined) attributes[ATTR.value] = a.value;
  if (a.traceIds?.length) attributes[ATTR.evidence] = { trace_ids: [...a.traceIds] };
  const [severityNumber, severityText] = SEVERITY_NUMBER[severity];
  return {
    eventName: ALERT_EVENT_NAME,
    timeUnixNano: BigInt(ms(at)) * 1_000_000n,
    severityNumber,
    severityText,
    body: `${a.alertname} ${a.state}`,
    attributes,
    ...(a.traceIds?.[0] ? { traceId: a.traceIds[0] } : {}),
  };
}

/** Adds alert records to a scope of a LogsBuilder (a producer that emits other events too). */
export function addAlerts(scope: ScopeLogsBuilder, alerts: readonly AlertInput[]): void {
  for (const a of alerts) scope.add(alertRecord(a));
}

/** A logs payload holding `alerts`, under `resource` (default service.name=vigil); null when empty. */
export function buildAlerts(alerts: readonly AlertInput[], resource: AttributesInput = { 'service.name': 'vigil' }): Payload | null {
  const b = new LogsBuilder();
  addAlerts(b.scope(resource, ALERT_SCOPE), alerts);
  return b.build();
}
