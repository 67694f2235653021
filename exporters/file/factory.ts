/** Factory of the file exporter. */
import type { ExporterFactory } from '../../pipeline/component.js';
import { configSchema, type Config } from './config.js';
import { FileExporter } from './exporter.js';

/** The component type, as written in configs. */
export const TYPE = 'file';

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
  create: (settings, config) => new FileExporter(settings, config),
};
