/**
 * The delivery logic every notification exporter shares: alerts read from `vigil.alert` records,
 * one notification per (alert, state), in order per alert, with retries (backoff, Retry-After),
 * a per-sink rate limit, dedup against redelivery, and a dead letter after a TTL.
 *
 * `consume` resolves only once every alert of the payload was delivered or dead-lettered, so the
 * stage log before the exporter keeps the record until then: that log is the outbox.
 */
import type { CreateSettings, Exporter, Host } from '../../pipeline/component.js';
import { Backoff } from '../../pipeline/backoff.js';
import { BurstLog } from '../../pipeline/burst-log.js';
import { RetryableError, ShuttingDownError, UnavailableError, isPermanent, messageOf } from '../../pipeline/errors.js';
import type { Payload } from '../../pdata/payload.js';
import type { Delivery } from '../../pipeline/delivery.js';
import { notificationKey, readAlerts, type Alert } from './alert.js';
import { readGroups, type AlertGroup } from './group.js';
import { readAcks, type Acknowledgement } from './ack.js';
import { backoffOf, type DeliveryConfig } from './config.js';
import { ThrottledError } from './http.js';
import { ExporterMemory, type NotifyMemory } from './memory.js';
import { notifyMetrics, type NotifyMetrics } from './metrics.js';
import { RateLimiter, sleep } from './rate-limit.js';

/** What a sink gets with each attempt. */
export interface SendContext {
  /** Aborts on the attempt's timeout and at the shutdown deadline; the sink MUST stop then. */
  readonly signal: AbortSignal;
  /** Names this notification, the same on every retry and redelivery (an idempotency key). */
  readonly key: string;
  /** Per-alert facts kept across notifications (Slack's message ts). */
  readonly memory: NotifyMemory;
}

/**
 * One notification channel. `send` delivers one alert state change once; it rejects with a
 * PermanentError when the sink refuses it for good, with a RetryableError (retryAfterMs from
 * Retry-After; a ThrottledError pauses the sink) otherwise.
 */
export interface Sink {
  send(alert: Alert, ctx: SendContext): Promise<void>;
  /**
   * Optional: delivers one grouped notification (alert_routing's grouping) as one message. A sink
   * without it notifies each alert of the group on its own (alert_routing refuses such receivers
   * on grouped routes at validation, so this is a fallback).
   */
  sendGroup?(group: AlertGroup, ctx: SendContext): Promise<void>;
  /**
   * Optional: delivers an acknowledgement (a silence now mutes a firing that was notified). A sink
   * without it ignores acknowledgements: its channel has no such notion.
   */
  acknowledge?(ack: Acknowledgement, ctx: SendContext): Promise<void>;
  /** Optional: opens what the sink needs (a transport, a timer). */
  start?(host: Host): Promise<void>;
  /** Optional: releases it. */
  shutdown?(): Promise<void>;
}

/** One notification to deliver: an alert state change, or a grouped notification. */
interface Unit {
  /** The dedup key. */
  readonly key: string;
  /** Notifications of one chain go out in order (an alert's fingerprint, a group's key). */
  readonly chain: string;
  readonly state: string;
  /** What the logs say about it. */
  readonly describe: Record<string, unknown>;
  send(ctx: SendContext): Promise<void>;
}

/** Test hooks: a clock and randomness. */
export interface NotifierOptions {
  readonly now?: () => number;
  readonly random?: () => number;
}

/** An exporter around a sink; the factories of slack, pagerduty, email, webhook and alertmanager build one. */
export class NotifyExporter implements Exporter {
  private readonly memory: ExporterMemory;
  private readonly limiter: RateLimiter;
  private readonly metrics: NotifyMetrics;
  private readonly burst: BurstLog;
  private readonly now: () => number;
  /** Per fingerprint, the tail of its notifications: firing and resolve go out in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly stop = new AbortController();
  private readonly deadline = new AbortController();

  constructor(private readonly settings: CreateSettings, private readonly config: DeliveryConfig, private readonly sink: Sink, private readonly options: NotifierOptions = {}) {
    this.now = options.now ?? Date.now;
    this.memory = new ExporterMemory(settings.id.id, settings.logger);
    this.limiter = new RateLimiter(config.rate_limit.per_second, config.rate_limit.burst, this.now);
    this.metrics = notifyMetrics(settings.metrics.registry);
    this.burst = new BurstLog(settings.logger, this.now);
  }

  async start(host: Host): Promise<void> {
    this.memory.attach(host.stateStore());
    await this.sink.start?.(host);
  }

  /**
   * With a `delivery` (straight from a stage log) the record is held until every alert is delivered
   * or dead-lettered and `consume` resolves at once: a sink outage keeps its records unacknowledged
   * without filling the log's in-flight window, so the other exporters of the pipeline go on. Without
   * one (after a batch processor), `consume` resolves only when done.
   */
  async consume(payload: Payload, delivery?: Delivery): Promise<void> {
    if (this.stop.signal.aborted) throw new ShuttingDownError(`exporter ${this.settings.id.id} is shutting down`);
    const { alerts: read, invalid: invalidAlerts } = readAlerts(payload);
    const { groups, invalid: invalidGroups } = readGroups(payload);
    const { acks, invalid: invalidAcks } = this.sink.acknowledge ? readAcks(payload) : { acks: [], invalid: [] };
    const invalid = [...invalidAlerts, ...invalidGroups, ...invalidAcks];
    for (const bad of invalid) {
      this.metrics.notifications.inc({ exporter: this.settings.id.id, state: '', outcome: 'invalid' });
      this.burst.warn({ record: bad.index, reason: bad.reason }, 'not a valid vigil.alert record; skipped (docs/alerts-contract.md)');
    }
    if (invalid.length > 0) this.settings.metrics.exporterFailed.logs.inc({ exporter: this.settings.id.id }, invalid.length);
    const units = [...this.severityFiltered(this.routedHere(read)).map((a) => this.alertUnit(a)), ...this.groupUnits(groups), ...this.ackUnits(acks)];
    if (units.length === 0) return;
    const work = this.deliverAll(units);
    if (!delivery) {
      await work;
      return;
    }
    const hold = delivery.hold();
    // A failure here is a shutdown: the hold stays unreleased, so the record is not acknowledged
    // (Kafka reads it again after the restart; dedup skips what was already sent).
    work.then(() => hold.release(), (err: unknown) => {
      this.settings.logger.debug({ err: messageOf(err) }, 'notifications interrupted by shutdown; the record stays unacknowledged');
    });
  }

  /**
   * The alerts routed to this exporter. A record an alert_routing processor routed names its
   * receivers; one that names others (or nobody: silenced, inhibited) is counted, not sent. A
   * record without routing (no alert_routing in the pipeline) goes to every exporter, as before.
   */
  private routedHere(alerts: readonly Alert[]): readonly Alert[] {
    const id = this.settings.id.id;
    return alerts.filter((a) => {
      if (a.receivers === undefined || a.receivers.includes(id)) return true;
      this.metrics.notifications.inc({ exporter: id, state: a.state, outcome: 'not_routed' });
      return false;
    });
  }

  /** The alerts this channel's `severity_filter` lets through; the others are counted, not sent. */
  private severityFiltered(alerts: readonly Alert[]): readonly Alert[] {
    const allowed = this.config.severity_filter ?? [];
    if (allowed.length === 0) return alerts;
    return alerts.filter((a) => {
      if (allowed.includes(a.severity)) return true;
      this.metrics.notifications.inc({ exporter: this.settings.id.id, state: a.state, outcome: 'filtered' });
      this.settings.logger.debug({ alertname: a.alertname, state: a.state, severity: a.severity }, 'alert below the severity_filter; not notified');
      return false;
    });
  }

  /** An alert state change as a unit of delivery. */
  private alertUnit(alert: Alert): Unit {
    return {
      key: notificationKey(alert), chain: alert.fingerprint, state: alert.state,
      describe: { alertname: alert.alertname, state: alert.state, fingerprint: alert.fingerprint, labels: alert.labels, starts_at: new Date(alert.startsAtMs).toISOString() },
      send: (ctx) => this.sink.send(alert, ctx),
    };
  }

  /** The acknowledgements routed here (only read when the sink has `acknowledge`): one per episode. */
  private ackUnits(acks: readonly Acknowledgement[]): Unit[] {
    const id = this.settings.id.id;
    const allowed = this.config.severity_filter ?? [];
    // A firing the severity_filter kept out was never sent here: nothing to acknowledge.
    const here = acks.filter((k) => k.alert.receivers?.includes(id) && (allowed.length === 0 || allowed.includes(k.alert.severity)));
    return here.map((k) => ({
      key: `${k.alert.fingerprint}:${k.alert.startsAtMs}:acknowledged`, chain: k.alert.fingerprint, state: 'acknowledged',
      describe: { alertname: k.alert.alertname, state: 'acknowledged', fingerprint: k.alert.fingerprint, silences: k.silenceIds },
      send: (ctx) => this.sink.acknowledge!(k, ctx),
    }));
  }

  /**
   * The grouped notifications routed here, their alerts cut to the severity_filter (a group left
   * empty is counted as filtered). A sink that cannot render a group notifies its alerts one by one.
   */
  private groupUnits(groups: readonly AlertGroup[]): Unit[] {
    const id = this.settings.id.id;
    const out: Unit[] = [];
    for (const g of groups) {
      if (!g.receivers.includes(id)) {
        this.metrics.notifications.inc({ exporter: id, state: g.status, outcome: 'not_routed' });
        continue;
      }
      const alerts = this.severityFiltered(g.alerts);
      if (alerts.length === 0) continue;
      if (!this.sink.sendGroup) {
        out.push(...alerts.map((a) => this.alertUnit(a)));
        continue;
      }
      const group: AlertGroup = { ...g, alerts, status: alerts.some((a) => a.state === 'firing') ? 'firing' : 'resolved' };
      out.push({
        key: `group:${g.notificationId}`, chain: `group:${g.groupKey}`, state: group.status,
        describe: { group_key: g.groupKey, state: group.status, alerts: alerts.length, notification_id: g.notificationId },
        send: (ctx) => this.sink.sendGroup!(group, ctx),
      });
    }
    return out;
  }

  /** Delivers every notification; rejects (retryably) only when a shutdown interrupted one. */
  private async deliverAll(units: readonly Unit[]): Promise<void> {
    const results = await Promise.allSettled(units.map((u) => this.enqueue(u)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason instanceof RetryableError ? failed.reason : new UnavailableError(messageOf(failed.reason));
  }

  async shutdown(deadline: number): Promise<void> {
    this.stop.abort(new UnavailableError('exporter shut down while waiting to retry'));
    const timer = setTimeout(() => this.deadline.abort(new UnavailableError('exporter shutdown deadline passed')), Math.max(0, deadline - Date.now()));
    try {
      await Promise.allSettled([...this.inFlight]);
    } finally {
      clearTimeout(timer);
      await this.sink.shutdown?.();
    }
  }

  /** Queues the notification behind earlier ones of the same chain (alert, group). */
  private enqueue(unit: Unit): Promise<void> {
    const prev = this.chains.get(unit.chain) ?? Promise.resolve();
    const run = prev.catch(() => {}).then(() => this.notify(unit));
    this.chains.set(unit.chain, run);
    this.inFlight.add(run);
    const done = (): void => {
      this.inFlight.delete(run);
      if (this.chains.get(unit.chain) === run) this.chains.delete(unit.chain);
    };
    run.then(done, done);
    return run;
  }

  /** Delivers once, retrying until sent, refused or past the dead-letter TTL. */
  private async notify(unit: Unit): Promise<void> {
    const key = unit.key;
    const labels = { exporter: this.settings.id.id, state: unit.state };
    if (await this.memory.delivered(key)) {
      this.metrics.notifications.inc({ ...labels, outcome: 'duplicate' });
      return;
    }
    const backoff = new Backoff(backoffOf(this.config), this.now, this.options.random);
    for (let attempt = 1; ; attempt++) {
      let err: unknown;
      try {
        await this.limiter.take(this.stop.signal);
        // Another daemon that read the record again (a rebalance) may have delivered it meanwhile.
        if (attempt > 1 && await this.memory.delivered(key)) {
          this.metrics.notifications.inc({ ...labels, outcome: 'duplicate' });
          return;
        }
        await this.attempt(unit);
        await this.memory.markDelivered(key, this.config.dedup_ttl);
        this.metrics.notifications.inc({ ...labels, outcome: 'sent' });
        this.settings.metrics.exporterSent.logs.inc({ exporter: labels.exporter });
        this.settings.logger.debug({ ...unit.describe, attempt }, 'notification sent');
        return;
      } catch (e) {
        err = e;
      }
      if (this.stop.signal.aborted) throw err instanceof RetryableError ? err : new UnavailableError(messageOf(err), undefined, { cause: err });
      if (isPermanent(err)) { this.deadLetter(unit, err, 'rejected', attempt); return; }
      const hint = err instanceof RetryableError ? err.retryAfterMs : undefined;
      if (err instanceof ThrottledError && hint !== undefined) this.limiter.pause(this.now() + hint);
      const delay = hint ?? backoff.nextDelay();
      if (backoff.exceeds(delay)) { this.deadLetter(unit, err, 'ttl_expired', attempt); return; }
      this.settings.logger.debug({ ...unit.describe, attempt, delay_ms: delay, err: messageOf(err) }, 'notification failed, will retry');
      await sleep(delay, this.stop.signal);
    }
  }

  /** One send, bounded by the timeout and the shutdown deadline. */
  private async attempt(unit: Unit): Promise<void> {
    const signals = [this.deadline.signal];
    if (this.config.timeout > 0) signals.push(AbortSignal.timeout(this.config.timeout));
    const signal = AbortSignal.any(signals);
    const aborted = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason instanceof Error && signal.reason.name !== 'TimeoutError'
        ? signal.reason : new RetryableError(`notification timed out after ${this.config.timeout}ms`)), { once: true });
    });
    aborted.catch(() => {});
    await Promise.race([unit.send({ signal, key: unit.key, memory: this.memory }), aborted]);
  }

  /** Gives a notification up: counted, logged with what it was about, never silent. */
  private deadLetter(unit: Unit, err: unknown, reason: 'rejected' | 'ttl_expired', attempts: number): void {
    const exporter = this.settings.id.id;
    this.metrics.deadLettered.inc({ exporter, reason });
    this.metrics.notifications.inc({ exporter, state: unit.state, outcome: 'dead_lettered' });
    this.settings.metrics.exporterFailed.logs.inc({ exporter });
    this.settings.logger.error({ ...unit.describe, reason, attempts, err: messageOf(err) }, 'notification dead-lettered');
  }
}
