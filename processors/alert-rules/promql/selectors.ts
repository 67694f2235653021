/** Instant and range vector selection with Prometheus' lookback delta and staleness (2.x: closed intervals). */
import type { VectorSelector } from './ast.js';
import type { Queryable } from './storage.js';
import { lowerBound } from './storage.js';
import type { Point, RangeSeries, Sample } from './values.js';

/** The default lookback delta: an instant selector sees a sample at most this old. */
export const DEFAULT_LOOKBACK_MS = 5 * 60_000;

/** The latest sample of each matching series in [t - offset - lookback, t - offset], unless it is a staleness marker. */
export function selectVector(store: Queryable, sel: VectorSelector, t: number, lookbackMs: number): Sample[] {
  const ref = t - sel.offsetMs;
  const out: Sample[] = [];
  for (const s of store.select(sel.matchers)) {
    const i = lowerBound(s.points, ref + 1) - 1;
    const p = s.points[i];
    if (p === undefined || p.t < ref - lookbackMs || p.stale === true) continue;
    out.push({ labels: s.labels, value: p.v });
  }
  return out;
}

/** The samples of each matching series in [t - offset - range, t - offset], staleness markers left out. */
export function selectRange(store: Queryable, sel: VectorSelector, rangeMs: number, t: number): RangeSeries[] {
  const end = t - sel.offsetMs;
  const out: RangeSeries[] = [];
  for (const s of store.select(sel.matchers)) {
    const from = lowerBound(s.points, end - rangeMs);
    const to = lowerBound(s.points, end + 1);
    const points: Point[] = [];
    for (let i = from; i < to; i++) if (s.points[i]!.stale !== true) points.push(s.points[i]!);
    if (points.length > 0) out.push({ labels: s.labels, points });
  }
  return out;
}
