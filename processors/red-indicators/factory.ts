/** Factory of the `red_indicators` processor. */
import type { ProcessorFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'red_indicators';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./red-indicators.js'));

/** Builds red_indicators processors, one per metrics pipeline. */
export const factory: ProcessorFactory<Config> = {
  type: TYPE,
  kind: 'processor',
  stability: { metrics: 'development' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  load: impl.load,
  // Every series of a service must reach the instance that holds that service's windows.
  partitionKey: () => ({ by: 'attribute', name: 'service.name' }),
  create: (settings, config, signal, next) => impl.get().createRedIndicators(settings, config, signal, next),
};
