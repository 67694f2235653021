/**
 * Semantic comparison of OTLP/JSON documents for fidelity tests: 64-bit numbers may be strings or
 * numbers, default values may be present or omitted (proto3 JSON allows both), everything else
 * must be equal.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Numbers and numeric strings become strings; defaults (0, "", false, empty) are removed. */
export function normalize(value: unknown): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return value === 0 ? undefined : String(value);
  if (typeof value === 'bigint') return value === 0n ? undefined : String(value);
  if (typeof value === 'string') {
    if (value === '' || value === '0') return undefined;
    return value;
  }
  if (typeof value === 'boolean') return value ? true : undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => normalize(v) ?? null);
    return items.length === 0 ? undefined : items;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  const out: Record<string, Json> = {};
  for (const key of Object.keys(value).sort()) {
    const v = normalize((value as Record<string, unknown>)[key]);
    if (v !== undefined) out[key] = v;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** One item (span, metric, log record) with the resource and scope it came with. */
export interface FlatItem {
  key: string;
  value: Json | undefined;
}

type Doc = Record<string, unknown>;

const LAYOUT = {
  traces: ['resourceSpans', 'scopeSpans', 'spans'],
  metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'],
  logs: ['resourceLogs', 'scopeLogs', 'logRecords'],
} as const;

/**
 * Flattens export requests into items, each carrying its resource and scope (so a batch that
 * merged requests compares equal to the requests). `keyOf` names an item for lookup.
 */
export function flatten(signal: keyof typeof LAYOUT, docs: Doc[], keyOf: (item: Doc) => string): FlatItem[] {
  const [rKey, sKey, iKey] = LAYOUT[signal];
  const out: FlatItem[] = [];
  for (const doc of docs) {
    for (const r of (doc[rKey] as Doc[] | undefined) ?? []) {
      for (const s of (r[sKey] as Doc[] | undefined) ?? []) {
        for (const item of (s[iKey] as Doc[] | undefined) ?? []) {
          out.push({
            key: keyOf(item),
            value: normalize({
              resource: r.resource, resourceSchemaUrl: r.schemaUrl, scope: s.scope, scopeSchemaUrl: s.schemaUrl, item,
            }),
          });
        }
      }
    }
  }
  return out;
}

const METRIC_DATA = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

/**
 * Flattens metrics requests into data points, each carrying its metric (name, unit, type,
 * temporality), resource and scope: the unit that survives re-partitioning, since a pipeline keyed
 * by series may deliver one metric's points in several requests.
 */
export function flattenPoints(docs: Doc[]): FlatItem[] {
  return flatten('metrics', docs, () => '').flatMap(({ value }) => {
    const { item, ...envelope } = value as { item: Doc };
    const kind = METRIC_DATA.find((k) => item[k] !== undefined);
    if (!kind) return [];
    const { dataPoints, ...data } = item[kind] as Doc & { dataPoints?: Doc[] };
    return (dataPoints ?? []).map((point) => ({
      key: String(item.name),
      value: normalize({ ...envelope, metric: { ...item, [kind]: { ...data, point } } }),
    }));
  });
}
