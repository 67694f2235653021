/**
 * What a notification exporter remembers: the keys of notifications already delivered (so a
 * redelivered record never notifies twice) and per-alert facts a sink needs later (Slack's message
 * ts, to update it on resolve). Kept in the service's state store: in memory by default, in Redis
 * when configured, where it survives a restart and is shared by every instance.
 */
import { scoped, stateKey } from '../../pipeline/state/scope.js';
import type { StateStore } from '../../pipeline/state/state-store.js';
import { messageOf } from '../../pipeline/errors.js';
import type { Logger } from 'pino';

/** A sink's memory of per-alert facts. */
export interface NotifyMemory {
  /** The value remembered under `name`, if any. */
  recall(name: string): Promise<string | undefined>;
  /** Remembers `value` under `name` for `ttlMs`. */
  remember(name: string, value: string, ttlMs: number): Promise<void>;
}

/** The exporter's view of the state store, under `notify:<exporter id>:`. */
export class ExporterMemory implements NotifyMemory {
  private store: StateStore | undefined;

  constructor(private readonly exporterId: string, private readonly logger: Logger) {}

  /** Uses the service's store from now on. */
  attach(store: StateStore): void {
    this.store = scoped(store, 'notify', this.exporterId);
  }

  /** True when the notification `key` was delivered. A store that cannot answer counts as no (at least once). */
  async delivered(key: string): Promise<boolean> {
    return (await this.recall(stateKey('sent', key))) !== undefined;
  }

  /** Records that `key` was delivered. */
  async markDelivered(key: string, ttlMs: number): Promise<void> {
    await this.remember(stateKey('sent', key), String(Date.now()), ttlMs);
  }

  async recall(name: string): Promise<string | undefined> {
    if (!this.store) return undefined;
    try {
      const v = await this.store.get(name);
      return v === undefined ? undefined : Buffer.from(v).toString('utf8');
    } catch (err) {
      this.logger.warn({ err: messageOf(err), key: name }, 'notification state unreadable; treating it as absent');
      return undefined;
    }
  }

  async remember(name: string, value: string, ttlMs: number): Promise<void> {
    if (!this.store) return;
    try {
      await this.store.put(name, value, ttlMs);
    } catch (err) {
      // Already sent: failing to remember it only risks a duplicate on redelivery, not a loss.
      this.logger.warn({ err: messageOf(err), key: name }, 'notification state not saved; a redelivery may notify again');
    }
  }
}
