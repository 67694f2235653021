/**
 * The grouped notification (docs/alerts-contract.md, "Grouped notifications"): one `vigil.alert.group`
 * log record per flush of an Alertmanager-style group, written by the alert_routing processor and
 * read by the notification exporters. It carries every alert of the notification (firing and newly
 * resolved) as maps with the same keys as a `vigil.alert` record, so one reader serves both.
 */
import { forEachLogRecord, LogsBuilder, type AttributeValue, type Attributes, type AttributesInput } from '../../pdata/index.js';
import type { Payload } from '../../pdata/payload.js';
import { ATTR, readAlertAttributes, type Alert } from './alert.js';
import { ALERT_SCOPE } from './alert-builder.js';

/** The event name of a grouped notification record. */
export const GROUP_EVENT_NAME = 'vigil.alert.group';

/** Attribute keys of a group record (besides `vigil.alert.receivers`). */
export const GROUP_ATTR = {
  groupKey: 'group_key',
  groupLabels: 'group_labels',
  status: 'status',
  notificationId: 'notification_id',
  startedAt: 'group_started_at',
  alerts: 'alerts',
} as const;

/** One grouped notification, as the exporters see it. */
export interface AlertGroup {
  /** Alertmanager's group key: the route's key, `:`, the group labels (`{}/{team="db"}:{service_name="checkout"}`). */
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  /** `firing` while any alert of the notification fires, else `resolved`. */
  readonly status: 'firing' | 'resolved';
  /** Names this notification (group + flush); the same when a flush is redone after a crash: the dedup key. */
  readonly notificationId: string;
  /** When the group was created (its first alert), epoch ms: a new group after all resolved gets a new one. */
  readonly startedAtMs: number;
  /** The exporter ids that send it. */
  readonly receivers: readonly string[];
  /** Firing alerts first, then the resolved ones. */
  readonly alerts: readonly Alert[];
}

/** An alert as attributes (the keys of a `vigil.alert` record): for a group's `alerts` and for storage. */
export function alertAttributes(a: Alert): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {
    [ATTR.alertname]: a.alertname,
    [ATTR.state]: a.state,
    [ATTR.severity]: a.severity,
    [ATTR.fingerprint]: a.fingerprint,
    [ATTR.labels]: { ...a.labels },
    [ATTR.annotations]: { ...a.annotations },
    [ATTR.startsAt]: new Date(a.startsAtMs).toISOString(),
  };
  if (a.endsAtMs !== undefined) out[ATTR.endsAt] = new Date(a.endsAtMs).toISOString();
  if (a.generatorUrl) out[ATTR.generatorUrl] = a.generatorUrl;
  if (a.value !== undefined) out[ATTR.value] = a.value;
  if (a.traceIds.length > 0) out[ATTR.evidence] = { trace_ids: [...a.traceIds] };
  return out;
}

/** The payload of one grouped notification (one record, under vigil's resource). */
export function buildGroup(g: AlertGroup, nowMs: number): Payload | null {
  const b = new LogsBuilder();
  const attributes: AttributesInput = {
    [GROUP_ATTR.groupKey]: g.groupKey,
    [GROUP_ATTR.groupLabels]: { ...g.groupLabels },
    [GROUP_ATTR.status]: g.status,
    [GROUP_ATTR.notificationId]: g.notificationId,
    [GROUP_ATTR.startedAt]: new Date(g.startedAtMs).toISOString(),
    [ATTR.receivers]: [...g.receivers],
    [GROUP_ATTR.alerts]: g.alerts.map(alertAttributes),
  };
  b.scope({ 'service.name': 'vigil' }, ALERT_SCOPE).add({
    eventName: GROUP_EVENT_NAME,
    timeUnixNano: BigInt(nowMs) * 1_000_000n,
    severityNumber: 9,
    severityText: 'INFO',
    body: `${g.groupKey} ${g.status} (${g.alerts.length} alerts)`,
    attributes,
  });
  return b.build();
}

/** Every group record of a payload, and the invalid ones with the reason. */
export function readGroups(payload: Payload): { groups: AlertGroup[]; invalid: Array<{ index: number; reason: string }> } {
  const out = { groups: [] as AlertGroup[], invalid: [] as Array<{ index: number; reason: string }> };
  let index = 0;
  forEachLogRecord(payload, (r) => {
    if (r.eventName === GROUP_EVENT_NAME) {
      const read = readGroup(r.attributes, r.timeUnixNano);
      if (typeof read === 'string') out.invalid.push({ index, reason: read });
      else out.groups.push(read);
    }
    index++;
  });
  return out;
}

/** One group record's attributes as an AlertGroup, or why they are not one. */
function readGroup(a: Attributes, timeUnixNano: bigint): AlertGroup | string {
  const groupKey = a[GROUP_ATTR.groupKey];
  const id = a[GROUP_ATTR.notificationId];
  const status = a[GROUP_ATTR.status];
  if (typeof groupKey !== 'string' || groupKey === '') return 'group_key is missing';
  if (typeof id !== 'string' || id === '') return 'notification_id is missing';
  if (status !== 'firing' && status !== 'resolved') return 'status must be "firing" or "resolved"';
  const started = a[GROUP_ATTR.startedAt];
  const startedAtMs = typeof started === 'string' ? Date.parse(started) : Number.NaN;
  if (Number.isNaN(startedAtMs)) return 'group_started_at must be an RFC 3339 time';
  const list = a[GROUP_ATTR.alerts];
  if (!Array.isArray(list)) return 'alerts must be an array';
  const alerts: Alert[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object' || Array.isArray(item) || item instanceof Uint8Array) return 'alerts[] must be maps';
    const alert = readAlertAttributes(item, timeUnixNano);
    if (typeof alert === 'string') return `alerts[${alerts.length}]: ${alert}`;
    alerts.push(alert);
  }
  const labels = a[GROUP_ATTR.groupLabels];
  const groupLabels: Record<string, string> = {};
  if (labels && typeof labels === 'object' && !Array.isArray(labels) && !(labels instanceof Uint8Array)) {
    for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') groupLabels[k] = v;
  }
  const receivers = a[ATTR.receivers];
  return {
    groupKey, groupLabels, status, notificationId: id, startedAtMs, alerts,
    receivers: Array.isArray(receivers) ? receivers.filter((x): x is string => typeof x === 'string') : [],
  };
}
