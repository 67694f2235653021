/**
 * Short-form condition alerts as one Prometheus rule group over the RED indicators: each entry
 * becomes an alerting rule (`expr` from its condition, `for`, the `severity` label, a default
 * summary), evaluated by the same machinery as rule files. Cooldowns are returned beside the group:
 * they are applied to the rule's notifications (stream/cooldown.ts), not to its evaluation.
 */
import type { Position } from '../../../config/errors.js';
import { parseExpr } from '../promql/index.js';
import type { GroupSpec, RuleSpec } from '../rules/rule-file.js';
import { Template } from '../rules/template.js';
import { parseCondition, toPromql } from './condition.js';
import { DEFAULT_SEVERITY, type ShortAlert } from './schema.js';

/** The name of the group the short-form alerts are evaluated in. */
export const SHORT_FORM_GROUP = 'vigil.short_form';

/** The rule group of the condition alerts (undefined when there are none) and each alert's cooldown. */
export interface ShortFormRules {
  readonly group: GroupSpec | undefined;
  /** Cooldown (ms) by alert name, for alerts that set one. */
  readonly cooldowns: ReadonlyMap<string, number>;
}

const POS: Position = { file: 'processors::alert_rules::alerts', line: 0, column: 0 };

/** The summary an alert gets when it sets none: which condition held, with the value. */
function defaultSummary(a: ShortAlert): string {
  return `{{ $labels.job }} {{ $labels.span_name }}: ${a.condition ?? ''} (value {{ $value }})`;
}

/** One condition alert as an alerting rule. */
export function toRule(a: ShortAlert): RuleSpec {
  const exprText = toPromql(parseCondition(a.condition ?? ''));
  const labels = { ...a.labels, severity: a.severity ?? DEFAULT_SEVERITY };
  const annotations = { summary: defaultSummary(a), condition: a.condition ?? '', ...a.annotations };
  return {
    kind: 'alert', name: a.name, expr: parseExpr(exprText), exprText,
    forMs: a.for ?? 0, keepFiringForMs: 0,
    labels: Object.entries(labels).map(([k, v]) => [k, new Template(v)] as const),
    annotations: Object.entries(annotations).map(([k, v]) => [k, new Template(v)] as const),
    pos: POS,
    ...(a.cooldown > 0 ? { cooldownMs: a.cooldown } : {}),
  };
}

/** The condition alerts of `alerts` as rules (the schema checked them: translation cannot fail). */
export function shortFormRules(alerts: readonly ShortAlert[]): ShortFormRules {
  const conditions = alerts.filter((a) => a.condition !== undefined);
  const cooldowns = new Map(alerts.filter((a) => a.cooldown > 0).map((a) => [a.name, a.cooldown]));
  const group = conditions.length === 0 ? undefined
    : { name: SHORT_FORM_GROUP, file: '', intervalMs: undefined, limit: 0, rules: conditions.map(toRule) };
  return { group, cooldowns };
}
