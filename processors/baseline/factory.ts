/** Factory of the baseline processor: per-series baselines, their bands, and degradation events. */
import type { ProcessorFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'baseline';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./processor.js'));

/** Builds baseline processors, one per metrics pipeline. */
export const factory: ProcessorFactory<Config> = {
  emitsEvents: ['vigil.degradation'],
  type: TYPE,
  kind: 'processor',
  stability: { metrics: 'development' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  load: impl.load,
  // A RED point's rule needs the calls of the same window: every series of a service on one instance.
  partitionKey: (config) => (config.partition_by === 'series' ? { by: 'series' } : { by: 'attribute', name: config.partition_by }),
  create: (settings, config, signal, next) => impl.get().createBaseline(settings, config, signal, next),
};
