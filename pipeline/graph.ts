/**
 * Builds the running graph from a validated config: a stage log and an entry per pipeline, then
 * exporters, connectors, processors back to front (each gets its `next`), receivers last. The
 * config layer has already rejected unknown ids, unsupported signals and cycles.
 */
import type { Logger } from 'pino';
import type { ComponentConfig, PipelineConfig, ServiceConfig } from '../config/index.js';
import type {
  Component, ConnectorFactory, Consumer, CreateSettings, ExporterFactory, ExtensionFactory, Processor,
  ProcessorFactory, ReceiverFactory,
} from './component.js';
import type { Delivery } from './delivery.js';
import { DEFAULT_KEYS, PipelineEntry, pipelineKey } from './entry.js';
import { fanOut } from './fanout.js';
import type { Payload, Signal } from '../pdata/payload.js';
import type { StageLog } from './stage-log.js';
import type { SelfMetrics } from './telemetry.js';

/** Makes the stage log of one pipeline stage; chosen by `service.queue`. */
export type LogMaker = (name: string, signal: Signal) => StageLog;

/** One pipeline as built: its log, the chain the log delivers into, its processors. */
export interface BuiltPipeline {
  readonly config: PipelineConfig;
  readonly log: StageLog;
  readonly entry: PipelineEntry;
  readonly head: Consumer;
  readonly processors: readonly Processor[];
}

/** Everything built, grouped in the order the service starts it. */
export interface Graph {
  readonly extensions: ReadonlyMap<string, Component>;
  readonly exporters: ReadonlyMap<string, Component>;
  readonly connectors: ReadonlyArray<{ id: string; component: Component }>;
  /** In upstream-first order: a pipeline fed by a connector comes after the pipeline feeding it. */
  readonly pipelines: readonly BuiltPipeline[];
  readonly receivers: ReadonlyMap<string, Component>;
}

/** Builds every component of `config`; throws if a factory throws (a bug or an unusable setting). */
export function buildGraph(config: ServiceConfig, makeLog: LogMaker, logger: Logger, metrics: SelfMetrics): Graph {
  const settings = (kind: string, c: ComponentConfig): CreateSettings => ({
    id: c.id,
    logger: logger.child({ kind, name: c.id.id }),
    metrics,
  });

  const extensions = new Map<string, Component>();
  for (const id of config.service.extensions) {
    const c = config.extensions.get(id)!;
    extensions.set(id, (c.factory as ExtensionFactory).create(settings('extension', c), c.config));
  }

  // Logs and entries first: connectors feed other pipelines' entries.
  const ordered = upstreamFirst(config);
  const entries = new Map<string, { log: StageLog; entry: PipelineEntry; admission: Processor[] }>();
  for (const p of ordered) {
    const log = makeLog(`${p.id}.ingest`, p.signal);
    const admission: Processor[] = []; // filled below once processors exist
    entries.set(p.id, { log, admission, entry: new PipelineEntry(log, admission, DEFAULT_KEYS[p.signal]) });
  }

  const exporters = new Map<string, Component & Consumer>();
  for (const p of ordered) {
    for (const id of p.exporters) {
      const c = config.exporters.get(id);
      if (c && !exporters.has(id)) exporters.set(id, (c.factory as ExporterFactory).create(settings('exporter', c), c.config));
    }
  }

  // A connector instance per (id, from signal, to signal), feeding every pipeline that lists it as a receiver.
  const connectors: Array<{ id: string; component: Component }> = [];
  const connectorInputs = new Map<string, Consumer>(); // key: `${id}|${fromSignal}`
  for (const p of ordered) {
    for (const id of p.exporters) {
      const c = config.connectors.get(id);
      const key = `${id}|${p.signal}`;
      if (!c || connectorInputs.has(key)) continue;
      const outputs: Consumer[] = [];
      for (const to of new Set(ordered.filter((q) => q.receivers.includes(id)).map((q) => q.signal))) {
        const targets = ordered.filter((q) => q.receivers.includes(id) && q.signal === to).map((q) => entries.get(q.id)!.entry);
        const component = (c.factory as ConnectorFactory).create(settings('connector', c), c.config, p.signal, to, fanOut(targets));
        connectors.push({ id, component });
        outputs.push(component);
      }
      connectorInputs.set(key, fanOut(outputs));
    }
  }

  const pipelines: BuiltPipeline[] = [];
  for (const p of ordered) {
    const sinks = p.exporters.map((id) => exporters.get(id) ?? connectorInputs.get(`${id}|${p.signal}`)!);
    let next: Consumer = signalGuard(p.signal, fanOut(sinks));
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
    const built = entries.get(p.id)!;
    built.admission.push(...processors.filter((proc) => typeof proc.admit === 'function'));
    built.entry.key = pipelineKey(p.signal, processors.map((proc, i) => ({ id: p.processors[i]!, key: proc.partitionKey })));
    pipelines.push({ config: p, log: built.log, entry: built.entry, head: next, processors });
  }

  const receivers = new Map<string, Component>();
  for (const [id, c] of config.receivers) {
    const next = new Map<Signal, Consumer>();
    for (const signal of new Set(ordered.filter((p) => p.receivers.includes(id)).map((p) => p.signal))) {
      next.set(signal, fanOut(ordered.filter((p) => p.signal === signal && p.receivers.includes(id)).map((p) => entries.get(p.id)!.entry)));
    }
    if (next.size > 0) receivers.set(id, (c.factory as ReceiverFactory).create(settings('receiver', c), c.config, next));
  }

  return { extensions, exporters, connectors, pipelines, receivers };
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

/** Asserts (cheaply) that only the pipeline's own signal flows through it. */
function signalGuard(signal: Signal, next: Consumer): Consumer {
  return {
    consume(payload: Payload, delivery?: Delivery): Promise<void> {
      if (payload.signal !== signal) return Promise.reject(new Error(`bug: ${payload.signal} in a ${signal} pipeline`));
      return next.consume(payload, delivery);
    },
  };
}
