/**
 * The component model: what every receiver, processor, connector, exporter and extension is,
 * and what its factory must provide. Mirrors the OpenTelemetry Collector's component package.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Payload, Signal } from '../pdata/payload.js';
import type { Delivery } from './delivery.js';
import type { Revocation } from './stage-log.js';
import type { PartitionKey } from '../pdata/index.js';
import type { StateStore } from './state/state-store.js';
import type { SelfMetrics } from './telemetry.js';

export type Kind = 'receiver' | 'processor' | 'connector' | 'exporter' | 'extension';
export type Stability = 'development' | 'alpha' | 'beta' | 'stable';

/** A component instance id as written in the config: `type` or `type/name`. */
export interface ComponentId {
  readonly type: string;
  readonly name: string;
  /** `type` or `type/name`, exactly as configured. */
  readonly id: string;
}

/** Parses `type[/name]`. */
export function parseComponentId(id: string): ComponentId {
  const slash = id.indexOf('/');
  return slash < 0
    ? { type: id, name: '', id }
    : { type: id.slice(0, slash), name: id.slice(slash + 1), id };
}

/**
 * The next step of a pipeline. `consume` resolves once the data is done with downstream (exported,
 * or durably queued) or held (`delivery.hold()`); it rejects with a PermanentError when the data
 * can never be delivered and with any other error when the caller may retry. A consumer MUST NOT
 * keep a reference to the payload's bytes after it resolved unless it copies them or holds them.
 *
 * `delivery` is present where the data comes straight from a stage log partition (the processors
 * of a pipeline, and whatever they pass it to unchanged); a processor that merges data of several
 * deliveries (batch) passes none on.
 */
export interface Consumer {
  consume(payload: Payload, delivery?: Delivery): Promise<void>;
  /**
   * Optional: throws the RetryableError that a request of about `bytes` encoded bytes would be
   * refused with now (a full stage log). Receivers ask before decoding, so that refusing under
   * overload costs next to nothing; `consume` still decides.
   */
  checkRoom?(bytes: number): void;
}

/** What the running service offers to components. */
export interface Host {
  /** Lifecycle of the whole service, for health checks. */
  status(): ServiceStatus;
  /** Reasons the service is not ready now (a stage log or the state store cannot be reached, ...); empty when ready. */
  notReadyReasons(): string[];
  /**
   * The service's state store (`service.state`), shared by every component; usable from `start`
   * on. Components SHOULD scope their keys (`scoped(store, id, pipeline, partition)`) and MUST
   * NOT start or close it. On the main thread of a daemon with a forwarding thread (extensions, receivers) it
   * is read-only, `get` and `list`, and readable once the service runs; writes reject with a
   * PermanentError (the processors on the forwarding thread own it).
   */
  stateStore(): StateStore;
  /**
   * The service's extensions by id as configured (`health_check`, `health_check/internal`), as
   * otelcol's `Host.GetExtensions()`: all of them from the first `start` on, started or not yet
   * (extensions start in `service.extensions` order). Empty on the forwarding thread, which runs none.
   */
  getExtensions(): ReadonlyMap<string, Extension>;
}

export type ServiceStatus = 'starting' | 'running' | 'draining' | 'stopped';

/** Lifecycle shared by all components. */
export interface Component {
  /** Starts work; MAY open sockets. Rejecting aborts service start-up. */
  start(host: Host): Promise<void>;
  /**
   * Stops work, flushing what it holds, and resolves by `deadline` (epoch ms) at the latest.
   * MUST be callable without a prior start.
   */
  shutdown(deadline: number): Promise<void>;
  /**
   * Why the component cannot do its work now (its broker unreachable, its consumer group not
   * joined); empty or absent when it can. health_check answers 503 while any reason stands.
   */
  notReadyReasons?(): string[];
}

/** A processor is a consumer in one pipeline. `admit` (optional) is asked before data enters the pipeline's stage log. */
export interface Processor extends Component, Consumer {
  /** Throws a RetryableError to refuse new data at the receiver (memory_limiter). */
  admit?(payload: Payload): void;
  /**
   * This instance now owns these partitions of the pipeline's stage log; called before any of
   * their records is delivered. A stateful processor SHOULD reload their state here. Errors are
   * logged and do not stop the pipeline: a processor that cannot reload SHOULD start empty.
   */
  assigned?(partitions: number[]): Promise<void>;
  /**
   * This instance no longer owns these partitions (rebalance, shutdown); called once no delivery of
   * theirs is running. A stateful processor flushes what it holds (or drops it when
   * `why.redelivered`), checkpoints, and forgets them; holds still unreleased when this resolves
   * are abandoned.
   */
  revoked?(partitions: number[], why: Revocation): Promise<void>;
}

export type Exporter = Component & Consumer;
/**
 * The exporter of one pipeline and the receiver of another. One that keeps state per partition
 * of the stage logs feeding it (span_metrics on the Kafka queue) is told, like a processor, which
 * partitions of which log (`Delivery.log`) this instance owns.
 */
export interface Connector extends Component, Consumer {
  /** As Processor.assigned, for the partitions of stage log `log`. */
  partitionsAssigned?(log: string, partitions: number[]): Promise<void>;
  /** As Processor.revoked, for the partitions of stage log `log`; called after the pipeline's processors. */
  partitionsRevoked?(log: string, partitions: number[], why: Revocation): Promise<void>;
}
export type Receiver = Component;
export type Extension = Component;

/** Everything a factory gets besides the config. */
export interface CreateSettings {
  readonly id: ComponentId;
  /** A pino logger with the component kind and id bound. */
  readonly logger: Logger;
  readonly metrics: SelfMetrics;
  /** Processors only: the pipeline id (`traces`, `metrics/red`) this instance runs in. */
  readonly pipeline?: string;
}

/** Fields every factory has. `configSchema` validates a user config and fills in defaults. */
export interface FactoryBase<C> {
  readonly type: string;
  /** Other type names this factory answers to (otlp_grpc is also otlp). */
  readonly aliases?: readonly string[];
  readonly kind: Kind;
  /** Stability per supported signal; a signal absent here is not supported. */
  readonly stability: Partial<Record<Signal, Stability>>;
  readonly configSchema: z.ZodType<C>;
  createDefaultConfig(): C;
  /**
   * Imports the implementation (and the libraries behind it); `create` MUST NOT be called before
   * it resolved. Called once per thread for each type a config names (pipeline/load-implementations),
   * never for the others, so a daemon pays only for what it runs. Absent: nothing to load (test
   * factories). Everything above it MUST stay cheap to import: the registry imports every factory.
   */
  load?(): Promise<void>;
}

/** A receiver serves every signal it is wired into with one instance (one listening socket). */
export interface ReceiverFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'receiver';
  create(settings: CreateSettings, config: C, next: ReadonlyMap<Signal, Consumer>): Receiver;
}

/** What a processor's `checkInPipeline` is told about a pipeline. */
export interface PipelineFacts {
  readonly id: string;
  readonly exporters: readonly string[];
}

/** A processor gets one instance per pipeline. */
export interface ProcessorFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'processor';
  /**
   * How a processor with `config` needs its pipeline's stage log keyed, so that everything it keeps
   * state for reaches one instance (tail sampling: `trace_id`; a per-series model: `series`).
   * Absent or undefined: no need. Asked of the factory, not the instance, because the thread that
   * keys and appends (the receivers') does not build the processors.
   */
  partitionKey?(config: C): PartitionKey | undefined;
  /** True when its processors have `admit`: the thread that receives then builds one of its own (pipeline/ingest-side). */
  readonly admits?: boolean;
  /**
   * The event names of the log records its processors emit into a traces or metrics pipeline
   * (`vigil.alert`, `vigil.anomaly`). They reach only the pipeline's connectors into logs pipelines
   * (`events`); validate warns when a pipeline has none, as they would be dropped.
   */
  readonly emitsEvents?: readonly string[];
  /**
   * Optional: mistakes of `config` that depend on the pipeline it runs in (alert_routing's receivers
   * must be exporters of that pipeline), each with its key path under the component's config.
   * `vigil validate` asks it for every pipeline that lists the processor.
   */
  checkInPipeline?(config: C, pipeline: PipelineFacts): Array<{ readonly path: readonly (string | number)[]; readonly message: string }>;
  create(settings: CreateSettings, config: C, signal: Signal, next: Consumer): Processor;
}

/** An exporter gets one instance per id, shared by all the pipelines (and signals) that name it. */
export interface ExporterFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'exporter';
  create(settings: CreateSettings, config: C): Exporter;
}

/**
 * A connector is the exporter of one pipeline and the receiver of another. `stability` lists the
 * signals it accepts; `connects` says which output signals each input can feed.
 */
export interface ConnectorFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'connector';
  readonly connects: Partial<Record<Signal, readonly Signal[]>>;
  /**
   * True when its connectors pass every payload on unchanged, to the same signal (`forward`). On
   * the Kafka queue the engine may then run the pipeline it feeds in-line, on the upstream
   * record's delivery, instead of through a stage log of its own (pipeline/inline.ts).
   */
  readonly passesThrough?: boolean;
  create(settings: CreateSettings, config: C, from: Signal, to: Signal, next: Consumer): Connector;
}

export interface ExtensionFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'extension';
  create(settings: CreateSettings, config: C): Extension;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- `create` takes the config type, so only `any` admits every factory's own */
export type Factory =
  | ReceiverFactory<any>
  | ProcessorFactory<any>
  | ExporterFactory<any>
  | ConnectorFactory<any>
  | ExtensionFactory<any>;
/* eslint-enable @typescript-eslint/no-explicit-any */
