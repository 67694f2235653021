/** The PromQL evaluator: an expression at one instant (or at each step of a range) over a series store. */
import type { Expr } from './ast.js';
import { PromqlError } from './ast.js';
import { aggregate } from './aggregations.js';
import { isComparison, scalarBinop, setBinop, vectorBinop, vectorScalarBinop } from './binary.js';
import { evalCall } from './functions.js';
import { DEFAULT_LOOKBACK_MS, selectRange, selectVector } from './selectors.js';
import type { Queryable } from './storage.js';
import type { Sample, Value } from './values.js';
import { dropName, formatLabels, labelsKey } from './values.js';

/** Evaluation options. */
export interface EvalOptions {
  /** How far back an instant selector looks for a sample; Prometheus' default 5m. */
  readonly lookbackMs?: number;
}

/** The value of `expr` at time `t` (milliseconds). Throws PromqlError on evaluation errors. */
export function evaluateInstant(expr: Expr, store: Queryable, t: number, options: EvalOptions = {}): Value {
  return new Evaluator(store, t, options.lookbackMs ?? DEFAULT_LOOKBACK_MS).eval(expr);
}

/** One series of a range query's result. */
export interface RangeResultSeries {
  readonly labels: Sample['labels'];
  readonly points: Array<{ t: number; v: number }>;
}

/** The value of `expr` at every step from `start` to `end` (inclusive), merged per series as a range query. */
export function evaluateRange(expr: Expr, store: Queryable, start: number, end: number, stepMs: number, options: EvalOptions = {}): RangeResultSeries[] {
  if (stepMs <= 0) throw new PromqlError('zero or negative query resolution step widths are not accepted', 0);
  const bySeries = new Map<string, RangeResultSeries>();
  for (let t = start; t <= end; t += stepMs) {
    const v = evaluateInstant(expr, store, t, options);
    const samples = v.kind === 'scalar' ? [{ labels: {}, value: v.value }] : v.kind === 'vector' ? v.samples : undefined;
    if (samples === undefined) throw new PromqlError(`range evaluation needs a scalar or instant vector, got ${v.kind}`, expr.pos);
    for (const s of samples) {
      const key = labelsKey(s.labels);
      let series = bySeries.get(key);
      if (series === undefined) {
        series = { labels: s.labels, points: [] };
        bySeries.set(key, series);
      }
      series.points.push({ t, v: s.value });
    }
  }
  return [...bySeries.values()];
}

class Evaluator {
  constructor(
    private readonly store: Queryable,
    readonly t: number,
    private readonly lookbackMs: number,
  ) {}

  eval(e: Expr): Value {
    switch (e.type) {
      case 'number': return { kind: 'scalar', value: e.value };
      case 'string': return { kind: 'string', value: e.value };
      case 'selector': return { kind: 'vector', samples: selectVector(this.store, e, this.t, this.lookbackMs) };
      case 'matrix': return { kind: 'matrix', series: selectRange(this.store, e.selector, e.rangeMs, this.t) };
      case 'call': return checked(evalCall(e, this), e.pos);
      case 'unary': return this.unary(e);
      case 'aggregate': {
        const param = e.param === undefined ? NaN : this.scalar(e.param);
        const samples = aggregate(e.op, this.vector(e.expr), { labels: e.grouping, without: e.without }, param);
        return { kind: 'vector', samples };
      }
      case 'binary': return checked(this.binary(e), e.pos);
    }
  }

  private scalar(e: Expr): number {
    const v = this.eval(e);
    if (v.kind !== 'scalar') throw new PromqlError(`expected a scalar, got ${v.kind}`, e.pos);
    return v.value;
  }

  private vector(e: Expr): readonly Sample[] {
    const v = this.eval(e);
    if (v.kind !== 'vector') throw new PromqlError(`expected an instant vector, got ${v.kind}`, e.pos);
    return v.samples;
  }

  private unary(e: Extract<Expr, { type: 'unary' }>): Value {
    const v = this.eval(e.expr);
    if (e.op === '+') return v;
    if (v.kind === 'scalar') return { kind: 'scalar', value: -v.value };
    if (v.kind !== 'vector') throw new PromqlError('unary minus needs a scalar or instant vector', e.pos);
    return { kind: 'vector', samples: v.samples.map((s) => ({ labels: dropName(s.labels), value: -s.value })) };
  }

  private binary(e: Extract<Expr, { type: 'binary' }>): Value {
    const l = this.eval(e.lhs);
    const r = this.eval(e.rhs);
    if (l.kind === 'scalar' && r.kind === 'scalar') return { kind: 'scalar', value: scalarBinop(e.op, l.value, r.value, e.returnBool) };
    if (l.kind === 'vector' && r.kind === 'scalar') return { kind: 'vector', samples: vectorScalarBinop(e.op, l.samples, r.value, false, e.returnBool) };
    if (l.kind === 'scalar' && r.kind === 'vector') return { kind: 'vector', samples: vectorScalarBinop(e.op, r.samples, l.value, true, e.returnBool) };
    if (l.kind !== 'vector' || r.kind !== 'vector') throw new PromqlError('binary expression must contain only scalar and instant vector types', e.pos);
    if (e.op === 'and' || e.op === 'or' || e.op === 'unless') return { kind: 'vector', samples: setBinop(e.op, l.samples, r.samples, e.matching) };
    if (isComparison(e.op) || e.matching.card !== 'many-to-many') {
      return { kind: 'vector', samples: vectorBinop(e.op, l.samples, r.samples, e.matching, e.returnBool, e.pos) };
    }
    throw new PromqlError(`unsupported vector matching for "${e.op}"`, e.pos);
  }
}

/** Prometheus refuses a result vector with two elements of the same label set (after names were dropped). */
function checked(v: Value, pos: number): Value {
  if (v.kind !== 'vector') return v;
  const seen = new Set<string>();
  for (const s of v.samples) {
    const key = labelsKey(s.labels);
    if (seen.has(key)) throw new PromqlError(`vector cannot contain metrics with the same labelset: ${formatLabels(s.labels)}`, pos);
    seen.add(key);
  }
  return v;
}
