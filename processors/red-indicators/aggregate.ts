/**
 * The partition's RED aggregate: points of the calls and duration metrics into open windows per
 * service + operation (+ dimensions), with the last point of each cumulative series. It tracks
 * which state fields changed since the last checkpoint.
 */
import type { PartitionClock } from '../../pipeline/event-time/clock.js';
import { canonicalAttributes, forEachDataPoint, hash64, type Attributes, type DataPointView, type Payload } from '../../pdata/index.js';
import type { Config } from './config.js';
import { isEmpty, sampleOf, step, type LastPoint, type Sample } from './cumulative.js';
import { merge } from './distribution.js';
import { keepExemplars } from './exemplars.js';
import { seriesField, windowField, type OpenWindow } from './state.js';

const MS = 1_000_000n;
const ERROR = 'STATUS_CODE_ERROR';
/** Milliseconds per unit of the duration metric (UCUM units span_metrics and SDKs use). */
const MS_PER_UNIT: Readonly<Record<string, number>> = { ms: 1, s: 1000, us: 0.001, ns: 0.000001, min: 60_000 };

/** What one payload changed. */
export interface Added {
  /** Fields of the windows it fed. */
  readonly touched: Set<string>;
  /** Whether any window or series changed (then its record waits for a checkpoint). */
  readonly changed: boolean;
}

/** Open windows and last cumulative points of one partition. */
export class Aggregator {
  /** Open windows by state field. */
  readonly windows = new Map<string, OpenWindow>();
  /** Last cumulative points by state field. */
  readonly series = new Map<string, LastPoint>();
  private dirty = new Set<string>();
  private removed = new Set<string>();
  private warned = new Set<string>();

  constructor(private readonly config: Config, private readonly clock: PartitionClock, private readonly warn: (what: object) => void) {}

  /** Takes over reloaded state. */
  restore(windows: Map<string, OpenWindow>, series: Map<string, LastPoint>): void {
    for (const [k, v] of windows) this.windows.set(k, v);
    for (const [k, v] of series) this.series.set(k, v);
  }

  /** Adds every calls and duration point of the payload. */
  add(payload: Payload): Added {
    const touched = new Set<string>();
    let changed = false;
    forEachDataPoint(payload, (p) => {
      const r = this.point(p);
      if (r.changed) changed = true;
      if (r.window !== undefined) touched.add(r.window);
    });
    return { touched, changed };
  }

  private point(p: DataPointView): { changed: boolean; window?: string } {
    const calls = p.metricName === this.config.calls_metric;
    if (!calls && p.metricName !== this.config.duration_metric) return { changed: false };
    const sample = sampleOf(p);
    if (sample === undefined || (typeof sample === 'number') !== calls) return { changed: false };
    const attributes = this.groupOf(p);
    if (attributes === undefined) return { changed: false };
    const timeMs = Number(p.timeUnixNano / MS);
    let inc: Sample | undefined;
    let changed = false;
    if (p.temporality === 'delta') inc = sample;
    else if (p.temporality === 'cumulative') {
      const field = seriesField(p.seriesId);
      const prev = this.series.get(field);
      const s = step(sample, p.startTimeUnixNano, timeMs, prev, this.config.window);
      if (s.last !== prev && s.last !== undefined) { this.series.set(field, s.last); this.dirty.add(field); changed = true; }
      inc = s.increase;
    }
    if (inc === undefined || (!calls && isEmpty(inc))) return { changed };
    const startMs = timeMs - (timeMs % this.config.window);
    if (this.clock.isLate(startMs + this.config.window)) { this.warnOnce('late', { metric: p.metricName, timeMs }); return { changed }; }
    const field = windowField(hash64(canonicalAttributes(attributes)), startMs);
    let win = this.windows.get(field);
    if (!win) {
      win = { attributes, startMs, calls: 0, errors: 0, latency: undefined, msPerUnit: 1 };
      this.windows.set(field, win);
    }
    if (typeof inc === 'number') {
      win.calls += inc;
      if (p.attributes['status.code'] === ERROR) win.errors += inc;
    } else {
      keepExemplars(win, p);
      this.addLatency(win, p, inc);
    }
    this.dirty.add(field);
    return { changed: true, window: field };
  }

  private addLatency(win: OpenWindow, p: DataPointView, inc: Exclude<Sample, number>): void {
    if (win.latency === undefined) {
      win.latency = inc;
      win.msPerUnit = MS_PER_UNIT[p.unit] ?? 1;
    } else {
      const merged = merge(win.latency, inc);
      if (merged) win.latency = merged;
      else this.warnOnce('mismatch', { metric: p.metricName, reason: 'histograms of one operation have different bounds or kinds; later ones skipped in this window' });
    }
  }

  /** service.name, span.name and the dimensions (point attribute, else resource attribute). */
  private groupOf(p: DataPointView): Attributes | undefined {
    const service = p.attributes['service.name'] ?? p.resource['service.name'];
    if (typeof service !== 'string') return undefined;
    const out: Record<string, Attributes[string]> = { 'service.name': service, 'span.name': p.attributes['span.name'] ?? '' };
    for (const d of this.config.dimensions) {
      const v = p.attributes[d] ?? p.resource[d];
      if (v !== undefined) out[d] = v;
    }
    return out;
  }

  private warnOnce(kind: string, what: object): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.warn({ ...what, kind, msg: kind === 'late' ? 'points for an already emitted window dropped' : 'latency not merged' });
  }

  /** Fields of the windows ending at `endMs`. */
  endingAt(endMs: number): string[] {
    return [...this.windows].filter(([, w]) => w.startMs + this.config.window === endMs).map(([k]) => k);
  }

  /** Forgets an emitted window. */
  remove(field: string): void {
    if (!this.windows.delete(field)) return;
    this.dirty.delete(field);
    this.removed.add(field);
  }

  /** Forgets cumulative series whose last point is older than `beforeMs`. */
  expireSeries(beforeMs: number): void {
    for (const [field, last] of this.series) {
      if (last.timeMs >= beforeMs) continue;
      this.series.delete(field);
      this.dirty.delete(field);
      this.removed.add(field);
    }
  }

  /** The fields changed and removed since the last call. */
  takeChanges(): { dirty: Set<string>; removed: Set<string> } {
    const out = { dirty: this.dirty, removed: this.removed };
    this.dirty = new Set();
    this.removed = new Set();
    return out;
  }

  /** Puts back changes a failed checkpoint did not save. */
  restoreChanges(dirty: Set<string>, removed: Set<string>): void {
    for (const f of dirty) if (!this.removed.has(f)) this.dirty.add(f);
    for (const f of removed) if (!this.dirty.has(f)) this.removed.add(f);
  }
}
