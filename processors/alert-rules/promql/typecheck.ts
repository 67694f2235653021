/** Prometheus' static type rules for PromQL, so a bad rule is refused when loaded, not when evaluated. */
import type { Expr, ValueType } from './ast.js';
import { PromqlError } from './ast.js';
import { SIGNATURES } from './signatures.js';

const COMPARISONS = new Set(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS = new Set(['and', 'or', 'unless']);

/** The type of `e`; throws PromqlError where Prometheus' parser would refuse the expression. */
export function checkTypes(e: Expr): ValueType {
  switch (e.type) {
    case 'number': return 'scalar';
    case 'string': return 'string';
    case 'selector': return 'vector';
    case 'matrix': return 'matrix';
    case 'unary': {
      const t = checkTypes(e.expr);
      if (t !== 'scalar' && t !== 'vector') throw new PromqlError(`unary expression only allowed on expressions of type scalar or instant vector, got "${t}"`, e.pos);
      return t;
    }
    case 'call': return checkCall(e.func, e.args, e.pos);
    case 'aggregate': {
      if (e.param !== undefined) expect(e.param, 'scalar', `aggregation parameter of "${e.op}"`);
      expect(e.expr, 'vector', `expression of aggregation "${e.op}"`);
      return 'vector';
    }
    case 'binary': return checkBinary(e);
  }
}

function expect(e: Expr, want: ValueType, what: string): void {
  const got = checkTypes(e);
  if (got !== want) throw new PromqlError(`expected type ${typeName(want)} in ${what}, got ${typeName(got)}`, e.pos);
}

function typeName(t: ValueType): string {
  return t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : t;
}

function checkCall(func: string, args: readonly Expr[], pos: number): ValueType {
  const sig = SIGNATURES.get(func);
  if (sig === undefined) throw new PromqlError(`unsupported PromQL construct: function "${func}"`, pos);
  if (args.length !== sig.args.length) {
    throw new PromqlError(`expected ${sig.args.length} argument(s) in call to "${func}", got ${args.length}`, pos);
  }
  args.forEach((a, i) => expect(a, sig.args[i] ?? 'vector', `call to function "${func}"`));
  return sig.returns;
}

function checkBinary(e: Extract<Expr, { type: 'binary' }>): ValueType {
  const lt = checkTypes(e.lhs);
  const rt = checkTypes(e.rhs);
  for (const [t, side] of [[lt, e.lhs], [rt, e.rhs]] as const) {
    if (t !== 'scalar' && t !== 'vector') {
      throw new PromqlError('binary expression must contain only scalar and instant vector types', side.pos);
    }
  }
  const bothScalar = lt === 'scalar' && rt === 'scalar';
  if (COMPARISONS.has(e.op) && bothScalar && !e.returnBool) {
    throw new PromqlError('comparisons between scalars must use BOOL modifier', e.pos);
  }
  if (SET_OPS.has(e.op) && (lt === 'scalar' || rt === 'scalar')) {
    throw new PromqlError(`set operator "${e.op}" not allowed in binary scalar expression`, e.pos);
  }
  const explicit = e.matching.on || e.matching.labels.length > 0 || e.matching.card === 'many-to-one' || e.matching.card === 'one-to-many';
  if (explicit && (lt !== 'vector' || rt !== 'vector')) {
    throw new PromqlError('vector matching only allowed between instant vectors', e.pos);
  }
  return bothScalar ? 'scalar' : 'vector';
}
