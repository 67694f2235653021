/** Factory of the batch processor: size- and time-triggered batching with end-to-end acknowledgement. */
import type { ProcessorFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'batch';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./batch.js'));

/** Builds batch processors, one per pipeline; the default config is otelcol's. */
export const factory: ProcessorFactory<Config> = {
  type: TYPE,
  kind: 'processor',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  load: impl.load,
  create: (settings, config, signal, next) => new (impl.get().BatchProcessor)(settings, config, signal, next),
};
