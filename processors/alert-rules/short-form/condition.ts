/**
 * The short form's `condition` ("latency_p95_ms > 1000 and error_rate_percent > 5"): comparisons
 * of an indicator with a number, joined by `and` / `or` (and binds tighter, parentheses group),
 * parsed and translated to one PromQL expression over the RED indicators. Anything else is refused
 * with the character offset where it went wrong.
 */
import { INDICATORS, OPERATORS, type Family, type Operator } from './vocabulary.js';

/** A condition that cannot be read; `offset` is the 0-based character where the problem starts. */
export class ConditionError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'ConditionError';
  }
}

/** A parsed condition. */
export type Condition =
  | { readonly kind: 'compare'; readonly indicator: string; readonly op: Operator; readonly threshold: number }
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition };

interface Token {
  readonly kind: 'word' | 'number' | 'op' | '(' | ')' | 'end';
  readonly text: string;
  readonly offset: number;
}

const TOKEN = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(>=|<=|==|!=|>|<)|([()]))/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (m === null) {
      const offset = at + (/^\s*/.exec(text.slice(at))?.[0].length ?? 0);
      throw new ConditionError(`unexpected character ${JSON.stringify(text[offset])}`, offset);
    }
    const offset = m.index + m[0].length - (m[1] ?? m[2] ?? m[3] ?? m[4] ?? '').length;
    if (m[1] !== undefined) tokens.push({ kind: 'word', text: m[1], offset });
    else if (m[2] !== undefined) tokens.push({ kind: 'number', text: m[2], offset });
    else if (m[3] !== undefined) tokens.push({ kind: 'op', text: m[3], offset });
    else tokens.push({ kind: m[4] === '(' ? '(' : ')', text: m[4] ?? '', offset });
    at = TOKEN.lastIndex;
  }
  tokens.push({ kind: 'end', text: '', offset: text.length });
  return tokens;
}

/** Parses a condition; throws a ConditionError naming the offending token. */
export function parseCondition(text: string): Condition {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): Token => tokens[i] ?? tokens[tokens.length - 1]!;
  const shown = (t: Token): string => (t.kind === 'end' ? 'the end of the condition' : JSON.stringify(t.text));

  const comparison = (): Condition => {
    const t = peek();
    if (t.kind === '(') {
      i++;
      const inner = disjunction();
      if (peek().kind !== ')') throw new ConditionError(`expected ")", got ${shown(peek())}`, peek().offset);
      i++;
      return inner;
    }
    if (t.kind !== 'word' || t.text === 'and' || t.text === 'or') {
      throw new ConditionError(`expected an indicator (${[...INDICATORS.keys()].join(', ')}), got ${shown(t)}`, t.offset);
    }
    if (!INDICATORS.has(t.text)) throw new ConditionError(`unknown indicator "${t.text}"; known: ${[...INDICATORS.keys()].join(', ')}`, t.offset);
    i++;
    const op = peek();
    if (op.kind !== 'op') throw new ConditionError(`expected a comparison (${OPERATORS.join(' ')}) after "${t.text}", got ${shown(op)}`, op.offset);
    i++;
    const n = peek();
    if (n.kind !== 'number') throw new ConditionError(`expected a number after "${op.text}", got ${shown(n)}`, n.offset);
    i++;
    return { kind: 'compare', indicator: t.text, op: op.text as Operator, threshold: Number(n.text) };
  };
  const conjunction = (): Condition => {
    let left = comparison();
    while (peek().kind === 'word' && peek().text === 'and') {
      i++;
      left = { kind: 'and', left, right: comparison() };
    }
    return left;
  };
  function disjunction(): Condition {
    let left = conjunction();
    while (peek().kind === 'word' && peek().text === 'or') {
      i++;
      left = { kind: 'or', left, right: conjunction() };
    }
    return left;
  }

  const c = disjunction();
  const rest = peek();
  if (rest.kind !== 'end') throw new ConditionError(`expected "and", "or" or the end of the condition, got ${shown(rest)}`, rest.offset);
  return c;
}

function families(c: Condition): Set<Family> {
  if (c.kind === 'compare') return new Set([INDICATORS.get(c.indicator)!.family]);
  return new Set([...families(c.left), ...families(c.right)]);
}

/**
 * The PromQL of a condition. `and` between indicators of different families (RED series carry
 * span_name, process series do not) matches on `job` only, so "cpu high and p95 high" means
 * "of the same service".
 */
export function toPromql(c: Condition): string {
  if (c.kind === 'compare') return `${INDICATORS.get(c.indicator)!.promql} ${c.op} ${String(c.threshold)}`;
  if (c.kind === 'or') return `${toPromql(c.left)} or ${toPromql(c.right)}`;
  // Grouped explicitly: `on (job)` must apply to exactly these two operands.
  const side = (s: Condition): string => (s.kind === 'compare' ? toPromql(s) : `(${toPromql(s)})`);
  const mixed = families(c.left).size + families(c.right).size > 2 || [...families(c.left)][0] !== [...families(c.right)][0];
  return `${side(c.left)} and${mixed ? ' on (job)' : ''} ${side(c.right)}`;
}
