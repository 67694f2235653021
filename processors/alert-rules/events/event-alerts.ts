/**
 * `on_events` alerts: in a logs pipeline fed by the `events` connector, an anomaly or degradation
 * event (docs/events.md) at or above the alert's severity floor raises the alert directly, one per
 * series (the event's identity: service, metric, detector, point attributes). It stays firing while
 * such events keep coming and resolves `resolve_after` of event time after the last one. Cooldowns
 * hold back re-notifications as for rules (stream/cooldown.ts). The received records pass on
 * unchanged, followed by the `vigil.alert` records; the alert state is checkpointed per partition.
 */
import type { Consumer, CreateSettings, Processor } from '../../../pipeline/component.js';
import type { Delivery } from '../../../pipeline/delivery.js';
import { messageOf } from '../../../pipeline/errors.js';
import type { Timer } from '../../../pipeline/event-time/clock.js';
import { forEachLogRecord, LogsBuilder, type Payload } from '../../../pdata/index.js';
import { createStatefulProcessor, type PartitionContext, type PartitionWorker } from '../../processorhelper/index.js';
import type { Config } from '../config.js';
import { DEFAULT_RESOLVE_AFTER_MS, type ShortAlert } from '../short-form/schema.js';
import { COOLDOWN_FIELD, CooldownGate, heldCounter } from '../stream/cooldown.js';
import { eventAlertRecord, matchEvent, ON_EVENTS_GROUP, type EventAlert } from './event-match.js';

/** The state field of the active event alerts. */
const ACTIVE_FIELD = 'event_alerts';
const SCOPE = { name: 'vigil.alert_rules' };
const RETRY_EMIT_MS = 1_000;

/** Creates the processor for one logs pipeline: the `on_events` alerts of `config`. */
export function createEventAlerts(settings: CreateSettings, config: Config, next: Consumer): Processor {
  const alerts = config.alerts.filter((a) => a.on_events !== undefined);
  const held = heldCounter(settings.metrics.registry);
  return createStatefulProcessor({
    settings, signal: 'logs', next,
    clock: { allowedLatenessMs: config.allowed_lateness, idleTimeoutMs: config.idle_timeout },
    open: (ctx) => EventAlertWorker.open(ctx, alerts, (e) => held.inc({ processor: settings.id.id, alertname: e.rule })),
  });
}

/** One firing event alert of a partition. */
interface Active {
  readonly firing: EventAlert;
  /** Event time of the last qualifying event. */
  lastSeenMs: number;
  readonly resolveAfterMs: number;
}

class EventAlertWorker implements PartitionWorker {
  private readonly active = new Map<string, Active>();
  private readonly gate: CooldownGate<EventAlert>;
  private timer: Timer | undefined;
  private timerAt = Infinity;

  static async open(ctx: PartitionContext, alerts: readonly ShortAlert[], onHeld: (e: EventAlert) => void): Promise<EventAlertWorker> {
    const w = new EventAlertWorker(ctx, alerts, onHeld);
    try {
      const state = await ctx.state.load();
      const active = state.get(ACTIVE_FIELD);
      if (active !== undefined) {
        for (const [k, a] of JSON.parse(Buffer.from(active).toString('utf8')) as Array<[string, Active]>) w.active.set(k, a);
      }
      const gate = state.get(COOLDOWN_FIELD);
      if (gate !== undefined) w.gate.restore(Buffer.from(gate).toString('utf8'));
      if (w.active.size > 0) ctx.logger.info({ alerts: w.active.size }, 'event alert state reloaded');
    } catch (err) {
      ctx.logger.warn({ err: messageOf(err) }, 'event alert state not reloaded; starting inactive');
    }
    w.schedule();
    return w;
  }

  private constructor(private readonly ctx: PartitionContext, private readonly alerts: readonly ShortAlert[], onHeld: (e: EventAlert) => void) {
    const cooldowns = new Map(alerts.map((a) => [a.name, a.cooldown]));
    this.gate = new CooldownGate<EventAlert>((e) => (e.group === ON_EVENTS_GROUP ? cooldowns.get(e.rule) ?? 0 : 0), onHeld);
  }

  async consume(payload: Payload, _delivery: Delivery): Promise<void> {
    const events: EventAlert[] = [];
    let latest = -Infinity;
    forEachLogRecord(payload, (r) => {
      for (const alert of this.alerts) {
        const m = matchEvent(alert, r);
        if (m === undefined) continue;
        latest = Math.max(latest, m.atMs);
        const key = `${alert.name}|${m.fingerprint}`;
        const seen = this.active.get(key);
        // Resolved already in event time (its timer may not have run yet): a new episode begins.
        if (seen && m.atMs >= seen.lastSeenMs + seen.resolveAfterMs) events.push(this.resolve(key, seen));
        else if (seen) {
          seen.lastSeenMs = Math.max(seen.lastSeenMs, m.atMs);
          continue;
        }
        this.active.set(key, { firing: m, lastSeenMs: m.atMs, resolveAfterMs: alert.resolve_after ?? DEFAULT_RESOLVE_AFTER_MS });
        events.push(m);
      }
    });
    // The events themselves go on first (to storage, other exporters); the alerts follow.
    await this.ctx.emit(payload);
    if (Number.isFinite(latest) || events.length > 0) await this.publish(events, Math.max(latest, this.ctx.clock.watermark()));
  }

  /** Resolves alerts whose events stopped, releases held firings, checkpoints, emits. */
  private async publish(raised: EventAlert[], now: number): Promise<void> {
    const events = [...raised];
    for (const [key, a] of this.active) {
      if (now >= a.lastSeenMs + a.resolveAfterMs) events.push(this.resolve(key, a));
    }
    const out = this.gate.pass(events, now);
    await this.checkpoint();
    this.schedule();
    if (out.length === 0) return;
    const b = new LogsBuilder();
    const scope = b.scope({ 'service.name': 'vigil' }, SCOPE);
    for (const e of out) scope.add(eventAlertRecord(e));
    const built = b.build();
    if (built) await this.emitAlerts(built);
  }

  /** The state already moved on: alert records refused downstream are retried, not left to a redelivery. */
  private async emitAlerts(payload: Payload): Promise<void> {
    try {
      await this.ctx.emit(payload);
    } catch (err) {
      this.ctx.logger.warn({ err: messageOf(err) }, 'alert events not accepted downstream; retrying');
      this.ctx.clock.after(RETRY_EMIT_MS, () => this.emitAlerts(payload));
    }
  }

  /** Ends an alert: resolved when its quiet period ended (event time), not when that was noticed. */
  private resolve(key: string, a: Active): EventAlert {
    this.active.delete(key);
    const at = a.lastSeenMs + a.resolveAfterMs;
    return { ...a.firing, state: 'resolved', endsAtMs: at, atMs: at };
  }

  /** One event-time timer at the next resolve or cooldown release. */
  private schedule(): void {
    let at = this.gate.nextRelease() ?? Infinity;
    for (const a of this.active.values()) at = Math.min(at, a.lastSeenMs + a.resolveAfterMs);
    if (at === this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = Number.isFinite(at) ? this.ctx.clock.at(at, async () => {
      this.timer = undefined;
      this.timerAt = Infinity;
      await this.publish([], this.ctx.clock.watermark());
    }) : undefined;
  }

  private async checkpoint(): Promise<void> {
    try {
      await this.ctx.state.save(new Map([[ACTIVE_FIELD, JSON.stringify([...this.active])], [COOLDOWN_FIELD, this.gate.save()]]));
    } catch (err) {
      this.ctx.logger.warn({ err: messageOf(err) }, 'event alert checkpoint failed; the next change tries again');
    }
  }

  async revoke(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.checkpoint();
  }
}
