/** The loaded configuration, as the engine consumes it. */
import type { ComponentId, Factory } from '../pipeline/component.js';
import type { Signal } from '../pdata/payload.js';
import type { ConfigError, Position } from './errors.js';
import type { ServiceSection } from './service.js';

/** One configured component: its id as written, the factory its type resolved to, its parsed config. */
export interface ComponentConfig {
  readonly id: ComponentId;
  readonly factory: Factory;
  /** Parsed by the factory's schema, defaults filled (an empty body is parsed as `{}`). */
  readonly config: unknown;
  /** Where the component's key is written, for errors found after loading (a factory refusing the config). */
  readonly keyPos?: Position;
}

/** One pipeline of `service.pipelines`; every id it names exists and supports `signal`. */
export interface PipelineConfig {
  /** `traces`, `metrics/name`, … as configured. */
  readonly id: string;
  readonly signal: Signal;
  /** Receiver or connector ids. */
  readonly receivers: readonly string[];
  readonly processors: readonly string[];
  /** Exporter or connector ids. */
  readonly exporters: readonly string[];
}

/** A valid configuration: every configured component (used or not), the pipelines and the service section. */
export interface ServiceConfig {
  readonly receivers: ReadonlyMap<string, ComponentConfig>;
  readonly processors: ReadonlyMap<string, ComponentConfig>;
  readonly exporters: ReadonlyMap<string, ComponentConfig>;
  readonly connectors: ReadonlyMap<string, ComponentConfig>;
  readonly extensions: ReadonlyMap<string, ComponentConfig>;
  /** In the order they are written. */
  readonly pipelines: readonly PipelineConfig[];
  /** The parsed `service` section, durations in milliseconds. */
  readonly service: ServiceSection;
}

/** The outcome of loading: `config` is present exactly when `errors` is empty. */
export interface LoadResult {
  readonly config?: ServiceConfig;
  readonly errors: ConfigError[];
  readonly warnings: ConfigError[];
}

/** What `loadConfig` reads. */
export interface LoadOptions {
  /** YAML files, merged in order (later values win; maps merge key by key). */
  readonly files: readonly string[];
  /** `key.path=value` (or `key::path=value`) overrides, applied after the files, in order. */
  readonly sets?: readonly string[];
  /** Every factory the binary knows. */
  readonly factories: readonly Factory[];
  /** The environment for `${env:…}`; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}
