/** PromQL values: labels, samples, series, and the four value types an expression evaluates to. */

/** A label set; `__name__` holds the metric name. */
export type Labels = Readonly<Record<string, string>>;

/** One sample of a series: time in milliseconds, value. */
export interface Point {
  readonly t: number;
  readonly v: number;
  /** A staleness marker (Prometheus writes a special NaN; JavaScript engines do not keep NaN payloads). */
  readonly stale?: true;
}

/** One element of an instant vector. */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

/** One element of a range vector: the points of a series inside the range, oldest first. */
export interface RangeSeries {
  readonly labels: Labels;
  readonly points: readonly Point[];
}

/** The value of an expression evaluated at one instant. */
export type Value =
  | { readonly kind: 'scalar'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'vector'; readonly samples: readonly Sample[] }
  | { readonly kind: 'matrix'; readonly series: readonly RangeSeries[] };

/** The label holding the metric name. */
export const METRIC_NAME = '__name__';

/** A stable string for a label set (sorted by name): equal label sets give equal keys. */
export function labelsKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/** The key of the labels named in `names` only (missing labels count as empty). */
export function keyOn(labels: Labels, names: readonly string[]): string {
  return JSON.stringify([...names].sort().map((k) => [k, labels[k] ?? '']).filter(([, v]) => v !== ''));
}

/** The key of every label except `names` and the metric name. */
export function keyWithout(labels: Labels, names: readonly string[]): string {
  const skip = new Set([...names, METRIC_NAME]);
  return JSON.stringify(Object.keys(labels).filter((k) => !skip.has(k)).sort().map((k) => [k, labels[k]]));
}

/** A copy of `labels` without the metric name. */
export function dropName(labels: Labels): Labels {
  if (!(METRIC_NAME in labels)) return labels;
  const out: Record<string, string> = { ...labels };
  Reflect.deleteProperty(out, METRIC_NAME);
  return out;
}

/** Prometheus' text form of a label set, e.g. `foo{a="b"}`, for messages and test output. */
export function formatLabels(labels: Labels): string {
  const name = labels[METRIC_NAME] ?? '';
  const rest = Object.keys(labels).filter((k) => k !== METRIC_NAME).sort();
  return `${name}{${rest.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(', ')}}`;
}
