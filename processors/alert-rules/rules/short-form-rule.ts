/**
 * The product design's short form inside a rule file: an alerting rule may give a `condition`
 * over the RED indicators instead of an `expr`, a `severity` instead of the `severity` label, and a
 * `cooldown`. These are vigil's extensions to Prometheus' format (promtool refuses them); a rule
 * file without them is read exactly as Prometheus reads it.
 */
import type { KeyPath, Problems } from '../../../config/errors.js';
import type { ConfigNode, ScalarNode } from '../../../config/positions.js';
import { parseExpr, type Expr } from '../promql/index.js';
import { ConditionError, parseCondition, toPromql } from '../short-form/condition.js';
import { SHORT_SEVERITIES } from '../short-form/schema.js';
import type { MapReader } from './yaml-read.js';

/** The short-form keys a rule of a rule file may carry. */
export const SHORT_FORM_KEYS = ['condition', 'severity', 'cooldown'] as const;

/** What the short-form keys of one rule add to it. */
export interface ShortFormFields {
  /** The translated condition, when the rule has one (then it has no `expr`). */
  readonly expr: { readonly expr: Expr; readonly text: string } | undefined;
  /** Labels the rule gets (`severity`). */
  readonly labels: Readonly<Record<string, string>>;
  /** Default annotations (a summary naming the condition), below the rule's own. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly cooldownMs: number;
}

/** Reads `condition`, `severity`, `cooldown` of rule `r`; problems go to `problems` at their positions. */
export function readShortForm(r: MapReader, path: KeyPath, problems: Problems, positionOf: PositionOf): ShortFormFields {
  const isAlert = r.get('alert') !== undefined;
  for (const key of SHORT_FORM_KEYS) {
    if (!isAlert && r.get(key) !== undefined) problems.error(r.pos(key), [...path, key], `invalid field '${key}' in recording rule`);
  }
  const severity = r.string('severity');
  const labels: Record<string, string> = {};
  if (severity !== undefined) {
    if (!(SHORT_SEVERITIES as readonly string[]).includes(severity)) {
      problems.error(r.get('severity')?.pos ?? r.pos('severity'), [...path, 'severity'], `unknown severity "${severity}" (valid: ${SHORT_SEVERITIES.join(', ')})`);
    } else if (hasKey(r.get('labels'), 'severity')) {
      problems.error(r.pos('severity'), [...path, 'severity'], 'severity is set twice: here and in labels');
    } else labels.severity = severity;
  }
  const cooldownMs = r.duration('cooldown') ?? 0;
  const condition = r.string('condition');
  if (condition === undefined) return { expr: undefined, labels, annotations: {}, cooldownMs };
  if (r.get('expr') !== undefined) problems.error(r.pos('condition'), [...path, 'condition'], "only one of 'expr' or 'condition' may be set");
  const node = r.get('condition');
  try {
    const text = toPromql(parseCondition(condition));
    const annotations = { summary: `{{ $labels.job }} {{ $labels.span_name }}: ${condition} (value {{ $value }})`, condition };
    return { expr: { expr: parseExpr(text), text }, labels, annotations, cooldownMs };
  } catch (err) {
    if (!(err instanceof ConditionError)) throw err;
    const pos = node?.kind === 'scalar' ? positionOf(node, condition, err.offset) : r.pos('condition');
    problems.error(pos, [...path, 'condition'], `at character ${err.offset + 1} of ${JSON.stringify(condition)}: ${err.message}`);
    return { expr: undefined, labels, annotations: {}, cooldownMs };
  }
}

function hasKey(node: ConfigNode | undefined, key: string): boolean {
  return node?.kind === 'map' && node.entries.has(key);
}

/** Where character `offset` of a scalar's text was written in the file. */
export type PositionOf = (node: ScalarNode, text: string, offset: number) => { file: string; line: number; column: number };
