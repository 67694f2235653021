/**
 * `cooldown`: no new notification of an alert (rule + labels) within the cooldown after its last
 * one. A firing that comes back sooner is held, not dropped: if it resolves before the cooldown
 * ends nobody hears of it (neither its firing nor its resolve); if it is still firing when the
 * cooldown ends, its firing goes out then. A resolve of a notified firing always goes out. Times
 * are event time, so a replay holds back exactly what the live run did. The gate's state is part
 * of the partition's checkpoint, so a restart does not re-page within the cooldown.
 */
import { Counter, type Registry } from 'prom-client';
import { fingerprintOf } from '../../../exporters/notify-common/fingerprint.js';
import type { AlertEvent } from './evaluator.js';

/** The state field of the checkpoint. */
export const COOLDOWN_FIELD = 'cooldown';

interface Saved {
  readonly version: 1;
  readonly last: Array<[string, number]>;
  readonly held: Array<[string, Omit<AlertEvent, 'value'> & { value: string }]>;
}

/** `vigil_alerts_held_total{processor, alertname}`: firings held back by a cooldown (one counter per service registry). */
export function heldCounter(registry: Registry): Counter<'processor' | 'alertname'> {
  const name = 'vigil_alerts_held_total';
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help: 'Alert firings held back because the alert was notified within its cooldown.', labelNames: ['processor', 'alertname'], registers: [registry] });
}

/** Holds back re-notifications within each alert's cooldown. */
export class CooldownGate<E extends AlertEvent = AlertEvent> {
  /** Per alert, the event time of its last firing notification (kept while within its cooldown). */
  private readonly last = new Map<string, number>();
  /** Per alert, a firing held back by the cooldown. */
  private readonly held = new Map<string, E>();
  /** Firings held back so far (a self-metric counts them too). */
  heldCount = 0;

  /** `cooldownOf` gives an alert event's cooldown in ms (0: none); `onHeld` is told of each firing held back. */
  constructor(private readonly cooldownOf: (e: Pick<AlertEvent, 'group' | 'rule'>) => number, private readonly onHeld: (e: E) => void = () => {}) {}

  /** The events of an evaluation at `now` that go out, plus held firings whose cooldown ended. */
  pass(events: readonly E[], now: number): E[] {
    const out: E[] = [];
    for (const e of events) {
      const cooldown = this.cooldownOf(e);
      if (cooldown <= 0) {
        out.push(e);
        continue;
      }
      const key = keyOf(e);
      if (e.state === 'firing') {
        const last = this.last.get(key);
        if (last !== undefined && e.atMs - last < cooldown) {
          this.held.set(key, e);
          this.heldCount++;
          this.onHeld(e);
          continue;
        }
        this.last.set(key, e.atMs);
        out.push(e);
      } else if (this.held.get(key)?.startsAtMs === e.startsAtMs) {
        this.held.delete(key); // its firing never went out: neither does its resolve
      } else {
        out.push(e);
      }
    }
    this.release(now, out);
    return out;
  }

  /** Sends held firings whose cooldown ended; forgets alerts past their cooldown (bounded memory). */
  private release(now: number, out: E[]): void {
    for (const [key, e] of this.held) {
      if (now - (this.last.get(key) ?? -Infinity) < this.cooldownOf(e)) continue;
      this.held.delete(key);
      this.last.set(key, now);
      out.push({ ...e, atMs: now });
    }
    for (const [key, at] of this.last) {
      if (!this.held.has(key) && now - at >= this.maxCooldown(key)) this.last.delete(key);
    }
  }

  private maxCooldown(key: string): number {
    const [group, rule] = JSON.parse(key.slice(0, key.lastIndexOf('|'))) as [string, string];
    return this.cooldownOf({ group, rule });
  }

  /** The gate's state as JSON, for the checkpoint. */
  save(): string {
    const saved: Saved = {
      version: 1,
      last: [...this.last],
      held: [...this.held].map(([k, e]) => [k, { ...e, value: String(e.value) }]),
    };
    return JSON.stringify(saved);
  }

  /** Puts saved state back. */
  restore(text: string): void {
    const saved = JSON.parse(text) as Saved;
    for (const [k, at] of saved.last) this.last.set(k, at);
    for (const [k, e] of saved.held) this.held.set(k, { ...e, value: Number(e.value) } as unknown as E);
  }

  /** When the earliest held firing's cooldown ends (event time); undefined when none is held. */
  nextRelease(): number | undefined {
    let next: number | undefined;
    for (const [key, e] of this.held) {
      const at = (this.last.get(key) ?? -Infinity) + this.cooldownOf(e);
      next = next === undefined ? at : Math.min(next, at);
    }
    return next;
  }

  /** Alerts currently held back. */
  heldNow(): number {
    return this.held.size;
  }
}

/** An alert's identity: its rule and its labels' fingerprint. */
function keyOf(e: Pick<AlertEvent, 'group' | 'rule' | 'labels'>): string {
  return `${JSON.stringify([e.group, e.rule])}|${fingerprintOf(e.labels)}`;
}
