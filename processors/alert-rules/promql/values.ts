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

/**
 * Keys are built by hand, not with JSON.stringify: rule evaluation computes one per sample and
 * series, many times per round. Each name and value is written with its length in front
 * (`3:job4:shop`), so no two label sets share a key whatever characters they hold.
 */
function pair(name: string, value: string): string {
  return `${name.length}:${name}${value.length}:${value}`;
}

/** Keys of label sets already keyed. Label sets are never changed once built (Labels is read-only), and most are the store's own, keyed every round. */
const keys = new WeakMap<Labels, string>();

/** A stable string for a label set (sorted by name): equal label sets give equal keys. */
export function labelsKey(labels: Labels): string {
  let key = keys.get(labels);
  if (key === undefined) {
    key = freshLabelsKey(labels);
    keys.set(labels, key);
  }
  return key;
}

/** labelsKey without the cache, for label sets keyed once and dropped (each ingested sample's). */
export function freshLabelsKey(labels: Labels): string {
  let key = '';
  for (const n of Object.keys(labels).sort()) key += pair(n, labels[n]!);
  return key;
}

/** Sorted copies of grouping and matching label lists (the AST's arrays, the same every evaluation). */
const sortedLists = new WeakMap<readonly string[], readonly string[]>();

function sortedNames(names: readonly string[]): readonly string[] {
  let sorted = sortedLists.get(names);
  if (sorted === undefined) {
    sorted = [...names].sort();
    sortedLists.set(names, sorted);
  }
  return sorted;
}

/** The key of the labels named in `names` only (missing labels count as empty). */
export function keyOn(labels: Labels, names: readonly string[]): string {
  let key = '';
  for (const n of sortedNames(names)) {
    const v = labels[n];
    if (v !== undefined && v !== '') key += pair(n, v);
  }
  return key;
}

/** The key of every label except `names` and the metric name. */
export function keyWithout(labels: Labels, names: readonly string[]): string {
  let key = '';
  for (const n of Object.keys(labels).sort()) {
    if (n !== METRIC_NAME && !names.includes(n)) key += pair(n, labels[n]!);
  }
  return key;
}

/** Label sets without their metric name, per label set: a selector's series lose their names the same way every round. */
const unnamed = new WeakMap<Labels, Labels>();

/** A copy of `labels` without the metric name. */
export function dropName(labels: Labels): Labels {
  if (!(METRIC_NAME in labels)) return labels;
  let out = unnamed.get(labels);
  if (out === undefined) {
    const copy: Record<string, string> = { ...labels };
    Reflect.deleteProperty(copy, METRIC_NAME);
    out = copy;
    unnamed.set(labels, out);
  }
  return out;
}

/** Prometheus' text form of a label set, e.g. `foo{a="b"}`, for messages and test output. */
export function formatLabels(labels: Labels): string {
  const name = labels[METRIC_NAME] ?? '';
  const rest = Object.keys(labels).filter((k) => k !== METRIC_NAME).sort();
  return `${name}{${rest.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(', ')}}`;
}
