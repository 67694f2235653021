/** Factory of the `red_indicators` processor. */
import type { ProcessorFactory } from '../../pipeline/component.js';
import { configSchema, type Config } from './config.js';
import { createRedIndicators } from './red-indicators.js';

/** The component type, as written in configs. */
export const TYPE = 'red_indicators';

/** Builds red_indicators processors, one per metrics pipeline. */
export const factory: ProcessorFactory<Config> = {
  type: TYPE,
  kind: 'processor',
  stability: { metrics: 'development' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  // Every series of a service must reach the instance that holds that service's windows.
  partitionKey: () => ({ by: 'attribute', name: 'service.name' }),
  create: (settings, config, signal, next) => createRedIndicators(settings, config, signal, next),
};
