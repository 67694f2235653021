/**
 * Writes the `vigil.anomaly.score` gauges of one consume straight to protobuf: the same bytes as
 * pdata's MetricsBuilder would write (score-writer.test.ts compares them), without its per-point
 * costs. A series' point attributes (its own, `vigil.detector`, `vigil.metric`) are encoded once,
 * when the series is first scored, kept as a latin1 string (one byte a character: a string costs
 * far less memory than a typed array of its own, and there are as many as series), and copied
 * into every score point; a resource's group is
 * found by the resource object the point view shares with its neighbours, its canonical text
 * computed once per object.
 */
import { canonicalAttributes, type Attributes } from '../../pdata/any-value.js';
import { fixed64, string, writeAttributes } from '../../pdata/build-common.js';
import type { DataPointView } from '../../pdata/index.js';
import { Payload } from '../../pdata/payload.js';
import { Writer } from '../../pdata/wire.js';
import { SCOPE, SCORE_METRIC } from './output.js';

/** One score point: its series' encoded attributes (KeyValues in field 7), times and score. */
interface ScorePoint {
  readonly attributes: string;
  readonly start: bigint;
  readonly time: bigint;
  readonly value: number;
}

/** Score points of one resource, in arrival order. */
interface ResourceGroup {
  readonly resource: Attributes;
  readonly points: ScorePoint[];
  /** Bytes of the points' attributes, to size the writer. */
  attributeBytes: number;
}

/** The score point attributes of `p`'s series (or of the vector `metric`) as NumberDataPoint KeyValues (field 7), bytes as a latin1 string, written once per series. */
export function scoreAttributes(p: DataPointView, detector: string, metric = p.metricName): string {
  const w = new Writer(64);
  writeAttributes(w, 7, { ...p.attributes, 'vigil.detector': detector, 'vigil.metric': metric });
  return w.buf.toString('latin1', 0, w.pos);
}

/** Collects the score points of one request and writes them as one metrics Payload. */
export class ScoreWriter {
  private readonly groups = new Map<string, ResourceGroup>();
  private lastResource: Attributes | undefined;
  private lastGroup: ResourceGroup | undefined;
  private count = 0;

  /** Adds the score of point `p` of a series whose encoded attributes are `attributes`. */
  add(p: DataPointView, attributes: string, score: number): void {
    let g = this.lastGroup;
    if (p.resource !== this.lastResource || g === undefined) {
      // Groups by attribute value, as MetricsBuilder does: two equal resources are one group.
      const key = canonicalAttributes(p.resource);
      g = this.groups.get(key);
      if (!g) { g = { resource: p.resource, points: [], attributeBytes: 0 }; this.groups.set(key, g); }
      this.lastResource = p.resource;
      this.lastGroup = g;
    }
    g.points.push({ attributes, start: p.startTimeUnixNano, time: p.timeUnixNano, value: score });
    g.attributeBytes += attributes.length;
    this.count++;
  }

  /** The request (ResourceMetrics → ScopeMetrics → the gauge) as a metrics Payload; null when no point was added. */
  build(): Payload | null {
    if (this.count === 0) return null;
    let size = 256;
    for (const g of this.groups.values()) size += g.attributeBytes + g.points.length * 40;
    const w = new Writer(size);
    for (const g of this.groups.values()) {
      w.tag(1, 2);
      const rm = w.beginLength();
      w.tag(1, 2);
      const res = w.beginLength();
      writeAttributes(w, 1, g.resource);
      w.endLength(res);
      w.tag(2, 2);
      const sm = w.beginLength();
      w.tag(1, 2);
      const scope = w.beginLength();
      string(w, 1, SCOPE.name);
      string(w, 2, SCOPE.version);
      w.endLength(scope);
      w.tag(2, 2);
      const metric = w.beginLength();
      string(w, 1, SCORE_METRIC);
      string(w, 3, '1');
      w.tag(5, 2);
      const gauge = w.beginLength();
      for (const p of g.points) writePoint(w, p);
      w.endLength(gauge);
      w.endLength(metric);
      w.endLength(sm);
      w.endLength(rm);
    }
    return new Payload('metrics', w.finish(), this.count);
  }
}

/** A NumberDataPoint in field 1 of the gauge, fields in MetricsBuilder's order. */
function writePoint(w: Writer, p: ScorePoint): void {
  w.tag(1, 2);
  const at = w.beginLength();
  const n = p.attributes.length;
  w.ensure(n);
  w.pos += w.buf.write(p.attributes, w.pos, n, 'latin1');
  if (p.start) fixed64(w, 2, p.start);
  fixed64(w, 3, p.time);
  w.tag(4, 1);
  w.double(p.value);
  w.endLength(at);
}
