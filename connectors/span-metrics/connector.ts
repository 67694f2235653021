/**
 * The span_metrics connector: the exporter of a traces pipeline and the receiver of a metrics
 * pipeline. Spans are aggregated as they arrive; every metrics_flush_interval the series are sent
 * downstream. On the memory queue the aggregate lives in memory, as in otelcol (a delivery is done
 * once counted). On the Kafka queue (durable deliveries) each stage-log partition has its own
 * checkpointed aggregate (partitions.ts), so restarts and rebalances neither reset nor double count.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Connector, Consumer, CreateSettings, Host } from '../../pipeline/component.js';
import type { Delivery } from '../../pipeline/delivery.js';
import type { Revocation } from '../../pipeline/stage-log.js';
import type { Payload } from '../../pdata/index.js';
import { Aggregator } from './aggregator.js';
import type { Config } from './config.js';
import { flush, TimestampCache } from './flush.js';
import { PartitionAggregates } from './partitions.js';

/**
 * This process' collector.instance.id. otelcol uses its service.instance.id (a UUID made at start,
 * unless configured); vigil has no such setting, so each process makes one.
 */
export const INSTANCE_ID = randomUUID();

/** Turns spans into calls/duration/events metrics, flushed on a wall-clock interval. */
export class SpanMetricsConnector implements Connector {
  private readonly agg: Aggregator;
  private readonly timestamps: TimestampCache | undefined;
  private readonly logger: Logger;
  private readonly partitions: PartitionAggregates;
  private timer: NodeJS.Timeout | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  /** The flush or checkpoint in progress, so shutdown waits for it and none overlap. */
  private flushing: Promise<void> = Promise.resolve();

  constructor(settings: CreateSettings, private readonly config: Config, private readonly next: Consumer, private readonly now: () => number = Date.now) {
    this.logger = settings.logger;
    this.agg = new Aggregator(config, INSTANCE_ID);
    this.partitions = new PartitionAggregates(settings.id.id, config, settings.logger);
    this.timestamps = config.aggregation_temporality === 'delta' ? new TimestampCache(config.metric_timestamp_cache_size) : undefined;
    if (config.dimensions_cache_size !== 0) this.logger.warn('dimensions_cache_size is deprecated (as in otelcol), use aggregation_cardinality_limit instead');
  }

  async start(host?: Host): Promise<void> {
    if (host) this.partitions.useStore(host.stateStore());
    // otelcol's ticker needs a positive interval; 0 would spin, so it is read as "the default".
    const every = this.config.metrics_flush_interval > 0 ? this.config.metrics_flush_interval : 60_000;
    this.timer = setInterval(() => { void this.flushNow(); }, every); // flushNow logs its own errors
    this.timer.unref();
    this.checkpointTimer = setInterval(() => { void this.checkpointNow(); }, this.config.checkpoint_interval); // logs its own errors
    this.checkpointTimer.unref();
  }

  /**
   * As otelcol: what was aggregated since the last flush is not sent at shutdown (it would be a
   * partial interval). On the Kafka queue the partitions' revocation checkpointed it for the next owner.
   */
  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    this.timer = undefined;
    this.checkpointTimer = undefined;
    await this.flushing;
  }

  async consume(payload: Payload, delivery?: Delivery): Promise<void> {
    if (delivery?.durable) await this.partitions.count(payload, delivery, this.now());
    else this.agg.aggregate(payload, this.now());
  }

  async partitionsAssigned(log: string, partitions: number[]): Promise<void> {
    await this.partitions.assigned(log, partitions);
  }

  async partitionsRevoked(log: string, partitions: number[], why: Revocation): Promise<void> {
    await this.serially(() => this.partitions.revoked(log, partitions, why));
  }

  /**
   * Builds and sends one flush of every aggregate; a downstream failure is logged and the flush
   * dropped, as otelcol does (cumulative series send their totals again at the next one). Each
   * partition is checkpointed after its flush. Never rejects.
   */
  flushNow(): Promise<void> {
    return this.serially(async () => {
      await this.send(flush(this.agg, this.timestamps, this.now()));
      for (const pa of await this.partitions.opened()) {
        const payload = flush(pa.agg, pa.timestamps, this.now());
        if (payload === null) continue;
        await this.send(payload);
        pa.dirty = true; // a flush changes the state too (first points reported, deltas reset, series expired)
        await this.partitions.checkpoint(pa);
      }
    });
  }

  /** Checkpoints every partition aggregate that counted something since its last checkpoint. Never rejects. */
  checkpointNow(): Promise<void> {
    return this.serially(async () => {
      for (const pa of await this.partitions.opened()) await this.partitions.checkpoint(pa);
    });
  }

  private async send(payload: Payload | null): Promise<void> {
    try {
      if (payload !== null) await this.next.consume(payload);
    } catch (err) {
      this.logger.error({ err }, 'span metrics flush not accepted downstream; dropped');
    }
  }

  /** Runs `work` after the flush or checkpoint in progress; its failure is logged, never thrown. */
  private serially(work: () => Promise<void>): Promise<void> {
    this.flushing = this.flushing.then(work).catch((err: unknown) => { this.logger.error({ err }, 'span metrics flush or checkpoint failed'); });
    return this.flushing;
  }
}
