/** Parses PromQL with the Prometheus project's grammar (@prometheus-io/lezer-promql) into vigil's syntax tree. */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import type { AggregateOp, BinaryOp, Expr, Matcher, VectorMatching, VectorSelector } from './ast.js';
import { PromqlError } from './ast.js';
import { parseDuration, parseNumber, unquote } from './literals.js';
import { checkTypes } from './typecheck.js';

const BINARY_OPS: Readonly<Record<string, BinaryOp>> = {
  Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^', Atan2: 'atan2',
  Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=', And: 'and', Or: 'or', Unless: 'unless',
};
const AGGREGATES = new Set<string>(['sum', 'avg', 'min', 'max', 'count', 'topk', 'bottomk', 'quantile']);
const MATCH_OPS: Readonly<Record<string, Matcher['op']>> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };
/** What the grammar calls the constructs vigil refuses, for the error message. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  SubqueryExpr: 'subquery', StepInvariantExpr: '@ modifier', AnchoredExpr: 'anchored modifier',
  SmoothedExpr: 'smoothed modifier', FillModifier: 'fill modifier',
};

/** Parses and type-checks `text`; throws PromqlError with the position of the first problem. */
export function parseExpr(text: string): Expr {
  const tree = parser.parse(text);
  tree.iterate({
    enter(n) {
      if (n.type.isError) throw new PromqlError(`syntax error: unexpected ${describe(text, n.from)}`, n.from);
    },
  });
  const top = tree.topNode.firstChild;
  if (top === null) throw new PromqlError('empty expression', 0);
  const expr = new Converter(text).expr(top);
  checkTypes(expr);
  return expr;
}

function describe(text: string, pos: number): string {
  return pos >= text.length ? 'end of input' : JSON.stringify(text.slice(pos, pos + 10));
}

/** The regex of a matcher, anchored as Prometheus anchors it; RE2's leading flag group `(?i)`/`(?s)` becomes a JS flag. */
export function anchoredRegex(source: string): RegExp {
  const flags = /^\(\?([is]+)\)/.exec(source);
  const body = flags === null ? source : source.slice(flags[0].length);
  return new RegExp(`^(?:${body})$`, flags?.[1] ?? '');
}

function matchesEmpty(m: Matcher): boolean {
  if (m.op === '=') return m.value === '';
  if (m.op === '!=') return m.value !== '';
  const hit = m.regex?.test('') ?? false;
  return m.op === '=~' ? hit : !hit;
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c !== null; c = c.nextSibling) out.push(c);
  return out;
}

class Converter {
  constructor(private readonly text: string) {}

  private src(n: SyntaxNode): string {
    return this.text.slice(n.from, n.to);
  }

  private fail(what: string, n: SyntaxNode): never {
    throw new PromqlError(what, n.from);
  }

  expr(n: SyntaxNode): Expr {
    switch (n.name) {
      case 'ParenExpr': return this.expr(this.only(n));
      case 'NumberDurationLiteral': return this.number(n);
      case 'StringLiteral': return { type: 'string', value: unquote(this.src(n)), pos: n.from };
      case 'VectorSelector': return this.selector(n);
      case 'MatrixSelector': return this.matrix(n, 0);
      case 'OffsetExpr': return this.offset(n);
      case 'FunctionCall': return this.call(n);
      case 'AggregateExpr': return this.aggregate(n);
      case 'BinaryExpr': return this.binary(n);
      case 'UnaryExpr': return this.unary(n);
      default: return this.fail(`unsupported PromQL construct: ${UNSUPPORTED[n.name] ?? n.name} "${this.src(n)}"`, n);
    }
  }

  private only(n: SyntaxNode): SyntaxNode {
    const c = n.firstChild;
    if (c === null) return this.fail('empty parentheses', n);
    return c;
  }

  private number(n: SyntaxNode): Expr {
    const value = parseNumber(this.src(n));
    if (value === undefined) return this.fail(`unsupported number literal "${this.src(n)}"`, n);
    return { type: 'number', value, pos: n.from };
  }

  private duration(n: SyntaxNode): number {
    const parts = children(n);
    const inner = parts[parts.length - 1];
    if (n.name === 'OffsetDurationExpr' && parts[0]?.name === 'UnaryOp' && inner !== undefined) {
      return (this.src(parts[0]) === '-' ? -1 : 1) * this.duration(inner);
    }
    if (parts.length !== 1 || inner?.name !== 'NumberDurationLiteralInDurationContext') {
      return this.fail(`unsupported duration expression "${this.src(n)}"`, n);
    }
    const ms = parseDuration(this.src(inner));
    if (ms === undefined) return this.fail(`not a duration: "${this.src(inner)}"`, inner);
    return ms;
  }

  private selector(n: SyntaxNode, offsetMs = 0): VectorSelector {
    let name: string | undefined;
    const matchers: Matcher[] = [];
    for (const c of children(n)) {
      if (c.name === 'Identifier') name = this.src(c);
      else if (c.name === 'LabelMatchers') matchers.push(...children(c).map((m) => this.matcher(m)));
    }
    if (name !== undefined) matchers.unshift({ name: '__name__', op: '=', value: name });
    if (!matchers.some((m) => !matchesEmpty(m))) {
      this.fail('vector selector must contain at least one non-empty matcher', n);
    }
    return { type: 'selector', name, matchers, offsetMs, pos: n.from };
  }

  private matcher(n: SyntaxNode): Matcher {
    const parts = children(n);
    if (n.name === 'QuotedLabelName') {
      const only = parts[0];
      if (only === undefined) return this.fail('bad label matcher', n);
      return { name: '__name__', op: '=', value: unquote(this.src(only)) };
    }
    const [label, op, value] = parts;
    if (label === undefined || op === undefined || value === undefined) return this.fail('bad label matcher', n);
    const name = label.name === 'QuotedLabelName' ? unquote(this.src(label)) : this.src(label);
    const kind = MATCH_OPS[op.firstChild?.name ?? ''];
    if (kind === undefined) return this.fail(`unsupported matcher "${this.src(op)}"`, op);
    const v = unquote(this.src(value));
    if (kind === '=' || kind === '!=') return { name, op: kind, value: v };
    try {
      return { name, op: kind, value: v, regex: anchoredRegex(v) };
    } catch {
      return this.fail(`invalid regular expression ${JSON.stringify(v)}`, value);
    }
  }

  private matrix(n: SyntaxNode, offsetMs: number): Expr {
    const [vs, range] = children(n);
    if (vs?.name !== 'VectorSelector' || range === undefined) return this.fail('ranges only allowed for vector selectors', n);
    return { type: 'matrix', selector: this.selector(vs, offsetMs), rangeMs: this.duration(range), pos: n.from };
  }

  private offset(n: SyntaxNode): Expr {
    const parts = children(n);
    const inner = parts[0];
    const dur = parts[parts.length - 1];
    if (inner === undefined || dur === undefined) return this.fail('bad offset', n);
    const ms = this.duration(dur);
    if (inner.name === 'VectorSelector') return this.selector(inner, ms);
    if (inner.name === 'MatrixSelector') return this.matrix(inner, ms);
    return this.fail(`unsupported PromQL construct: offset on "${this.src(inner)}"`, inner);
  }

  private call(n: SyntaxNode): Expr {
    const [ident, body] = children(n);
    if (ident === undefined || body === undefined) return this.fail('bad function call', n);
    const func = this.src(ident);
    return { type: 'call', func, args: children(body).map((a) => this.expr(a)), pos: n.from };
  }

  private aggregate(n: SyntaxNode): Expr {
    let op = '';
    let grouping: string[] = [];
    let without = false;
    let args: Expr[] = [];
    for (const c of children(n)) {
      if (c.name === 'AggregateOp') op = this.src(c);
      else if (c.name === 'AggregateModifier') {
        without = c.firstChild?.name === 'Without';
        grouping = this.labelList(c.getChild('GroupingLabels'));
      } else if (c.name === 'FunctionCallBody') args = children(c).map((a) => this.expr(a));
    }
    if (!AGGREGATES.has(op)) return this.fail(`unsupported PromQL construct: aggregation "${op}"`, n);
    const takesParam = op === 'topk' || op === 'bottomk' || op === 'quantile';
    const [first, second] = args;
    const expr = takesParam ? second : first;
    if (expr === undefined || args.length !== (takesParam ? 2 : 1)) {
      return this.fail(`wrong number of arguments for aggregate expression "${op}"`, n);
    }
    return { type: 'aggregate', op: op as AggregateOp, param: takesParam ? first : undefined, expr, grouping, without, pos: n.from };
  }

  private labelList(n: SyntaxNode | null): string[] {
    if (n === null) return [];
    return children(n).map((c) => (c.name === 'QuotedLabelName' ? unquote(this.src(c)) : this.src(c)));
  }

  private binary(n: SyntaxNode): Expr {
    const parts = children(n);
    const lhs = parts[0];
    const opNode = parts[1];
    const rhs = parts[parts.length - 1];
    if (lhs === undefined || opNode === undefined || rhs === undefined || parts.length < 3) return this.fail('bad binary expression', n);
    const op = BINARY_OPS[opNode.name];
    if (op === undefined) return this.fail(`unsupported operator "${this.src(opNode)}"`, opNode);
    const returnBool = parts.some((p) => p.name === 'BoolModifier');
    const clause = parts.find((p) => p.name === 'MatchingModifierClause');
    const setOp = op === 'and' || op === 'or' || op === 'unless';
    const matching = clause === undefined
      ? { card: setOp ? 'many-to-many' : 'one-to-one', on: false, labels: [], include: [] } as const
      : this.matching(clause, setOp);
    if (returnBool && !['==', '!=', '>', '<', '>=', '<='].includes(op)) {
      return this.fail('bool modifier can only be used on comparison operators', opNode);
    }
    return { type: 'binary', op, lhs: this.expr(lhs), rhs: this.expr(rhs), returnBool, matching, pos: opNode.from };
  }

  private matching(clause: SyntaxNode, setOp: boolean): VectorMatching {
    const parts = children(clause);
    const lists = parts.filter((p) => p.name === 'GroupingLabels').map((p) => this.labelList(p));
    const on = parts[0]?.name === 'On';
    const left = parts.some((p) => p.name === 'GroupLeft');
    const right = parts.some((p) => p.name === 'GroupRight');
    const labels = lists[0] ?? [];
    const include = lists[1] ?? [];
    if ((left || right) && setOp) this.fail('no grouping allowed for "and", "or", "unless" operations', clause);
    for (const l of include) {
      if (on && labels.includes(l)) this.fail(`label "${l}" must not occur in ON and GROUP clause at once`, clause);
    }
    const card = setOp ? 'many-to-many' : left ? 'many-to-one' : right ? 'one-to-many' : 'one-to-one';
    return { card, on, labels, include };
  }

  private unary(n: SyntaxNode): Expr {
    const [op, inner] = children(n);
    if (op === undefined || inner === undefined) return this.fail('bad unary expression', n);
    return { type: 'unary', op: this.src(op) === '-' ? '-' : '+', expr: this.expr(inner), pos: n.from };
  }
}
