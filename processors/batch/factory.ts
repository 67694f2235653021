/** Factory of the batch processor: size- and time-triggered batching with end-to-end acknowledgement. */
import type { ProcessorFactory } from '../../pipeline/component.js';
import { BatchProcessor } from './batch.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'batch';

/** Builds batch processors, one per pipeline; the default config is otelcol's. */
export const factory: ProcessorFactory<Config> = {
  type: TYPE,
  kind: 'processor',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  create: (settings, config, signal, next) => new BatchProcessor(settings, config, signal, next),
};
