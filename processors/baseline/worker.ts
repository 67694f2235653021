/**
 * The baseline processor's logic for one partition: a baseline per series, points judged in offset
 * order against their past, rules stepped, outputs emitted before the delivery resolves, state
 * checkpointed on a wall-clock timer and on revocation (the anomaly processor's pattern).
 *
 * Gauges and events are emitted (and accepted downstream) before `consume` resolves. With a
 * durable state store each record that taught a baseline is also held until a checkpoint holds its
 * learning, so `kill -9` loses none: the records after the last checkpoint come again and are
 * learnt (and judged, outputs at least once) again. Records at or below the checkpointed offset
 * that come again (Kafka) pass through unjudged, because their outputs went out before.
 */
import type { Delivery, Hold } from '../../pipeline/delivery.js';
import { messageOf } from '../../pipeline/errors.js';
import type { Timer } from '../../pipeline/event-time/clock.js';
import type { Revocation } from '../../pipeline/stage-log.js';
import { canonicalAttributes, forEachDataPoint, LogsBuilder, mergePayloads, MetricsBuilder, type DataPointView, type Payload } from '../../pdata/index.js';
import { checkpointEvery, decodeSeriesState, encodeSeries, OFFSET_FIELD, seriesField, type PartitionContext, type PartitionWorker } from '../processorhelper/index.js';
import type { Config, Rule } from './config.js';
import { ADDITIVE_METRICS, coversRollup, membersOf, memberTest, topContributor, type Candidate, type Member } from '../red-indicators/contribution.js';
import { addBaseline, addDegradation, type Contributor, type Degradation } from './output.js';
import { judge, step, type Breach } from './rules.js';
import { SeriesBaseline, type BaselineOptions } from './series-baseline.js';
import type { SavedSeries } from './state.js';

const MS = 1_000_000n;

/** A tracked series: its identity, baseline and the breaches of its rules. */
interface Tracked {
  readonly identity: Pick<SavedSeries, 'metric' | 'resource' | 'attributes'>;
  readonly baseline: SeriesBaseline;
  breaches: Record<string, Breach>;
}

/** The volume of a group at one time: the calls, and the calls its baseline expected. */
interface Volume { readonly calls: number; readonly expected: number | undefined }

/** The baseline options a config describes. */
export function baselineOptions(c: Config): BaselineOptions {
  const s = c.seasonal;
  return {
    windowMs: c.trailing.window, bucketMs: c.trailing.bucket, minBuckets: c.trailing.min_buckets, sigmas: c.band_sigmas,
    seasonal: s.enabled ? { periodMs: s.period, slotMs: s.slot, periods: s.periods, minPeriods: s.min_periods } : undefined,
  };
}

/** One partition's baselines. */
export class BaselineWorker implements PartitionWorker {
  private readonly series = new Map<string, Tracked>();
  private readonly options: BaselineOptions;
  private readonly rules = new Map<string, Rule[]>();
  private readonly tracked: ReadonlySet<string>;
  private dirty = new Set<string>();
  private applied: bigint | undefined;
  private appliedSaved: bigint | undefined;
  private checkpointTimer: Timer | undefined;
  /** Durable store: the holds of records whose learning the next checkpoint saves. */
  private pending: Hold[] = [];
  private failing = false;
  private refusedSeries = false;

  private constructor(private readonly ctx: PartitionContext, private readonly config: Config) {
    this.options = baselineOptions(config);
    for (const r of config.rules) for (const m of r.metrics) this.rules.set(m, [...(this.rules.get(m) ?? []), r]);
    this.tracked = new Set([...this.rules.keys(), ...config.metrics, config.volume_metric]);
  }

  /** Reloads the partition's baselines (or starts empty when the store is down) and schedules checkpoints. */
  static async open(ctx: PartitionContext, config: Config): Promise<BaselineWorker> {
    const w = new BaselineWorker(ctx, config);
    try {
      const { series, applied, skipped } = decodeSeriesState<SavedSeries>(await ctx.state.load());
      for (const [id, s] of series) {
        w.series.set(id, { identity: { metric: s.metric, resource: s.resource, attributes: s.attributes }, baseline: new SeriesBaseline(w.options, s.baseline), breaches: s.breaches });
      }
      w.applied = w.appliedSaved = applied;
      if (series.size > 0 || skipped > 0) ctx.logger.info({ series: series.size, skipped, offset: applied?.toString() }, 'baselines reloaded');
    } catch (err) {
      ctx.logger.warn({ err: messageOf(err) }, 'baselines not reloaded; learning from scratch');
    }
    w.checkpointTimer = checkpointEvery(ctx, config.checkpoint_interval, () => w.checkpoint());
    return w;
  }

  async consume(payload: Payload, delivery: Delivery): Promise<void> {
    if (delivery.durable && this.applied !== undefined && delivery.offset <= this.applied) {
      if (this.config.pass_through) await this.ctx.emit(payload);
      return;
    }
    const gauges = new MetricsBuilder();
    const events = new LogsBuilder();
    // Volumes first: a point's rule needs the calls of its window, which may come later in the request.
    const volumes = new Map<string, Volume>();
    // Judged points of this request: the members of a service-level series, for its events' top contributor.
    const judged: Candidate[] = [];
    const raised: Array<{ p: DataPointView; d: Degradation }> = [];
    let learnt = false;
    forEachDataPoint(payload, (p) => {
      if (p.metricName !== this.config.volume_metric || !usable(p)) return;
      learnt = true;
      const e = this.observe(p, gauges);
      volumes.set(groupKey(p), { calls: p.value!, expected: e?.expected });
    });
    forEachDataPoint(payload, (p) => {
      if (p.metricName === this.config.volume_metric || !usable(p) || !this.tracked.has(p.metricName)) return;
      learnt = true;
      const e = this.observe(p, gauges);
      const volume = volumes.get(groupKey(p));
      judged.push({ point: p, expected: e?.expected, calls: volume?.calls });
      if (e) this.applyRules(p, e, volume, raised);
    });
    // After the whole request: a service's operations may come after the service's own point.
    for (const { p, d } of raised) addDegradation(events, p, d, this.contributorOf(p, d, judged));
    if (delivery.durable) this.applied = delivery.offset;
    // Unacknowledged until a checkpoint holds what it taught: a crash before then delivers it again.
    if (learnt && this.ctx.state.durable) this.pending.push(delivery.hold());
    const out = gauges.build();
    const metrics = this.config.pass_through ? (out ? mergePayloads([payload, out]) : payload) : out;
    if (metrics) await this.ctx.emit(metrics);
    const logs = this.config.events ? events.build() : null;
    if (logs) await this.ctx.emit(logs);
  }

  async revoke(_why: Revocation): Promise<void> {
    this.checkpointTimer?.cancel();
    // Baselines are worth keeping whoever owns the partition next: save them either way.
    await this.checkpoint();
  }

  /** Judges a point from its series' past and learns it; adds its baseline gauges when it has one. */
  private observe(p: DataPointView, gauges: MetricsBuilder): ReturnType<SeriesBaseline['observe']> {
    const t = this.track(p);
    if (!t) return undefined;
    const e = t.baseline.observe(p.value!, Number(p.timeUnixNano / MS));
    this.dirty.add(p.seriesId);
    if (e) addBaseline(gauges, p, e);
    return e;
  }

  private applyRules(p: DataPointView, e: NonNullable<ReturnType<SeriesBaseline['observe']>>, volume: Volume | undefined, raised: Array<{ p: DataPointView; d: Degradation }>): void {
    const t = this.series.get(p.seriesId)!;
    const tMs = Number(p.timeUnixNano / MS);
    const evidence = p.exemplars.filter((x) => x.traceId !== '').map((x) => ({ traceId: x.traceId, value: x.value }));
    for (const rule of this.rules.get(p.metricName) ?? []) {
      // A fall is judged on the calls expected too: a service that went quiet is a drop, not a lull.
      const calls = volume === undefined ? undefined : rule.direction === 'down' ? Math.max(volume.calls, volume.expected ?? 0) : volume.calls;
      const judgement = judge(rule, p.value!, e, calls);
      const { breach, raise } = step(t.breaches[rule.name], judgement.holds, tMs, rule, this.config.repeat_interval, evidence);
      if (breach) t.breaches[rule.name] = breach;
      else if (rule.name in t.breaches) t.breaches = Object.fromEntries(Object.entries(t.breaches).filter(([name]) => name !== rule.name));
      if (raise && breach) raised.push({ p, d: { rule, estimate: e, judgement, breach, calls: volume?.calls } });
    }
  }

  /** For a service-level (rollup) point: the member (operation) that contributed most to the rule's change in this window. */
  private contributorOf(p: DataPointView, d: Degradation, judged: readonly Candidate[]): Contributor | undefined {
    const found = membersOf(p, judged);
    if (!found || !coversRollup(found.members, d.calls)) return undefined;
    const members = ADDITIVE_METRICS.has(p.metricName) ? [...found.members, ...this.absentMembers(p, judged)] : found.members;
    const top = topContributor(members, { direction: d.rule.direction, metric: p.metricName, unit: p.unit });
    return top ? { dimension: found.dimension, top } : undefined;
  }

  /**
   * Members of rollup point `p` with a baseline but no point in this request: an operation that
   * stopped altogether (delta input gives it no window at all). For an additive metric its value
   * is 0, so its drop is its whole expected volume.
   */
  private absentMembers(p: DataPointView, judged: readonly Candidate[]): Member[] {
    const test = memberTest(p);
    if (!test) return [];
    const present = new Set(judged.map((c) => c.point.seriesId));
    const tMs = Number(p.timeUnixNano / MS);
    const out: Member[] = [];
    for (const [id, t] of this.series) {
      if (present.has(id)) continue;
      const value = test.valueOf(t.identity);
      const e = value === undefined ? undefined : t.baseline.estimate(tMs);
      if (value !== undefined && e) out.push({ value, observed: 0, expected: e.expected, calls: 0, traceIds: [] });
    }
    return out;
  }

  private track(p: DataPointView): Tracked | undefined {
    let t = this.series.get(p.seriesId);
    if (t) return t;
    if (this.series.size >= this.config.max_series) {
      if (!this.refusedSeries) this.ctx.logger.warn({ max_series: this.config.max_series }, 'baseline: too many series in this partition; new ones are passed on unjudged');
      this.refusedSeries = true;
      return undefined;
    }
    t = { identity: { metric: p.metricName, resource: p.resource, attributes: p.attributes }, baseline: new SeriesBaseline(this.options), breaches: {} };
    this.series.set(p.seriesId, t);
    return t;
  }

  /** Saves the series that changed since the last checkpoint and the applied offset, then releases the records they learnt. */
  private async checkpoint(): Promise<void> {
    const dirty = this.dirty;
    if (dirty.size === 0 && this.applied === this.appliedSaved) return;
    this.dirty = new Set();
    const released = this.pending;
    this.pending = [];
    const put = new Map<string, string>();
    for (const id of dirty) {
      const t = this.series.get(id);
      if (t) put.set(seriesField(id), encodeSeries({ ...t.identity, baseline: t.baseline.save(), breaches: t.breaches }));
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
      if (!this.failing) this.ctx.logger.warn({ err: messageOf(err) }, 'baseline checkpoint failed; retrying at the next one');
      this.failing = true;
    }
  }
}

/** A gauge or sum point with a finite value. */
function usable(p: DataPointView): boolean {
  return p.value !== undefined && Number.isFinite(p.value) && (p.type === 'gauge' || p.type === 'sum');
}

/** The group of a point across metrics: its resource, attributes and time (a RED window). */
function groupKey(p: DataPointView): string {
  return `${canonicalAttributes(p.resource)}|${canonicalAttributes(p.attributes)}|${p.timeUnixNano}`;
}
