/** Factory of the anomaly processor: scores every metric series and emits anomaly events. */
import type { ProcessorFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'anomaly';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./processor.js'));

/** Builds anomaly processors, one per metrics pipeline. */
export const factory: ProcessorFactory<Config> = {
  emitsEvents: ['vigil.anomaly'],
  type: TYPE,
  kind: 'processor',
  stability: { metrics: 'development' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  load: impl.load,
  // Every point of a series must reach the instance that holds its model (by service: its whole service too).
  partitionKey: (config) => (config.partition_by === 'series' ? { by: 'series' } : { by: 'attribute', name: config.partition_by }),
  create: (settings, config, signal, next) => impl.get().createAnomaly(settings, config, signal, next),
};
