/**
 * The running service: builds the graph, starts it downstream-first (exporters, connectors,
 * processors, stage-log consumers, receivers last) and stops it upstream-first, draining every
 * stage log through processors and exporters before they shut down.
 */
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/index.js';
import type { Component, Host, ServiceStatus } from './component.js';
import { messageOf } from './errors.js';
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

/** One vigil instance: everything one config describes. */
export class Service implements Host {
  readonly metrics = new SelfMetrics();
  private state: ServiceStatus = 'starting';
  private readonly graph: Graph;
  private readonly queue: QueueBackend;
  private readonly telemetry: TelemetryServer | undefined;
  private readonly store: ManagedStateStore;
  private readonly ownership: OwnershipCheckpoints;

  constructor(
    private readonly config: ServiceConfig,
    private readonly logger: Logger,
  ) {
    this.queue = this.makeQueue();
    this.graph = buildGraph(config, (name, signal) => this.queue.makeLog(name, signal), logger, this.metrics);
    const t = config.service.telemetry.metrics;
    this.telemetry = t.level === 'none' ? undefined : new TelemetryServer(t.address, this.metrics, logger.child({ kind: 'telemetry' }));
    const store = createStateStore(config.service.state, logger.child({ kind: 'state_store' }));
    this.store = store;
    this.metrics.stateStoreProbe = () => store.notReadyReasons().length === 0;
    this.ownership = new OwnershipCheckpoints(store, this.metrics, logger.child({ kind: 'state_checkpoints' }));
  }

  status(): ServiceStatus {
    return this.state;
  }

  stateStore(): StateStore {
    return this.store;
  }

  notReadyReasons(): string[] {
    const reasons = [...this.queue.notReadyReasons(), ...this.graph.pipelines.flatMap((p) => p.log.notReadyReasons())];
    reasons.push(...this.store.notReadyReasons());
    for (const [kind, components] of [['receiver', this.graph.receivers], ['exporter', this.graph.exporters]] as const) {
      for (const [id, c] of components) reasons.push(...(c.notReadyReasons?.() ?? []).map((r) => `${kind} ${id}: ${r}`));
    }
    if (this.state !== 'running') reasons.unshift(`service is ${this.state}`);
    return reasons;
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
      await this.store.start();
      this.logger.info({ store: this.store.description }, 'state store started');
      for (const [id, c] of this.graph.extensions) await startOne(`extension ${id}`, c);
      for (const [id, c] of this.graph.exporters) await startOne(`exporter ${id}`, c);
      for (const { id, component } of this.graph.connectors) await startOne(`connector ${id}`, component);
      for (const p of this.graph.pipelines) {
        for (const proc of p.processors) await startOne(`processor in ${p.config.id}`, proc);
      }
      await this.queue.start();
      started.push(['stage logs', { start: async () => {}, shutdown: () => this.queue.close() }]);
      for (const p of this.graph.pipelines) await p.log.consume((payload) => p.head.consume(payload), this.partitionHooks(p));
      this.ownership.start();
      for (const [id, c] of this.graph.receivers) await startOne(`receiver ${id}`, c);
    } catch (err) {
      this.logger.error({ err: messageOf(err) }, 'start failed; stopping what was started');
      const deadline = Date.now() + this.config.service.shutdown_timeout;
      for (const [, c] of started.reverse()) await c.shutdown(deadline).catch(() => {});
      await this.ownership.stop();
      await this.store.close().catch(() => {});
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
   * first; resolves with them.
   */
  async shutdown(): Promise<Error[]> {
    if (this.state === 'stopped' || this.state === 'draining') return [];
    this.state = 'draining';
    const deadline = Date.now() + this.config.service.shutdown_timeout;
    const errors: Error[] = [];
    const stop = async (what: string, c: Component): Promise<void> => {
      try {
        await c.shutdown(deadline);
      } catch (err) {
        errors.push(new Error(`${what}: ${messageOf(err)}`));
      }
    };
    this.logger.info({ deadline: new Date(deadline).toISOString() }, 'shutting down: draining pipelines');
    for (const [id, c] of this.graph.receivers) await stop(`receiver ${id}`, c);
    for (const p of this.graph.pipelines) {
      const left = await p.log.drain(deadline);
      if (left > 0) errors.push(new Error(`pipeline ${p.config.id}: ${left} records not delivered by the shutdown deadline`));
      for (const proc of p.processors) await stop(`processor in ${p.config.id}`, proc);
    }
    for (const { id, component } of this.graph.connectors) await stop(`connector ${id}`, component);
    await Promise.all([...this.graph.exporters].map(([id, c]) => stop(`exporter ${id}`, c)));
    for (const [id, c] of this.graph.extensions) await stop(`extension ${id}`, c);
    await this.queue.close().catch((err: unknown) => errors.push(new Error(`stage logs: ${messageOf(err)}`)));
    // Last: processors and the drains' revocation hooks checkpoint into it on the way down.
    await this.ownership.stop();
    await this.store.close().catch((err: unknown) => errors.push(new Error(`state store: ${messageOf(err)}`)));
    await this.telemetry?.shutdown();
    this.state = 'stopped';
    return errors;
  }

  /** Partition changes of a pipeline's log go to its processors, then to the ownership checkpoints. */
  private partitionHooks(p: BuiltPipeline): PartitionHooks {
    const processors = p.processors.map((proc, i) => ({ name: `processor ${p.config.processors[i]} in ${p.config.id}`, hooks: proc }));
    return fanOutHooks([...processors, { name: 'ownership checkpoints', hooks: this.ownership.hooksFor(p.log.name) }], this.logger);
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
