/** An alert state change as a PagerDuty Events API v2 event (trigger, acknowledge or resolve, keyed by dedup_key). */
import { createHash } from 'node:crypto';
import type { Acknowledgement, Alert, AlertGroup } from '../notify-common/index.js';
import type { Config } from './config.js';

/** The API's limit on `summary`. */
const MAX_SUMMARY = 1024;

/** A PagerDuty link. */
export interface PagerDutyLink {
  href: string;
  text: string;
}

/** The event body POSTed to /v2/enqueue. */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    timestamp: string;
    component?: string;
    group?: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
  links?: PagerDutyLink[];
  client?: string;
  client_url?: string;
}

/** The event for one alert state change; a resolve carries only the key (as the API needs). */
export function pagerDutyEvent(alert: Alert, config: Config): PagerDutyEvent {
  const base = { routing_key: config.routing_key, dedup_key: alert.fingerprint };
  if (alert.state === 'resolved') return { ...base, event_action: 'resolve' };
  const l = alert.labels;
  const summary = alert.annotations.summary ?? `${alert.alertname}${l.service_name ? ` on ${l.service_name}` : ''}`;
  return {
    ...base,
    event_action: 'trigger',
    payload: {
      summary: summary.length > MAX_SUMMARY ? `${summary.slice(0, MAX_SUMMARY - 1)}…` : summary,
      source: config.source ?? l.instance ?? l.service_name ?? 'vigil',
      severity: alert.severity,
      timestamp: new Date(alert.startsAtMs).toISOString(),
      ...(l.service_name ? { component: l.service_name } : {}),
      ...(l.team ? { group: l.team } : {}),
      class: alert.alertname,
      custom_details: {
        labels: alert.labels, annotations: alert.annotations, fingerprint: alert.fingerprint,
        ...(alert.value === undefined ? {} : { value: alert.value }),
        ...(alert.traceIds.length ? { trace_ids: alert.traceIds } : {}),
      },
    },
    links: linksOf(alert, config),
    client: config.client,
    ...(config.client_url ? { client_url: config.client_url } : {}),
  };
}

/** The acknowledge of a notified firing: the trigger's dedup_key, nothing else (as the API needs). */
export function pagerDutyAckEvent(ack: Acknowledgement, config: Config): PagerDutyEvent {
  return { routing_key: config.routing_key, event_action: 'acknowledge', dedup_key: ack.alert.fingerprint };
}

function linksOf(alert: Alert, config: Config): PagerDutyLink[] {
  const links: PagerDutyLink[] = [];
  if (alert.generatorUrl) links.push({ href: alert.generatorUrl, text: 'Alert rule' });
  if (config.trace_url) {
    for (const id of alert.traceIds) links.push({ href: config.trace_url.replaceAll('{trace_id}', id), text: `Trace ${id}` });
  }
  return links;
}

/**
 * The event of a grouped notification: keyed, as Alertmanager does, by the SHA-256 of the group key,
 * so the whole group is one incident; it triggers while any alert fires and resolves when none does.
 */
export function pagerDutyGroupEvent(group: AlertGroup, config: Config): PagerDutyEvent {
  const base = { routing_key: config.routing_key, dedup_key: createHash('sha256').update(group.groupKey).digest('hex') };
  if (group.status === 'resolved') return { ...base, event_action: 'resolve' };
  const firing = group.alerts.filter((a) => a.state === 'firing');
  const first = firing[0]!;
  const worst = (['critical', 'error', 'warning', 'info'] as const).find((s) => firing.some((a) => a.severity === s)) ?? 'warning';
  const labels = Object.entries(group.groupLabels).map(([k, v]) => `${k}=${v}`).join(' ');
  const summary = `[FIRING:${firing.length}] ${labels || first.alertname}`;
  const event = pagerDutyEvent(first, config);
  return {
    ...event, ...base,
    payload: {
      ...event.payload!,
      summary: summary.length > MAX_SUMMARY ? `${summary.slice(0, MAX_SUMMARY - 1)}…` : summary,
      severity: worst,
      class: first.alertname,
      custom_details: {
        group_key: group.groupKey, group_labels: group.groupLabels,
        firing: firing.map((a) => ({ alertname: a.alertname, labels: a.labels, annotations: a.annotations, fingerprint: a.fingerprint })),
      },
    },
    links: firing.flatMap((a) => linksOf(a, config)),
  };
}
