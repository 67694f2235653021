/** An alerting rule's state machine, as Prometheus runs it: inactive → pending (for) → firing, keep_firing_for, resolved. */
import type { Labels, Queryable, Sample } from '../promql/index.js';
import { METRIC_NAME, labelsKey } from '../promql/index.js';
import type { RuleSpec } from './rule-file.js';
import type { TemplateData } from './template.js';
import { queryVector, RuleEvalError } from './query.js';

/** An alert's state. */
export type AlertState = 'inactive' | 'pending' | 'firing';

/** How long a resolved alert stays in the active set (Prometheus: 15m), so it is reported as resolved. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

/** One alert instance (one label set) of an alerting rule. Times in milliseconds. */
export interface Alert {
  readonly labels: Labels;
  annotations: Record<string, string>;
  state: AlertState;
  value: number;
  readonly activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  keepFiringSince?: number;
}

/** Settings every template sees. */
export interface RuleContext {
  readonly externalLabels?: Readonly<Record<string, string>>;
  readonly externalURL?: string;
}

/** An alerting rule with its active alerts. */
export class AlertingRule {
  /** Active alerts by label-set key: pending, firing, and resolved ones kept for RESOLVED_RETENTION_MS. */
  readonly active = new Map<string, Alert>();

  constructor(
    readonly spec: RuleSpec,
    private readonly context: RuleContext = {},
  ) {}

  /** Evaluates at `t`; returns the ALERTS and ALERTS_FOR_STATE samples Prometheus writes. */
  eval(store: Queryable, t: number): Sample[] {
    const found = new Map<string, Alert>();
    for (const s of queryVector(this.spec.expr, store, t)) {
      const data: TemplateData = { labels: s.labels, value: s.value, ...this.context };
      const labels: Record<string, string> = { ...s.labels };
      Reflect.deleteProperty(labels, METRIC_NAME);
      for (const [name, tmpl] of this.spec.labels) setLabel(labels, name, tmpl.render(data));
      labels.alertname = this.spec.name;
      const annotations: Record<string, string> = {};
      for (const [name, tmpl] of this.spec.annotations) annotations[name] = tmpl.render(data);
      const key = labelsKey(labels);
      if (found.has(key)) throw new RuleEvalError('vector contains metrics with the same labelset after applying alert labels');
      found.set(key, { labels, annotations, state: 'pending', value: s.value, activeAt: t });
    }
    for (const [key, a] of found) {
      const existing = this.active.get(key);
      if (existing !== undefined && existing.state !== 'inactive') {
        existing.value = a.value;
        existing.annotations = a.annotations;
      } else this.active.set(key, a);
    }
    const out: Sample[] = [];
    for (const [key, a] of this.active) {
      if (!found.has(key) && !this.stillFiring(key, a, t)) continue;
      if (found.has(key)) delete a.keepFiringSince;
      if (a.state === 'pending' && t - a.activeAt >= this.spec.forMs) {
        a.state = 'firing';
        a.firedAt = t;
      }
      out.push(
        { labels: { ...a.labels, [METRIC_NAME]: 'ALERTS', alertstate: a.state }, value: 1 },
        { labels: { ...a.labels, [METRIC_NAME]: 'ALERTS_FOR_STATE' }, value: Math.floor(a.activeAt / 1000) },
      );
    }
    return out;
  }

  /** An alert absent from this evaluation: keep firing (keep_firing_for), or resolve / drop it. */
  private stillFiring(key: string, a: Alert, t: number): boolean {
    let keep = false;
    if (a.state === 'firing' && this.spec.keepFiringForMs > 0) {
      a.keepFiringSince ??= t;
      keep = t - a.keepFiringSince < this.spec.keepFiringForMs;
    }
    if (a.state === 'pending' || (a.resolvedAt !== undefined && t - a.resolvedAt > RESOLVED_RETENTION_MS)) this.active.delete(key);
    if (a.state !== 'inactive' && !keep) {
      a.state = 'inactive';
      a.resolvedAt = t;
    }
    return keep;
  }

  /** Alerts that are pending or firing. */
  activeAlerts(): Alert[] {
    return [...this.active.values()].filter((a) => a.state !== 'inactive');
  }
}

/** Sets a label, or removes it when the value is empty (as Prometheus' label builder does). */
export function setLabel(labels: Record<string, string>, name: string, value: string): void {
  if (value === '') Reflect.deleteProperty(labels, name);
  else labels[name] = value;
}
