/**
 * `vigil.alert` OTLP log records: one per alert transition, written to the alert contract
 * (docs/alerts-contract.md) with its one builder, so the notification exporters read what this writes.
 */
import { LogsBuilder, type AttributesInput, type LogRecordInput, type Payload } from '../../../pdata/index.js';
import { ALERT_EVENT_NAME, severityOf } from '../../../exporters/notify-common/alert.js';
import { alertRecord } from '../../../exporters/notify-common/alert-builder.js';
import type { AlertEvent } from './evaluator.js';

export { ALERT_EVENT_NAME };
/** The instrumentation scope alert records are emitted under. */
export const SCOPE_NAME = 'vigil.alert_rules';

/**
 * The record of one alert event: the contract's attributes (labels and annotations as maps,
 * starts_at, ends_at, fingerprint of the labels, severity from the `severity` label — an unknown
 * one reads as warning), plus `rule` and `rule.group`.
 */
export function alertEventRecord(e: AlertEvent): LogRecordInput {
  const record = alertRecord({
    alertname: e.rule, state: e.state, labels: e.labels, annotations: e.annotations,
    severity: severityOf(e.labels.severity) ?? 'warning', startsAt: e.startsAtMs, time: e.atMs,
    ...(e.endsAtMs !== undefined ? { endsAt: e.endsAtMs } : {}),
    ...(Number.isFinite(e.value) ? { value: e.value } : {}),
  });
  const summary = e.annotations.summary !== undefined ? `: ${e.annotations.summary}` : '';
  return { ...record, body: `${e.rule} ${e.state}${summary}`, attributes: { ...record.attributes, rule: e.rule, 'rule.group': e.group } };
}

/** A logs payload with one `vigil.alert` record per event, timestamped with the evaluation's event time. */
export function alertRecords(events: readonly AlertEvent[], resource: AttributesInput = { 'service.name': 'vigil' }): Payload | null {
  const builder = new LogsBuilder();
  const scope = builder.scope(resource, { name: SCOPE_NAME });
  for (const e of events) scope.add(alertEventRecord(e));
  return builder.build();
}
