/**
 * The windows of each service as vectors, for the isolation forest over a service's features (the
 * issue's "feature vector of a service"): red_indicators writes a service-level point per window
 * (`vigil.rollup`) for latency p95, throughput and error rate, all three in the same request; the
 * service's CPU and memory come as other metrics on their own schedule, so the latest value of each
 * (summed over its points of one time: per-CPU or per-state breakdowns) joins the vector.
 *
 * A service's model is made at its first complete window, with the extra features the service had
 * sent by then; a later window missing one of them takes the model's last value of it. Points of one
 * service reach one worker only when the stage log is keyed by service (`partition_by:
 * service.name`); keyed by series, the three RED points are in different records and no window is
 * complete (nothing is scored, nothing is wrong).
 */
import { canonicalAttributes, type Attributes } from '../../pdata/any-value.js';
import type { DataPointView } from '../../pdata/index.js';
import { ROLLUP_ATTRIBUTE } from '../red-indicators/contribution.js';
import type { Verdict } from './series-model.js';
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
  /** Per service.name, per extra metric: the latest time and the sum of its points at that time. */
  private readonly latest = new Map<string, Map<string, { time: bigint; sum: number }>>();
  /** This request's service-level RED points, per window (resource, attributes, time), per metric. */
  private windows = new Map<string, Map<string, DataPointView>>();
  private readonly extras: ReadonlySet<string>;

  constructor(private readonly o: VectorOptions, private readonly extraMetrics: readonly string[], private readonly room: () => boolean) {
    this.extras = new Set(extraMetrics);
  }

  /** The id of a service's model among the series of the checkpoint. */
  static fieldId(key: string): string {
    return FIELD_PREFIX + key;
  }

  /** Reloads a saved model. */
  load(id: string, saved: SavedVector): void {
    const key = id.slice(FIELD_PREFIX.length);
    this.models.set(key, { resource: saved.resource, attributes: saved.attributes, model: new VectorModel(this.o, key, saved.vector.features, saved.vector) });
  }

  /** What the checkpoint keeps of the model with id `id`; undefined when the id is not one of these models'. */
  saved(id: string): SavedVector | undefined {
    const t = id.startsWith(FIELD_PREFIX) ? this.models.get(id.slice(FIELD_PREFIX.length)) : undefined;
    return t && { resource: t.resource, attributes: t.attributes, vector: t.model.save() };
  }

  /** Notes a point of the request being scored. */
  note(p: DataPointView): void {
    const value = p.value;
    if (value === undefined || !Number.isFinite(value)) return;
    if (RED.has(p.metricName)) {
      if (!(ROLLUP_ATTRIBUTE in p.attributes)) return;
      const window = `${canonicalAttributes(p.resource)}|${canonicalAttributes(p.attributes)}|${p.timeUnixNano}`;
      let points = this.windows.get(window);
      if (!points) this.windows.set(window, (points = new Map<string, DataPointView>()));
      points.set(p.metricName, p);
    } else if (this.extras.has(p.metricName)) {
      const service = p.resource['service.name'];
      if (typeof service !== 'string') return;
      let metrics = this.latest.get(service);
      if (!metrics) this.latest.set(service, (metrics = new Map<string, { time: bigint; sum: number }>()));
      const had = metrics.get(p.metricName);
      if (!had || p.timeUnixNano > had.time) metrics.set(p.metricName, { time: p.timeUnixNano, sum: value });
      else if (p.timeUnixNano === had.time) had.sum += value;
    }
  }

  /** Scores the request's complete windows, in the order they came, and forgets the request. */
  score(): ScoredWindow[] {
    const out: ScoredWindow[] = [];
    const windows = this.windows;
    this.windows = new Map();
    for (const points of windows.values()) {
      const p95 = points.get(RED_FEATURES[0]!);
      if (!p95 || points.size < RED_FEATURES.length) continue;
      const key = `${canonicalAttributes(p95.resource)}|${canonicalAttributes(p95.attributes)}`;
      const service = p95.resource['service.name'];
      const latest = typeof service === 'string' ? this.latest.get(service) : undefined;
      let tracked = this.models.get(key);
      if (!tracked) {
        if (!this.room()) continue;
        const features = [...RED_FEATURES, ...this.extraMetrics.filter((m) => latest?.has(m))];
        tracked = { resource: p95.resource, attributes: p95.attributes, model: new VectorModel(this.o, key, features) };
        this.models.set(key, tracked);
      }
      const model = tracked.model;
      const v = new Float64Array(model.features.length);
      const features: Record<string, number> = {};
      model.features.forEach((name, i) => {
        v[i] = points.get(name)?.value ?? latest?.get(name)?.sum ?? model.last[i]!;
        features[name] = v[i]!;
      });
      if (v.some((x) => !Number.isFinite(x))) continue; // an extra never seen since a reload
      const others = RED_FEATURES.slice(1).map((m) => points.get(m)!);
      out.push({ key, tracked, point: p95, others, features, verdict: model.observe(v, Number(p95.timeUnixNano / 1_000_000n)) });
    }
    return out;
  }
}
