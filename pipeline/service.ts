/**
 * The running service: builds the graph, starts it downstream-first (exporters, connectors,
 * processors, stage-log consumers, receivers last) and stops it upstream-first, draining every
 * stage log through processors and exporters before they shut down.
 *
 * On the Kafka queue one process runs two services built from the same config (./forward-thread):
 * the `ingest` side (receivers, extensions, the stage logs' producers, self-metrics endpoint) on
 * the main thread and the `forward` side (stage-log consumers, processors, connectors, exporters,
 * state store) on a worker thread, so forwarding has a core of its own. A Kafka topic between them
 * is the only hand-over, exactly as between two daemons.
 */
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/index.js';
import type { Component, Host, Processor, ServiceStatus } from './component.js';
import { messageOf } from './errors.js';
import type { MetricsJson } from './forward-thread/messages.js';
import { buildGraph, type BuiltPipeline, type Graph } from './graph.js';
import { KafkaQueue } from './kafka/kafka-queue.js';
import { MemoryQueue } from './memory-queue.js';
import { fanOutHooks } from './partition-hooks.js';
import type { QueueBackend } from './queue-backend.js';
import type { PartitionHooks } from './stage-log.js';
import { createStateStore } from './state/create.js';
import { OwnershipCheckpoints } from './state/ownership.js';
import type { ManagedStateStore, StateStore } from './state/state-store.js';
import { SelfMetrics } from './telemetry.js';
import { TelemetryServer } from './telemetry-server.js';

const MIB = 1024 * 1024;

/**
 * Which part of the graph a service runs: all of it (the default; the memory queue), or one side of
 * the two-thread split of the Kafka queue. The ingest side drives its forwarder's lifecycle.
 */
export type ServiceRole = { role: 'all' } | { role: 'ingest'; forwarder: Forwarder } | { role: 'forward' };

/** The forwarding side as the ingest side sees it: a service running elsewhere (./forward-thread). */
export interface Forwarder {
  /** Resolves once it consumes; rejects if it could not start. */
  start(): Promise<void>;
  /** Its not-ready reasons, as last reported. */
  notReadyReasons(): string[];
  /** Drains and stops it by `deadline`; resolves with its shutdown errors. */
  shutdown(deadline: number): Promise<Error[]>;
  /** Its self-metrics, summed into the ingest side's at every scrape. */
  metrics(): Promise<MetricsJson>;
}

/** One vigil instance: everything one config describes (or one side of it, per `split`). */
export class Service implements Host {
  readonly metrics = new SelfMetrics();
  private state: ServiceStatus = 'starting';
  private readonly graph: Graph;
  private readonly queue: QueueBackend;
  private readonly telemetry: TelemetryServer | undefined;
  /** Absent on the ingest side: the state store belongs to the processors, which forward. */
  private readonly store: ManagedStateStore | undefined;
  private readonly ownership: OwnershipCheckpoints | undefined;
  private readonly ingests: boolean;
  private readonly forwards: boolean;
  private readonly forwarder: Forwarder | undefined;

  constructor(
    private readonly config: ServiceConfig,
    private readonly logger: Logger,
    split: ServiceRole = { role: 'all' },
  ) {
    this.ingests = split.role !== 'forward';
    this.forwards = split.role !== 'ingest';
    this.forwarder = split.role === 'ingest' ? split.forwarder : undefined;
    if (this.forwarder) this.metrics.addSource(this.forwarder);
    this.queue = this.makeQueue();
    this.graph = buildGraph(config, (name, signal) => this.queue.makeLog(name, signal), logger, this.metrics);
    const t = config.service.telemetry.metrics;
    this.telemetry = t.level === 'none' || !this.ingests ? undefined : new TelemetryServer(t.address, this.metrics, logger.child({ kind: 'telemetry' }));
    if (this.forwards) {
      const store = createStateStore(config.service.state, logger.child({ kind: 'state_store' }));
      this.store = store;
      this.metrics.stateStoreProbe = () => store.notReadyReasons().length === 0;
      this.ownership = new OwnershipCheckpoints(store, this.metrics, logger.child({ kind: 'state_checkpoints' }));
    }
  }

  status(): ServiceStatus {
    return this.state;
  }

  stateStore(): StateStore {
    if (!this.store) throw new Error('bug: the state store is used on the forwarding thread only (processors, exporters)');
    return this.store;
  }

  notReadyReasons(): string[] {
    const reasons = [...this.queue.notReadyReasons(), ...this.graph.pipelines.flatMap((p) => p.log.notReadyReasons())];
    reasons.push(...(this.store?.notReadyReasons() ?? []), ...(this.forwarder?.notReadyReasons() ?? []));
    const asked: Array<[string, ReadonlyMap<string, Component>]> = [];
    if (this.ingests) asked.push(['receiver', this.graph.receivers]);
    if (this.forwards) asked.push(['exporter', this.graph.exporters]);
    for (const [kind, components] of asked) {
      for (const [id, c] of components) reasons.push(...(c.notReadyReasons?.() ?? []).map((r) => `${kind} ${id}: ${r}`));
    }
    if (this.state !== 'running') reasons.unshift(`service is ${this.state}`);
    return [...new Set(reasons)]; // both threads watch the same brokers
  }

  /** Starts everything; on failure stops what was started and rethrows. */
  async start(): Promise<void> {
    const started: Array<[string, Component]> = [];
    const startOne = async (name: string, c: Component): Promise<void> => {
      await c.start(this);
      started.push([name, c]);
    };
    try {
      await this.telemetry?.start();
      if (this.store) {
        await this.store.start();
        this.logger.info({ store: this.store.description }, 'state store started');
      }
      if (this.ingests) for (const [id, c] of this.graph.extensions) await startOne(`extension ${id}`, c);
      if (this.forwards) {
        for (const [id, c] of this.graph.exporters) await startOne(`exporter ${id}`, c);
        for (const { id, component } of this.graph.connectors) await startOne(`connector ${id}`, component);
      }
      for (const p of this.graph.pipelines) {
        for (const proc of this.processorsHere(p)) await startOne(`processor in ${p.config.id}`, proc);
      }
      await this.queue.start();
      started.push(['stage logs', { start: async () => {}, shutdown: () => this.queue.close() }]);
      if (this.forwards) {
        for (const p of this.graph.pipelines) await p.log.consume((payload) => p.head.consume(payload), this.partitionHooks(p));
        this.ownership!.start();
      }
      const forwarder = this.forwarder;
      if (forwarder) {
        await forwarder.start();
        started.push(['forwarding thread', { start: async () => {}, shutdown: async (deadline) => { await forwarder.shutdown(deadline); } }]);
      }
      if (this.ingests) for (const [id, c] of this.graph.receivers) await startOne(`receiver ${id}`, c);
    } catch (err) {
      this.logger.error({ err: messageOf(err) }, 'start failed; stopping what was started');
      const deadline = Date.now() + this.config.service.shutdown_timeout;
      for (const [, c] of started.reverse()) await c.shutdown(deadline).catch(() => {});
      await this.ownership?.stop();
      await this.store?.close().catch(() => {});
      await this.telemetry?.shutdown();
      this.state = 'stopped';
      throw err;
    }
    this.state = 'running';
    this.logger.info({ pipelines: this.graph.pipelines.map((p) => p.config.id) }, 'everything is ready; begin running and processing data');
  }

  /**
   * Stops receivers, drains each stage log (upstream pipelines first), then shuts processors,
   * connectors, exporters and extensions down. Collects every error instead of stopping at the
   * first; resolves with them. The ingest side drains its producers, then has the forwarder drain
   * by the same `deadline` (epoch ms; by default `shutdown_timeout` from now).
   */
  async shutdown(deadline = Date.now() + this.config.service.shutdown_timeout): Promise<Error[]> {
    if (this.state === 'stopped' || this.state === 'draining') return [];
    this.state = 'draining';
    const errors: Error[] = [];
    const stop = async (what: string, c: Component): Promise<void> => {
      try {
        await c.shutdown(deadline);
      } catch (err) {
        errors.push(new Error(`${what}: ${messageOf(err)}`));
      }
    };
    this.logger.info({ deadline: new Date(deadline).toISOString() }, 'shutting down: draining pipelines');
    if (this.ingests) for (const [id, c] of this.graph.receivers) await stop(`receiver ${id}`, c);
    for (const p of this.graph.pipelines) {
      const left = await p.log.drain(deadline);
      if (left > 0) errors.push(new Error(`pipeline ${p.config.id}: ${left} records not delivered by the shutdown deadline`));
      for (const proc of this.processorsHere(p)) await stop(`processor in ${p.config.id}`, proc);
    }
    if (this.forwarder) errors.push(...await this.forwarder.shutdown(deadline));
    if (this.forwards) {
      for (const { id, component } of this.graph.connectors) await stop(`connector ${id}`, component);
      await Promise.all([...this.graph.exporters].map(([id, c]) => stop(`exporter ${id}`, c)));
    }
    if (this.ingests) for (const [id, c] of this.graph.extensions) await stop(`extension ${id}`, c);
    await this.queue.close().catch((err: unknown) => errors.push(new Error(`stage logs: ${messageOf(err)}`)));
    // Last: processors and the drains' revocation hooks checkpoint into it on the way down.
    await this.ownership?.stop();
    await this.store?.close().catch((err: unknown) => errors.push(new Error(`state store: ${messageOf(err)}`)));
    await this.telemetry?.shutdown();
    this.state = 'stopped';
    return errors;
  }

  /** The processors this side runs: all, or on the ingest side those that admit data at the entry (memory_limiter). */
  private processorsHere(p: BuiltPipeline): readonly Processor[] {
    return this.forwards ? p.processors : p.processors.filter((proc) => proc.admit !== undefined);
  }

  /** Partition changes of a pipeline's log go to its processors, then to the ownership checkpoints. */
  private partitionHooks(p: BuiltPipeline): PartitionHooks {
    const processors = p.processors.map((proc, i) => ({ name: `processor ${p.config.processors[i]} in ${p.config.id}`, hooks: proc }));
    return fanOutHooks([...processors, { name: 'ownership checkpoints', hooks: this.ownership!.hooksFor(p.log.name) }], this.logger);
  }

  /** The stage logs' home, per `service.queue`: process memory (the embedded default) or Kafka. */
  private makeQueue(): QueueBackend {
    const q = this.config.service.queue;
    const logger = this.logger.child({ kind: 'stage_log' });
    return q.type === 'kafka'
      ? new KafkaQueue(q.kafka, this.metrics, logger)
      : new MemoryQueue({ maxSizeBytes: q.memory.max_size_mib * MIB, partitions: q.memory.partitions }, this.metrics, logger);
  }
}
