/**
 * The forward side of a service: the stage logs' consumers, the processors, connectors and
 * exporters after them, and the state store with its ownership checkpoints. On one thread it runs
 * beside the ingest side; with a forwarding thread (always on the Kafka queue, on the memory queue
 * per `forward_thread`) it is all that thread builds (./forward-thread).
 */
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/index.js';
import type { Host } from './component.js';
import { messageOf } from './errors.js';
import { buildGraph, type BuiltPipeline, type Graph } from './graph.js';
import { inlinedPipelines } from './inline.js';
import type { Started, Stopping } from './lifecycle.js';
import { fanOutHooks } from './partition-hooks.js';
import type { PartitionHooks, Revocation } from './stage-log.js';
import type { Stages } from './stages.js';
import { createStateStore } from './state/create.js';
import { OwnershipCheckpoints } from './state/ownership.js';
import type { ManagedStateStore } from './state/state-store.js';
import type { SelfMetrics } from './telemetry.js';

/** Everything between the stage logs and the destinations. */
export class ForwardSide {
  /** The state store the processors share (Host.stateStore). */
  readonly store: ManagedStateStore;
  private readonly graph: Graph;
  private readonly ownership: OwnershipCheckpoints;

  /** Builds everything; connectors feed the entries of `stages`, and each pipeline's admission processors are given to it. */
  constructor(config: ServiceConfig, stages: Stages, private readonly logger: Logger, metrics: SelfMetrics) {
    // In-line pipelines (./inline) on Kafka only: there a second stage log is a second trip through
    // the broker; the memory log's hand-over costs next to nothing.
    const q = config.service.queue;
    const inline = q.type === 'kafka' && q.kafka.inline_forward ? inlinedPipelines(config) : new Map<string, string>();
    if (inline.size > 0) logger.info({ inline: Object.fromEntries(inline) }, 'pipelines fed by a forward connector run in-line on their upstream stage log');
    this.graph = buildGraph(config, stages, logger, metrics, inline);
    const store = createStateStore(config.service.state, logger.child({ kind: 'state_store' }));
    this.store = store;
    metrics.stateStoreProbe = () => store.notReadyReasons().length === 0;
    this.ownership = new OwnershipCheckpoints(store, metrics, logger.child({ kind: 'state_checkpoints' }));
  }

  /** Every pipeline, upstream first: the order their logs drain in. */
  get pipelines(): readonly BuiltPipeline[] {
    return this.graph.pipelines;
  }

  /** Opens the state store: first, since processors load state from `start` on. */
  async startStore(started: Started): Promise<void> {
    await this.store.start();
    started.push(async () => {
      await this.ownership.stop();
      await this.store.close();
    });
    this.logger.info({ store: this.store.description }, 'state store started');
  }

  /** Starts exporters, connectors and processors: downstream first. */
  async startComponents(host: Host, started: Started): Promise<void> {
    for (const c of this.graph.exporters.values()) await started.start(c, host);
    for (const { component } of this.graph.connectors) await started.start(component, host);
    for (const p of this.graph.pipelines) for (const proc of p.processors) await started.start(proc, host);
  }

  /** Has every stage log deliver into its pipeline (the queue is started by then). */
  async consume(): Promise<void> {
    for (const p of this.graph.pipelines) {
      const log = p.log;
      if (log) await log.consume((payload, delivery) => p.head.consume(payload, delivery), this.partitionHooks(p, log.name));
    }
    this.ownership.start();
  }

  /** Why the store or an exporter cannot do its work now. */
  notReadyReasons(): string[] {
    const reasons = this.store.notReadyReasons();
    for (const [id, c] of this.graph.exporters) reasons.push(...(c.notReadyReasons?.() ?? []).map((r) => `exporter ${id}: ${r}`));
    return reasons;
  }

  /** Stops the processors of `p`, once its log drained. */
  async stopProcessors(p: BuiltPipeline, stopping: Stopping): Promise<void> {
    for (const proc of p.processors) await stopping.stop(`processor in ${p.config.id}`, proc);
  }

  /** Stops connectors, then every exporter at once, once every log drained. */
  async stopSinks(stopping: Stopping): Promise<void> {
    for (const { id, component } of this.graph.connectors) await stopping.stop(`connector ${id}`, component);
    await Promise.all([...this.graph.exporters].map(([id, c]) => stopping.stop(`exporter ${id}`, c)));
  }

  /** Last: processors and the drains' revocation hooks checkpoint into the store on the way down. */
  async closeStore(stopping: Stopping): Promise<void> {
    await this.ownership.stop();
    await this.store.close().catch((err: unknown) => stopping.errors.push(new Error(`state store: ${messageOf(err)}`)));
  }

  /**
   * Partition changes of a pipeline's log: an assignment first waits for the previous owner's
   * hand-over, then goes to the processors (upstream first) and the connectors the pipeline
   * exports to, then to the same of every pipeline running in-line on this log (upstream first:
   * a revoked processor may still flush into those after it), then to the ownership checkpoints;
   * a revocation goes to the processors and connectors, then releases the claim the next owner
   * waits for.
   */
  private partitionHooks(root: BuiltPipeline, log: string): PartitionHooks {
    const served = this.graph.pipelines.filter((p) => p === root || p.inlineRoot === root.config.id);
    const seen = new Set<unknown>();
    const listeners = served.flatMap((p) => {
      const processors = p.processors.map((proc, i) => ({ name: `processor ${p.config.processors[i]} in ${p.config.id}`, hooks: proc }));
      const connectors = p.connectors.filter(({ component: c }) => ('partitionsAssigned' in c || 'partitionsRevoked' in c) && !seen.has(c)).map(({ id, component: c }) => {
        seen.add(c); // a connector two of these pipelines export to is told once
        return {
          name: `connector ${id} after ${p.config.id}`,
          hooks: {
            assigned: async (partitions: number[]) => { await c.partitionsAssigned?.(log, partitions); },
            revoked: async (partitions: number[], why: Revocation) => { await c.partitionsRevoked?.(log, partitions, why); },
          },
        };
      });
      return [...processors, ...connectors];
    });
    return fanOutHooks([
      { name: 'ownership hand-over', hooks: this.ownership.handoverFor(log) },
      ...listeners,
      { name: 'ownership checkpoints', hooks: this.ownership.hooksFor(log) },
    ], this.logger);
  }

}
