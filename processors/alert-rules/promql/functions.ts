/** Evaluation of function calls: range-vector functions, histogram_quantile, absent, clamp, abs and friends. */
import type { Expr } from './ast.js';
import { PromqlError } from './ast.js';
import { RANGE_FUNCTIONS } from './range-functions.js';
import { histogramQuantile } from './histogram.js';
import type { Sample, Value } from './values.js';
import { METRIC_NAME, dropName } from './values.js';

/** What a function call needs from the evaluator. */
export interface CallContext {
  /** Evaluation time in milliseconds. */
  readonly t: number;
  /** Evaluates an argument. */
  eval(e: Expr): Value;
}

/** Evaluates `func(args)` at ctx.t. */
export function evalCall(call: Extract<Expr, { type: 'call' }>, ctx: CallContext): Value {
  const { func, args } = call;
  const range = RANGE_FUNCTIONS.get(func);
  if (range !== undefined) return evalRangeFunction(func, args, ctx);
  switch (func) {
    case 'time': return { kind: 'scalar', value: ctx.t / 1000 };
    case 'vector': return { kind: 'vector', samples: [{ labels: {}, value: scalarArg(args[0], ctx) }] };
    case 'scalar': {
      const v = vectorArg(args[0], ctx);
      return { kind: 'scalar', value: v.length === 1 ? (v[0]?.value ?? NaN) : NaN };
    }
    case 'abs': return mapValues(vectorArg(args[0], ctx), Math.abs);
    case 'clamp': {
      const min = scalarArg(args[1], ctx);
      const max = scalarArg(args[2], ctx);
      if (max < min) return { kind: 'vector', samples: [] };
      return mapValues(vectorArg(args[0], ctx), (v) => Math.max(min, Math.min(max, v)));
    }
    case 'clamp_min': {
      const min = scalarArg(args[1], ctx);
      return mapValues(vectorArg(args[0], ctx), (v) => Math.max(min, v));
    }
    case 'clamp_max': {
      const max = scalarArg(args[1], ctx);
      return mapValues(vectorArg(args[0], ctx), (v) => Math.min(max, v));
    }
    case 'histogram_quantile':
      return { kind: 'vector', samples: histogramQuantile(scalarArg(args[0], ctx), vectorArg(args[1], ctx)) };
    case 'absent': return absent(args[0], ctx);
    default: throw new PromqlError(`unsupported PromQL construct: function "${func}"`, call.pos);
  }
}

function evalRangeFunction(func: string, args: readonly Expr[], ctx: CallContext): Value {
  const fn = RANGE_FUNCTIONS.get(func);
  const matrixArg = args[args.length - 1];
  if (fn === undefined || matrixArg?.type !== 'matrix') throw new PromqlError(`expected a range vector in "${func}"`, matrixArg?.pos ?? 0);
  const param = args.length > 1 ? scalarArg(args[0], ctx) : NaN;
  const matrix = ctx.eval(matrixArg);
  if (matrix.kind !== 'matrix') throw new PromqlError(`expected a range vector in "${func}"`, matrixArg.pos);
  const end = ctx.t - matrixArg.selector.offsetMs;
  const bounds = { start: end - matrixArg.rangeMs, end, rangeMs: matrixArg.rangeMs };
  const samples: Sample[] = [];
  for (const s of matrix.series) {
    const value = fn(s.points, bounds, param);
    if (value === undefined) continue;
    // Prometheus 2.x keeps the metric name for last_over_time only.
    samples.push({ labels: func === 'last_over_time' ? s.labels : dropName(s.labels), value });
  }
  return { kind: 'vector', samples };
}

function mapValues(samples: readonly Sample[], fn: (v: number) => number): Value {
  return { kind: 'vector', samples: samples.map((s) => ({ labels: dropName(s.labels), value: fn(s.value) })) };
}

function scalarArg(e: Expr | undefined, ctx: CallContext): number {
  const v = e === undefined ? undefined : ctx.eval(e);
  if (v?.kind !== 'scalar') throw new PromqlError('expected a scalar argument', e?.pos ?? 0);
  return v.value;
}

function vectorArg(e: Expr | undefined, ctx: CallContext): readonly Sample[] {
  const v = e === undefined ? undefined : ctx.eval(e);
  if (v?.kind !== 'vector') throw new PromqlError('expected an instant vector argument', e?.pos ?? 0);
  return v.samples;
}

/** absent(v): empty if v has elements, else one sample valued 1 with the labels its selector pins with `=`. */
function absent(arg: Expr | undefined, ctx: CallContext): Value {
  if (vectorArg(arg, ctx).length > 0) return { kind: 'vector', samples: [] };
  const labels: Record<string, string> = {};
  const dropped: string[] = [];
  if (arg?.type === 'selector') {
    for (const m of arg.matchers) {
      if (m.name === METRIC_NAME) continue;
      if (m.op === '=' && !(m.name in labels)) {
        if (m.value !== '') labels[m.name] = m.value;
      } else dropped.push(m.name);
    }
  }
  for (const name of dropped) Reflect.deleteProperty(labels, name);
  return { kind: 'vector', samples: [{ labels, value: 1 }] };
}
