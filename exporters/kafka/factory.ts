/** Factory of the kafka exporter (otelcol's kafkaexporter). */
import type { ExporterFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'kafka';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./exporter.js'));

/** Builds kafka exporters; there are no required settings, as in otelcol. */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  kind: 'exporter',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  load: impl.load,
  create: (settings, config) => new (impl.get().KafkaExporter)(settings, config),
};
