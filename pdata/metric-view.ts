/** A per-data-point view of a metrics request, read straight from the protobuf bytes. */
import { canonicalAttributes, type Attributes } from './any-value.js';
import { forEachScope, type Envelope } from './envelope.js';
import { readPoint, type Mutable, type PointFields } from './metric-point.js';
import type { Payload } from './payload.js';
import { hash64, seriesKeyFrom } from './series.js';
import { eachField, Reader, utf8 } from './wire.js';

export type { ExemplarView, PointFields } from './metric-point.js';

/** The five OTLP metric types, named as in the proto. */
export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

/** AggregationTemporality: unspecified for gauges and summaries. */
export type Temporality = 'unspecified' | 'delta' | 'cumulative';

/** One data point with everything it inherits (resource, scope, metric) and its series id. */
export interface DataPointView extends Envelope, PointFields {
  readonly metricName: string;
  readonly description: string;
  readonly unit: string;
  readonly type: MetricType;
  readonly temporality: Temporality;
  /** Sums only; false for the other types. */
  readonly monotonic: boolean;
  /** seriesId(metricName, resource, attributes). */
  readonly seriesId: string;
}

const TYPES: Record<number, MetricType> = { 5: 'gauge', 7: 'sum', 9: 'histogram', 10: 'exponential_histogram', 11: 'summary' };
const TEMPORALITIES: readonly Temporality[] = ['unspecified', 'delta', 'cumulative'];

/** Calls `fn` for every data point of a metrics payload, in order. */
export function forEachDataPoint(payload: Payload, fn: (point: DataPointView) => void): void {
  if (payload.signal !== 'metrics') return;
  let lastResource: Attributes | undefined;
  let resourceCanonical = '';
  forEachScope(payload, (env, b, start, end) => {
    if (env.resource !== lastResource) { lastResource = env.resource; resourceCanonical = canonicalAttributes(env.resource); }
    eachField(b, start, end, 2, (ms, me) => metric(env, resourceCanonical, b, ms, me, fn));
  });
}

function metric(env: Envelope, resourceCanonical: string, b: Uint8Array, start: number, end: number, fn: (point: DataPointView) => void): void {
  let metricName = '';
  let description = '';
  let unit = '';
  let dataNo = 0;
  let dataStart = 0;
  let dataEnd = 0;
  const r = new Reader(b, start, end);
  while (r.pos < end) {
    const tag = r.uint32();
    const no = tag >>> 3;
    if ((tag & 7) !== 2 || !(no <= 3 || TYPES[no])) { r.skip(tag & 7); continue; }
    const n = r.length();
    if (no === 1) metricName = utf8(b, r.pos, r.pos + n);
    else if (no === 2) description = utf8(b, r.pos, r.pos + n);
    else if (no === 3) unit = utf8(b, r.pos, r.pos + n);
    else { dataNo = no; dataStart = r.pos; dataEnd = r.pos + n; }
    r.pos += n;
  }
  const type = TYPES[dataNo];
  if (type === undefined) return;
  let temporality: Temporality = 'unspecified';
  let monotonic = false;
  const d = new Reader(b, dataStart, dataEnd);
  while (d.pos < dataEnd) {
    const tag = d.uint32();
    if (tag === 0x10) { d.varint64(); temporality = TEMPORALITIES[d.lo] ?? 'unspecified'; }
    else if (tag === 0x18 && dataNo === 7) { d.varint64(); monotonic = d.lo !== 0 || d.hi !== 0; }
    else d.skip(tag & 7);
  }
  eachField(b, dataStart, dataEnd, 1, (ps, pe) => {
    // every field written out, not spread: a spread leaves V8 a slow object shape
    const p: Mutable<DataPointView> = {
      resource: env.resource, serviceName: env.serviceName, scopeName: env.scopeName, scopeVersion: env.scopeVersion,
      metricName, description, unit, type, temporality, monotonic, attributes: {}, startTimeUnixNano: 0n, timeUnixNano: 0n,
      value: undefined, count: undefined, sum: undefined, min: undefined, max: undefined, bucketCounts: undefined, explicitBounds: undefined,
      scale: undefined, zeroCount: undefined, zeroThreshold: undefined, positive: undefined, negative: undefined, quantiles: undefined,
      exemplars: [], flags: 0, seriesId: '',
    };
    readPoint(dataNo, b, ps, pe, p);
    p.seriesId = hash64(seriesKeyFrom(metricName, resourceCanonical, p.attributes));
    fn(p);
  });
}
