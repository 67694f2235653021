/**
 * span_metrics on the Kafka queue: one aggregate per stage-log partition, owned by whichever
 * daemon owns the partition, checkpointed with the last offset it counted. A restarted or new
 * owner reloads it and continues the same cumulative series (same start time, same values: no
 * reset seen by Prometheus) and skips redelivered records it already counted (no double count).
 * Each record is held until a checkpoint that counts it is saved, so the log's commit never
 * passes an uncounted span. The partition, not the process, is the series' writer: its
 * `collector.instance.id` is `<log>#<partition>`, stable across restarts.
 */
import type { Logger } from 'pino';
import type { Delivery, Hold } from '../../pipeline/delivery.js';
import { messageOf } from '../../pipeline/errors.js';
import type { Revocation } from '../../pipeline/stage-log.js';
import { partitionState, type PartitionState } from '../../pipeline/state/partition-state.js';
import type { StateStore } from '../../pipeline/state/state-store.js';
import type { Payload } from '../../pdata/index.js';
import { Aggregator } from './aggregator.js';
import type { Config } from './config.js';
import { TimestampCache } from './flush.js';
import { restore, snapshot } from './snapshot.js';

/** The state map's fields: the aggregate (snapshot.ts) and the last offset it counts. */
const AGGREGATE_FIELD = 'aggregate';
const OFFSET_FIELD = 'offset';

/** One partition's aggregate and what its checkpoint stands for. */
export interface PartitionAggregate {
  readonly agg: Aggregator;
  readonly timestamps: TimestampCache | undefined;
  readonly state: PartitionState;
  /** The last offset counted, and the last one a saved checkpoint counts. */
  applied: bigint | undefined;
  checkpointed: bigint | undefined;
  /** Holds on the records counted since the last checkpoint. */
  holds: Hold[];
  dirty: boolean;
}

/** The partition aggregates this instance owns, by `<log>#<partition>`. */
export class PartitionAggregates {
  private readonly owned = new Map<string, Promise<PartitionAggregate>>();
  private store: StateStore | undefined;

  constructor(private readonly component: string, private readonly config: Config, private readonly logger: Logger) {}

  /** The state store, given at start. */
  useStore(store: StateStore): void {
    this.store = store;
  }

  /** Counts a durable delivery in its partition's aggregate, once per offset, and holds it until checkpointed. */
  async count(payload: Payload, delivery: Delivery, nowMs: number): Promise<void> {
    const pa = await this.get(delivery.log, delivery.partition);
    if (pa.applied !== undefined && delivery.offset <= pa.applied) {
      // Counted before: a redelivery (restart, retry of a sibling consumer). Still hold it if the
      // count is not checkpointed yet, or the commit would pass it.
      if (pa.checkpointed === undefined || delivery.offset > pa.checkpointed) pa.holds.push(delivery.hold());
      return;
    }
    pa.agg.aggregate(payload, nowMs);
    pa.applied = delivery.offset;
    pa.holds.push(delivery.hold());
    pa.dirty = true;
  }

  /** Loads the partitions' checkpoints now, so their series are flushed even before new spans arrive. */
  async assigned(log: string, partitions: number[]): Promise<void> {
    if (!this.store?.durable) return; // a memory store holds no checkpoint from before
    await Promise.all(partitions.map((p) => this.get(log, p)));
  }

  /**
   * Checkpoints and forgets the partitions. When the log redelivers what is not committed, a
   * failed checkpoint is harmless (the next owner replays from the last one).
   */
  async revoked(log: string, partitions: number[], why: Revocation): Promise<void> {
    await Promise.all(partitions.map(async (p) => {
      const key = `${log}#${p}`;
      const owned = this.owned.get(key);
      if (!owned) return;
      this.owned.delete(key);
      const pa = await owned.catch(() => undefined);
      if (!pa) return;
      const saved = await this.checkpoint(pa);
      if (!saved && !why.redelivered) this.logger.error({ partition: key }, 'span metrics of a revoked partition could not be checkpointed; its counts since the last checkpoint are lost');
    }));
  }

  /** The aggregates opened so far (a partition still loading is left for the next round). */
  async opened(): Promise<PartitionAggregate[]> {
    const all = await Promise.allSettled([...this.owned.values()]);
    return all.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  /** Saves the aggregate and offset, then releases the holds it covers. False when the store refused (retried next time). */
  async checkpoint(pa: PartitionAggregate): Promise<boolean> {
    if (!pa.dirty && pa.holds.length === 0) return true;
    const holds = pa.holds;
    const applied = pa.applied;
    pa.holds = [];
    pa.dirty = false;
    const put = new Map<string, string>([[AGGREGATE_FIELD, snapshot(pa.agg, pa.timestamps)]]);
    if (applied !== undefined) put.set(OFFSET_FIELD, applied.toString());
    try {
      await pa.state.save(put);
    } catch (err) {
      pa.holds = [...holds, ...pa.holds];
      pa.dirty = true;
      this.logger.warn({ state: pa.state.key, err: messageOf(err) }, 'span metrics checkpoint failed; retried at the next one');
      return false;
    }
    pa.checkpointed = applied;
    for (const h of holds) h.release();
    return true;
  }

  private get(log: string, partition: number): Promise<PartitionAggregate> {
    const key = `${log}#${partition}`;
    let owned = this.owned.get(key);
    if (!owned) {
      owned = this.open(log, partition, key);
      // A failed load is tried again by the partition's next delivery (which the log retries).
      owned.catch(() => { if (this.owned.get(key) === owned) this.owned.delete(key); });
      this.owned.set(key, owned);
    }
    return owned;
  }

  private async open(log: string, partition: number, instanceId: string): Promise<PartitionAggregate> {
    if (!this.store) throw new Error(`bug: ${this.component} got data before start`);
    const state = partitionState(this.store, this.component, log, partition);
    const pa: PartitionAggregate = {
      agg: new Aggregator(this.config, instanceId),
      timestamps: this.config.aggregation_temporality === 'delta' ? new TimestampCache(this.config.metric_timestamp_cache_size) : undefined,
      state, applied: undefined, checkpointed: undefined, holds: [], dirty: false,
    };
    const fields = await state.load();
    const aggregate = fields.get(AGGREGATE_FIELD);
    const offset = fields.get(OFFSET_FIELD);
    if (aggregate && !restore(pa.agg, pa.timestamps, Buffer.from(aggregate).toString('utf8'))) {
      this.logger.warn({ state: state.key }, 'span metrics checkpoint made with another histogram or temporality: starting the partition\'s series anew');
      return pa;
    }
    if (offset) pa.applied = pa.checkpointed = BigInt(Buffer.from(offset).toString('utf8'));
    return pa;
  }
}
