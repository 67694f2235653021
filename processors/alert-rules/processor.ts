/**
 * The alert_rules processor: Prometheus rules evaluated in the stream. Each partition keeps the
 * series it owns (translated to Prometheus names) in memory and evaluates the rule groups at every
 * interval boundary its event-time watermark passes; alert transitions leave as `vigil.alert` log
 * records, timestamped with the evaluation's event time. Received metrics pass on unchanged.
 * After each evaluation the partition's alert state is checkpointed (stream/checkpoint.ts); with a
 * durable store the sample history stays in the stage log, each record held until no rule can read
 * its samples any more (stream/history.ts), so the partition's next owner reads it again.
 */
import type { Consumer, CreateSettings, Processor } from '../../pipeline/component.js';
import type { Delivery } from '../../pipeline/delivery.js';
import type { Revocation } from '../../pipeline/stage-log.js';
import { messageOf } from '../../pipeline/errors.js';
import type { Timer } from '../../pipeline/event-time/clock.js';
import { forEachDataPoint, type Payload, type Signal } from '../../pdata/index.js';
import { createStatefulProcessor, type PartitionContext, type PartitionWorker } from '../processorhelper/index.js';
import type { Config } from './config.js';
import type { GroupSpec } from './rules/rule-file.js';
import { alertRecords } from './stream/alert-event.js';
import { StreamEvaluator, type AlertEvent } from './stream/evaluator.js';
import { ALERTS_FIELD, restoreAlertState, saveAlertState } from './stream/checkpoint.js';
import { COOLDOWN_FIELD, CooldownGate, heldCounter } from './stream/cooldown.js';
import { HeldHistory, historyNeededMs } from './stream/history.js';
import { translatePoint } from './stream/otlp-names.js';

const MS = 1_000_000n;
const RETRY_EMIT_MS = 1_000;
/** The checkpoint field with the offset of the last record forwarded (a replayed record is not forwarded again). */
const FORWARDED_FIELD = 'forwarded';

/** The key of a rule's cooldown in the `cooldowns` map: its group and its name. */
export const cooldownKey = (group: string, rule: string): string => `${group}\u0000${rule}`;

/** Every cooldown the rules of `groups` set, by cooldownKey. */
export function ruleCooldowns(groups: readonly GroupSpec[]): Map<string, number> {
  return new Map(groups.flatMap((g) => g.rules.flatMap((r) => ((r.cooldownMs ?? 0) > 0 ? [[cooldownKey(g.name, r.name), r.cooldownMs ?? 0] as const] : []))));
}

/** Creates the processor for one metrics pipeline; `cooldowns` are the rules' (by cooldownKey; default: what the rules set). */
export function createAlertRules(settings: CreateSettings, config: Config, groups: readonly GroupSpec[], signal: Signal, next: Consumer,
  cooldowns: ReadonlyMap<string, number> = ruleCooldowns(groups)): Processor {
  const held = heldCounter(settings.metrics.registry);
  return createStatefulProcessor({
    settings, signal, next,
    clock: { allowedLatenessMs: config.allowed_lateness, idleTimeoutMs: config.idle_timeout },
    open: (ctx) => AlertWorker.open(ctx, config, groups, cooldowns, (e) => {
      held.inc({ processor: settings.id.id, alertname: e.rule });
      ctx.logger.debug({ alertname: e.rule, labels: e.labels }, 'alert firing held back by its cooldown');
    }),
  });
}

class AlertWorker implements PartitionWorker {
  private readonly evaluator: StreamEvaluator;
  private readonly interval: number;
  private timer: Timer | undefined;
  private timerAt = Infinity;
  /** Records kept in the stage log as the sample history (a durable log and store only: otherwise nobody reads them again). */
  private readonly history = new HeldHistory();
  private readonly historyMs: number;
  /** Alert payloads not yet accepted downstream: no checkpoint (and no record released) until they are. */
  private unsent = 0;
  /** The offset of the last record forwarded, from the checkpoint. */
  private forwarded = -1n;

  /** Opens a partition: its alert state comes back from the last checkpoint (empty when the store is down). */
  static async open(ctx: PartitionContext, config: Config, groups: readonly GroupSpec[], cooldowns: ReadonlyMap<string, number>, onHeld: (e: AlertEvent) => void): Promise<AlertWorker> {
    const w = new AlertWorker(ctx, config, groups, cooldowns, onHeld);
    try {
      const state = await ctx.state.load();
      const saved = state.get(ALERTS_FIELD);
      if (saved !== undefined) {
        const alerts = restoreAlertState(w.evaluator, Buffer.from(saved).toString('utf8'));
        ctx.logger.info({ alerts }, 'alert state reloaded');
      }
      const gate = state.get(COOLDOWN_FIELD);
      if (gate !== undefined) w.gate.restore(Buffer.from(gate).toString('utf8'));
      const forwarded = state.get(FORWARDED_FIELD);
      if (forwarded !== undefined) w.forwarded = BigInt(Buffer.from(forwarded).toString('utf8'));
    } catch (err) {
      ctx.logger.warn({ err: messageOf(err) }, 'alert state not reloaded; starting inactive');
    }
    return w;
  }

  private readonly gate: CooldownGate;
  /** Exponential histograms already warned about (by metric name). */
  private readonly untranslated = new Set<string>();

  private constructor(private readonly ctx: PartitionContext, private readonly config: Config, groups: readonly GroupSpec[], cooldowns: ReadonlyMap<string, number>,
    onHeld: (e: AlertEvent) => void) {
    this.gate = new CooldownGate((e) => cooldowns.get(cooldownKey(e.group, e.rule)) ?? 0, onHeld);
    this.evaluator = new StreamEvaluator(groups, {
      defaultIntervalMs: config.evaluation_interval,
      retentionMs: config.retention,
      context: { externalLabels: config.external_labels, externalURL: config.external_url },
    });
    // The smallest group interval: the watermark is checked at least that often.
    this.interval = Math.min(config.evaluation_interval, ...groups.map((g) => g.intervalMs ?? Infinity));
    this.historyMs = historyNeededMs(groups, config.retention);
  }

  /**
   * Exponential histograms have no classic Prometheus series (Prometheus makes native histograms of
   * them, which vigil's PromQL does not read): said once per metric, so a rule over one that never
   * fires is not a silent mystery.
   */
  private warnUntranslated(metric: string): void {
    if (this.untranslated.has(metric)) return;
    this.untranslated.add(metric);
    this.ctx.logger.warn({ metric }, 'exponential histogram not translated to Prometheus series: rules cannot read it (use explicit bucket histograms)');
  }

  async consume(payload: Payload, delivery: Delivery): Promise<void> {
    let latest = -Infinity;
    forEachDataPoint(payload, (p) => {
      const t = Number(p.timeUnixNano / MS);
      if (p.type === 'exponential_histogram') this.warnUntranslated(p.metricName);
      for (const s of translatePoint(p)) this.evaluator.ingest(s.labels, t, s.value);
      latest = Math.max(latest, t);
    });
    if (Number.isFinite(latest)) {
      this.schedule(Math.ceil(latest / this.interval) * this.interval);
      if (delivery.durable && this.ctx.state.durable) this.holdAsHistory(latest, delivery);
    }
    // Forwarded as received; a record read again for its history was forwarded before.
    if (this.config.forward_metrics && !(delivery.durable && delivery.offset <= this.forwarded)) {
      await this.ctx.emit(payload);
      if (delivery.durable) this.forwarded = delivery.offset;
    }
  }

  /** Holds the record as history; past MAX_HELD_RECORDS the oldest go (logged once): a hand-over then sees less history. */
  private holdAsHistory(latest: number, delivery: Delivery): void {
    const before = this.history.overflowed;
    this.history.add(latest, delivery.hold());
    if (before === 0 && this.history.overflowed > 0) {
      this.ctx.logger.warn({ max: this.history.size }, 'alert_rules: too many records to hold as history; the oldest are released early, and a hand-over sees less history');
    }
  }

  /** One event-time timer at the next boundary; it re-arms itself while evaluations remain. */
  private schedule(at: number): void {
    if (at >= this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.ctx.clock.at(at, async () => {
      this.timer = undefined;
      this.timerAt = Infinity;
      await this.evaluate(this.ctx.clock.watermark());
    });
  }

  private async evaluate(watermark: number): Promise<void> {
    const failures: Parameters<StreamEvaluator['advanceTo']>[1] = [];
    const events = this.gate.pass(this.evaluator.advanceTo(watermark, failures), watermark);
    for (const f of failures) this.ctx.logger.warn({ rule: f.rule.name, err: f.error.message }, 'alert rule evaluation failed');
    this.schedule(Math.floor(watermark / this.interval) * this.interval + this.interval);
    // Emitted before the checkpoint: a crash in between emits the transition again (the notifiers'
    // dedup keys fold it), where the other order would lose it.
    const payload = alertRecords(events);
    if (payload !== null) {
      try {
        await this.ctx.emit(payload);
      } catch (err) {
        this.ctx.logger.warn({ err: messageOf(err), alerts: events.length }, 'alert events not accepted downstream; retrying');
        this.unsent++;
        this.ctx.clock.after(RETRY_EMIT_MS, () => this.retry(payload));
      }
    }
    if (await this.checkpoint()) this.history.releaseBefore(watermark - this.historyMs);
  }

  private async retry(payload: Payload): Promise<void> {
    try {
      await this.ctx.emit(payload);
      this.unsent--;
    } catch {
      this.ctx.clock.after(RETRY_EMIT_MS, () => this.retry(payload));
    }
  }

  /**
   * Saves the alert state (pending since, firing since…) unless an alert event is still unsent:
   * the next owner, reading the held records again from there, neither loses nor re-pages an alert.
   */
  private async checkpoint(): Promise<boolean> {
    if (this.unsent > 0) return false;
    try {
      await this.ctx.state.save(new Map([
        [ALERTS_FIELD, saveAlertState(this.evaluator)], [COOLDOWN_FIELD, this.gate.save()], [FORWARDED_FIELD, String(this.forwarded)],
      ]));
      return true;
    } catch (err) {
      this.ctx.logger.warn({ err: messageOf(err) }, 'alert state checkpoint failed; the next evaluation tries again');
      return false;
    }
  }

  async revoke(why: Revocation): Promise<void> {
    this.timer?.cancel();
    await this.evaluate(this.ctx.clock.watermark());
    // Redelivered: the next owner reads the held records again, as its history. Otherwise nobody will.
    if (!why.redelivered) this.history.releaseAll();
  }
}
