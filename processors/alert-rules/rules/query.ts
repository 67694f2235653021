/** Running a rule's expression: a scalar result becomes a one-element vector, other types are an error. */
import type { Expr, Queryable, Sample } from '../promql/index.js';
import { evaluateInstant } from '../promql/index.js';

/** A rule could not be evaluated this time (bad result type, duplicate label sets, evaluation error). */
export class RuleEvalError extends Error {
  override readonly name = 'RuleEvalError';
}

/** The vector `expr` evaluates to at `t`. */
export function queryVector(expr: Expr, store: Queryable, t: number): readonly Sample[] {
  const v = evaluateInstant(expr, store, t);
  if (v.kind === 'vector') return v.samples;
  if (v.kind === 'scalar') return [{ labels: {}, value: v.value }];
  throw new RuleEvalError('rule result is not a vector or scalar');
}
