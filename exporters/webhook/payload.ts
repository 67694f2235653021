/**
 * Alertmanager's webhook payload, version 4 (the JSON its webhook receiver POSTs), for one alert
 * state change: a group of one alert, grouped by alertname.
 */
import type { Alert, AlertGroup } from '../notify-common/index.js';

/** Alertmanager writes Go's zero time as the endsAt of a firing alert. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** One alert of the payload. */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** The payload, version 4. */
export interface WebhookMessage {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
}

/** The payload of one alert. */
export function webhookMessage(alert: Alert, receiver: string, externalUrl: string): WebhookMessage {
  const groupLabels = { alertname: alert.alertname };
  return {
    version: '4',
    // Alertmanager's form: the route's matchers, then the group labels.
    groupKey: `{}:{alertname=${JSON.stringify(alert.alertname)}}`,
    truncatedAlerts: 0,
    status: alert.state,
    receiver,
    groupLabels,
    commonLabels: { ...alert.labels },
    commonAnnotations: { ...alert.annotations },
    externalURL: externalUrl,
    alerts: [webhookAlert(alert)],
  };
}

/** One alert of a payload. */
function webhookAlert(alert: Alert): WebhookAlert {
  return {
    status: alert.state,
    labels: { ...alert.labels },
    annotations: { ...alert.annotations },
    startsAt: new Date(alert.startsAtMs).toISOString(),
    endsAt: alert.endsAtMs === undefined ? ZERO_TIME : new Date(alert.endsAtMs).toISOString(),
    generatorURL: alert.generatorUrl ?? '',
    fingerprint: alert.fingerprint,
  };
}

/** The payload of a grouped notification, as Alertmanager sends it: every alert, the labels and annotations all share. */
export function webhookGroupMessage(group: AlertGroup, receiver: string, externalUrl: string): WebhookMessage {
  return {
    version: '4',
    groupKey: group.groupKey,
    truncatedAlerts: 0,
    status: group.status,
    receiver,
    groupLabels: { ...group.groupLabels },
    commonLabels: common(group.alerts.map((a) => a.labels)),
    commonAnnotations: common(group.alerts.map((a) => a.annotations)),
    externalURL: externalUrl,
    alerts: group.alerts.map(webhookAlert),
  };
}

/** The pairs every map has, with the same value. */
export function common(maps: ReadonlyArray<Readonly<Record<string, string>>>): Record<string, string> {
  const [first, ...rest] = maps;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first ?? {})) if (rest.every((m) => m[k] === v)) out[k] = v;
  return out;
}
