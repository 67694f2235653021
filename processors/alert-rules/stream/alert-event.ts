/** `vigil.alert` OTLP log records: one per alert transition, with the alert's labels, annotations and times. */
import type { AttributesInput } from '../../../pdata/index.js';
import { LogsBuilder } from '../../../pdata/index.js';
import type { Payload } from '../../../pdata/index.js';
import type { AlertEvent } from './evaluator.js';

/** The event name of alert records. */
export const ALERT_EVENT_NAME = 'vigil.alert';
/** The instrumentation scope alert records are emitted under. */
export const SCOPE_NAME = 'vigil.alert_rules';
const MS = 1_000_000n;
/** OTLP severity numbers: WARN for firing, INFO for resolved. */
const SEVERITY = { firing: 13, resolved: 9 } as const;

/** The attributes of one alert record. */
export function alertAttributes(e: AlertEvent): AttributesInput {
  const attrs: Record<string, string | number> = {
    rule: e.rule,
    'rule.group': e.group,
    alertname: e.rule,
    state: e.state,
    value: e.value,
    startsAt: new Date(e.startsAtMs).toISOString(),
  };
  if (e.endsAtMs !== undefined) attrs.endsAt = new Date(e.endsAtMs).toISOString();
  if (e.labels.severity !== undefined) attrs.severity = e.labels.severity;
  for (const [k, v] of Object.entries(e.labels)) attrs[`labels.${k}`] = v;
  for (const [k, v] of Object.entries(e.annotations)) attrs[`annotations.${k}`] = v;
  return attrs;
}

/** A logs payload with one `vigil.alert` record per event, timestamped with the evaluation's event time. */
export function alertRecords(events: readonly AlertEvent[], resource: AttributesInput = { 'service.name': 'vigil' }): Payload | null {
  const builder = new LogsBuilder();
  const scope = builder.scope(resource, { name: SCOPE_NAME });
  for (const e of events) {
    scope.add({
      eventName: ALERT_EVENT_NAME,
      timeUnixNano: BigInt(e.atMs) * MS,
      severityNumber: SEVERITY[e.state],
      severityText: e.state === 'firing' ? 'WARN' : 'INFO',
      body: `${e.rule} ${e.state}${e.annotations.summary !== undefined ? `: ${e.annotations.summary}` : ''}`,
      attributes: alertAttributes(e),
    });
  }
  return builder.build();
}
