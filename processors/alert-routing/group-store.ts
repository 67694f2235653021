/**
 * Where groups live: in the service's state store, next to the silences and the firing set, so a
 * restart with Redis state loses no group and every daemon sharing the store sees the same groups.
 * - `groups`: one map, group hash → GroupMeta (JSON): the flusher reads it whole on every tick;
 * - `group:<hash>`: one map per group, fingerprint → the alert's latest state;
 * - `flush:<hash>:<due>`: the lease of the instance that flushes that group at that due time;
 * - `resolved:<fingerprint>:<starts_at>`: an episode that resolved, so its firing record read late
 *   (another partition, a redelivery) does not make it fire again.
 */
import { createHash } from 'node:crypto';
import { alertAttributes, readAlertAttributes, type Alert } from '../../exporters/notify-common/index.js';
import type { Attributes } from '../../pdata/index.js';
import type { StateOp, StateStore } from '../../pipeline/state/state-store.js';
import type { GroupMeta } from './group.js';

const GROUPS_KEY = 'groups';

/** The short stable name of a group in store keys. */
export function groupHash(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex').slice(0, 20);
}

/** An alert as stored: its attributes and its record time. */
interface StoredAlert {
  readonly a: Attributes;
  readonly t: number;
}

const json = (bytes: Uint8Array): unknown => JSON.parse(Buffer.from(bytes).toString('utf8'));

/** The groups of one processor in its (scoped) state store. */
export class GroupStore {
  constructor(private readonly store: StateStore) {}

  /** Every group, by hash. */
  async groups(): Promise<Map<string, GroupMeta>> {
    const out = new Map<string, GroupMeta>();
    for (const [h, bytes] of await this.store.fields(GROUPS_KEY)) out.set(h, json(bytes) as GroupMeta);
    return out;
  }

  /** The latest state of every alert of a group, and the stored text of each (to see later changes). */
  async alerts(hash: string): Promise<{ alerts: Alert[]; raw: Map<string, string> }> {
    const alerts: Alert[] = [];
    const raw = new Map<string, string>();
    for (const [fp, bytes] of await this.store.fields(`group:${hash}`)) {
      const text = Buffer.from(bytes).toString('utf8');
      raw.set(fp, text);
      const s = JSON.parse(text) as StoredAlert;
      const alert = readAlertAttributes(s.a, BigInt(s.t) * 1_000_000n);
      if (typeof alert !== 'string') alerts.push(alert);
    }
    return { alerts, raw };
  }

  /** The operations that add an alert (and, for a new group, its meta). */
  addOps(hash: string, alert: Alert, created: GroupMeta | undefined): StateOp[] {
    const stored: StoredAlert = { a: alertAttributes(alert), t: Number(alert.timeUnixNano / 1_000_000n) };
    const ops: StateOp[] = [{ op: 'set_field', key: `group:${hash}`, field: alert.fingerprint, value: JSON.stringify(stored) }];
    if (created) ops.push({ op: 'set_field', key: GROUPS_KEY, field: hash, value: JSON.stringify(created) });
    return ops;
  }

  /** The fingerprints among these firing alerts whose episode already resolved. */
  async resolvedEpisodes(alerts: readonly Alert[]): Promise<Set<string>> {
    const found = await Promise.all(alerts.map((a) => this.store.get(episodeKey(a))));
    return new Set(alerts.filter((_, i) => found[i] !== undefined).map((a) => a.fingerprint));
  }

  /** Marks a resolved episode, for `ttlMs`. */
  resolvedOp(alert: Alert, ttlMs: number): StateOp {
    return { op: 'put', key: episodeKey(alert), value: '1', ttlMs };
  }

  /** Applies operations in one transaction. */
  async apply(ops: readonly StateOp[]): Promise<void> {
    if (ops.length > 0) await this.store.batch(ops);
  }

  /**
   * Takes the lease on one flush of a group. Without a store that can claim (a custom one) the
   * single instance is assumed to own every group.
   */
  async claim(hash: string, due: number, instance: string, ttlMs: number): Promise<boolean> {
    if (!this.store.claim) return true;
    return this.store.claim(`flush:${hash}:${due}`, instance, ttlMs);
  }

  /** Extends a lease held while a notification is being delivered. */
  async renew(hash: string, due: number, instance: string, ttlMs: number): Promise<void> {
    await this.store.put(`flush:${hash}:${due}`, instance, ttlMs);
  }

  /** Gives a lease back (the flush failed), so the next tick may retry at once. */
  async release(hash: string, due: number): Promise<void> {
    await this.store.delete(`flush:${hash}:${due}`);
  }

  /**
   * Records a flush: removes the resolved alerts it saw unless they changed since (a new firing
   * of the same fingerprint joined meanwhile), then keeps the group with its next meta, or deletes
   * it when nothing is left.
   */
  async commit(hash: string, meta: GroupMeta, remove: readonly string[], seen: ReadonlyMap<string, string>): Promise<void> {
    const now = await this.store.fields(`group:${hash}`);
    const drop = remove.filter((fp) => {
      const bytes = now.get(fp);
      return bytes !== undefined && Buffer.from(bytes).toString('utf8') === seen.get(fp);
    });
    const left = [...now.keys()].filter((fp) => !drop.includes(fp));
    const ops: StateOp[] = drop.map((fp) => ({ op: 'delete_field', key: `group:${hash}`, field: fp }));
    if (left.length === 0) ops.push({ op: 'delete_field', key: GROUPS_KEY, field: hash }, { op: 'delete', key: `group:${hash}` });
    else ops.push({ op: 'set_field', key: GROUPS_KEY, field: hash, value: JSON.stringify(meta) });
    await this.store.batch(ops);
  }
}

function episodeKey(a: Alert): string {
  return `resolved:${a.fingerprint}:${a.startsAtMs}`;
}
