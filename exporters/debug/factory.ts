/** Factory of the debug exporter. */
import type { ExporterFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'debug';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./exporter.js'));

/** Builds debug exporters; every key has a default. */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  kind: 'exporter',
  stability: { traces: 'development', metrics: 'development', logs: 'development' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  load: impl.load,
  create: (settings, config) => new (impl.get().DebugExporter)(settings, config),
};
