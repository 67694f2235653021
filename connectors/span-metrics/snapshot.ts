/**
 * An Aggregator's whole state as JSON and back: the checkpoint span_metrics keeps per stage-log
 * partition in Kafka mode, so a restarted or new owner continues the same cumulative series (same
 * start time, same counts) instead of starting them at zero. Attributes travel as OTLP bytes so
 * that bigints and byte arrays come back as they were.
 */
import { attributesFromBytes, attributesToBytes } from '../../pdata/index.js';
import type { Aggregator, ResourceMetrics } from './aggregator.js';
import type { Config } from './config.js';
import type { ExponentialDump } from './expo-histogram.js';
import { ExponentialHistogram } from './expo-histogram.js';
import type { TimestampCache } from './flush.js';
import type { Exemplar, SeriesBase, SeriesTable } from './series-table.js';
import type { HistogramSeries, SumSeries } from './series.js';

/** One series: key, attributes (base64 OTLP), start (ns), last seen (ms), exemplars, and its aggregate. */
interface SeriesDump {
  k: string;
  a: string;
  st: string;
  ls: number;
  x?: Array<[traceId: string, spanId: string, value: number]>;
  /** Sums: count and whether it was reported yet. */
  c?: number;
  f?: boolean;
  /** Explicit histograms: bucket counts and sum (count in `c`). */
  b?: number[];
  s?: number;
  /** Exponential histograms. */
  e?: ExponentialDump;
}

interface ResourceDump {
  k: string;
  a: string;
  ls: number;
  sums: SeriesDump[];
  hist?: SeriesDump[];
  events: SeriesDump[];
}

/** The checkpoint document. `shape` guards against restoring into a differently shaped aggregate. */
interface AggregatorDump {
  v: 1;
  shape: string;
  lru: ResourceDump[];
  evicted: ResourceDump[];
  ts?: Array<[string, string]>;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/** What must match for a checkpoint to be restored: the histogram's kind and bounds, and the temporality. */
export function shapeOf(config: Config): string {
  return JSON.stringify([config.aggregation_temporality, config.histogram]);
}

/** The aggregator (and the delta timestamps, if any) as one JSON text. */
export function snapshot(agg: Aggregator, timestamps: TimestampCache | undefined): string {
  const { lru, evicted } = agg.resources.parts();
  const doc: AggregatorDump = {
    v: 1, shape: shapeOf(agg.config), lru: lru.map(dumpResource), evicted: evicted.map(dumpResource),
    ...(timestamps ? { ts: timestamps.entries().map(([k, t]): [string, string] => [k, t.toString()]) } : {}),
  };
  return JSON.stringify(doc);
}

/**
 * Replaces the aggregator's state with the checkpoint `text`. False (and the state left empty)
 * when the checkpoint was made for another histogram or temporality: the counts could not continue.
 */
export function restore(agg: Aggregator, timestamps: TimestampCache | undefined, text: string): boolean {
  const doc = JSON.parse(text) as AggregatorDump;
  if (doc.v !== 1 || doc.shape !== shapeOf(agg.config)) return false;
  const back = (r: ResourceDump): [string, ResourceMetrics] => [r.k, restoreResource(agg, r)];
  agg.resources.restore(doc.lru.map(back), doc.evicted.map(back));
  if (timestamps && doc.ts) for (const [k, t] of doc.ts) timestamps.set(k, BigInt(t));
  return true;
}

function dumpResource([k, rm]: [string, ResourceMetrics]): ResourceDump {
  return {
    k, a: b64(attributesToBytes(rm.attributes)), ls: rm.lastSeenMs,
    sums: dumpTable(rm.sums, dumpSum), events: dumpTable(rm.events, dumpSum),
    ...(rm.histograms ? { hist: dumpTable(rm.histograms, dumpHistogram) } : {}),
  };
}

function dumpTable<S extends SeriesBase>(table: SeriesTable<S>, aggregate: (s: S) => Partial<SeriesDump>): SeriesDump[] {
  return [...table.series].map(([k, s]) => ({
    k, a: b64(attributesToBytes(s.attributes)), st: s.startTimeUnixNano.toString(), ls: s.lastSeenMs,
    ...(s.exemplars.length > 0 ? { x: s.exemplars.map((e): [string, string, number] => [Buffer.from(e.traceId).toString('hex'), Buffer.from(e.spanId).toString('hex'), e.value]) } : {}),
    ...aggregate(s),
  }));
}

const dumpSum = (s: SumSeries): Partial<SeriesDump> => ({ c: s.count, f: s.isFirst });

function dumpHistogram(h: HistogramSeries): Partial<SeriesDump> {
  return h.kind === 'explicit' ? { c: h.count, s: h.sum, b: h.bucketCounts } : { e: h.histogram.dump() };
}

function restoreResource(agg: Aggregator, r: ResourceDump): ResourceMetrics {
  const rm = agg.emptyResource(attributesFromBytes(unb64(r.a)), r.ls);
  restoreTable(rm.sums, r.sums, (s: SumSeries, d) => { s.count = d.c ?? 0; s.isFirst = d.f ?? false; });
  restoreTable(rm.events, r.events, (s: SumSeries, d) => { s.count = d.c ?? 0; s.isFirst = d.f ?? false; });
  if (rm.histograms && r.hist) {
    restoreTable(rm.histograms, r.hist, (h: HistogramSeries, d) => {
      if (h.kind === 'explicit') {
        h.count = d.c ?? 0;
        h.sum = d.s ?? 0;
        (d.b ?? []).forEach((c, i) => { h.bucketCounts[i] = c; });
      } else if (d.e) {
        // The histogram object is replaced whole: its max size comes from the (unchanged) config.
        h.histogram = ExponentialHistogram.restore(h.histogram.maxBuckets, d.e);
      }
    });
  }
  return rm;
}

function restoreTable<S extends SeriesBase>(table: SeriesTable<S>, series: readonly SeriesDump[], aggregate: (s: S, d: SeriesDump) => void): void {
  for (const d of series) {
    const s = table.restore(d.k, attributesFromBytes(unb64(d.a)), BigInt(d.st), d.ls);
    if (d.x) s.exemplars = d.x.map(([t, sp, value]): Exemplar => ({ traceId: new Uint8Array(Buffer.from(t, 'hex')), spanId: new Uint8Array(Buffer.from(sp, 'hex')), value }));
    aggregate(s, d);
  }
}
