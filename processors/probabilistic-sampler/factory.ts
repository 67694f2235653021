/** Factory of the probabilistic_sampler processor: consistent per-trace sampling for traces and logs. */
import type { ProcessorFactory } from '../../pipeline/component.js';
import { configSchema, type Config } from './config.js';
import { createSampler } from './sampler.js';

/** The component type, as written in configs. */
export const TYPE = 'probabilistic_sampler';

/** Builds probabilistic_sampler processors. Metrics are not sampled, as in otelcol. */
export const factory: ProcessorFactory<Config> = {
  type: TYPE,
  kind: 'processor',
  stability: { traces: 'beta', logs: 'alpha' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  create: createSampler,
};
