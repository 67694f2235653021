/**
 * Builds the forwarding half of the running graph from a validated config: exporters, connectors,
 * processors back to front (each gets its `next`), the chain each stage log delivers into.
 * Connectors hand data to the entries of other pipelines' logs. The ingest half (extensions,
 * receivers) is ./ingest-side's. The config layer has already rejected unknown ids, unsupported
 * signals and cycles.
 */
import type { Logger } from 'pino';
import type { ComponentConfig, PipelineConfig, ServiceConfig } from '../config/index.js';
import type {
  Component, Connector, ConnectorFactory, Consumer, CreateSettings, ExporterFactory, Processor, ProcessorFactory,
} from './component.js';
import type { Delivery } from './delivery.js';
import { fanOut } from './fanout.js';
import type { Payload, Signal } from '../pdata/payload.js';
import type { StageLog } from './stage-log.js';
import type { Stages } from './stages.js';
import type { SelfMetrics } from './telemetry.js';

/** Makes the stage log of one pipeline stage; chosen by `service.queue`. */
export type LogMaker = (name: string, signal: Signal) => StageLog;

/** One pipeline as built: its log, the chain the log delivers into, its processors. */
export interface BuiltPipeline {
  readonly config: PipelineConfig;
  /** Absent when the pipeline runs in-line on `inlineRoot`'s log (./inline). */
  readonly log: StageLog | undefined;
  /** The pipeline whose stage log delivers into this one in-line; undefined when it has a log of its own. */
  readonly inlineRoot: string | undefined;
  readonly head: Consumer;
  readonly processors: readonly Processor[];
  /** The connectors this pipeline exports to: told about its log's partitions after the processors. */
  readonly connectors: ReadonlyArray<{ id: string; component: Connector }>;
}

/** The forwarding half, grouped in the order the service starts it. */
export interface Graph {
  readonly exporters: ReadonlyMap<string, Component>;
  readonly connectors: ReadonlyArray<{ id: string; component: Connector }>;
  /** In upstream-first order: a pipeline fed by a connector comes after the pipeline feeding it. */
  readonly pipelines: readonly BuiltPipeline[];
}

/** What a factory gets for component `c`: its id, a logger with kind and id bound, the metrics. */
export function settingsFor(kind: string, c: ComponentConfig, logger: Logger, metrics: SelfMetrics): CreateSettings {
  return { id: c.id, logger: logger.child({ kind, name: c.id.id }), metrics };
}

/**
 * Builds the exporters, connectors and processors of `config`, each pipeline's log taken from
 * `stages` and its admission processors given to it; throws if a factory throws (a bug or an
 * unusable setting).
 */
export function buildGraph(
  config: ServiceConfig, stages: Stages, logger: Logger, metrics: SelfMetrics,
  /** Pipelines to run in-line, each with its root (inlinedPipelines); none by default. */
  inline: ReadonlyMap<string, string> = new Map(),
): Graph {
  const settings = (kind: string, c: ComponentConfig): CreateSettings => settingsFor(kind, c, logger, metrics);
  const ordered = upstreamFirst(config);
  // An in-line pipeline's head, once built (after its upstream's, which is built first).
  const heads = new Map<string, Consumer>();
  const target = (q: PipelineConfig): Consumer => (inline.has(q.id) ? inlineHead(q.id, heads) : stages.entry(q));

  const exporters = new Map<string, Component & Consumer>();
  for (const p of ordered) {
    for (const id of p.exporters) {
      const c = config.exporters.get(id);
      if (c && !exporters.has(id)) exporters.set(id, (c.factory as ExporterFactory).create(settings('exporter', c), c.config));
    }
  }

  // A connector instance per (id, from signal, to signal), feeding every pipeline that lists it as a receiver.
  const connectors: Array<{ id: string; component: Connector }> = [];
  const connectorInputs = new Map<string, Consumer>(); // key: `${id}|${fromSignal}`
  const connectorsFed = new Map<string, Array<{ id: string; component: Connector }>>(); // same key: the instances behind the input
  for (const p of ordered) {
    for (const id of p.exporters) {
      const c = config.connectors.get(id);
      const key = `${id}|${p.signal}`;
      if (!c || connectorInputs.has(key)) continue;
      const outputs: Consumer[] = [];
      const fed: Array<{ id: string; component: Connector }> = [];
      for (const to of new Set(ordered.filter((q) => q.receivers.includes(id)).map((q) => q.signal))) {
        const targets = ordered.filter((q) => q.receivers.includes(id) && q.signal === to).map(target);
        const component = (c.factory as ConnectorFactory).create(settings('connector', c), c.config, p.signal, to, fanOut(targets));
        connectors.push({ id, component });
        fed.push({ id, component });
        outputs.push(component);
      }
      connectorInputs.set(key, fanOut(outputs));
      connectorsFed.set(key, fed);
    }
  }

  const pipelines: BuiltPipeline[] = [];
  for (const p of ordered) {
    const sinks = p.exporters.map((id) => exporters.get(id) ?? connectorInputs.get(`${id}|${p.signal}`)!);
    // Logs payloads a processor emits in a traces or metrics pipeline (its events) go only to the
    // pipeline's connectors that feed logs pipelines (the `events` connector); see docs/events.md.
    const eventSinks = p.signal === 'logs' ? [] : p.exporters
      .filter((id) => (config.connectors.get(id)?.factory as ConnectorFactory | undefined)?.connects[p.signal]?.includes('logs'))
      .map((id) => connectorInputs.get(`${id}|${p.signal}`)!);
    let next: Consumer = signalGuard(p.signal, fanOut(sinks), eventSinks.length > 0 ? fanOut(eventSinks) : undefined);
    const processors: Processor[] = [];
    for (let i = p.processors.length - 1; i >= 0; i--) {
      const c = config.processors.get(p.processors[i]!)!;
      const proc = (c.factory as ProcessorFactory).create(
        { ...settings('processor', c), logger: logger.child({ kind: 'processor', name: c.id.id, pipeline: p.id }), pipeline: p.id },
        c.config, p.signal, next,
      );
      processors.unshift(proc);
      next = proc;
    }
    const fedConnectors = p.exporters.flatMap((id) => connectorsFed.get(`${id}|${p.signal}`) ?? []);
    const inlineRoot = inline.get(p.id);
    if (inlineRoot === undefined) stages.setAdmission(p, processors);
    heads.set(p.id, next);
    pipelines.push({ config: p, log: inlineRoot === undefined ? stages.log(p) : undefined, inlineRoot, head: next, processors, connectors: fedConnectors });
  }

  return { exporters, connectors, pipelines };
}

/** A consumer that runs pipeline `id`'s chain in-line, with the delivery it is given (./inline). */
function inlineHead(id: string, heads: ReadonlyMap<string, Consumer>): Consumer {
  return {
    consume(payload: Payload, delivery?: Delivery): Promise<void> {
      const head = heads.get(id);
      if (!head) return Promise.reject(new Error(`bug: in-line pipeline ${id} got data before it was built`));
      return head.consume(payload, delivery);
    },
  };
}

/**
 * Pipelines ordered so that one fed by a connector comes after every pipeline exporting to that
 * connector; draining in this order lets upstream data flow into downstream logs before they drain.
 */
function upstreamFirst(config: ServiceConfig): PipelineConfig[] {
  const done = new Set<string>();
  const out: PipelineConfig[] = [];
  const visit = (p: PipelineConfig): void => {
    if (done.has(p.id)) return;
    done.add(p.id);
    for (const q of config.pipelines) {
      if (q.exporters.some((id) => config.connectors.has(id) && p.receivers.includes(id))) visit(q);
    }
    out.push(p);
  };
  for (const p of config.pipelines) visit(p);
  return out;
}

/**
 * Asserts (cheaply) that only the pipeline's own signal flows through it, except events: logs
 * payloads that a processor emits go to `events` (the pipeline's connectors into logs pipelines),
 * or nowhere when the pipeline routes no events.
 */
function signalGuard(signal: Signal, next: Consumer, events: Consumer | undefined): Consumer {
  return {
    consume(payload: Payload, delivery?: Delivery): Promise<void> {
      if (payload.signal === signal) return next.consume(payload, delivery);
      if (payload.signal === 'logs') return events ? events.consume(payload, delivery) : Promise.resolve();
      return Promise.reject(new Error(`bug: ${payload.signal} in a ${signal} pipeline`));
    },
  };
}
