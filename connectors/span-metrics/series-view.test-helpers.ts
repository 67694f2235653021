/**
 * Reads OTLP/JSON metrics (what span_metrics wrote, from vigil or otelcol) into data points keyed by
 * series: metric name, resource attributes and point attributes (collector.instance.id left out,
 * being each collector's own random id).
 */

type Doc = Record<string, unknown>;

/** One data point, with what the comparisons look at. */
export interface Point {
  metric: string;
  unit: string;
  type: 'sum' | 'histogram' | 'exponentialHistogram';
  temporality: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  start: bigint;
  time: bigint;
  value: number;
  count: number;
  sum: number;
  bucketCounts: number[];
  explicitBounds: number[];
  scale: number;
  zeroCount: number;
  positive: { offset: number; bucketCounts: number[] };
  exemplars: Array<{ traceId: string; spanId: string; value: number }>;
  scope: string;
}

const anyValue = (v: Doc): unknown => {
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  return JSON.stringify(v);
};
const attrs = (list: unknown): Record<string, unknown> =>
  Object.fromEntries(((list as Doc[] | undefined) ?? []).map((kv) => [kv.key as string, anyValue((kv.value ?? {}) as Doc)]));
const num = (v: unknown): number => (v === undefined ? 0 : Number(v));
const nums = (v: unknown): number[] => ((v as unknown[] | undefined) ?? []).map(Number);
const idHex = (v: unknown): string => (typeof v === 'string' ? (/^[0-9a-f]*$/.test(v) ? v : Buffer.from(v, 'base64').toString('hex')) : '');

/** The series key of a point. */
export const seriesKey = (p: Point): string => {
  const a = { ...p.attributes };
  delete a['collector.instance.id'];
  const sorted = (o: Record<string, unknown>): string => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
  return `${p.metric} ${sorted(p.resource)} ${sorted(a)}`;
};

/** Every data point of every document, in order. */
export function pointsOf(docs: Doc[]): Point[] {
  const out: Point[] = [];
  for (const doc of docs) {
    for (const rm of (doc.resourceMetrics as Doc[] | undefined) ?? []) {
      const resource = attrs((rm.resource as Doc | undefined)?.attributes);
      for (const sm of (rm.scopeMetrics as Doc[] | undefined) ?? []) {
        const scope = ((sm.scope as Doc | undefined)?.name as string | undefined) ?? '';
        for (const m of (sm.metrics as Doc[] | undefined) ?? []) {
          const type = (['sum', 'histogram', 'exponentialHistogram'] as const).find((k) => m[k] !== undefined);
          if (!type) continue;
          const data = m[type] as Doc;
          for (const dp of (data.dataPoints as Doc[] | undefined) ?? []) {
            const pos = (dp.positive as Doc | undefined) ?? {};
            out.push({
              metric: m.name as string, unit: (m.unit as string | undefined) ?? '', type, temporality: num(data.aggregationTemporality),
              attributes: attrs(dp.attributes), resource, scope,
              start: BigInt((dp.startTimeUnixNano as string | undefined) ?? 0), time: BigInt((dp.timeUnixNano as string | undefined) ?? 0),
              value: num(dp.asInt ?? dp.asDouble), count: num(dp.count), sum: num(dp.sum),
              bucketCounts: nums(dp.bucketCounts), explicitBounds: nums(dp.explicitBounds), scale: num(dp.scale), zeroCount: num(dp.zeroCount),
              positive: { offset: num(pos.offset), bucketCounts: nums(pos.bucketCounts) },
              exemplars: ((dp.exemplars as Doc[] | undefined) ?? []).map((e) => ({ traceId: idHex(e.traceId), spanId: idHex(e.spanId), value: num(e.asDouble ?? e.asInt) })),
            });
          }
        }
      }
    }
  }
  return out;
}

/** The last point of each series (cumulative: the running totals). */
export function latest(points: Point[]): Map<string, Point> {
  const out = new Map<string, Point>();
  for (const p of points) {
    const prev = out.get(seriesKey(p));
    if (!prev || p.time >= prev.time) out.set(seriesKey(p), p);
  }
  return out;
}

/** Exponential buckets at a lower scale: each index halves `by` times. */
function downscale(b: { offset: number; bucketCounts: number[] }, by: number): Map<number, number> {
  const m = new Map<number, number>();
  b.bucketCounts.forEach((c, i) => { if (c !== 0) { const j = (b.offset + i) >> by; m.set(j, (m.get(j) ?? 0) + c); } });
  return m;
}

/** What a series adds up to over every point (delta), with exponential buckets merged at `scale`. */
export interface Total { count: number; bucketCounts: number[]; zeroCount: number; buckets: Map<number, number> }

/** Sums delta points per series; exponential buckets are merged at `scaleOf(key)` (the lowest scale either side used). */
export function totals(points: Point[], scaleOf: (key: string) => number): Map<string, Total> {
  const out = new Map<string, Total>();
  for (const p of points) {
    const key = seriesKey(p);
    let t = out.get(key);
    if (!t) { t = { count: 0, bucketCounts: [], zeroCount: 0, buckets: new Map() }; out.set(key, t); }
    t.count += p.type === 'sum' ? p.value : p.count;
    p.bucketCounts.forEach((c, i) => { t.bucketCounts[i] = (t.bucketCounts[i] ?? 0) + c; });
    t.zeroCount += p.zeroCount;
    if (p.type === 'exponentialHistogram') {
      for (const [i, c] of downscale(p.positive, p.scale - scaleOf(key))) t.buckets.set(i, (t.buckets.get(i) ?? 0) + c);
    }
  }
  return out;
}

/** The lowest scale of each exponential series in some point lists. */
export function minScales(...lists: Point[][]): Map<string, number> {
  const out = new Map<string, number>();
  for (const list of lists) {
    for (const p of list) {
      if (p.type !== 'exponentialHistogram' || p.count === p.zeroCount) continue;
      const k = seriesKey(p);
      out.set(k, Math.min(out.get(k) ?? p.scale, p.scale));
    }
  }
  return out;
}
