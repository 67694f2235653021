/**
 * Alertmanager's grouping, as pure functions: which group an alert joins on a route, and what a
 * group's flush sends. A group is (route, values of its group_by labels). Its first alert waits
 * `group_wait`; the flush sends every firing alert not muted and every alert resolved since the
 * last notification; after that the group is flushed every `group_interval`, and sends only when
 * something changed (a new firing alert, a new resolve) or when `repeat_interval` passed since the
 * last notification of a group still firing (Alertmanager's notification log rules).
 */
import type { Alert } from '../../exporters/notify-common/index.js';
import type { Labels } from './matchers.js';
import type { Grouping, Route } from './route.js';

/** What is kept per group between flushes (JSON in the state store). */
export interface GroupMeta {
  readonly key: string;
  readonly receiver: string;
  readonly labels: Record<string, string>;
  /** When the group was created (its first firing alert); a group emptied and re-created gets a new one. */
  readonly createdAt: number;
  /** When the group is due to be flushed next (wall clock, ms). */
  readonly nextFlushAt: number;
  /** When it was last notified; absent: never. */
  readonly lastNotifiedAt?: number;
  /** The fingerprints of the firing alerts of the last notification. */
  readonly lastFiring: readonly string[];
  readonly intervalMs: number;
  readonly repeatMs: number;
}

/** The notification of one flush. */
export interface Notification {
  readonly status: 'firing' | 'resolved';
  /** Firing alerts, then resolved ones, each ordered by fingerprint. */
  readonly alerts: readonly Alert[];
}

/** What a flush does: maybe send, then keep the group (next meta) or drop it, and forget the resolved alerts. */
export interface FlushPlan {
  readonly send?: Notification;
  /** The group after the flush. */
  readonly meta: GroupMeta;
  /** True when no alert is left: the group is deleted (unless an alert joined meanwhile). */
  readonly empty: boolean;
  /** Fingerprints of the alerts to remove from the group (every resolved one seen by this flush). */
  readonly remove: readonly string[];
}

/** The group labels of an alert on a route: the group_by labels it has (all with `...`). */
export function groupLabelsOf(grouping: Grouping, labels: Labels): Record<string, string> {
  if (grouping.by === 'all') return { ...labels };
  const out: Record<string, string> = {};
  for (const name of grouping.by) {
    const v = labels[name];
    if (v !== undefined && v !== '') out[name] = v;
  }
  return out;
}

/** Alertmanager's group key: the route key, then the group labels sorted by name. */
export function groupKeyOf(route: Route, groupLabels: Labels): string {
  const parts = Object.keys(groupLabels).sort().map((k) => `${k}=${JSON.stringify(groupLabels[k])}`);
  return `${route.key}:{${parts.join(',')}}`;
}

/** A new group's meta: its first flush comes after group_wait. */
export function newGroup(route: Route & { grouping: Grouping }, groupLabels: Record<string, string>, now: number): GroupMeta {
  return {
    key: groupKeyOf(route, groupLabels), receiver: route.receiver, labels: groupLabels, createdAt: now,
    nextFlushAt: now + route.grouping.waitMs, lastFiring: [], intervalMs: route.grouping.intervalMs, repeatMs: route.grouping.repeatMs,
  };
}

/**
 * The flush of a group holding `alerts` (its latest state per fingerprint) at `now`. `muted` are the
 * fingerprints silenced or inhibited now: they are left out of the firing set, as in Alertmanager.
 * A resolve is sent only for an alert whose firing was notified (a muted or never-sent firing's
 * resolve is not news to anybody).
 */
export function planFlush(meta: GroupMeta, alerts: readonly Alert[], muted: ReadonlySet<string>, now: number): FlushPlan {
  const byFp = [...alerts].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
  const last = new Set(meta.lastFiring);
  const firing = byFp.filter((a) => a.state === 'firing' && !muted.has(a.fingerprint));
  const resolvedAll = byFp.filter((a) => a.state === 'resolved');
  const resolved = resolvedAll.filter((a) => last.has(a.fingerprint));
  const send = needsUpdate(meta, firing, resolved, now);
  const remove = resolvedAll.map((a) => a.fingerprint);
  const gone = new Set(remove);
  const remaining = byFp.length - remove.length;
  const lastFiring = send ? firing.map((a) => a.fingerprint) : meta.lastFiring.filter((fp) => !gone.has(fp));
  const next: GroupMeta = { ...meta, nextFlushAt: now + meta.intervalMs, lastFiring, ...(send ? { lastNotifiedAt: now } : {}) };
  return {
    ...(send ? { send: { status: firing.length > 0 ? 'firing' : 'resolved', alerts: [...firing, ...resolved] } } : {}),
    meta: next, empty: remaining === 0, remove,
  };
}

/** Alertmanager's dedup rule: is this flush worth a notification? */
function needsUpdate(meta: GroupMeta, firing: readonly Alert[], resolved: readonly Alert[], now: number): boolean {
  if (meta.lastNotifiedAt === undefined) return firing.length > 0;
  const last = new Set(meta.lastFiring);
  if (firing.some((a) => !last.has(a.fingerprint))) return true;
  if (resolved.length > 0) return true;
  return firing.length > 0 && now - meta.lastNotifiedAt >= meta.repeatMs;
}
