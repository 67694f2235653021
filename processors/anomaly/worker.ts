/**
 * The anomaly processor's logic for one partition: a model per series, scored point by point in
 * offset order, outputs emitted before the delivery resolves, and models checkpointed on a
 * wall-clock timer and on revocation.
 *
 * Scores and events are emitted (and accepted downstream) before `consume` resolves. With a
 * durable state store each record that taught a model is also held until a checkpoint holds its
 * learning: after a crash Kafka delivers again exactly the records the reloaded models have not
 * learnt, so learning goes on as if uninterrupted (their scores are emitted again, the same).
 * Records at or below the checkpointed offset that come again pass through unscored.
 */
import type { Delivery, Hold } from '../../pipeline/delivery.js';
import { messageOf } from '../../pipeline/errors.js';
import type { Timer } from '../../pipeline/event-time/clock.js';
import type { Revocation } from '../../pipeline/stage-log.js';
import { canonicalAttributes, forEachDataPoint, LogsBuilder, mergePayloads, type DataPointView, type Payload } from '../../pdata/index.js';
import { checkpointEvery, decodeSeriesState, encodeSeries, OFFSET_FIELD, seriesField, type PartitionContext, type PartitionWorker } from '../processorhelper/index.js';
import { modelOptions, vectorOptions, type Config } from './config.js';
import { addEvent, type Contributor } from './output.js';
import type { SavedExtras } from './service-extras.js';
import { ServiceVectors, VECTOR_METRIC, type SavedVector } from './service-vectors.js';
import { ScoreWriter, scoreAttributes } from './score-writer.js';
import { SeriesModel, type ModelOptions, type Verdict } from './series-model.js';
import { coversRollup, membersOf, topContributor, type Candidate } from '../red-indicators/contribution.js';
import type { SavedSeries } from './state.js';

const MS = 1_000_000n;
/** red_indicators' calls gauge: the weight of an operation's contribution. */
const CALLS_METRIC = 'vigil.red.calls';

/** A tracked series: its identity (for the checkpoint), its model and its score points' encoded attributes (made at its first score). */
interface Tracked {
  readonly identity: Omit<SavedSeries, 'model'>;
  readonly model: SeriesModel;
  scoreAttributes?: string;
}

/** One partition's anomaly models. */
export class AnomalyWorker implements PartitionWorker {
  private readonly series = new Map<string, Tracked>();
  private readonly options: ModelOptions;
  private readonly metrics: ReadonlySet<string> | undefined;
  /** The detector name on score points: the one configured, or `combined`. */
  private readonly detectorLabel: string;
  private dirty = new Set<string>();
  /** Durable store: the holds of records whose learning the next checkpoint saves. */
  private pending: Hold[] = [];
  private applied: bigint | undefined;
  private appliedSaved: bigint | undefined;
  private checkpointTimer: Timer | undefined;
  private failing = false;
  private refusedSeries = false;
  /** The forests over services' windows (service-vectors.ts); they count against max_series. */
  private readonly vectors: ServiceVectors | undefined;

  private constructor(private readonly ctx: PartitionContext, private readonly config: Config) {
    this.options = modelOptions(config);
    this.metrics = config.metrics.length > 0 ? new Set(config.metrics) : undefined;
    this.detectorLabel = config.detectors.length === 1 ? config.detectors[0]! : 'combined';
    this.vectors = config.service_forest.enabled
      ? new ServiceVectors(vectorOptions(config), config.service_forest.extra_metrics, config.max_series, () => this.hasRoom(), (id) => this.dirty.add(id))
      : undefined;
  }

  /** Reloads the partition's models (or starts empty when the store is down) and schedules checkpoints. */
  static async open(ctx: PartitionContext, config: Config): Promise<AnomalyWorker> {
    const w = new AnomalyWorker(ctx, config);
    try {
      const { series, applied, skipped } = decodeSeriesState<SavedSeries | SavedVector | SavedExtras>(await ctx.state.load());
      for (const [id, s] of series) {
        if ('vector' in s || 'extras' in s) w.vectors?.load(id, s);
        else w.series.set(id, { identity: { metric: s.metric, resource: s.resource, attributes: s.attributes }, model: new SeriesModel(w.options, id, s.model) });
      }
      w.applied = w.appliedSaved = applied;
      if (series.size > 0 || skipped > 0) ctx.logger.info({ series: series.size, skipped, offset: applied?.toString() }, 'anomaly models reloaded');
    } catch (err) {
      ctx.logger.warn({ err: messageOf(err) }, 'anomaly models not reloaded; learning from scratch');
    }
    w.checkpointTimer = checkpointEvery(ctx, config.checkpoint_interval, () => w.checkpoint());
    return w;
  }

  /** The number of series this partition tracks. */
  get size(): number {
    return this.series.size + (this.vectors?.models.size ?? 0);
  }

  async consume(payload: Payload, delivery: Delivery): Promise<void> {
    if (delivery.durable && this.applied !== undefined && delivery.offset <= this.applied) {
      if (this.config.pass_through) await this.ctx.emit(payload);
      return;
    }
    const scores = new ScoreWriter();
    const events = new LogsBuilder();
    let learnt = false;
    // Every point scored, and the calls of each RED window noted, in one pass over the request (a
    // pass costs each point's view and series id); events once the whole request is scored, so
    // that an event on a service-level series can name its top operation (contribution.ts).
    const calls = new Map<string, number>();
    const scored: Array<{ point: DataPointView; expected: number | undefined }> = [];
    const raised: Array<{ p: DataPointView; v: Verdict }> = [];
    forEachDataPoint(payload, (p) => {
      if (p.metricName === CALLS_METRIC && p.value !== undefined) calls.set(groupKey(p), p.value);
      if (this.vectors?.note(p)) learnt = true;
      const v = this.score(p, scores);
      if (!v) return;
      learnt = true;
      scored.push({ point: p, expected: v.expected });
      if (v.event) raised.push({ p, v });
    });
    if (raised.length > 0) {
      // Each point's calls only when an event may need them (the group key is two canonical texts a point).
      const judged: Candidate[] = scored.map(({ point, expected }) => ({ point, expected, calls: calls.size > 0 ? calls.get(groupKey(point)) : undefined }));
      for (const { p, v } of raised) addEvent(events, p, v, v.threshold, contributorOf(p, v, judged, calls));
    }
    for (const w of this.vectors?.score() ?? []) {
      learnt = true;
      this.dirty.add(ServiceVectors.fieldId(w.key));
      scores.add(w.point, w.tracked.scoreAttributes ??= scoreAttributes(w.point, 'isolation_forest', VECTOR_METRIC), w.verdict.score);
      if (w.verdict.event) addEvent(events, w.point, w.verdict, w.verdict.threshold, undefined, { metric: VECTOR_METRIC, features: w.features, others: w.others });
    }
    if (delivery.durable) this.applied = delivery.offset;
    // Unacknowledged until a checkpoint holds what it taught: a crash before then delivers it again.
    if (learnt && this.ctx.state.durable) this.pending.push(delivery.hold());
    const out = scores.build();
    const metrics = this.config.pass_through ? (out ? mergePayloads([payload, out]) : payload) : out;
    if (metrics) await this.ctx.emit(metrics);
    const logs = this.config.events ? events.build() : null;
    if (logs) await this.ctx.emit(logs);
  }

  async revoke(_why: Revocation): Promise<void> {
    this.checkpointTimer?.cancel();
    // Models are worth keeping whoever owns the partition next: save them either way.
    await this.checkpoint();
  }

  /** Scores and learns one point; undefined when the point is not scored (nothing learnt). */
  private score(p: DataPointView, scores: ScoreWriter): Verdict | undefined {
    if (p.value === undefined || !Number.isFinite(p.value) || (p.type !== 'gauge' && p.type !== 'sum')) return undefined;
    if (p.metricName.startsWith('vigil.anomaly') || (this.metrics && !this.metrics.has(p.metricName))) return undefined;
    const tracked = this.track(p);
    if (!tracked) return undefined;
    const v = tracked.model.observe(p.value, Number(p.timeUnixNano / MS));
    this.dirty.add(p.seriesId);
    scores.add(p, tracked.scoreAttributes ??= scoreAttributes(p, this.detectorLabel), v.score);
    return v;
  }

  private track(p: DataPointView): Tracked | undefined {
    let t = this.series.get(p.seriesId);
    if (t) return t;
    if (!this.hasRoom()) return undefined;
    t = { identity: { metric: p.metricName, resource: p.resource, attributes: p.attributes }, model: new SeriesModel(this.options, p.seriesId) };
    this.series.set(p.seriesId, t);
    return t;
  }

  /** Whether another model fits under max_series (series and service vectors together); logs the first refusal. */
  private hasRoom(): boolean {
    if (this.size < this.config.max_series) return true;
    if (!this.refusedSeries) this.ctx.logger.warn({ max_series: this.config.max_series }, 'anomaly: too many series in this partition; new ones are passed on unscored');
    this.refusedSeries = true;
    return false;
  }

  /** Saves the models that changed since the last checkpoint and the applied offset, then releases the records they learnt. */
  private async checkpoint(): Promise<void> {
    const dirty = this.dirty;
    if (dirty.size === 0 && this.applied === this.appliedSaved) return;
    this.dirty = new Set();
    const released = this.pending;
    this.pending = [];
    const put = new Map<string, string>();
    for (const id of dirty) {
      const t = this.series.get(id);
      const saved = t ? { ...t.identity, model: t.model.save() } : this.vectors?.saved(id);
      if (saved) put.set(seriesField(id), encodeSeries(saved));
    }
    const applied = this.applied;
    if (applied !== undefined) put.set(OFFSET_FIELD, applied.toString());
    try {
      await this.ctx.state.save(put);
      this.appliedSaved = applied;
      this.failing = false;
      for (const h of released) h.release();
    } catch (err) {
      for (const id of dirty) this.dirty.add(id);
      this.pending.unshift(...released);
      if (!this.failing) this.ctx.logger.warn({ err: messageOf(err) }, 'anomaly checkpoint failed; retrying at the next one');
      this.failing = true;
    }
  }
}

/**
 * For a service-level (rollup) point: the member (operation) that contributed most, in the
 * direction the point moved from its expected value, in this window.
 */
function contributorOf(p: DataPointView, v: Verdict, judged: readonly Candidate[], calls: ReadonlyMap<string, number>): Contributor | undefined {
  if (v.expected === undefined || p.value === undefined || p.value === v.expected) return undefined;
  const found = membersOf(p, judged);
  if (!found || !coversRollup(found.members, calls.get(groupKey(p)))) return undefined;
  const top = topContributor(found.members, { direction: p.value > v.expected ? 'up' : 'down', metric: p.metricName, unit: p.unit });
  return top ? { dimension: found.dimension, top } : undefined;
}

/** The group of a point across metrics: its resource, attributes and time (a RED window). */
function groupKey(p: DataPointView): string {
  return `${canonicalAttributes(p.resource)}|${canonicalAttributes(p.attributes)}|${p.timeUnixNano}`;
}
