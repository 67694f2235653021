/** Factory of the debug exporter. */
import type { ExporterFactory } from '../../pipeline/component.js';
import { configSchema, type Config } from './config.js';
import { DebugExporter } from './exporter.js';

/** The component type, as written in configs. */
export const TYPE = 'debug';

/** Builds debug exporters; every key has a default. */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  kind: 'exporter',
  stability: { traces: 'development', metrics: 'development', logs: 'development' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  create: (settings, config) => new DebugExporter(settings, config),
};
