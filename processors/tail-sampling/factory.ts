/** Factory of the tail_sampling processor: whole-trace sampling decisions, otelcol's config and semantics. */
import type { ProcessorFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'tail_sampling';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./processor.js'));

/** Builds tail_sampling processors, one per traces pipeline. */
export const factory: ProcessorFactory<Config> = {
  type: TYPE,
  kind: 'processor',
  stability: { traces: 'beta' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  load: impl.load,
  // Every span of a trace must reach the one instance that decides it.
  partitionKey: () => ({ by: 'trace_id' }),
  create: (settings, config, signal, next) => impl.get().createTailSampling(settings, config, signal, next),
};
