/** Factory of the tail_sampling processor: whole-trace sampling decisions, otelcol's config and semantics. */
import type { ProcessorFactory } from '../../pipeline/component.js';
import { configSchema, type Config } from './config.js';
import { createTailSampling } from './processor.js';

/** The component type, as written in configs. */
export const TYPE = 'tail_sampling';

/** Builds tail_sampling processors, one per traces pipeline. */
export const factory: ProcessorFactory<Config> = {
  type: TYPE,
  kind: 'processor',
  stability: { traces: 'beta' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  // Every span of a trace must reach the one instance that decides it.
  partitionKey: () => ({ by: 'trace_id' }),
  create: createTailSampling,
};
