/**
 * Builds every component of a valid config without starting anything (no socket, no broker
 * connection, no file), so that `vigil validate` and `run` report a factory that refuses its
 * config as a config error, naming the component, instead of failing later at start. The graph is
 * built by the real `buildGraph`, over stage logs that hold nothing; each factory is wrapped so a
 * throw is recorded against its component and building goes on to find the others.
 */
import { pino } from 'pino';
import type { ComponentConfig, ServiceConfig } from '../config/index.js';
import type { Factory } from './component.js';
import { messageOf } from './errors.js';
import { pipelineKeyOf } from './keys.js';
import { buildGraph } from './graph.js';
import { IngestSide } from './ingest-side.js';
import { loadImplementations } from './load-implementations.js';
import { Stages } from './stages.js';
import type { Signal } from '../pdata/payload.js';
import type { StageLog } from './stage-log.js';
import { SelfMetrics } from './telemetry.js';

/** One component whose factory refused its config. */
export interface BuildFailure {
  /** `receivers`, `processors`, `exporters`, `connectors` or `extensions`. */
  readonly section: ComponentSection;
  readonly component: ComponentConfig;
  readonly message: string;
}

/** The sections of a ServiceConfig that hold components. */
export type ComponentSection = 'receivers' | 'processors' | 'exporters' | 'connectors' | 'extensions';

const SECTIONS: readonly ComponentSection[] = ['extensions', 'receivers', 'processors', 'connectors', 'exporters'];

/** Builds the graph of `config` and returns what its factories refused (one entry per component); shuts down what was built. */
export async function dryBuild(config: ServiceConfig): Promise<BuildFailure[]> {
  await loadImplementations(config);
  const failures = new Map<string, BuildFailure>();
  const wrapped = { ...config } as { -readonly [K in keyof ServiceConfig]: ServiceConfig[K] };
  for (const section of SECTIONS) {
    wrapped[section] = new Map([...config[section]].map(([id, c]) => [id, { ...c, factory: recording(section, c, failures) }]));
  }
  const logger = pino({ level: 'silent' });
  const metrics = new SelfMetrics();
  // The keys first: two processors of one pipeline that need different keys cannot run.
  for (const p of config.pipelines) {
    try {
      pipelineKeyOf(config, p);
    } catch (err) {
      const first = config.processors.get(p.processors[0]!)!;
      failures.set(`pipeline|${p.id}`, { section: 'processors', component: first, message: `pipeline ${p.id}: ${messageOf(err)}` });
    }
  }
  if (failures.size > 0) return [...failures.values()];
  // Both halves, as a daemon on one thread builds them.
  const stages = new Stages(idleLog, metrics, (p) => pipelineKeyOf(config, p));
  const graph = buildGraph(wrapped, stages, logger, metrics);
  const ingest = new IngestSide(wrapped, stages, logger, metrics);
  const built = [
    ...ingest.receivers.values(), ...graph.pipelines.flatMap((p) => p.processors), ...graph.connectors.map((c) => c.component),
    ...graph.exporters.values(), ...ingest.extensions.values(),
  ];
  // Components must accept shutdown without start; this lets go of anything a constructor set up.
  await Promise.allSettled(built.map((c) => c.shutdown(Date.now() + 1000)));
  return [...failures.values()];
}

/** `c.factory` with a `create` that records a throw and returns an inert component, so building goes on. */
function recording(section: ComponentSection, c: ComponentConfig, failures: Map<string, BuildFailure>): Factory {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- applied below with the factory as `this`
  const create = c.factory.create as (...args: unknown[]) => unknown;
  return {
    ...c.factory,
    create: (...args: unknown[]) => {
      try {
        return create.apply(c.factory, args);
      } catch (err) {
        const key = `${section}|${c.id.id}`;
        if (!failures.has(key)) failures.set(key, { section, component: c, message: messageOf(err) });
        return inert;
      }
    },
  } as Factory;
}

/** What stands in for a component whose factory threw. */
const inert = {
  start: async (): Promise<void> => {},
  shutdown: async (): Promise<void> => {},
  consume: async (): Promise<void> => {},
};

/** A stage log that holds nothing: building wires entries to it, nothing is ever appended. */
function idleLog(name: string, _signal: Signal): StageLog {
  return {
    name,
    partitions: 1,
    append: async () => {},
    consume: async () => {},
    drain: async () => 0,
    checkRoom: () => {},
    notReadyReasons: () => [],
    stats: () => ({ records: 0, bytes: 0, capacityBytes: 0 }),
  };
}
