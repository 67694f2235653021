/** Factory of the kafka exporter (otelcol's kafkaexporter). */
import type { ExporterFactory } from '../../pipeline/component.js';
import { configSchema, type Config } from './config.js';
import { KafkaExporter } from './exporter.js';

/** The component type, as written in configs. */
export const TYPE = 'kafka';

/** Builds kafka exporters; there are no required settings, as in otelcol. */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  kind: 'exporter',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  create: (settings, config) => new KafkaExporter(settings, config),
};
