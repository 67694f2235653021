/**
 * The windows of each service as vectors, for the isolation forest over a service's features (the
 * issue's "feature vector of a service"): red_indicators writes a service-level point per window
 * (`vigil.rollup`) for latency p95, throughput and error rate, all three in the same request; the
 * service's CPU and memory come as other metrics on their own schedule and join the vector as of
 * the window's end (service-extras.ts).
 *
 * A service's model is made at its first complete window, with the extra features the service had
 * by then; a later window missing one of them takes the model's last value of it. Points of one
 * service reach one worker only when the stage log is keyed by service (`partition_by:
 * service.name`); keyed by series, the three RED points are in different records and no window is
 * complete (nothing is scored, nothing is wrong).
 */
import { canonicalAttributes, type Attributes } from '../../pdata/any-value.js';
import type { DataPointView } from '../../pdata/index.js';
import { ROLLUP_ATTRIBUTE } from '../red-indicators/contribution.js';
import type { Verdict } from './series-model.js';
import { MAX_POINTS, ServiceExtras, type SavedExtras } from './service-extras.js';
import { VectorModel, type VectorOptions, type VectorState } from './vector-model.js';

/** The RED features of a service's window, in vector order. */
export const RED_FEATURES: readonly string[] = ['vigil.red.latency.p95', 'vigil.red.throughput', 'vigil.red.error_rate'];
/** `vigil.metric` of the vector's score points and `metric.name` of its events. */
export const VECTOR_METRIC = 'vigil.red';

/** A service's model with what its score points and checkpoint name. */
export interface TrackedVector {
  readonly resource: Attributes;
  readonly attributes: Attributes;
  readonly model: VectorModel;
  /** Its score points' encoded attributes (made at its first score, as a series'). */
  scoreAttributes?: string;
}

/** A saved vector model (the checkpoint's field `s:vector|<key>`). */
export interface SavedVector {
  readonly resource: Attributes;
  readonly attributes: Attributes;
  readonly vector: VectorState;
}

/** A scored window: its service, the p95 point (resource, time, slowest spans), the vector's values by feature and the verdict. */
export interface ScoredWindow {
  readonly key: string;
  readonly tracked: TrackedVector;
  readonly point: DataPointView;
  readonly others: readonly DataPointView[];
  readonly features: Readonly<Record<string, number>>;
  readonly verdict: Verdict;
}

const RED = new Set(RED_FEATURES);
/** A service model's id among the series ids of the checkpoint (series ids are hex hashes). */
const FIELD_PREFIX = 'vector|';

/** One partition's service vectors: noted point by point during a request, scored at its end. */
export class ServiceVectors {
  readonly models = new Map<string, TrackedVector>();
  /** The service.name of every model: their extras keep more points (service-extras.ts). */
  private readonly scored = new Set<string>();
  private readonly extras: ServiceExtras;
  /** This request's service-level RED points, per window (resource, attributes, time), per metric. */
  private windows = new Map<string, Map<string, DataPointView>>();

  /**
   * `room`: whether another model fits (max_series); `changed`: told the checkpoint id of what a
   * point or a scored window changed besides the models scored.
   */
  constructor(
    private readonly o: VectorOptions,
    private readonly extraMetrics: readonly string[],
    maxSeries: number,
    private readonly room: () => boolean,
    private readonly changed: (id: string) => void,
  ) {
    this.extras = new ServiceExtras(new Set(extraMetrics), maxSeries);
  }

  /** The id of a service's model among the series of the checkpoint. */
  static fieldId(key: string): string {
    return FIELD_PREFIX + key;
  }

  /** Reloads a saved model or a service's extras. */
  load(id: string, saved: SavedVector | SavedExtras): void {
    if ('extras' in saved) return this.extras.load(id, saved);
    const key = id.slice(FIELD_PREFIX.length);
    this.noteScored(saved.resource);
    this.models.set(key, { resource: saved.resource, attributes: saved.attributes, model: new VectorModel(this.o, key, saved.vector.features, saved.vector) });
  }

  /** What the checkpoint keeps of the model or extras with id `id`; undefined when the id is none of these. */
  saved(id: string): SavedVector | SavedExtras | undefined {
    if (ServiceExtras.isFieldId(id)) return this.extras.saved(id);
    const t = id.startsWith(FIELD_PREFIX) ? this.models.get(id.slice(FIELD_PREFIX.length)) : undefined;
    return t && { resource: t.resource, attributes: t.attributes, vector: t.model.save() };
  }

  /** Notes that the service of `resource` has a model. */
  private noteScored(resource: Attributes): void {
    const service = resource['service.name'];
    if (typeof service === 'string') this.scored.add(service);
  }

  /** Notes a point of the request being scored; true when an extra metric's point was kept (learnt: to checkpoint). */
  note(p: DataPointView): boolean {
    const value = p.value;
    if (value === undefined || !Number.isFinite(value)) return false;
    if (RED.has(p.metricName)) {
      if (!(ROLLUP_ATTRIBUTE in p.attributes)) return false;
      const window = `${canonicalAttributes(p.resource)}|${canonicalAttributes(p.attributes)}|${p.timeUnixNano}`;
      let points = this.windows.get(window);
      if (!points) this.windows.set(window, (points = new Map<string, DataPointView>()));
      points.set(p.metricName, p);
    } else if (this.extras.has(p.metricName)) {
      const service = p.resource['service.name'];
      if (typeof service !== 'string') return false;
      const id = this.extras.note(service, p.metricName, p.seriesId, msOf(p), value, this.scored.has(service) ? MAX_POINTS.scored : MAX_POINTS.other);
      if (id === undefined) return false;
      this.changed(id);
      return true;
    }
    return false;
  }

  /** Scores the request's complete windows, in the order they came, and forgets the request. */
  score(): ScoredWindow[] {
    const out: ScoredWindow[] = [];
    const windows = this.windows;
    this.windows = new Map();
    /** Per service: the latest window end scored, before which its extras are forgotten. */
    const ends = new Map<string, number>();
    for (const points of windows.values()) {
      const p95 = points.get(RED_FEATURES[0]!);
      if (!p95 || points.size < RED_FEATURES.length) continue;
      const key = `${canonicalAttributes(p95.resource)}|${canonicalAttributes(p95.attributes)}`;
      const service = p95.resource['service.name'];
      const end = msOf(p95);
      const extra = (metric: string): number | undefined => (typeof service === 'string' ? this.extras.asOf(service, metric, end) : undefined);
      let tracked = this.models.get(key);
      if (!tracked) {
        if (!this.room()) continue;
        const features = [...RED_FEATURES, ...this.extraMetrics.filter((m) => extra(m) !== undefined)];
        tracked = { resource: p95.resource, attributes: p95.attributes, model: new VectorModel(this.o, key, features) };
        this.models.set(key, tracked);
        this.noteScored(p95.resource);
      }
      const model = tracked.model;
      const v = new Float64Array(model.features.length);
      const features: Record<string, number> = {};
      model.features.forEach((name, i) => {
        v[i] = points.get(name)?.value ?? extra(name) ?? model.last[i]!;
        features[name] = v[i]!;
      });
      if (v.some((x) => !Number.isFinite(x))) continue; // an extra never seen since a reload
      const others = RED_FEATURES.slice(1).map((m) => points.get(m)!);
      out.push({ key, tracked, point: p95, others, features, verdict: model.observe(v, end) });
      if (typeof service === 'string') ends.set(service, Math.max(end, ends.get(service) ?? end));
    }
    for (const [service, end] of ends) {
      const id = this.extras.passed(service, end);
      if (id !== undefined) this.changed(id);
    }
    return out;
  }
}

/** A point's event time in ms. */
const msOf = (p: DataPointView): number => Number(p.timeUnixNano / 1_000_000n);
