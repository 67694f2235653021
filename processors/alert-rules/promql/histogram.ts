/** histogram_quantile over classic histograms (`le` buckets), with Prometheus' interpolation rules. */
import type { Sample } from './values.js';
import { keyWithout, dropName } from './values.js';

interface Bucket {
  upper: number;
  count: number;
}

/** The φ-quantile of each histogram (series grouped by their labels without `le`). */
export function histogramQuantile(q: number, samples: readonly Sample[]): Sample[] {
  const groups = new Map<string, { labels: Sample['labels']; buckets: Bucket[] }>();
  for (const s of samples) {
    const le = s.labels.le;
    if (le === undefined) continue;
    const upper = parseBound(le);
    if (upper === undefined) continue;
    const key = keyWithout(s.labels, ['le']);
    let g = groups.get(key);
    if (g === undefined) {
      const labels: Record<string, string> = { ...dropName(s.labels) };
      delete labels.le;
      g = { labels, buckets: [] };
      groups.set(key, g);
    }
    g.buckets.push({ upper, count: s.value });
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) }));
}

function parseBound(le: string): number | undefined {
  const t = le.trim().toLowerCase();
  if (t === '+inf' || t === 'inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan') return NaN;
  const v = Number(le);
  return le.trim() === '' || Number.isNaN(v) ? undefined : v;
}

function bucketQuantile(q: number, input: Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...input].sort((a, b) => a.upper - b.upper);
  const last = sorted[sorted.length - 1];
  if (last === undefined || last.upper !== Infinity) return NaN;
  const buckets = coalesce(sorted);
  ensureMonotonic(buckets);
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1]?.count ?? 0;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = buckets.length - 1;
  for (let i = 0; i < buckets.length - 1; i++) {
    if ((buckets[i]?.count ?? 0) >= rank) {
      b = i;
      break;
    }
  }
  if (b === buckets.length - 1) return buckets[buckets.length - 2]?.upper ?? NaN;
  const bucket = buckets[b] as Bucket;
  if (b === 0 && bucket.upper <= 0) return bucket.upper;
  let start = 0;
  let count = bucket.count;
  const previous = buckets[b - 1];
  if (b > 0 && previous !== undefined) {
    start = previous.upper;
    count -= previous.count;
    rank -= previous.count;
  }
  return start + (bucket.upper - start) * (rank / count);
}

/** Buckets with the same upper bound (e.g. `le="1"` and `le="1.0"`) are added together. */
function coalesce(buckets: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  for (const b of buckets) {
    const last = out[out.length - 1];
    if (last !== undefined && last.upper === b.upper) last.count += b.count;
    else out.push({ ...b });
  }
  return out;
}

/** Cumulative counts must not decrease; a lower count (a scrape race) is raised to the previous one. */
function ensureMonotonic(buckets: Bucket[]): void {
  let max = -Infinity;
  for (const b of buckets) {
    if (b.count > max) max = b.count;
    else if (b.count < max) b.count = max;
  }
}
