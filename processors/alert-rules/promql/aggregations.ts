/** Aggregation operators: sum, avg, min, max, count, topk, bottomk, quantile, by or without labels. */
import type { AggregateOp } from './ast.js';
import type { Labels, Sample } from './values.js';
import { METRIC_NAME, keyOn, keyWithout } from './values.js';
import { compareFloats, quantile } from './stats.js';

/** How samples are grouped. */
export interface Grouping {
  readonly labels: readonly string[];
  readonly without: boolean;
}

interface Group {
  readonly labels: Labels;
  readonly samples: Sample[];
}

/** Applies `op` to `samples` per group; `param` is k of topk/bottomk or φ of quantile. */
export function aggregate(op: AggregateOp, samples: readonly Sample[], grouping: Grouping, param: number): Sample[] {
  if ((op === 'topk' || op === 'bottomk') && !(Math.trunc(param) >= 1)) return [];
  const groups = new Map<string, Group>();
  for (const s of samples) {
    const key = grouping.without ? keyWithout(s.labels, grouping.labels) : keyOn(s.labels, grouping.labels);
    let g = groups.get(key);
    if (g === undefined) {
      g = { labels: groupLabels(s.labels, grouping), samples: [] };
      groups.set(key, g);
    }
    g.samples.push(s);
  }
  const out: Sample[] = [];
  for (const g of groups.values()) {
    if (op === 'topk' || op === 'bottomk') out.push(...selectK(g.samples, Math.trunc(param), op === 'topk'));
    else out.push({ labels: g.labels, value: reduce(op, g.samples.map((s) => s.value), param) });
  }
  return out;
}

function groupLabels(labels: Labels, grouping: Grouping): Labels {
  const out: Record<string, string> = {};
  if (grouping.without) {
    const skip = new Set([...grouping.labels, METRIC_NAME]);
    for (const [k, v] of Object.entries(labels)) if (!skip.has(k)) out[k] = v;
  } else {
    for (const k of grouping.labels) {
      const v = labels[k];
      if (v !== undefined && v !== '') out[k] = v;
    }
  }
  return out;
}

function reduce(op: AggregateOp, values: readonly number[], param: number): number {
  switch (op) {
    case 'sum': return values.reduce((a, b) => a + b, 0);
    case 'count': return values.length;
    case 'avg': return mean(values);
    case 'min': return values.reduce((a, b) => (a > b || Number.isNaN(a) ? b : a), NaN);
    case 'max': return values.reduce((a, b) => (a < b || Number.isNaN(a) ? b : a), NaN);
    case 'quantile': return quantile(param, values);
    default: return NaN;
  }
}

/** The running mean Prometheus 2.x computes (its rounding, not sum/count's). */
function mean(values: readonly number[]): number {
  let m = values[0] ?? NaN;
  for (let i = 1; i < values.length; i++) {
    const v = values[i] ?? NaN;
    const n = i + 1;
    if (!Number.isFinite(m) && !Number.isNaN(m)) {
      if (!Number.isFinite(v) && !Number.isNaN(v) && (m > 0) === (v > 0)) continue;
      if (Number.isFinite(v)) continue;
    }
    m += v / n - m / n;
  }
  return m;
}

/** The k largest (topk) or smallest (bottomk) samples, labels untouched; NaN ranks last. */
function selectK(samples: readonly Sample[], k: number, top: boolean): Sample[] {
  const sorted = [...samples].sort((a, b) => {
    if (Number.isNaN(a.value) !== Number.isNaN(b.value)) return Number.isNaN(a.value) ? 1 : -1;
    return top ? compareFloats(b.value, a.value) : compareFloats(a.value, b.value);
  });
  return sorted.slice(0, k);
}
