/**
 * The alert state of a StreamEvaluator as one JSON document, for the partition's checkpoint: per
 * group its next evaluation time, per alerting rule its active alerts (pending since, firing
 * since, resolved at). The sample history is not part of it.
 */
import type { Alert } from '../rules/alerting.js';
import type { StreamEvaluator } from './evaluator.js';
import { labelsKey } from '../promql/index.js';

/** The state field of the checkpoint. */
export const ALERTS_FIELD = 'alerts';

interface SavedAlert extends Omit<Alert, 'value'> {
  /** JSON has no NaN or infinities: the value as text. */
  readonly value: string;
}

interface Saved {
  readonly version: 1;
  readonly groups: Array<{ name: string; next: number | null; rules: Array<{ name: string; alerts: Array<[string, SavedAlert]> }> }>;
}

/** The evaluator's alert state as JSON. */
export function saveAlertState(evaluator: StreamEvaluator): string {
  const saved: Saved = {
    version: 1,
    groups: evaluator.scheduled().map((g) => ({
      name: g.group.spec.name,
      next: g.next ?? null,
      rules: g.group.alertingRules().map((r) => ({
        name: r.spec.name,
        alerts: [...r.active].map(([key, a]): [string, SavedAlert] => [key, { ...a, value: String(a.value) }]),
      })),
    })),
  };
  return JSON.stringify(saved);
}

/** Puts saved alert state back (groups and rules matched by name; unknown ones are ignored). */
export function restoreAlertState(evaluator: StreamEvaluator, text: string): number {
  const saved = JSON.parse(text) as Saved;
  if (saved.version !== 1) return 0;
  let restored = 0;
  for (const g of evaluator.scheduled()) {
    const sg = saved.groups.find((x) => x.name === g.group.spec.name);
    if (sg === undefined) continue;
    if (sg.next !== null) g.next = sg.next;
    for (const r of g.group.alertingRules()) {
      const sr = sg.rules.find((x) => x.name === r.spec.name);
      // Keyed anew from the labels: a checkpoint written by an older version may key them differently.
      for (const [, a] of sr?.alerts ?? []) {
        r.active.set(labelsKey(a.labels), { ...a, value: Number(a.value) });
        restored++;
      }
    }
  }
  return restored;
}
