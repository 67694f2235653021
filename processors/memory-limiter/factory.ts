/** Factory of the memory_limiter processor: refuses data at the receiver while RSS is above the soft limit. */
import type { ProcessorFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, DEFAULT_MIN_GC_INTERVAL_HARD_MS, DEFAULT_MIN_GC_INTERVAL_SOFT_MS, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'memory_limiter';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./memory-limiter.js'));

/** Builds memory_limiter processors. Its default config is incomplete, as otelcol's is: check_interval and a limit are required. */
export const factory: ProcessorFactory<Config> = {
  type: TYPE,
  kind: 'processor',
  admits: true,
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  configSchema,
  createDefaultConfig: () => ({
    check_interval: undefined,
    limit_mib: 0,
    spike_limit_mib: undefined,
    limit_percentage: 0,
    spike_limit_percentage: undefined,
    min_gc_interval_when_soft_limited: DEFAULT_MIN_GC_INTERVAL_SOFT_MS,
    min_gc_interval_when_hard_limited: DEFAULT_MIN_GC_INTERVAL_HARD_MS,
  }),
  load: impl.load,
  create: (settings, config, signal, next) => impl.get().createMemoryLimiter(settings, config, signal, next),
};
