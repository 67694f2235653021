/** Comparing expected and actual results as promtool does: exact label sets, exact float values (NaN never equal). */
import type { Labels } from '../promql/index.js';
import { formatLabels, labelsKey } from '../promql/index.js';

type Pairs = ReadonlyMap<string, string>;

/** An alert as a test sees it. */
export interface AlertView {
  readonly labels: Pairs;
  readonly annotations: Pairs;
}

function pairsKey(p: Pairs): string {
  return JSON.stringify([...p].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function formatPairs(p: Pairs): string {
  return `{${[...p].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}

function formatAlerts(list: readonly AlertView[]): string {
  return `[\n${list.map((a, i) => `            ${i}:\n              Labels:${formatPairs(a.labels)}\n              Annotations:${formatPairs(a.annotations)}\n`).join('')}            ]`;
}

/** undefined when the two lists hold the same alerts, else the exp/got lines of the failure message. */
export function compareAlerts(exp: readonly AlertView[], got: readonly AlertView[]): string | undefined {
  const key = (a: AlertView): string => `${pairsKey(a.labels)}\u0000${pairsKey(a.annotations)}`;
  const e = exp.map(key).sort();
  const g = got.map(key).sort();
  if (e.length === g.length && e.every((k, i) => k === g[i])) return undefined;
  return `        exp:${formatAlerts(exp)}, \n        got:${formatAlerts(got)}`;
}

/** A result sample. */
export interface SampleView {
  readonly labels: Labels;
  readonly value: number;
}

/** Go's %E formatting of a float, as promtool prints values. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const [m = '0', e = '0'] = v.toExponential().toUpperCase().split('E');
  const exp = Number(e);
  return `${m}E${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** undefined when the two lists hold the same samples (values compared with ===), else the exp/got lines. */
export function compareSamples(exp: readonly SampleView[], got: readonly SampleView[]): string | undefined {
  const sort = (l: readonly SampleView[]): SampleView[] => [...l].sort((a, b) => {
    const ka = labelsKey(a.labels);
    const kb = labelsKey(b.labels);
    return ka < kb ? -1 : ka > kb ? 1 : a.value - b.value;
  });
  const e = sort(exp);
  const g = sort(got);
  const same = e.length === g.length && e.every((s, i) => labelsKey(s.labels) === labelsKey(g[i]?.labels ?? {}) && s.value === g[i]?.value);
  if (same) return undefined;
  const show = (l: readonly SampleView[]): string => l.map((s) => `${formatLabels(s.labels)} ${formatValue(s.value)}`).join(', ');
  return `        exp: ${show(e)}\n        got: ${show(g)}`;
}
