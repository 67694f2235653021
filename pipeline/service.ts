/**
 * The running service: one config, built as two parts. The ingest side (./ingest-side: extensions,
 * receivers, the stage logs' entries) and the forward side (./forward-side: the logs' consumers,
 * processors, connectors, exporters, state store) share the stage logs. The service starts them
 * downstream-first (exporters, connectors, processors, stage-log consumers, receivers last) and
 * stops them upstream-first, draining every stage log through processors and exporters before
 * they shut down.
 *
 * Either both parts run here, in one thread, or one process runs two services from the same config
 * (./forward-thread): role `ingest` (the ingest side and the self-metrics endpoint) on the main
 * thread and role `forward` (the forward side) on a worker thread, so forwarding has a core of its
 * own. On the Kafka queue a topic between them is the only hand-over, exactly as between two
 * daemons; on the memory queue (`forward_thread`, see ../cmd/run.ts) the main thread's logs relay
 * each append to the forwarding thread's memory logs (./forward-thread/relay-log).
 */
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/index.js';
import type { Extension, Host, ServiceStatus } from './component.js';
import { messageOf } from './errors.js';
import { pipelineKeyOf } from './keys.js';
import { ForwardSide } from './forward-side.js';
import { mainThreadStateStore } from './forward-thread/main-thread-store.js';
import type { MetricsJson, StateRead, StateReadAnswer } from './forward-thread/messages.js';
import { RelayQueue, type AppendChannel } from './forward-thread/relay-log.js';
import { IngestSide } from './ingest-side.js';
import { Started, Stopping } from './lifecycle.js';
import { kafkaQueueModule, loadImplementations } from './load-implementations.js';
import { MemoryQueue } from './memory-queue.js';
import type { QueueBackend } from './queue-backend.js';
import type { StageLog } from './stage-log.js';
import { Stages } from './stages.js';
import type { ManagedStateStore, StateStore } from './state/state-store.js';
import { SelfMetrics } from './telemetry.js';
import { TelemetryServer } from './telemetry-server.js';

const MIB = 1024 * 1024;

/**
 * Which parts a service runs: both (the default), or one side of the two-thread split. The ingest
 * side drives its forwarder's lifecycle.
 */
export type ServiceRole = { role: 'all' } | { role: 'ingest'; forwarder: Forwarder } | { role: 'forward' };

/** The forwarding side as the ingest side sees it: a service running elsewhere (./forward-thread). */
export interface Forwarder extends AppendChannel {
  /** Resolves once it consumes; rejects if it could not start. */
  start(): Promise<void>;
  /** Its not-ready reasons, as last reported. */
  notReadyReasons(): string[];
  /** Drains and stops it by `deadline`; resolves with its shutdown errors. */
  shutdown(deadline: number): Promise<Error[]>;
  /** Its self-metrics, summed into the ingest side's at every scrape. */
  metrics(): Promise<MetricsJson>;
  /** Reads its state store (the ingest side's read-only `stateStore()` on the memory store). */
  readState(read: StateRead): Promise<StateReadAnswer>;
}

/** One vigil instance: everything one config describes (or one side of it, per `split`). */
export class Service implements Host {
  readonly metrics = new SelfMetrics();
  private state: ServiceStatus = 'starting';
  private readonly queue: QueueBackend;
  private readonly stages: Stages;
  /** Absent on the main thread of the Kafka queue: it forwards on its own thread. */
  private readonly forward: ForwardSide | undefined;
  /** Absent on the forwarding thread of the Kafka queue. */
  private readonly ingest: IngestSide | undefined;
  private readonly telemetry: TelemetryServer | undefined;
  private readonly forwarder: Forwarder | undefined;
  /** The main thread's read-only view of the forwarding thread's store (Kafka queue). */
  private readonly readStore: ManagedStateStore | undefined;

  /** Loads the implementations `config` names (./load-implementations), then builds the service. */
  static async create(config: ServiceConfig, logger: Logger, split: ServiceRole = { role: 'all' }): Promise<Service> {
    await loadImplementations(config);
    return new Service(config, logger, split);
  }

  /** Builds the service; the config's implementations MUST be loaded (`Service.create` does that). */
  constructor(
    private readonly config: ServiceConfig,
    private readonly logger: Logger,
    split: ServiceRole = { role: 'all' },
  ) {
    this.forwarder = split.role === 'ingest' ? split.forwarder : undefined;
    if (this.forwarder) this.metrics.addSource(this.forwarder);
    if (this.forwarder) this.readStore = mainThreadStateStore(config.service.state, this.forwarder, logger.child({ kind: 'state_store', access: 'read-only' }));
    this.queue = this.makeQueue(this.forwarder);
    this.stages = new Stages((name, signal) => this.queue.makeLog(name, signal), this.metrics, (p) => pipelineKeyOf(config, p));
    // The forward side first: where it runs, the ingest side admits with its processors.
    if (split.role !== 'ingest') this.forward = new ForwardSide(config, this.stages, logger, this.metrics);
    if (split.role !== 'forward') this.ingest = new IngestSide(config, this.stages, logger, this.metrics);
    const t = config.service.telemetry.metrics;
    if (this.ingest && t.level !== 'none') this.telemetry = new TelemetryServer(t.address, this.metrics, logger.child({ kind: 'telemetry' }));
  }

  status(): ServiceStatus {
    return this.state;
  }

  stateStore(): StateStore {
    const store = this.forward?.store ?? this.readStore;
    if (!store) throw new Error('bug: a service runs a forward side or has a forwarder');
    return store;
  }

  /** The stage logs this thread holds (the forwarding thread's serve relays appends to them). */
  stageLogs(): StageLog[] {
    return this.stages.logs();
  }

  getExtensions(): ReadonlyMap<string, Extension> {
    return this.ingest?.extensions ?? new Map<string, Extension>();
  }

  notReadyReasons(): string[] {
    const reasons = [...this.queue.notReadyReasons(), ...this.stages.logs().flatMap((log) => log.notReadyReasons())];
    reasons.push(...(this.forward?.notReadyReasons() ?? []), ...(this.forwarder?.notReadyReasons() ?? []), ...(this.ingest?.notReadyReasons() ?? []));
    if (this.state !== 'running') reasons.unshift(`service is ${this.state}`);
    return [...new Set(reasons)]; // both threads watch the same brokers
  }

  /** Starts everything, downstream first; on failure stops what was started and rethrows. */
  async start(): Promise<void> {
    const started = new Started();
    try {
      await this.telemetry?.start();
      started.push(async (deadline) => this.telemetry?.shutdown(deadline));
      started.push(async () => this.readStore?.close());
      await this.forward?.startStore(started);
      await this.ingest?.startExtensions(this, started);
      await this.forward?.startComponents(this, started);
      await this.ingest?.startAdmission(this, started);
      await this.queue.start();
      started.push(() => this.queue.close());
      await this.forward?.consume();
      const forwarder = this.forwarder;
      if (forwarder) {
        await forwarder.start();
        started.push(async (deadline) => { await forwarder.shutdown(deadline); });
      }
      await this.ingest?.startReceivers(this, started);
    } catch (err) {
      this.logger.error({ err: messageOf(err) }, 'start failed; stopping what was started');
      await started.rollback(Date.now() + this.config.service.shutdown_timeout);
      this.state = 'stopped';
      throw err;
    }
    this.state = 'running';
    this.logger.info({ pipelines: this.config.pipelines.map((p) => p.id) }, 'everything is ready; begin running and processing data');
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
    const stopping = new Stopping(deadline);
    this.logger.info({ deadline: new Date(deadline).toISOString() }, 'shutting down: draining pipelines');
    await this.ingest?.stopReceivers(stopping);
    await this.drain(stopping);
    await this.ingest?.stopAdmission(stopping);
    if (this.forwarder) stopping.errors.push(...await this.forwarder.shutdown(deadline));
    await this.forward?.stopSinks(stopping);
    await this.ingest?.stopExtensions(stopping);
    await this.queue.close().catch((err: unknown) => stopping.errors.push(new Error(`stage logs: ${messageOf(err)}`)));
    await this.forward?.closeStore(stopping);
    await this.readStore?.close().catch((err: unknown) => stopping.errors.push(new Error(`state store (read-only): ${messageOf(err)}`)));
    await this.telemetry?.shutdown(deadline);
    this.state = 'stopped';
    return stopping.errors;
  }

  /** Drains every stage log this thread holds, upstream first, each pipeline's processors stopped after its log. */
  private async drain(stopping: Stopping): Promise<void> {
    const left = async (id: string, log: StageLog): Promise<void> => {
      const n = await log.drain(stopping.deadline);
      if (n > 0) stopping.errors.push(new Error(`pipeline ${id}: ${n} records not delivered by the shutdown deadline`));
    };
    if (!this.forward) {
      for (const p of this.ingest!.pipelines) await left(p.id, this.stages.log(p));
      return;
    }
    for (const p of this.forward.pipelines) {
      // An in-line pipeline has no log: its upstream's, drained before (upstream first), was its own.
      if (p.log) await left(p.config.id, p.log);
      await this.forward.stopProcessors(p, stopping);
    }
  }

  /**
   * The stage logs' home, per `service.queue`: process memory (the embedded default) or Kafka. On
   * the main thread of a memory queue with a forwarding thread, the memory is that thread's.
   */
  private makeQueue(forwarder: Forwarder | undefined): QueueBackend {
    const q = this.config.service.queue;
    const logger = this.logger.child({ kind: 'stage_log' });
    if (q.type === 'kafka') return new (kafkaQueueModule.get().KafkaQueue)(q.kafka, this.metrics, logger);
    const memory = { maxSizeBytes: q.memory.max_size_mib * MIB, partitions: q.memory.partitions };
    return forwarder ? new RelayQueue(forwarder, memory) : new MemoryQueue(memory, this.metrics, logger);
  }
}
