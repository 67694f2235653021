/**
 * vigil's own metrics, exposed in Prometheus format. Names follow the OpenTelemetry Collector's
 * (otelcol_receiver_accepted_spans_total, ...) so existing dashboards and alerts keep working;
 * vigil-only metrics are prefixed vigil_.
 */
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, type Aggregator } from 'prom-client';
import type { MetricsJson } from './forward-thread/messages.js';
import type { Signal } from '../pdata/payload.js';

/** The word otelcol uses for one item of each signal in metric names. */
export const ITEM_NAME: Record<Signal, 'spans' | 'metric_points' | 'log_records'> = {
  traces: 'spans',
  metrics: 'metric_points',
  logs: 'log_records',
};

type PerSignal<T> = Record<Signal, T>;

function perSignal<T>(make: (item: string, signal: Signal) => T): PerSignal<T> {
  return {
    traces: make(ITEM_NAME.traces, 'traces'),
    metrics: make(ITEM_NAME.metrics, 'metrics'),
    logs: make(ITEM_NAME.logs, 'logs'),
  };
}

/** Metrics kept in another registry (the forwarding thread's), added in at every scrape. */
export interface MetricsSource {
  metrics(): Promise<MetricsJson>;
}

/**
 * Every self-metric, registered once per service in one registry; components label them with their
 * id. When a source is added, a scrape sums both registries per label set: counters, histograms and
 * most gauges add up across threads; the process-wide gauges carry an `aggregator` saying otherwise.
 */
export class SelfMetrics {
  readonly registry = new Registry();
  private readonly startedAt = process.hrtime.bigint();
  private readonly sources: MetricsSource[] = [];

  readonly receiverAccepted = perSignal(
    (item) => this.counter(`otelcol_receiver_accepted_${item}_total`, `Number of ${item} successfully pushed into the pipeline.`, ['receiver', 'transport']),
  );
  readonly receiverRefused = perSignal(
    (item) => this.counter(`otelcol_receiver_refused_${item}_total`, `Number of ${item} that could not be pushed into the pipeline.`, ['receiver', 'transport']),
  );
  // Requests, not items: a request refused before it was decoded has no known item count (it is
  // not in otelcol_receiver_refused_*), but its size is known. Every refused request is counted here.
  readonly receiverRefusedRequests = this.counter('vigil_receiver_refused_requests_total', 'Export requests a receiver refused, decoded or not, by reason (queue_full, memory_limit, shutting_down, unavailable, permanent).', ['receiver', 'transport', 'otel_signal', 'reason']);
  readonly receiverRefusedBytes = this.counter('vigil_receiver_refused_bytes_total', 'Bytes (as received, inflated) of the export requests a receiver refused, by reason.', ['receiver', 'transport', 'otel_signal', 'reason']);
  readonly processorIncoming = this.counter('otelcol_processor_incoming_items_total', 'Number of items passed to the processor.', ['processor', 'pipeline', 'otel_signal']);
  readonly processorOutgoing = this.counter('otelcol_processor_outgoing_items_total', 'Number of items emitted from the processor.', ['processor', 'pipeline', 'otel_signal']);
  readonly processorRefused = this.counter('vigil_processor_refused_items_total', 'Number of items a processor refused at admission (memory_limiter).', ['processor', 'pipeline', 'otel_signal']);
  readonly exporterSent = perSignal(
    (item) => this.counter(`otelcol_exporter_sent_${item}_total`, `Number of ${item} successfully sent to destination.`, ['exporter']),
  );
  readonly exporterFailed = perSignal(
    (item) => this.counter(`otelcol_exporter_send_failed_${item}_total`, `Number of ${item} in failed attempts to send to destination.`, ['exporter']),
  );
  readonly exporterQueueSize = this.gauge('otelcol_exporter_queue_size', 'Current number of batches in the sending queue.', ['exporter']);
  readonly exporterQueueCapacity = this.gauge('otelcol_exporter_queue_capacity', 'Fixed capacity of the sending queue, in batches.', ['exporter']);
  readonly stageLogRecords = this.gauge('vigil_stage_log_records', 'Records held in a stage log, not yet acknowledged downstream.', ['log']);
  readonly stageLogBytes = this.gauge('vigil_stage_log_size_bytes', 'Bytes held in a stage log, not yet acknowledged downstream.', ['log']);
  // Set by the thread that produces into the log (pipeline/stages). On the Kafka queue a log that
  // receivers and a connector both feed is produced into by both threads, each buffer held to the
  // same capacity: the larger stands, as for the process-wide gauges.
  readonly stageLogCapacity = this.gauge('vigil_stage_log_capacity_bytes', 'Capacity of a stage log in bytes.', ['log'], 'max');
  readonly stageLogDropped = this.counter('vigil_stage_log_dropped_records_total', 'Records dropped after a permanent error downstream.', ['log']);
  readonly stageLogRedelivered = this.counter('vigil_stage_log_redelivered_records_total', 'Records delivered again after a retryable error downstream.', ['log']);
  readonly stateCheckpoints = this.counter('vigil_state_checkpoints_total', 'State checkpoints written to the state store.', ['log']);
  readonly stateCheckpointFailures = this.counter('vigil_state_checkpoint_failures_total', 'State checkpoints that could not be written (retried on the next period).', ['log']);
  /** Whether the state store can be used now; the service sets it, the gauge samples it when scraped. */
  stateStoreProbe: () => boolean = () => true;
  readonly stateStoreUp: Gauge = new Gauge({
    name: 'vigil_state_store_up',
    help: 'Whether the state store is reachable (1) or not (0).',
    registers: [this.registry],
    aggregator: 'min',
    collect: (): void => this.stateStoreUp.set(this.stateStoreProbe() ? 1 : 0),
  });
  readonly kafkaConsumed = this.counter('vigil_kafka_consumer_records_total', 'Kafka records handed to a consumer group handler.', ['consumer', 'topic']);
  readonly kafkaSkipped = this.counter('vigil_kafka_consumer_skipped_records_total', 'Kafka records skipped (and committed past) after a permanent handler error, such as a record that does not decode.', ['consumer', 'topic']);
  readonly kafkaRetried = this.counter('vigil_kafka_consumer_retried_records_total', 'Handler attempts of Kafka records that failed retryably and were tried again.', ['consumer', 'topic']);
  readonly kafkaCommits = this.counter('vigil_kafka_consumer_commits_total', 'Offset commits of a consumer group, by outcome (ok, failed).', ['consumer', 'outcome']);
  readonly kafkaCommittedOffset = this.gauge('vigil_kafka_consumer_committed_offset', 'Last offset committed per partition (the next offset to read).', ['consumer', 'topic', 'partition']);
  readonly kafkaCommitLatency = this.histogram('vigil_kafka_consumer_commit_duration_seconds', 'Duration of offset commits.', ['consumer'], [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  readonly kafkaLag = this.gauge('vigil_kafka_consumer_lag', 'Records between the last one fetched and the partition high watermark.', ['consumer', 'topic', 'partition']);
  readonly kafkaRebalances = this.counter('vigil_kafka_consumer_rebalances_total', 'Consumer group joins after the first (rebalances) seen by this member.', ['consumer']);
  readonly kafkaProduced = this.counter('vigil_kafka_producer_records_total', 'Kafka records acknowledged by the broker.', ['producer', 'topic']);
  readonly kafkaProducedBytes = this.counter('vigil_kafka_producer_bytes_total', 'Value bytes of Kafka records acknowledged by the broker (before compression).', ['producer', 'topic']);
  readonly kafkaProduceFailed = this.counter('vigil_kafka_producer_failed_records_total', 'Records whose produce request failed; their clients were told to retry.', ['producer']);
  readonly kafkaProduceLatency = this.histogram('vigil_kafka_producer_request_duration_seconds', 'Time from sending a produce request to its acknowledgement.', ['producer'], [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
  readonly batchSendSize = this.histogram('otelcol_processor_batch_batch_send_size', 'Number of items in each batch sent.', ['processor'], [10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 20000, 30000, 50000, 100000]);
  readonly batchTimeoutTrigger = this.counter('otelcol_processor_batch_timeout_trigger_send_total', 'Number of times the batch was sent due to a timeout trigger.', ['processor']);
  readonly batchSizeTrigger = this.counter('otelcol_processor_batch_batch_size_trigger_send_total', 'Number of times the batch was sent due to a size trigger.', ['processor']);
  // Process metrics are sampled when scraped, so they cost nothing between scrapes; the CPU gauge
  // samples them all, so the others are registered after it. Both threads read the same
  // process-wide values (cpuUsage, rss), so there the larger one stands.
  readonly processCpu = new Gauge({
    name: 'otelcol_process_cpu_seconds',
    help: 'Total CPU user and system time in seconds.',
    registers: [this.registry],
    aggregator: 'max',
    collect: () => this.sampleProcess(),
  });
  readonly processRss = this.gauge('otelcol_process_memory_rss', 'Total physical memory (resident set size) in bytes.', [], 'max');
  // Each thread has its own V8 heap: these add up.
  readonly processHeap = this.gauge('otelcol_process_runtime_heap_alloc_bytes', 'Bytes of allocated heap objects.', []);
  readonly processUptime = this.gauge('otelcol_process_uptime', 'Uptime of the process in seconds.', [], 'max');


  private sampleProcess(): void {
    const cpu = process.cpuUsage();
    this.processCpu.set((cpu.user + cpu.system) / 1e6);
    this.processRss.set(process.memoryUsage.rss());
    this.processHeap.set(process.memoryUsage().heapUsed);
    this.processUptime.set(Number(process.hrtime.bigint() - this.startedAt) / 1e9);
  }

  /** Adds another registry's metrics to every exposition from now on. */
  addSource(source: MetricsSource): void {
    this.sources.push(source);
  }

  /** The Prometheus text exposition of every metric, this registry's and its sources'. */
  async exposition(): Promise<string> {
    if (this.sources.length === 0) return this.registry.metrics();
    const all = await Promise.all([this.registry.getMetricsAsJSON(), ...this.sources.map((s) => s.metrics())]);
    return AggregatorRegistry.aggregate(all).metrics();
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[], aggregator: Aggregator = 'sum'): Gauge<L> {
    return new Gauge({ name, help, labelNames, aggregator, registers: [this.registry] });
  }

  private histogram<L extends string>(name: string, help: string, labelNames: L[], buckets: number[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}
