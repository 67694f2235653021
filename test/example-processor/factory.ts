/** Factory of the example `window_sum` processor (test suite only; not in the vigil registry). */
import type { ProcessorFactory } from '../../pipeline/component.js';
import { configSchema, type Config } from './config.js';
import { createWindowSum } from './window-sum.js';

/** The component type, as written in configs. */
export const TYPE = 'window_sum';

/** Builds window_sum processors, one per metrics pipeline. */
export const factory: ProcessorFactory<Config> = {
  type: TYPE,
  kind: 'processor',
  stability: { metrics: 'development' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  // Every point of a series must reach the instance that holds its windows.
  partitionKey: () => ({ by: 'series' }),
  create: (settings, config, signal, next) => createWindowSum(settings, config, signal, next),
};
