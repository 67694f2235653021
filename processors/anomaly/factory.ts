/** Factory of the anomaly processor: scores every metric series and emits anomaly events. */
import type { ProcessorFactory } from '../../pipeline/component.js';
import { configSchema, type Config } from './config.js';
import { createAnomaly } from './processor.js';

/** The component type, as written in configs. */
export const TYPE = 'anomaly';

/** Builds anomaly processors, one per metrics pipeline. */
export const factory: ProcessorFactory<Config> = {
  emitsEvents: ['vigil.anomaly'],
  type: TYPE,
  kind: 'processor',
  stability: { metrics: 'development' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  // Every point of a series must reach the instance that holds its model.
  partitionKey: () => ({ by: 'series' }),
  create: (settings, config, signal, next) => createAnomaly(settings, config, signal, next),
};
