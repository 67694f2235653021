/** An in-memory series store: samples per series, oldest first, found by label matchers. */
import type { Labels, Point } from './values.js';
import { freshLabelsKey } from './values.js';
import type { Matcher } from './ast.js';

/** One stored series. */
export interface StoredSeries {
  readonly labels: Labels;
  readonly points: Point[];
}

/** Where an evaluator reads series from. */
export interface Queryable {
  /** The series whose labels satisfy every matcher. */
  select(matchers: readonly Matcher[]): readonly StoredSeries[];
}

/** Whether `labels` satisfies `m` (a missing label reads as the empty string, as in Prometheus). */
export function matches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=': return v === m.value;
    case '!=': return v !== m.value;
    case '=~': return m.regex?.test(v) ?? false;
    case '!~': return !(m.regex?.test(v) ?? false);
  }
}

/** The store: append samples in time order per series; a sample older than the newest is refused. */
export class MemoryStorage implements Queryable {
  private readonly series = new Map<string, StoredSeries>();
  /** Series by metric name: most selectors name their metric, so they need not scan every series. */
  private readonly byName = new Map<string, Map<string, StoredSeries>>();

  /** Appends one sample; returns false when `t` is not after the series' newest sample. */
  append(labels: Labels, t: number, v: number): boolean {
    return this.put(labels, { t, v });
  }

  /** Appends a staleness marker: the series ended at `t`. */
  appendStale(labels: Labels, t: number): boolean {
    return this.put(labels, { t, v: NaN, stale: true });
  }

  private put(labels: Labels, point: Point): boolean {
    const t = point.t;
    const key = freshLabelsKey(labels);
    let s = this.series.get(key);
    if (s === undefined) {
      s = { labels: { ...labels }, points: [] };
      this.series.set(key, s);
      const name = labels.__name__ ?? '';
      let named = this.byName.get(name);
      if (named === undefined) {
        named = new Map();
        this.byName.set(name, named);
      }
      named.set(key, s);
    }
    const last = s.points[s.points.length - 1];
    if (last !== undefined && last.t >= t) {
      if (last.t !== t) return false;
      s.points[s.points.length - 1] = point;
      return true;
    }
    s.points.push(point);
    return true;
  }

  /** Drops every sample older than `t` (bounds memory in a long-running evaluation). */
  truncateBefore(t: number): void {
    for (const [key, s] of this.series) {
      let i = 0;
      while (i < s.points.length && (s.points[i]?.t ?? t) < t) i++;
      if (i > 0) s.points.splice(0, i);
      if (s.points.length === 0) {
        this.series.delete(key);
        const named = this.byName.get(s.labels.__name__ ?? '');
        named?.delete(key);
        if (named?.size === 0) this.byName.delete(s.labels.__name__ ?? '');
      }
    }
  }

  /** How many series the store holds. */
  get size(): number {
    return this.series.size;
  }

  select(matchers: readonly Matcher[]): readonly StoredSeries[] {
    const out: StoredSeries[] = [];
    const name = matchers.find((m) => m.name === '__name__' && m.op === '=');
    const candidates = name === undefined ? this.series : this.byName.get(name.value);
    // The name matcher holds for every candidate found by name.
    const rest = name === undefined ? matchers : matchers.filter((m) => m !== name);
    for (const s of candidates?.values() ?? []) {
      if (rest.every((m) => matches(m, s.labels))) out.push(s);
    }
    return out;
  }
}

/** Index of the first point with time >= t (points sorted by time). */
export function lowerBound(points: readonly Point[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((points[mid]?.t ?? Infinity) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
