/**
 * The validated config as it crosses to the forwarding thread. A ServiceConfig holds factory
 * objects (functions), which a structured clone cannot carry; everything else in it is data: the
 * expanded, merged, validated per-component configs, the pipelines, the service section. So the
 * main thread sends the data and names each factory by kind and type; the worker re-attaches the
 * factories from the same registry. Nothing is read or validated again, so both threads run exactly
 * what the main thread validated, whatever happens to the files meanwhile.
 */
import type { ComponentConfig, PipelineConfig, ServiceConfig, ServiceSection } from '../../config/index.js';
import type { ComponentId, Factory, Kind } from '../component.js';

/** One component's config, its factory named instead of held. */
export interface PortableComponent {
  readonly id: ComponentId;
  readonly kind: Kind;
  /** The factory's own type (an alias in the file was already resolved to it). */
  readonly type: string;
  readonly config: unknown;
  /** Where its key stands in the config file (ComponentConfig.keyPos). */
  readonly keyPos?: ComponentConfig['keyPos'];
}

/** A ServiceConfig in structured-cloneable form. */
export interface PortableConfig {
  readonly receivers: ReadonlyMap<string, PortableComponent>;
  readonly processors: ReadonlyMap<string, PortableComponent>;
  readonly exporters: ReadonlyMap<string, PortableComponent>;
  readonly connectors: ReadonlyMap<string, PortableComponent>;
  readonly extensions: ReadonlyMap<string, PortableComponent>;
  readonly pipelines: readonly PipelineConfig[];
  readonly service: ServiceSection;
}

/** `config` without its factory objects, ready for `postMessage` / `workerData`. */
export function toPortable(config: ServiceConfig): PortableConfig {
  const strip = (section: ReadonlyMap<string, ComponentConfig>): Map<string, PortableComponent> =>
    new Map([...section].map(([key, c]) => [key, { id: c.id, kind: c.factory.kind, type: c.factory.type, config: c.config, ...(c.keyPos && { keyPos: c.keyPos }) }]));
  return {
    receivers: strip(config.receivers),
    processors: strip(config.processors),
    exporters: strip(config.exporters),
    connectors: strip(config.connectors),
    extensions: strip(config.extensions),
    pipelines: config.pipelines,
    service: config.service,
  };
}

/**
 * The ServiceConfig again, each component given the factory of its kind and type from `factories`.
 * Throws if one is missing: the two threads were given different registries, which is a bug.
 */
export function fromPortable(portable: PortableConfig, factories: readonly Factory[]): ServiceConfig {
  const attach = (section: ReadonlyMap<string, PortableComponent>): Map<string, ComponentConfig> =>
    new Map([...section].map(([key, c]) => {
      const factory = factories.find((f) => f.kind === c.kind && f.type === c.type);
      if (!factory) throw new Error(`bug: no ${c.kind} factory of type "${c.type}" (for ${c.id.id}) on this thread`);
      return [key, { id: c.id, factory, config: c.config, ...(c.keyPos && { keyPos: c.keyPos }) }];
    }));
  return {
    receivers: attach(portable.receivers),
    processors: attach(portable.processors),
    exporters: attach(portable.exporters),
    connectors: attach(portable.connectors),
    extensions: attach(portable.extensions),
    pipelines: portable.pipelines,
    service: portable.service,
  };
}
