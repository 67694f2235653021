/**
 * The groups of one alert_routing processor at run time: alerts join their groups as they are
 * routed, and a wall-clock ticker flushes the groups that are due, evaluating silences and
 * inhibitions at flush time (as Alertmanager does), and emits one `vigil.alert.group` record per
 * notification to the exporters.
 *
 * Ownership: every instance sharing the state store ticks, and whichever first takes the lease
 * `flush:<group>:<due>` (Redis SET NX) flushes that group at that due time; the others skip it. The
 * group's state is advanced only after the exporters accepted the notification, so a crash
 * mid-flush loses nothing: the lease expires and another instance redoes the flush with the same
 * notification id, which the exporters' dedup recognises.
 */
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { buildGroup, type Alert } from '../../exporters/notify-common/index.js';
import { BurstLog } from '../../pipeline/burst-log.js';
import { messageOf } from '../../pipeline/errors.js';
import { PartitionClock, type Timer } from '../../pipeline/event-time/clock.js';
import type { Payload } from '../../pdata/payload.js';
import type { StateOp, StateStore } from '../../pipeline/state/state-store.js';
import { every } from '../processorhelper/periodic.js';
import { routingLabels } from './decide.js';
import { groupLabelsOf, newGroup, planFlush, type GroupMeta } from './group.js';
import { GroupStore, groupHash } from './group-store.js';
import { FiringSet, inhibitor, type InhibitRule } from './inhibit.js';
import type { Labels } from './matchers.js';
import { matchRoutes, type Grouping, type Route } from './route.js';
import type { SilenceBook } from './silences.js';

/** How long a flush lease lasts without renewal: an instance that died mid-flush is replaced after it. */
export const LEASE_MS = 30_000;

/** What the grouper needs; the state store is already scoped to the processor. */
export interface GrouperOptions {
  readonly root: Route;
  readonly inhibitRules: readonly InhibitRule[];
  readonly store: StateStore;
  readonly silences?: SilenceBook | undefined;
  /** Sends one notification downstream; resolves when the exporters accepted (delivered) it. */
  readonly emit: (payload: Payload) => Promise<void>;
  readonly logger: Logger;
  /** Called once per notification emitted (and accepted downstream), for the self-metric. */
  readonly notified?: (status: 'firing' | 'resolved') => void;
  readonly now?: () => number;
  /** How long a resolved episode is remembered against its late firing record (decision_ttl). */
  readonly episodeTtlMs: number;
  /** How often due groups are looked for; default from the shortest wait or interval of the tree. */
  readonly tickMs?: number;
}

/** Joins alerts to groups and flushes the groups that are due. */
export class Grouper {
  private readonly groups: GroupStore;
  private readonly firing: FiringSet;
  private readonly clock = new PartitionClock({}, (err) => this.burst.warn({ err: messageOf(err) }, 'alert grouping: flush tick failed'));
  private readonly burst: BurstLog;
  private readonly instance = randomUUID();
  private readonly flushing = new Map<string, Promise<void>>();
  private readonly now: () => number;
  private ticker: Timer | undefined;

  constructor(private readonly o: GrouperOptions) {
    this.groups = new GroupStore(o.store);
    this.firing = new FiringSet(o.store);
    this.burst = new BurstLog(o.logger);
    this.now = o.now ?? Date.now;
  }

  /** Starts the ticker. */
  start(): void {
    this.ticker = every(this.clock, this.o.tickMs ?? tickOf(this.o.root), () => this.tick());
  }

  /** Stops ticking and waits (until the deadline) for flushes in progress. */
  async stop(deadline: number): Promise<void> {
    this.ticker?.cancel();
    await this.clock.stop();
    const left = Math.max(0, deadline - Date.now());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.flushing.values()]), new Promise((r) => { timer = setTimeout(r, left); })]);
    clearTimeout(timer);
  }

  /**
   * Adds the alerts to the groups of the grouped routes they take. A resolve joins only a group
   * that exists (a group is created by a firing alert, as in Alertmanager). Written before the
   * record is acknowledged, so with a durable store a crash loses no alert of a group.
   */
  async add(alerts: readonly Alert[]): Promise<void> {
    const mine = alerts.filter((a) => groupedRoutes(this.o.root, routingLabels(a)).length > 0);
    if (mine.length === 0) return;
    const metas = await this.groups.groups();
    // A firing read after its own resolve (records of one alert on two partitions, a redelivery) is stale.
    const over = await this.groups.resolvedEpisodes(mine.filter((a) => a.state === 'firing'));
    const ops: StateOp[] = mine.filter((a) => a.state === 'resolved').map((a) => this.groups.resolvedOp(a, this.o.episodeTtlMs));
    for (const a of mine) {
      if (a.state === 'firing' && over.has(a.fingerprint)) continue;
      for (const route of groupedRoutes(this.o.root, routingLabels(a))) {
        const labels = groupLabelsOf(route.grouping, routingLabels(a));
        const fresh = newGroup(route, labels, this.now());
        const hash = groupHash(fresh.key);
        const existing = metas.get(hash);
        if (!existing && a.state === 'resolved') continue;
        if (!existing) metas.set(hash, fresh);
        ops.push(...this.groups.addOps(hash, a, existing ? undefined : fresh));
      }
    }
    await this.groups.apply(ops);
  }

  /** Starts the flush of every group that is due and not being flushed here already. */
  async tick(): Promise<void> {
    const now = this.now();
    for (const [hash, meta] of await this.groups.groups()) {
      if (meta.nextFlushAt > now || this.flushing.has(hash)) continue;
      const run = this.flush(hash, meta).catch((err: unknown) => {
        this.burst.warn({ err: messageOf(err), group: meta.key }, 'alert grouping: flush failed; it is retried');
      }).finally(() => this.flushing.delete(hash));
      // Not awaited: a notification waiting on a sink outage must not hold up the other groups.
      this.flushing.set(hash, run);
    }
  }

  /** Flushes one group at its due time, if this instance wins the lease. */
  private async flush(hash: string, seen: GroupMeta): Promise<void> {
    if (!await this.groups.claim(hash, seen.nextFlushAt, this.instance, LEASE_MS)) return;
    const meta = (await this.groups.groups()).get(hash);
    // Another instance flushed it in the meantime (its due time moved), or deleted it.
    if (!meta || meta.nextFlushAt !== seen.nextFlushAt) return;
    const { alerts, raw } = await this.groups.alerts(hash);
    const now = this.now();
    const plan = planFlush(meta, alerts, await this.muted(alerts), now);
    if (plan.send) {
      const payload = buildGroup({
        groupKey: meta.key, groupLabels: meta.labels, status: plan.send.status, receivers: [meta.receiver],
        notificationId: `${meta.key}@${meta.nextFlushAt}`, startedAtMs: meta.createdAt, alerts: plan.send.alerts,
      }, now);
      try {
        if (payload) await this.whileLeased(hash, meta.nextFlushAt, () => this.o.emit(payload));
      } catch (err) {
        await this.groups.release(hash, meta.nextFlushAt).catch(() => {});
        throw err;
      }
      this.o.notified?.(plan.send.status);
      this.o.logger.debug({ group: meta.key, status: plan.send.status, alerts: plan.send.alerts.length, receiver: meta.receiver }, 'group notified');
    }
    await this.groups.commit(hash, plan.meta, plan.remove, raw);
  }

  /** Runs `fn` while renewing the lease, so a long delivery (a sink outage) keeps its flush. */
  private async whileLeased(hash: string, due: number, fn: () => Promise<void>): Promise<void> {
    const renewal = every(this.clock, LEASE_MS / 3, () => this.groups.renew(hash, due, this.instance, LEASE_MS));
    try {
      await fn();
    } finally {
      renewal.cancel();
    }
  }

  /** The fingerprints of the firing alerts silenced or inhibited now. */
  private async muted(alerts: readonly Alert[]): Promise<Set<string>> {
    const out = new Set<string>();
    const firing = this.o.inhibitRules.length > 0 ? await this.firing.read() : new Map<string, Labels>();
    for (const a of alerts) {
      if (a.state !== 'firing') continue;
      const labels = routingLabels(a);
      const silenced = this.o.silences ? (await this.o.silences.silencing(labels)).length > 0 : false;
      if (silenced || inhibitor(this.o.inhibitRules, a.fingerprint, labels, firing) !== undefined) out.add(a.fingerprint);
    }
    return out;
  }
}

/** The grouped routes an alert takes. */
function groupedRoutes(root: Route, labels: Labels): Array<Route & { grouping: Grouping }> {
  return (matchRoutes(root, labels) ?? [root]).filter((r): r is Route & { grouping: Grouping } => r.grouping !== undefined);
}

/** A tick a quarter of the shortest wait or interval of the tree, between 100 ms and 1 s. */
function tickOf(root: Route): number {
  const walk = (r: Route): number[] => [...(r.grouping ? [r.grouping.waitMs, r.grouping.intervalMs] : []), ...r.routes.flatMap(walk)];
  return Math.min(1_000, Math.max(100, Math.min(...walk(root)) / 4));
}
