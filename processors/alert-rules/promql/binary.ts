/** Binary operators: arithmetic, comparison (filtering or `bool`), and/or/unless, with vector matching. */
import type { BinaryOp, VectorMatching } from './ast.js';
import { PromqlError } from './ast.js';
import type { Labels, Sample } from './values.js';
import { METRIC_NAME, dropName, keyOn, keyWithout, labelsKey } from './values.js';

const ARITHMETIC = new Set<BinaryOp>(['+', '-', '*', '/', '%', '^', 'atan2']);
const COMPARISON = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

/** Whether `op` compares (and so filters unless `bool`). */
export function isComparison(op: BinaryOp): boolean {
  return COMPARISON.has(op);
}

/** `l op r` on two numbers: the value, and whether a comparison holds (always true for arithmetic). */
export function applyOp(op: BinaryOp, l: number, r: number): [number, boolean] {
  switch (op) {
    case '+': return [l + r, true];
    case '-': return [l - r, true];
    case '*': return [l * r, true];
    case '/': return [l / r, true];
    case '%': return [goMod(l, r), true];
    case '^': return [goPow(l, r), true];
    case 'atan2': return [Math.atan2(l, r), true];
    case '==': return [l, l === r];
    case '!=': return [l, l !== r];
    case '>': return [l, l > r];
    case '<': return [l, l < r];
    case '>=': return [l, l >= r];
    case '<=': return [l, l <= r];
    default: return [NaN, false];
  }
}

/** Go's math.Pow: unlike Math.pow, 1^x is 1 for any x and (-1)^±Inf is 1. */
function goPow(l: number, r: number): number {
  if (l === 1 || (l === -1 && !Number.isFinite(r) && !Number.isNaN(r))) return 1;
  return Math.pow(l, r);
}

/** Go's math.Mod: the sign follows the dividend (as JavaScript's %). */
function goMod(l: number, r: number): number {
  return l % r;
}

/** scalar op scalar. */
export function scalarBinop(op: BinaryOp, l: number, r: number, returnBool: boolean): number {
  const [v, keep] = applyOp(op, l, r);
  return isComparison(op) && returnBool ? (keep ? 1 : 0) : v;
}

/** vector op scalar (or scalar op vector when `swap`): the vector's value survives a comparison. */
export function vectorScalarBinop(op: BinaryOp, vector: readonly Sample[], scalar: number, swap: boolean, returnBool: boolean): Sample[] {
  const out: Sample[] = [];
  for (const s of vector) {
    const [l, r] = swap ? [scalar, s.value] : [s.value, scalar];
    let [value, keep] = applyOp(op, l, r);
    if (isComparison(op) && swap) value = r;
    if (returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    out.push({ labels: ARITHMETIC.has(op) || returnBool ? dropName(s.labels) : s.labels, value });
  }
  return out;
}

function signature(m: VectorMatching): (l: Labels) => string {
  return m.on ? (l) => keyOn(l, m.labels) : (l) => keyWithout(l, m.labels);
}

/** and / or / unless. */
export function setBinop(op: BinaryOp, lhs: readonly Sample[], rhs: readonly Sample[], m: VectorMatching): Sample[] {
  const sig = signature(m);
  const rightSigs = new Set(rhs.map((s) => sig(s.labels)));
  if (op === 'and') return lhs.filter((s) => rightSigs.has(sig(s.labels)));
  if (op === 'unless') return lhs.filter((s) => !rightSigs.has(sig(s.labels)));
  const leftSigs = new Set(lhs.map((s) => sig(s.labels)));
  return [...lhs, ...rhs.filter((s) => !leftSigs.has(sig(s.labels)))];
}

/** vector op vector with one-to-one, many-to-one or one-to-many matching. */
export function vectorBinop(op: BinaryOp, left: readonly Sample[], right: readonly Sample[], m: VectorMatching, returnBool: boolean, pos: number): Sample[] {
  const [lhs, rhs] = m.card === 'one-to-many' ? [right, left] : [left, right];
  const sig = signature(m);
  const rightBySig = new Map<string, Sample>();
  for (const r of rhs) {
    const key = sig(r.labels);
    if (rightBySig.has(key)) {
      const side = m.card === 'one-to-many' ? 'left' : 'right';
      throw new PromqlError(`found duplicate series for the match group on the ${side} hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side`, pos);
    }
    rightBySig.set(key, r);
  }
  const matched = new Map<string, Set<string>>();
  const out: Sample[] = [];
  for (const l of lhs) {
    const key = sig(l.labels);
    const r = rightBySig.get(key);
    if (r === undefined) continue;
    const [vl, vr] = m.card === 'one-to-many' ? [r.value, l.value] : [l.value, r.value];
    const [computed, keep] = applyOp(op, vl, vr);
    let value = computed;
    if (returnBool) value = keep ? 1 : 0;
    else if (!keep) continue;
    let labels = resultLabels(l.labels, r.labels, op, m);
    if (returnBool) labels = dropName(labels);
    const seen = matched.get(key);
    if (m.card === 'one-to-one') {
      if (seen !== undefined) throw new PromqlError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)', pos);
      matched.set(key, new Set());
    } else {
      const set = seen ?? new Set<string>();
      const k = labelsKey(labels);
      if (set.has(k)) throw new PromqlError('multiple matches for labels: grouping labels must ensure unique matches', pos);
      set.add(k);
      matched.set(key, set);
    }
    out.push({ labels, value });
  }
  return out;
}

function resultLabels(l: Labels, r: Labels, op: BinaryOp, m: VectorMatching): Labels {
  const out: Record<string, string> = { ...l };
  if (ARITHMETIC.has(op)) Reflect.deleteProperty(out, METRIC_NAME);
  if (m.card === 'one-to-one') {
    if (m.on) {
      for (const k of Object.keys(out)) if (!m.labels.includes(k)) Reflect.deleteProperty(out, k);
    } else {
      for (const k of m.labels) Reflect.deleteProperty(out, k);
    }
  }
  for (const k of m.include) {
    const v = r[k];
    if (v !== undefined && v !== '') out[k] = v;
    else Reflect.deleteProperty(out, k);
  }
  return out;
}
