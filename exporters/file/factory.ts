/** Factory of the file exporter. */
import type { ExporterFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'file';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./exporter.js'));

/**
 * Builds file exporters. The default config has no `path`, as otelcol's: it is the one required
 * key, so the default does not validate until one is set.
 */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  kind: 'exporter',
  stability: { traces: 'alpha', metrics: 'alpha', logs: 'alpha' },
  configSchema,
  createDefaultConfig: () => ({ ...configSchema.parse({ path: 'unset' }), path: '' }),
  load: impl.load,
  create: (settings, config) => new (impl.get().FileExporter)(settings, config),
};
