/**
 * The ingest side of a service: extensions, receivers, and the entries of the stage logs they
 * produce into, with each pipeline's admission processors (memory_limiter). On one thread it runs
 * beside the forward side and shares that side's processors; with a forwarding thread (always on
 * the Kafka queue) it is all the main thread builds, and makes admission processors of its own.
 */
import type { Logger } from 'pino';
import type { PipelineConfig, ServiceConfig } from '../config/index.js';
import type {
  Component, Consumer, ExtensionFactory, Host, Processor, ProcessorFactory, ReceiverFactory,
} from './component.js';
import { fanOut } from './fanout.js';
import { settingsFor } from './graph.js';
import type { Started, Stopping } from './lifecycle.js';
import type { Signal } from '../pdata/payload.js';
import type { Stages } from './stages.js';
import type { SelfMetrics } from './telemetry.js';

/** The `next` of an admission-only processor: here data goes into the stage log, never down a chain. */
const NO_CHAIN: Consumer = {
  consume: () => Promise.reject(new Error('bug: an admission-only processor was given data to pass on')),
};

/** Receivers, extensions and the stage-log entries they feed. */
export class IngestSide {
  readonly extensions = new Map<string, Component>();
  readonly receivers = new Map<string, Component>();
  /** The pipelines receivers feed: the logs this side produces into. */
  readonly pipelines: readonly PipelineConfig[];
  /** Admission processors built here (no forward side in this thread); this side starts and stops them. */
  private readonly admission: Array<{ name: string; processor: Processor }> = [];

  /** Builds everything; `stages` already holds the forward side's admission processors if it runs here. */
  constructor(config: ServiceConfig, stages: Stages, private readonly logger: Logger, metrics: SelfMetrics) {
    for (const id of config.service.extensions) {
      const c = config.extensions.get(id)!;
      this.extensions.set(id, (c.factory as ExtensionFactory).create(settingsFor('extension', c, logger, metrics), c.config));
    }
    this.pipelines = config.pipelines.filter((p) => p.receivers.some((id) => config.receivers.has(id)));
    for (const p of this.pipelines) {
      if (!stages.hasAdmission(p)) stages.setAdmission(p, this.admissionOf(config, p, metrics));
    }
    for (const [id, c] of config.receivers) {
      const next = new Map<Signal, Consumer>();
      for (const signal of new Set(this.pipelines.filter((p) => p.receivers.includes(id)).map((p) => p.signal))) {
        next.set(signal, fanOut(this.pipelines.filter((p) => p.signal === signal && p.receivers.includes(id)).map((p) => stages.entry(p))));
      }
      if (next.size > 0) this.receivers.set(id, (c.factory as ReceiverFactory).create(settingsFor('receiver', c, logger, metrics), c.config, next));
    }
  }

  /** Starts extensions first: health_check answers (not ready) while the rest starts. */
  async startExtensions(host: Host, started: Started): Promise<void> {
    for (const c of this.extensions.values()) await started.start(c, host);
  }

  /** Starts the admission processors this side built. */
  async startAdmission(host: Host, started: Started): Promise<void> {
    for (const { processor } of this.admission) await started.start(processor, host);
  }

  /** Starts the receivers: last, once everything they feed runs. */
  async startReceivers(host: Host, started: Started): Promise<void> {
    for (const c of this.receivers.values()) await started.start(c, host);
  }

  /** Why a receiver cannot take data now. */
  notReadyReasons(): string[] {
    return [...this.receivers].flatMap(([id, c]) => (c.notReadyReasons?.() ?? []).map((r) => `receiver ${id}: ${r}`));
  }

  /** Stops the receivers: first, so that nothing new enters while the logs drain. */
  async stopReceivers(stopping: Stopping): Promise<void> {
    for (const [id, c] of this.receivers) await stopping.stop(`receiver ${id}`, c);
  }

  /** Stops the admission processors this side built, once the logs drained. */
  async stopAdmission(stopping: Stopping): Promise<void> {
    for (const { name, processor } of this.admission) await stopping.stop(name, processor);
  }

  /** Stops the extensions: last, so health_check reports the drain. */
  async stopExtensions(stopping: Stopping): Promise<void> {
    for (const [id, c] of this.extensions) await stopping.stop(`extension ${id}`, c);
  }

  /** One instance per processor of `p` whose factory admits; nothing else of the chain runs on this side. */
  private admissionOf(config: ServiceConfig, p: PipelineConfig, metrics: SelfMetrics): Processor[] {
    const out: Processor[] = [];
    for (const id of p.processors) {
      const c = config.processors.get(id)!;
      const factory = c.factory as ProcessorFactory;
      if (!factory.admits) continue;
      const settings = { ...settingsFor('processor', c, this.logger, metrics), logger: this.logger.child({ kind: 'processor', name: c.id.id, pipeline: p.id }) };
      const processor = factory.create(settings, c.config, p.signal, NO_CHAIN);
      this.admission.push({ name: `processor ${id} in ${p.id}`, processor });
      out.push(processor);
    }
    return out;
  }
}
