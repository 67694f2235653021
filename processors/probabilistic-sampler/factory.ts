/** Factory of the probabilistic_sampler processor: consistent per-trace sampling for traces and logs. */
import type { ProcessorFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'probabilistic_sampler';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./sampler.js'));

/** Builds probabilistic_sampler processors. Metrics are not sampled, as in otelcol. */
export const factory: ProcessorFactory<Config> = {
  type: TYPE,
  kind: 'processor',
  stability: { traces: 'beta', logs: 'alpha' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  load: impl.load,
  create: (settings, config, signal, next) => impl.get().createSampler(settings, config, signal, next),
};
