/** Prometheus rule files (`groups` → `rules` with `alert` or `record`), parsed and checked with positions. */
import { readFileSync } from 'node:fs';
import type { KeyPath, Position, Problems } from '../../../config/errors.js';
import type { ConfigNode, ScalarNode } from '../../../config/positions.js';
import type { Expr } from '../promql/index.js';
import { PromqlError, lineColumn, parseExpr } from '../promql/index.js';
import { Template, TemplateError } from './template.js';
import { SHORT_FORM_KEYS, readShortForm } from './short-form-rule.js';
import { mapReader, readYaml } from './yaml-read.js';

/** One rule of a group. */
export interface RuleSpec {
  readonly kind: 'alert' | 'record';
  /** The alert name or the recorded metric name. */
  readonly name: string;
  readonly expr: Expr;
  readonly exprText: string;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  /** Label templates (only alerting rules expand them; recording rules use them as they are). */
  readonly labels: ReadonlyArray<readonly [string, Template]>;
  readonly annotations: ReadonlyArray<readonly [string, Template]>;
  readonly pos: Position;
  /** The short form's `cooldown` (ms): no new notification of the alert within it. 0 or absent: none. */
  readonly cooldownMs?: number;
}

/** A rule group. */
export interface GroupSpec {
  readonly name: string;
  readonly file: string;
  readonly intervalMs: number | undefined;
  readonly limit: number;
  readonly rules: readonly RuleSpec[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Reads and checks the rule file `file`; problems go to `problems`. */
export function loadRuleFile(file: string, problems: Problems): GroupSpec[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.error({ file, line: 0, column: 0 }, '', `cannot read rule file: ${(err as Error).message}`);
    return [];
  }
  const root = readYaml(text, file, problems);
  if (root.kind === 'scalar' && root.value === null) return [];
  const top = mapReader(root, [], problems, ['groups']);
  if (top === undefined) return [];
  return parseGroups(top.list('groups'), file, ['groups'], problems, text);
}

/** Checks a list of group nodes (a rule file's `groups`, or inline groups in a processor config). */
export function parseGroups(items: readonly ConfigNode[], file: string, path: KeyPath, problems: Problems, source = ''): GroupSpec[] {
  const lines = source.split('\n');
  const names = new Set<string>();
  const groups: GroupSpec[] = [];
  items.forEach((item, i) => {
    const g = mapReader(item, [...path, i], problems, ['name', 'interval', 'limit', 'rules']);
    if (g === undefined) return;
    const name = g.string('name') ?? '';
    if (name === '') problems.error(g.node.pos, [...path, i], 'Groupname must not be empty');
    else if (names.has(name)) problems.error(g.pos('name'), [...path, i, 'name'], `groupname: "${name}" is repeated in the same file`);
    names.add(name);
    const limit = Number(g.string('limit') ?? 0);
    const rules = g.list('rules').map((r, j) => parseRule(r, file, [...path, i, 'rules', j], problems, lines));
    groups.push({ name, file, intervalMs: g.duration('interval'), limit, rules: rules.filter((r): r is RuleSpec => r !== undefined) });
  });
  return groups;
}

function parseRule(node: ConfigNode, file: string, path: KeyPath, problems: Problems, lines: readonly string[]): RuleSpec | undefined {
  const r = mapReader(node, path, problems, ['alert', 'record', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations', ...SHORT_FORM_KEYS]);
  if (r === undefined) return undefined;
  const alert = r.string('alert');
  const record = r.string('record');
  const before = problems.errors.length;
  if ((alert === undefined) === (record === undefined)) {
    problems.error(r.node.pos, path, "one of 'record' or 'alert' must be set");
  }
  if (record !== undefined) {
    if (!METRIC_NAME.test(record)) problems.error(r.pos('record'), [...path, 'record'], `invalid recording rule name: ${record}`);
    for (const key of ['for', 'keep_firing_for', 'annotations']) {
      if (r.get(key) !== undefined) problems.error(r.pos(key), [...path, key], `invalid field '${key}' in recording rule`);
    }
  }
  const short = readShortForm(r, path, problems, (n, text, offset) => positionIn(n, text, offset, lines));
  const exprNode = r.get('expr');
  const exprText = short.expr?.text ?? r.string('expr') ?? '';
  if (exprText.trim() === '' && r.get('condition') === undefined) problems.error(r.pos('expr'), [...path, 'expr'], "field 'expr' must be set in rule");
  const expr = short.expr?.expr ?? (exprText.trim() === '' || exprNode?.kind !== 'scalar' ? undefined : parseRuleExpr(exprText, exprNode, [...path, 'expr'], problems, lines));
  const labels = [...templates(r.stringMap('labels'), [...path, 'labels'], problems, true), ...Object.entries(short.labels).map(([k, v]) => [k, new Template(v)] as [string, Template])];
  const ownAnnotations = r.stringMap('annotations');
  const defaults = Object.entries(short.annotations).filter(([k]) => !ownAnnotations.has(k)).map(([k, v]) => [k, new Template(v)] as [string, Template]);
  const annotations = [...defaults, ...templates(ownAnnotations, [...path, 'annotations'], problems, false)];
  const forMs = r.duration('for') ?? 0;
  const keepFiringForMs = r.duration('keep_firing_for') ?? 0;
  if (expr === undefined || problems.errors.length > before) return undefined;
  return {
    kind: alert !== undefined ? 'alert' : 'record',
    name: alert ?? record ?? '',
    expr, exprText, forMs, keepFiringForMs, labels, annotations,
    pos: { file, line: r.node.pos.line, column: r.node.pos.column },
    ...(short.cooldownMs > 0 ? { cooldownMs: short.cooldownMs } : {}),
  };
}

/** Parses a rule's expression, reporting an error at its line and column in the file. */
function parseRuleExpr(text: string, node: ScalarNode, path: KeyPath, problems: Problems, lines: readonly string[]): Expr | undefined {
  try {
    return parseExpr(text);
  } catch (err) {
    if (!(err instanceof PromqlError)) throw err;
    problems.error(positionIn(node, text, err.pos, lines), path, `could not parse expression: ${err.message}`);
    return undefined;
  }
}

/** Where character `offset` of a scalar's value was written (block scalars start on the next line, indented). */
export function positionIn(node: ScalarNode, text: string, offset: number, lines: readonly string[] = []): Position {
  const { line, column } = lineColumn(text, offset);
  const block = node.style.startsWith('BLOCK');
  const quoted = node.style.startsWith('QUOTE') ? 1 : 0;
  if (block) {
    const indent = /^ */.exec(lines[node.pos.line + line - 1] ?? '')?.[0].length ?? 0;
    return { file: node.pos.file, line: node.pos.line + line, column: column + indent };
  }
  return { file: node.pos.file, line: node.pos.line + line - 1, column: line === 1 ? node.pos.column + quoted + column - 1 : column };
}

function templates(entries: Map<string, { value: string; pos: Position }>, path: KeyPath, problems: Problems, checkName: boolean): Array<[string, Template]> {
  const out: Array<[string, Template]> = [];
  for (const [name, { value, pos }] of entries) {
    if (checkName && (!LABEL_NAME.test(name) || name === '__name__')) problems.error(pos, [...path, name], `invalid label name: ${name}`);
    try {
      out.push([name, new Template(value)]);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      problems.error({ file: pos.file, line: pos.line, column: pos.column + err.pos }, [...path, name], `template: ${err.message}`);
    }
  }
  return out;
}
