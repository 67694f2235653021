/**
 * The span_metrics connector: the exporter of a traces pipeline and the receiver of a metrics
 * pipeline. Spans are aggregated as they arrive (their delivery is then done: like otelcol, the
 * aggregate lives in memory); every metrics_flush_interval the series are sent downstream.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Connector, Consumer, CreateSettings } from '../../pipeline/component.js';
import type { Payload } from '../../pdata/index.js';
import { Aggregator } from './aggregator.js';
import type { Config } from './config.js';
import { flush, TimestampCache } from './flush.js';

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
  private timer: NodeJS.Timeout | undefined;
  /** The flush in progress, so shutdown waits for it and flushes never overlap. */
  private flushing: Promise<void> = Promise.resolve();

  constructor(settings: CreateSettings, private readonly config: Config, private readonly next: Consumer, private readonly now: () => number = Date.now) {
    this.logger = settings.logger;
    this.agg = new Aggregator(config, INSTANCE_ID);
    this.timestamps = config.aggregation_temporality === 'delta' ? new TimestampCache(config.metric_timestamp_cache_size) : undefined;
    if (config.dimensions_cache_size !== 0) this.logger.warn('dimensions_cache_size is deprecated (as in otelcol), use aggregation_cardinality_limit instead');
  }

  async start(): Promise<void> {
    // otelcol's ticker needs a positive interval; 0 would spin, so it is read as "the default".
    const every = this.config.metrics_flush_interval > 0 ? this.config.metrics_flush_interval : 60_000;
    this.timer = setInterval(() => { void this.flushNow(); }, every); // flushNow logs its own errors
    this.timer.unref();
  }

  /** As otelcol: what was aggregated since the last flush is not sent at shutdown (it would be a partial interval). */
  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flushing;
  }

  async consume(payload: Payload): Promise<void> {
    this.agg.aggregate(payload, this.now());
  }

  /** Builds and sends one flush; a downstream failure is logged and the flush dropped, as otelcol does. Never rejects. */
  flushNow(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      try {
        const payload = flush(this.agg, this.timestamps, this.now());
        if (payload !== null) await this.next.consume(payload);
      } catch (err) {
        this.logger.error({ err }, 'span metrics flush not accepted downstream; dropped');
      }
    });
    return this.flushing;
  }
}
