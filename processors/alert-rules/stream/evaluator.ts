/**
 * Rule evaluation in event time: samples go into an in-memory store as they arrive, and each
 * group is evaluated at every multiple of its interval that the watermark has passed, so a
 * replay gives the same alerts as live data. Alert transitions come out as events.
 */
import type { Labels } from '../promql/index.js';
import { MemoryStorage } from '../promql/index.js';
import type { RuleContext } from '../rules/alerting.js';
import { RuleGroup } from '../rules/group.js';
import type { RuleFailure } from '../rules/group.js';
import type { GroupSpec } from '../rules/rule-file.js';

/** An alert that started or stopped firing. Times in milliseconds of event time. */
export interface AlertEvent {
  readonly group: string;
  readonly rule: string;
  readonly state: 'firing' | 'resolved';
  readonly labels: Labels;
  readonly annotations: Readonly<Record<string, string>>;
  readonly value: number;
  /** When the condition first held (Prometheus' activeAt). */
  readonly startsAtMs: number;
  /** Resolved alerts: when the condition stopped holding. */
  readonly endsAtMs: number | undefined;
  /** The evaluation that produced the event. */
  readonly atMs: number;
}

/** Settings of a StreamEvaluator. */
export interface StreamOptions {
  /** The interval of groups that set none (Prometheus' global evaluation_interval). */
  readonly defaultIntervalMs: number;
  /** How much history the store keeps behind the watermark (the longest range a rule reads, plus lookback). */
  readonly retentionMs: number;
  readonly context?: RuleContext;
}

/** A group and its next evaluation time. */
export interface ScheduledGroup {
  readonly group: RuleGroup;
  readonly intervalMs: number;
  /** The next evaluation time; undefined until the first sample arrived. */
  next: number | undefined;
}

/** Evaluates rule groups over the samples fed to it, as the watermark advances. */
export class StreamEvaluator {
  readonly store = new MemoryStorage();
  private readonly groups: ScheduledGroup[];
  /** Samples refused because they were older than their series' newest one. */
  outOfOrder = 0;

  constructor(specs: readonly GroupSpec[], private readonly options: StreamOptions) {
    this.groups = specs.map((spec) => ({
      group: new RuleGroup(spec, this.store, options.context),
      intervalMs: spec.intervalMs ?? options.defaultIntervalMs,
      next: undefined,
    }));
  }

  /** The groups with their schedules (for checkpoints). */
  scheduled(): ScheduledGroup[] {
    return this.groups;
  }

  /** Adds one sample at event time `t`. */
  ingest(labels: Labels, t: number, value: number): void {
    if (!this.store.append(labels, t, value)) this.outOfOrder++;
    for (const g of this.groups) g.next ??= Math.ceil(t / g.intervalMs) * g.intervalMs;
  }

  /** Runs every evaluation due at or before `watermark`, in time order; returns the alert transitions. */
  advanceTo(watermark: number, failures: RuleFailure[] = []): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (;;) {
      const due = this.groups.filter((g) => g.next !== undefined && g.next <= watermark);
      if (due.length === 0) break;
      const t = Math.min(...due.map((g) => g.next ?? Infinity));
      for (const g of due) {
        if (g.next !== t) continue;
        events.push(...this.evaluate(g.group, t, failures));
        g.next = t + g.intervalMs;
      }
    }
    this.store.truncateBefore(watermark - this.options.retentionMs);
    return events;
  }

  private evaluate(group: RuleGroup, t: number, failures: RuleFailure[]): AlertEvent[] {
    const before = new Map<string, Map<string, string>>();
    for (const rule of group.alertingRules()) before.set(rule.spec.name, new Map([...rule.active].map(([k, a]) => [k, a.state])));
    failures.push(...group.eval(t));
    const events: AlertEvent[] = [];
    for (const rule of group.alertingRules()) {
      const was = before.get(rule.spec.name) ?? new Map<string, string>();
      const base = { group: group.spec.name, rule: rule.spec.name, atMs: t };
      for (const [key, a] of rule.active) {
        const previous = was.get(key);
        if (a.state === 'firing' && previous !== 'firing') {
          events.push({ ...base, state: 'firing', labels: a.labels, annotations: a.annotations, value: a.value, startsAtMs: a.activeAt, endsAtMs: undefined });
        } else if (a.state === 'inactive' && previous === 'firing') {
          events.push({ ...base, state: 'resolved', labels: a.labels, annotations: a.annotations, value: a.value, startsAtMs: a.activeAt, endsAtMs: t });
        }
      }
    }
    return events;
  }
}
