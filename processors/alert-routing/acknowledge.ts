/**
 * Acknowledgements: a silence that starts muting an alert whose firing was already notified means
 * a person took the alert in hand, which PagerDuty calls acknowledging the incident. The routed
 * firings of ungrouped routes are kept in the state store (`notified`: fingerprint → the alert and
 * its receivers) until their resolve; whenever a silence is saved, and on a wall-clock tick (a
 * pending silence becomes active), every kept firing that an active silence matches gets one
 * `vigil.alert.acknowledged` record for the receivers of its firing. At most one per episode:
 * `ack:<fingerprint>:<starts_at>` is written once the exporters accepted it (and the exporters'
 * own dedup catches two instances racing).
 */
import type { Logger } from 'pino';
import { alertAttributes, buildAck, readAlertAttributes, type Alert } from '../../exporters/notify-common/index.js';
import type { AttributeValue } from '../../pdata/index.js';
import type { Payload } from '../../pdata/payload.js';
import { BurstLog } from '../../pipeline/burst-log.js';
import { messageOf } from '../../pipeline/errors.js';
import { PartitionClock, type Timer } from '../../pipeline/event-time/clock.js';
import type { StateOp, StateStore } from '../../pipeline/state/state-store.js';
import { every } from '../processorhelper/periodic.js';
import { routingLabels, type Decision } from './decide.js';
import { matchAll } from './matchers.js';
import { stateOf, toMatcher, type SilenceBook } from './silences.js';

/** The state-store map of notified firings: fingerprint → {@link Kept}. */
const NOTIFIED_KEY = 'notified';

/** A notified firing as kept: its alert attributes and where it went. */
interface Kept {
  readonly alert: Record<string, AttributeValue>;
  readonly receivers: readonly string[];
}

/** What the acknowledger needs; the state store is already scoped to the processor. */
export interface AcknowledgerOptions {
  readonly store: StateStore;
  readonly silences: SilenceBook;
  /** Sends one acknowledgement downstream; resolves when the exporters accepted it. */
  readonly emit: (payload: Payload) => Promise<void>;
  readonly logger: Logger;
  /** How long an episode's acknowledgement is remembered (decision_ttl). */
  readonly episodeTtlMs: number;
  readonly now?: () => number;
  /** How often pending silences are looked at; default 1 s. */
  readonly tickMs?: number;
}

/** Keeps the notified firings and acknowledges those a silence now mutes. */
export class Acknowledger {
  private readonly clock = new PartitionClock({}, (err) => this.burst.warn({ err: messageOf(err) }, 'alert acknowledgement: sweep failed'));
  private readonly burst: BurstLog;
  private readonly now: () => number;
  private ticker: Timer | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly o: AcknowledgerOptions) {
    this.burst = new BurstLog(o.logger);
    this.now = o.now ?? Date.now;
  }

  /** Starts the tick that catches silences becoming active. */
  start(): void {
    this.ticker = every(this.clock, this.o.tickMs ?? 1_000, () => this.sweep());
  }

  /** Stops the tick and waits for a sweep in progress. */
  async stop(): Promise<void> {
    this.ticker?.cancel();
    await this.clock.stop();
    await this.running?.catch(() => {});
  }

  /**
   * Keeps the firings that were routed to someone, forgets resolved ones. Called with the
   * decisions of one payload, in order; a firing that was muted is not kept (nobody heard of it).
   */
  async record(alerts: readonly Alert[], decisions: readonly Decision[]): Promise<void> {
    const ops = alerts.flatMap((a, i): StateOp[] => {
      const d = decisions[i]!;
      if (a.state === 'resolved') return [{ op: 'delete_field', key: NOTIFIED_KEY, field: a.fingerprint }];
      if (d.muted || d.receivers.length === 0) return [];
      const kept: Kept = { alert: alertAttributes(a), receivers: d.receivers };
      return [{ op: 'set_field', key: NOTIFIED_KEY, field: a.fingerprint, value: JSON.stringify(kept) }];
    });
    if (ops.length === 0) return;
    try {
      await this.o.store.batch(ops);
    } catch (err) {
      this.burst.warn({ err: messageOf(err) }, 'alert acknowledgement: state store unavailable; firings not kept for acknowledgement');
    }
  }

  /** Runs a sweep now (a silence was saved); one at a time, a request during one runs another after it. */
  async sweep(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.sweepOnce();
      } while (this.again);
    })().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Acknowledges every kept firing an active silence matches, once per episode. */
  private async sweepOnce(): Promise<void> {
    const now = this.now();
    const active = (await this.o.silences.list()).filter((s) => stateOf(s, now) === 'active');
    if (active.length === 0) return;
    for (const [fingerprint, bytes] of await this.o.store.fields(NOTIFIED_KEY)) {
      const kept = JSON.parse(Buffer.from(bytes).toString('utf8')) as Kept;
      const read = readAlertAttributes(kept.alert, BigInt(now) * 1_000_000n);
      if (typeof read === 'string') continue;
      const by = active.filter((s) => matchAll(s.matchers.map(toMatcher), routingLabels(read)));
      if (by.length === 0) continue;
      const marker = `ack:${fingerprint}:${read.startsAtMs}`;
      if (await this.o.store.get(marker)) continue;
      const payload = buildAck({ alert: { ...read, receivers: kept.receivers }, silenceIds: by.map((s) => s.id), createdBy: by.map((s) => s.createdBy).join(', ') }, now);
      if (payload) await this.o.emit(payload);
      await this.o.store.put(marker, '1', this.o.episodeTtlMs);
      this.o.logger.info({ alertname: read.alertname, fingerprint, silences: by.map((s) => s.id), receivers: kept.receivers }, 'notified alert silenced: acknowledged');
    }
  }
}
